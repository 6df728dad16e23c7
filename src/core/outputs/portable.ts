// Paths a recipe can carry to another machine: a file is recorded relative to the prompt file
// when it lies in the same tree (the repository that holds the prompt file: the nearest folder
// above it with `.git`; without one, the prompt file's own folder), else by its name alone. No
// recipe holds an absolute path, a home folder or a path that climbs out of the repository.

import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The root of the tree a folder is in: the nearest folder at or above it holding `.git`, else the folder itself. */
export function treeRoot(dir: string): string {
  const start = path.resolve(dir);
  for (let d = start; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return start;
  }
}

/** Whether `file` is `root` or inside it. */
function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A file or folder as a recipe records it: `path` relative to `base` with `/` when inside `root`, and always its `name`. */
export function portableLocation(file: string, base: string, root: string): { path?: string; name: string } {
  const name = path.basename(file);
  if (!isInside(path.resolve(file), path.resolve(root))) return { name };
  return { path: path.relative(base, file).split(path.sep).join('/') || '.', name };
}
