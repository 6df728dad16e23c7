// The settings a .sdprompt file can hold: one table that the parser, editor completion, hovers
// and the panel all read. Each entry parses its value text into a typed value or a problem
// located inside that text.

import { INPAINT_AREAS, MASKED_CONTENTS, RESIZE_MODES, type Extension, type InpaintArea, type MaskedContent, type ResizeMode } from '../image/modes';
import { RNG_NAMES, type RngName } from '../noise';
import { rngFromA1111 } from '../parameters/a1111-keys';
import { resolveSampler, samplerNames, type SamplerChoice } from '../schedulers/registry';
import { resolveScheduleType, SCHEDULE_TYPES, type ScheduleType } from '../schedulers/scheduleTypes';
import {
  MAX_MASK_BLUR,
  MAX_PADDING,
  parseBoolean,
  parseInpaintArea,
  parseMaskedContent,
  parseOutpaint,
  parsePath,
  parseResize,
  parseStrength,
  wholePixels,
} from './image-values';
import { parseGrid, type GridSpec } from './grid';
import { parseOutputFolder } from './output-folder';
import { closestMatch } from './suggest';
import { accept, listItems, reject, type ParsedValue, type ValueProblem } from './values';
import { quote } from '../quote';

export interface Size {
  width: number;
  height: number;
}

export interface SettingValues {
  seed: number[];
  steps: number;
  cfg: number;
  sampler: SamplerChoice;
  schedule: ScheduleType;
  size: Size;
  model: string;
  /** A folder whose VAE replaces the model's (A1111's SD VAE). */
  vae: string;
  /** Seeds of the block denoised together, in one UNet call a step. */
  batch: number;
  rng: RngName;
  negative: string;
  init: string;
  strength: number;
  resize: ResizeMode;
  mask: string;
  mask_invert: boolean;
  mask_blur: number;
  masked_content: MaskedContent;
  inpaint_area: InpaintArea;
  padding: number;
  outpaint: Extension;
  /** A depth map file, or `auto` for the model's depth estimator. */
  depth: string;
  subseed: number;
  subseed_strength: number;
  watermark: boolean;
  /** The output folder, relative to the prompt file (`parseOutputFolder`'s clean form). */
  output: string;
  /** A sweep over one or two settings, one image a cell. */
  grid: GridSpec;
}

export type SettingKey = keyof SettingValues;

export interface SettingDefinition<K extends SettingKey = SettingKey> {
  key: K;
  aliases: readonly string[];
  /** One line for completion and hovers. */
  summary: string;
  /** An example value, offered by completion. */
  example: string;
  /** The values completion offers after the key, for settings with a few named ones. */
  values?: readonly string[];
  /** A file the value names: completion offers the files and folders beside the prompt file. */
  file?: 'image';
  parse(text: string): ParsedValue<SettingValues[K]>;
}

export const MAX_SEED = 0xffffffff;
export const MAX_SEEDS_PER_BLOCK = 1000;
export const MAX_STEPS = 1000;
export const MAX_SIDE = 4096;
export const MAX_BATCH = 16;
export const MAX_CFG = 100;

function parseSeeds(text: string): ParsedValue<number[]> {
  const seeds: number[] = [];
  const warnings: ValueProblem[] = [];
  const seen = new Set<number>();
  for (const { item, offset, start, length } of listItems(text)) {
    if (item === '') return reject('empty seed in the list', start, length);
    const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(item);
    const single = /^\d+$/.exec(item);
    let from: number;
    let to: number;
    if (range) {
      if (tooLarge(range[2]!)) return reject(`seed ${range[2]} is larger than ${MAX_SEED}`, offset, item.length);
      from = Number(range[1]);
      to = Number(range[2]);
      if (from > to) return reject(`the range ${item} runs backwards; write ${to}..${from}`, offset, item.length);
    } else if (single) {
      if (tooLarge(item)) return reject(`seed ${item} is larger than ${MAX_SEED}`, offset, item.length);
      from = to = Number(item);
    } else {
      return reject(
        `${quote(item)} is not a seed: write a whole number from 0 to ${MAX_SEED}, a list '1, 2, 3' or a range '100..103'`,
        offset,
        item.length,
      );
    }
    if (seeds.length + (to - from + 1) > MAX_SEEDS_PER_BLOCK) {
      return reject(`more than ${MAX_SEEDS_PER_BLOCK} seeds in one block`, offset, item.length);
    }
    for (let seed = from; seed <= to; seed++) {
      if (seen.has(seed)) warnings.push({ message: `seed ${seed} is listed more than once`, offset, length: item.length });
      seen.add(seed);
      seeds.push(seed);
    }
  }
  if (seeds.length === 0) return reject('a seed needs a value', 0, text.length);
  return accept(seeds, warnings);
}

