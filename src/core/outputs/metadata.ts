// What is written about each image: A1111's `parameters` text inside the PNG (so A1111 and the
// tools that read it show and reuse the settings) and a JSON recipe beside it with everything
// needed to make the same image again.

import type { ImageSettings, ImageToImageFields } from '../jobs/image-settings';
import type { WatermarkOutcome } from '../image/watermark';
import type { ComponentName } from '../models/folder';
import { A1111_RNG } from '../parameters/a1111-keys';
import { formatParametersText } from '../parameters/a1111-text';
import { a1111Name } from '../schedulers/registry';
import { SCHEDULE_LABELS, type ScheduleType } from '../schedulers/scheduleTypes';
import { SDPROMPT_VERSION } from '../version';

/** sha256 of each component a model folder has (its model.onnx, then its external weights in name order). */
export type ModelHashes = Partial<Record<ComponentName, string>> & { unet: string };

/** The model, as portable.ts records places: by path inside the prompt file's tree, else by folder name; and by content. */
export interface ModelIdentity {
  /** The model folder's name. */
  name: string;
  /** The folder relative to the prompt file (without one, to the recipe's folder), when it is in the same tree. */
  path?: string;
  sha256: ModelHashes;
  /** A VAE used in place of the model's own (`vae:`): where (as the model), and its decoder's sha256. */
  vae?: { name: string; path?: string; sha256: string };
}

export interface RecipeSource {
  /** The prompt file, relative to the recipe's own folder. */
  promptFile: string;
  block: { index: number; name?: string; line: number };
}

export interface Timings {
  /** Milliseconds: loading the model (0 when it was already loaded). */
  loadMs: number;
  encodeMs: number;
  /** Preparing the pictures and encoding them (VAE encoder, depth estimator); 0 for text to image. */
  vaeEncodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  totalMs: number;
}

/** A picture a run read: where (as portable.ts records places), its content hash and its size. */
export interface RecipeFile {
  /** Relative to the prompt file (without one, to the recipe's folder), when it is in the same tree. */
  path?: string;
  name: string;
  sha256: string;
  width: number;
  height: number;
}

/** The image-to-image part of a recipe, from the settings and the files' paths and hashes. */
export interface PictureFiles {
  init?: RecipeFile;
  mask?: RecipeFile;
  depth?: RecipeFile;
}

export interface Recipe extends ImageToImageFields<RecipeFile> {
  format: 'sdprompt-recipe';
  version: typeof RECIPE_VERSION;
  sdprompt: string;
  createdAt: string;
  source?: RecipeSource;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  /** The sampler and the schedule type it ran with (A1111's "Schedule type"; `automatic` is the sampler's plain spacing). */
  sampler: { name: string; a1111: string; diffusersClass: string; schedule: ScheduleType };
  /** The size the model runs at (the init is brought to it; an outpainting extension comes on top). */
  size: { width: number; height: number };
  rng: string;
  /** The variation seed and its strength, when the run had one. */
  subseed?: number;
  subseedStrength?: number;
  /** The invisible watermark: its payload, or why the image has none. */
  watermark: WatermarkOutcome;
  /** The picture written, when its size is not `size` (outpainting, only-masked inpainting). */
  output?: { width: number; height: number };
  model: ModelIdentity;
  /** sha256 of the written image's samples (RGB, row-major): a PNG optimiser keeps them, an edit does not. */
  imageSha256: string;
  runtime: { onnxruntime: string; executionProvider: string };
  timings: Timings;
}

/** The recipe version this sdprompt writes; a recipe of a later version is another sdprompt's to read. */
export const RECIPE_VERSION = 1;

/** The recipe's image-to-image fields: only those the run used. */
function imageFields(s: ImageSettings, files: PictureFiles): Partial<Recipe> {
  const fields: Partial<Recipe> = {};
  if (s.init && files.init) Object.assign(fields, { init: files.init, strength: s.strength, resize: s.resize });
  if (s.mask && files.mask) {
    Object.assign(fields, { mask: files.mask, maskInvert: s.maskInvert, inpaintArea: s.inpaintArea, ...(s.inpaintArea === 'masked' ? { padding: s.padding } : {}) });
  }
  if (s.mask || s.outpaint) Object.assign(fields, { maskBlur: s.maskBlur, maskedContent: s.maskedContent });
  if (s.outpaint) fields.outpaint = s.outpaint;
  if (s.depth) fields.depth = s.depth === 'auto' ? 'auto' : files.depth;
  return fields;
}

