// The image-to-image settings of the .sdprompt format (init, strength, resize, mask and its
// options, outpaint, depth): their value parsers for the settings table, and the checks that
// need several of them at once (a mask needs an init), run per block on its effective settings.

import { quote } from '../quote';
import { INPAINT_AREAS, MASKED_CONTENTS, OUTPAINT_SIDES, RESIZE_MODES, type Extension, type InpaintArea, type MaskedContent, type ResizeMode } from '../image/modes';
import { closestMatch } from './suggest';
import { accept, listItems, reject, type ParsedValue } from './values';

/** The largest mask blur and padding A1111's sliders allow. */
export const MAX_MASK_BLUR = 64;
export const MAX_PADDING = 256;
/** One side of an outpainting extension at most. */
export const MAX_OUTPAINT = 2048;

export function parsePath(what: string): (text: string) => ParsedValue<string> {
  return (text) => (text === '' ? reject(`${what} needs a file`, 0, 1) : accept(text));
}

export function parseStrength(text: string): ParsedValue<number> {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || Number(text) > 1) {
    return reject('strength must be a number from 0 to 1, such as 0.75 (how much of the init is redrawn)', 0, text.length);
  }
  return accept(Number(text));
}

/** A choice among names, with A1111's labels as aliases; a near miss gets a suggestion. */
function choice<T extends string>(what: string, names: readonly T[], aliases: Record<string, T>): (text: string) => ParsedValue<T> {
  return (text) => {
    const key = text.trim().toLowerCase().replace(/\s+/g, ' ');
    const found = names.find((n) => n === key) ?? aliases[key];
    if (found) return accept(found);
    const guess = closestMatch(key, [...names, ...Object.keys(aliases)]);
    return reject(`unknown ${what} ${quote(text)}; ${guess ? `did you mean '${guess}'?` : `use ${names.join(', ')}`}`, 0, text.length);
  };
}

export const parseResize = choice<ResizeMode>('resize mode', RESIZE_MODES, {
  'just resize': 'stretch',
  'crop and resize': 'crop',
  'resize and fill': 'fill',
});
export const parseMaskedContent = choice<MaskedContent>('masked content', MASKED_CONTENTS, {});
export const parseInpaintArea = choice<InpaintArea>('inpaint area', INPAINT_AREAS, { 'whole picture': 'whole', 'only masked': 'masked' });

export function parseBoolean(text: string): ParsedValue<boolean> {
  const value = text.toLowerCase();
  if (value === 'true' || value === 'yes') return accept(true);
  if (value === 'false' || value === 'no') return accept(false);
  return reject(`write true or false, not ${quote(text)}`, 0, text.length);
}

export function wholePixels(what: string, max: number): (text: string) => ParsedValue<number> {
  return (text) => {
    if (!/^\d+$/.test(text) || Number(text) > max) return reject(`${what} must be a whole number of pixels from 0 to ${max}`, 0, text.length);
    return accept(Number(text));
  };
}

/** `left 64, right 32`: any of the four sides once, each a positive multiple of 8 pixels. */
export function parseOutpaint(text: string): ParsedValue<Extension> {
  const extension: Extension = { left: 0, right: 0, top: 0, bottom: 0 };
  const seen = new Set<string>();
  for (const { item, offset } of listItems(text)) {
    const parts = /^([a-z]+)\s+(\d+)$/i.exec(item);
    const side = parts?.[1]!.toLowerCase() as (typeof OUTPAINT_SIDES)[number] | undefined;
    if (!parts || !side || !OUTPAINT_SIDES.includes(side)) {
      return reject(`${quote(item)} is not a side and its pixels: write e.g. 'left 64, right 32' (sides: ${OUTPAINT_SIDES.join(', ')})`, offset, item.length);
    }
    const pixels = Number(parts[2]);
    if (seen.has(side)) return reject(`${side} is given twice`, offset, item.length);
    if (pixels === 0 || pixels % 8 !== 0 || pixels > MAX_OUTPAINT) {
      return reject(`${side} ${pixels}: the canvas grows by a positive multiple of 8 pixels, at most ${MAX_OUTPAINT}`, offset, item.length);
    }
    seen.add(side);
    extension[side] = pixels;
  }
  if (seen.size === 0) return reject("outpaint needs at least one side, such as 'right 64'", 0, text.length);
  return accept(extension);
}

export interface CombinationProblem {
  /** The setting the problem is reported at. */
  key: 'mask' | 'outpaint' | 'inpaint_area' | 'depth' | 'strength' | 'resize' | 'mask_invert' | 'mask_blur' | 'masked_content' | 'padding' | 'subseed';
  severity: 'error' | 'warning';
  message: string;
}

/** The image settings present in a block (with the header's), by key. */
export interface ImageSettingsPresent {
  init?: unknown;
  strength?: unknown;
  resize?: unknown;
  mask?: unknown;
  mask_invert?: unknown;
  mask_blur?: unknown;
  masked_content?: unknown;
  inpaint_area?: InpaintArea;
  padding?: unknown;
  outpaint?: unknown;
  depth?: string;
  subseed?: unknown;
  subseed_strength?: unknown;
}

/** Settings that contradict or miss each other; none for a consistent block. */
export function imageSettingProblems(s: ImageSettingsPresent): CombinationProblem[] {
  const problems: CombinationProblem[] = [];
  const add = (key: CombinationProblem['key'], severity: CombinationProblem['severity'], message: string) => problems.push({ key, severity, message });
  const has = (key: keyof ImageSettingsPresent) => s[key] !== undefined;
  if (!has('init')) {
    if (has('mask')) add('mask', 'error', "a mask needs an init image to repaint: add 'init: FILE'");
    if (has('outpaint')) add('outpaint', 'error', "outpaint extends an init image: add 'init: FILE'");
    if (s.depth?.toLowerCase() === 'auto') add('depth', 'error', "depth: auto estimates depth from the init image: add 'init: FILE', or give a depth map");
    if (has('strength')) add('strength', 'warning', 'strength has no effect without an init image');
    if (has('resize') && (!has('depth') || s.depth?.toLowerCase() === 'auto')) add('resize', 'warning', 'resize has no effect without an init image or a depth map');
  }
  if (has('mask') && has('outpaint')) add('outpaint', 'error', 'outpaint makes its own mask: use either mask or outpaint');
  if (has('outpaint') && s.inpaint_area === 'masked') add('inpaint_area', 'error', 'inpaint_area: masked does not apply to outpainting, which repaints the whole canvas');
  if (!has('mask')) {
    for (const key of ['mask_invert', 'inpaint_area', 'padding'] as const) {
      if (has(key) && !(key === 'inpaint_area' && has('outpaint'))) add(key, 'warning', `${key} has no effect without a mask`);
    }
    if (!has('outpaint')) {
      for (const key of ['mask_blur', 'masked_content'] as const) if (has(key)) add(key, 'warning', `${key} has no effect without a mask or outpaint`);
    }
  } else if (has('padding') && s.inpaint_area !== 'masked') {
    add('padding', 'warning', 'padding applies only with inpaint_area: masked');
  }
  if (has('subseed') && !has('subseed_strength')) add('subseed', 'warning', 'subseed has no effect without subseed_strength');
  return problems;
}