/** Digits that name a number above MAX_SEED, compared as written (26 digits do not fit a double). */
function tooLarge(digits: string): boolean {
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  return trimmed.length > String(MAX_SEED).length || Number(trimmed) > MAX_SEED;
}

function parseSteps(text: string): ParsedValue<number> {
  if (!/^\d+$/.test(text)) return reject(`steps must be a whole number from 1 to ${MAX_STEPS}`, 0, text.length);
  const steps = Number(text);
  if (steps < 1 || steps > MAX_STEPS) return reject(`steps must be from 1 to ${MAX_STEPS}, not ${text.replace(/^0+(?=\d)/, '')}`, 0, text.length);
  return accept(steps);
}

function parseCfg(text: string): ParsedValue<number> {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return reject(`cfg must be a number such as 7 or 7.5, not ${quote(text)}`, 0, text.length);
  const cfg = Number(text);
  if (cfg < 0) return reject(`cfg must be from 0 to ${MAX_CFG}, not ${text}`, 0, text.length);
  if (cfg > MAX_CFG) return reject(`cfg ${text} is beyond any useful guidance (at most ${MAX_CFG})`, 0, text.length);
  return accept(cfg);
}

function parseSampler(text: string): ParsedValue<SamplerChoice> {
  const choice = resolveSampler(text);
  if (choice) return accept(choice);
  const guess = closestMatch(text, samplerNames());
  const hint = guess ? `; did you mean '${guess}'?` : `; known samplers: ${samplerNames().join(', ')}`;
  return reject(`unknown sampler ${quote(text)}${hint}`, 0, text.length);
}

/** What is wrong with one side of an image size, if anything. */
export function sideProblem(name: 'width' | 'height', side: number): string | undefined {
  if (side < 8 || side > MAX_SIDE) return `${name} must be from 8 to ${MAX_SIDE}, not ${side}`;
  if (side % 8 !== 0) {
    const lower = side - (side % 8);
    return `${name} ${side} is not a multiple of 8 (try ${lower} or ${lower + 8})`;
  }
  return undefined;
}

function parseSchedule(text: string): ParsedValue<ScheduleType> {
  const schedule = resolveScheduleType(text);
  if (schedule) return accept(schedule);
  const guess = closestMatch(text, SCHEDULE_TYPES);
  const hint = guess ? `; did you mean '${guess}'?` : `; known schedule types: ${SCHEDULE_TYPES.join(', ')}`;
  return reject(`unknown schedule type '${text}'${hint}`, 0, text.length);
}

function parseSize(text: string): ParsedValue<Size> {
  const match = /^(\d+)\s*[xX×]\s*(\d+)$/.exec(text);
  if (!match) return reject(`size must be WIDTHxHEIGHT, such as 512x512`, 0, text.length);
  const sides = [Number(match[1]), Number(match[2])] as const;
  const names = ['width', 'height'] as const;
  for (let i = 0; i < 2; i++) {
    const offset = i === 0 ? 0 : text.length - match[2]!.length;
    const length = (i === 0 ? match[1] : match[2])!.length;
    const problem = sideProblem(names[i]!, sides[i]!);
    if (problem) return reject(problem, offset, length);
  }
  return accept({ width: sides[0], height: sides[1] });
}

function parseFolder(key: string): (text: string) => ParsedValue<string> {
  return (text) => (text === '' ? reject(`${key} needs a folder`, 0, 1) : accept(text));
}

function parseBatch(text: string): ParsedValue<number> {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_BATCH) return reject(`batch must be a whole number from 1 to ${MAX_BATCH}`, 0, text.length);
  return accept(Number(text));
}

