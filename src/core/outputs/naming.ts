// Where outputs go and what they are called: `shapes.sdprompt` writes into `shapes/` beside it,
// one `<block>-<seed>.png` per image.

import * as path from 'node:path';

/**
 * The folder that holds a prompt file's outputs: the file's `output:` setting (a relative folder
 * inside the file's folder, checked by the format), else a new name beside it, inside the file's
 * own folder. A stem of dots only (`...sdprompt` has the stem `..`) would name the folder itself or
 * its parent, so such files, like files of other extensions, get `<name>-outputs`.
 */
export function outputDirFor(promptFile: string, setting?: string): string {
  const parsed = path.parse(path.resolve(promptFile));
  if (setting !== undefined) return path.join(parsed.dir, ...setting.split('/'));
  const plain = parsed.ext === '.sdprompt' && !/^\.*$/.test(parsed.name);
  return path.join(parsed.dir, plain ? parsed.name : `${parsed.base}-outputs`);
}

/** A file-name-safe form of a name: lowercase ASCII letters, digits and dashes, at most 48 characters. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 48)
    .replace(/^-+|-+$/g, '');
}

/** A block's part of its file names: its name as a slug, or `block-N`. */
export function blockStem(block: { index: number; name?: string }): string {
  const slug = block.name !== undefined ? slugify(block.name) : '';
  return slug || `block-${block.index}`;
}

/** A stem as the functions below make them (letters, digits, dashes), so that it names a file in its folder and nothing else. */
export function isSafeStem(stem: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,99}$/.test(stem);
}

/** The file stem of one image: the block's name (or `block-N`) and the seed. */
export function outputStem(block: { index: number; name?: string }, seed: number): string {
  return `${blockStem(block)}-${seed}`;
}

/** The part a grid cell adds to its image's stem: each swept setting but the seed and its value (`-cfg-7-5-steps-10`). */
export function gridCellSuffix(labels: readonly { key: string; text: string }[]): string {
  return labels
    .filter((l) => l.key !== 'seed')
    .map((l) => `-${slugify(`${l.key} ${l.text}`).slice(0, 24).replace(/-+$/, '')}`)
    .join('');
}

/** The stem for an image made from a bare prompt (`sdprompt generate`): its first words and the seed. */
export function promptStem(prompt: string, seed: number): string {
  const slug = slugify(prompt.replace(/[()[\]\\]|:[\d.]+/g, ' ')).slice(0, 40).replace(/-+$/, '');
  return `${slug || 'image'}-${seed}`;
}

/** Whether `file` is `folder` or somewhere under it (after resolving both; no `..` escapes). */
export function isInside(folder: string, file: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