/**
 * A1111's inpainting keys (its `extra_generation_params`), in the order its img2img init adds
 * them, each only when A1111 writes it: no "Masked content" for original, no padding for whole.
 */
function maskParameters(s: ImageSettings): [string, string | number][] {
  if (!s.init || (!s.mask && !s.outpaint)) return [];
  const pairs: [string, string | number][] = [];
  if (s.mask && s.maskInvert) pairs.push(['Mask mode', 'Inpaint not masked']);
  if (s.maskBlur > 0) pairs.push(['Mask blur', s.maskBlur]);
  if (s.mask && s.inpaintArea === 'masked') pairs.push(['Inpaint area', 'Only masked'], ['Masked area padding', s.padding]);
  if (s.maskedContent !== 'original') pairs.push(['Masked content', s.maskedContent]);
  return pairs;
}

/**
 * The `parameters` text A1111 writes, its keys in the order of A1111's `create_infotext`: Steps,
 * Sampler, Schedule type, CFG scale, Seed, Size, Model hash, Model, VAE hash and VAE (another
 * folder's), Variation seed and its strength (when there is one), Denoising strength, …, RNG,
 * the inpainting keys, Version. RNG is written always (A1111 leaves out its default, GPU, which is
 * none of ours).
 */
export function a1111Parameters(settings: ImageSettings, model: ModelIdentity): string {
  return formatParametersText(settings.prompt, settings.negativePrompt, [
    ['Steps', settings.steps],
    ['Sampler', settings.sampler.sampler.a1111[0]!],
    ['Schedule type', SCHEDULE_LABELS[settings.sampler.schedule]],
    ['CFG scale', settings.cfg],
    ['Seed', settings.seed],
    ['Size', `${settings.width}x${settings.height}`],
    ['Model hash', model.sha256.unet.slice(0, 10)],
    ['Model', model.name],
    ['VAE hash', model.vae?.sha256.slice(0, 10)],
    ['VAE', model.vae?.name],
    ['Variation seed', settings.subseedStrength > 0 ? settings.subseed : undefined],
    ['Variation seed strength', settings.subseedStrength > 0 ? settings.subseedStrength : undefined],
    ['Denoising strength', settings.init ? settings.strength : undefined],
    ['RNG', A1111_RNG[settings.rng]],
    ...maskParameters(settings),
    ['Version', `sdprompt ${SDPROMPT_VERSION}`],
  ]);
}

export function buildRecipe(args: {
  settings: ImageSettings;
  model: ModelIdentity;
  source?: RecipeSource;
  runtime: Recipe['runtime'];
  timings: Timings;
  imageSha256: string;
  files?: PictureFiles;
  /** The written picture's size. */
  output?: { width: number; height: number };
  watermark: WatermarkOutcome;
  createdAt?: Date;
}): Recipe {
  const { settings } = args;
  return {
    format: 'sdprompt-recipe',
    version: RECIPE_VERSION,
    sdprompt: SDPROMPT_VERSION,
    createdAt: (args.createdAt ?? new Date()).toISOString(),
    ...(args.source ? { source: args.source } : {}),
    prompt: settings.prompt,
    negativePrompt: settings.negativePrompt,
    seed: settings.seed,
    steps: settings.steps,
    cfg: settings.cfg,
    sampler: {
      name: settings.sampler.name,
      a1111: a1111Name(settings.sampler),
      diffusersClass: settings.sampler.sampler.diffusersClass,
      schedule: settings.sampler.schedule,
    },
    size: { width: settings.width, height: settings.height },
    rng: settings.rng,
    ...(settings.subseedStrength > 0 ? { subseed: settings.subseed, subseedStrength: settings.subseedStrength } : {}),
    watermark: args.watermark,
    ...(args.output && (args.output.width !== settings.width || args.output.height !== settings.height) ? { output: args.output } : {}),
    ...imageFields(settings, args.files ?? {}),
    model: args.model,
    imageSha256: args.imageSha256,
    runtime: args.runtime,
    timings: args.timings,
  };
}