function parseRng(text: string): ParsedValue<RngName> {
  const name = text.toLowerCase();
  const known = RNG_NAMES as readonly string[];
  if (known.includes(name)) return accept(name as RngName);
  // A1111's names for its sources (its RNG key and option): say which of ours is the same noise.
  const a1111 = rngFromA1111(text);
  const guess = closestMatch(name, RNG_NAMES);
  const hint = a1111 ? `A1111's ${text} noise is '${a1111}' here` : guess ? `did you mean '${guess}'?` : `known: ${RNG_NAMES.join(', ')}`;
  return reject(`unknown rng ${quote(text)}; ${hint}`, 0, text.length);
}

function parseSubseed(text: string): ParsedValue<number> {
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) return reject(`subseed must be a whole number from 0 to ${MAX_SEED}`, 0, text.length);
  return accept(Number(text));
}

function parseSubseedStrength(text: string): ParsedValue<number> {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || Number(text) > 1) return reject('subseed_strength must be a number from 0 to 1, such as 0.3', 0, text.length);
  return accept(Number(text));
}

function parseOnOff(key: string): (text: string) => ParsedValue<boolean> {
  return (text) => {
    const word = text.toLowerCase();
    if (word === 'on' || word === 'true') return accept(true);
    if (word === 'off' || word === 'false') return accept(false);
    return reject(`${key} is on or off, not '${text}'`, 0, text.length);
  };
}

export const SETTINGS: { readonly [K in SettingKey]: SettingDefinition<K> } = {
  seed: {
    key: 'seed',
    aliases: [],
    summary: 'Seeds: one number, a list `1, 2, 3` or a range `100..103`; one image each',
    example: '1',
    parse: parseSeeds,
  },
  steps: { key: 'steps', aliases: [], summary: 'Denoising steps (UNet calls, roughly)', example: '20', parse: parseSteps },
  cfg: {
    key: 'cfg',
    aliases: ['cfg_scale'],
    summary: 'Classifier-free guidance scale; 1 or less turns guidance off',
    example: '7',
    parse: parseCfg,
  },
  sampler: { key: 'sampler', aliases: [], summary: 'The sampler, by A1111 name or id (`DPM++ 2M`, `dpmpp_2m`)', example: 'Euler a', parse: parseSampler },
  schedule: {
    key: 'schedule',
    aliases: ['schedule_type', 'scheduler'],
    summary: 'The noise schedule (A1111’s Schedule type): `automatic` (the sampler’s own), `karras` or `exponential`',
    example: 'karras',
    values: SCHEDULE_TYPES,
    parse: parseSchedule,
  },
  size: { key: 'size', aliases: [], summary: 'Image size WIDTHxHEIGHT, multiples of 8', example: '512x512', parse: parseSize },
  model: {
    key: 'model',
    aliases: [],
    summary: 'Model folder (diffusers/Optimum ONNX layout), relative to this file',
    example: '../models/stable-diffusion-v1-5',
    parse: parseFolder('model'),
  },
  vae: {
    key: 'vae',
    aliases: ['sd_vae'],
    summary: "VAE folder to decode (and encode) with instead of the model's own, relative to this file: a model folder or an exported VAE (vae_decoder/, vae_encoder/)",
    example: '../models/sdxl-vae-fp16-fix',
    parse: parseFolder('vae'),
  },
  batch: {
    key: 'batch',
    aliases: ['batch_size'],
    summary: `Seeds of this block denoised together, one UNet call a step (1 to ${MAX_BATCH}): faster on a GPU with memory to spare, the same images`,
    example: '4',
    parse: parseBatch,
  },
  rng: { key: 'rng', aliases: [], summary: 'Noise source for seeds', example: 'numpy', parse: parseRng },
  negative: {
    key: 'negative',
    aliases: ['negative_prompt'],
    summary: 'Negative prompt; indented lines below continue it',
    example: 'blurry',
    parse: (text) => accept(text),
  },
  init: {
    key: 'init',
    aliases: ['init_image'],
    summary: 'Image to start from (PNG, JPEG or WebP), relative to this file: image to image',
    example: 'photo.png',
    file: 'image',
    parse: parsePath('init'),
  },
  strength: {
    key: 'strength',
    aliases: ['denoising_strength'],
    summary: 'How much of the init is redrawn, 0 to 1 (default 0.75; 1 with a mask or outpaint)',
    example: '0.75',
    parse: parseStrength,
  },
  resize: {
    key: 'resize',
    aliases: ['resize_mode'],
    summary: 'How the init is brought to `size`: stretch, crop (cover) or fill (fit, edges stretched)',
    example: 'crop',
    values: RESIZE_MODES,
    parse: parseResize,
  },
  mask: {
    key: 'mask',
    aliases: [],
    summary: 'Mask image for inpainting, relative to this file: white (or opaque) is repainted',
    example: 'mask.png',
    file: 'image',
    parse: parsePath('mask'),
  },
  mask_invert: {
    key: 'mask_invert',
    aliases: [],
    summary: 'Repaint what the mask leaves black instead (true or false)',
    example: 'true',
    values: ['true', 'false'],
    parse: parseBoolean,
  },
  mask_blur: {
    key: 'mask_blur',
    aliases: [],
    summary: `Blur of the mask's edge in pixels, 0 to ${MAX_MASK_BLUR} (default 4)`,
    example: '4',
    parse: wholePixels('mask_blur', MAX_MASK_BLUR),
  },
  masked_content: {
    key: 'masked_content',
    aliases: ['inpainting_fill'],
    summary: 'What the masked area starts from: original, fill, latent noise or latent nothing',
    example: 'fill',
    values: MASKED_CONTENTS,
    parse: parseMaskedContent,
  },
  inpaint_area: {
    key: 'inpaint_area',
    aliases: [],
    summary: "Repaint at the model's size the whole picture, or only the masked region (masked)",
    example: 'masked',
    values: INPAINT_AREAS,
    parse: parseInpaintArea,
  },
  padding: {
    key: 'padding',
    aliases: ['masked_padding'],
    summary: `Pixels around the mask kept in view with \`inpaint_area: masked\`, 0 to ${MAX_PADDING} (default 32)`,
    example: '32',
    parse: wholePixels('padding', MAX_PADDING),
  },
  outpaint: {
    key: 'outpaint',
    aliases: [],
    summary: 'Extend the init\'s canvas and paint the new strips: `left 64, right 32` (multiples of 8)',
    example: 'right 64',
    parse: parseOutpaint,
  },
  depth: {
    key: 'depth',
    aliases: ['depth_map'],
    summary: "Depth map for a depth model (white is near), or `auto` for the model's estimator",
    example: 'auto',
    values: ['auto'],
    file: 'image',
    parse: parsePath('depth'),
  },
  subseed: {
    key: 'subseed',
    aliases: ['variation_seed'],
    summary: "Variation seed (A1111's): its noise is blended into each seed's by `subseed_strength`; a random one when only the strength is set",
    example: '1',
    parse: parseSubseed,
  },
  subseed_strength: {
    key: 'subseed_strength',
    aliases: ['variation_strength'],
    summary: "How far each seed's noise moves toward the variation seed's, 0 to 1, by A1111's slerp (0: not at all)",
    example: '0.3',
    parse: parseSubseedStrength,
  },
  watermark: {
    key: 'watermark',
    aliases: [],
    summary: "Stable Diffusion's invisible watermark in the image (on, the default, for images of 256x256 pixels or more; or off)",
    example: 'off',
    values: ['on', 'off'],
    parse: parseOnOff('watermark'),
  },
  output: {
    key: 'output',
    aliases: [],
    summary: "The folder the file's images go to, inside this file's folder (default: the file's name); in the header",
    example: 'renders',
    parse: parseOutputFolder,
  },
  grid: {
    key: 'grid',
    aliases: [],
    summary: 'A sweep, one image a cell and a labelled grid: `cfg 5, 7, 9` or `cfg 5, 7, 9 x steps 10, 20` (seed, cfg, steps, sampler, schedule, strength)',
    example: 'cfg 5, 7, 9',
    parse: (text) => parseGrid(text, SETTINGS),
  },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

const keyByName = new Map<string, SettingKey>();
for (const key of SETTING_KEYS) {
  keyByName.set(key, key);
  for (const alias of SETTINGS[key].aliases) keyByName.set(alias, key);
}

/** The setting a key names (case-insensitive, aliases included). */
export function settingKeyFor(name: string): SettingKey | undefined {
  return keyByName.get(name.toLowerCase());
}

/** Every accepted key spelling, canonical ones first. */
export function settingNames(): string[] {
  return [...SETTING_KEYS, ...SETTING_KEYS.flatMap((k) => SETTINGS[k].aliases)];
}
