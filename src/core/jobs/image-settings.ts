// One image's settings in two shapes: what a block or a command asks for (`ImageRequest`, only
// what was written, files resolved to absolute paths) and what the pipeline runs
// (`ImageSettings`, complete). `resolveImageSettings` is the one place defaults live, including
// the ones that depend on the model (its sampler, its size, its kind) and on the init's size.

import { fail, ok, type Result, type UserError } from '../errors';
import { randomSeed } from '../format/resolve';
import type { SettingValues, Size } from '../format/settings';
import type { ImageOrigin } from '../image/check';
import { familyDefaults, type ModelFamily } from '../models/family';
import type { ModelFolderInfo } from '../models/folder';
import type { Extension, InpaintArea, MaskedContent, ResizeMode } from '../image/modes';
import type { RngName } from '../noise';
import { runChoice, type SamplerChoice } from '../schedulers/registry';
import type { ScheduleType } from '../schedulers/scheduleTypes';
import type { SchedulerConfig } from '../schedulers/scheduler';

/** A picture a block names: the file, the text that named it, and where that text is. */
export interface ImageFile {
  /** Absolute path. */
  path: string;
  /** As written in the prompt file or on the command line. */
  spec: string;
  origin?: ImageOrigin;
}

/** The image-to-image settings, each optional, with the pictures as `F` (a file asked for, a file recorded). */
export interface ImageToImageFields<F> {
  init?: F;
  strength?: number;
  resize?: ResizeMode;
  mask?: F;
  maskInvert?: boolean;
  maskBlur?: number;
  maskedContent?: MaskedContent;
  inpaintArea?: InpaintArea;
  padding?: number;
  outpaint?: Extension;
  depth?: 'auto' | F;
}

/** What was asked for. Absent fields take their defaults in resolveImageSettings. */
export interface ImageRequest extends ImageToImageFields<ImageFile> {
  prompt: string;
  negativePrompt?: string;
  seed: number;
  steps?: number;
  cfg?: number;
  sampler?: SamplerChoice;
  /** The schedule type asked for (a `schedule:` setting, a sampler name that names one, or a grid's schedule axis); absent: automatic. */
  schedule?: ScheduleType;
  size?: Size;
  rng?: RngName;
  subseed?: number;
  subseedStrength?: number;
  watermark?: boolean;
}

/** Everything that decides an image, as the pipeline takes it. */
export interface ImageSettings {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: SamplerChoice;
  rng: RngName;
  /** The variation seed and how far toward its noise, 0..1 (0: none; the subseed is then unused). */
  subseed: number;
  subseedStrength: number;
  /** Mark the image with Stable Diffusion's invisible watermark (when it is large enough). */
  watermark: boolean;
  /** The size the init is brought to (the generated size without an init; before an outpainting extension). */
  width: number;
  height: number;
  init?: ImageFile;
  /** Of the init, 0..1; 1 without one. */
  strength: number;
  resize: ResizeMode;
  mask?: ImageFile;
  maskInvert: boolean;
  maskBlur: number;
  maskedContent: MaskedContent;
  inpaintArea: InpaintArea;
  padding: number;
  outpaint?: Extension;
  depth?: 'auto' | ImageFile;
}

/** The defaults, for the resolver and for the editor to show. */
export const DEFAULTS = {
  steps: 20,
  cfg: 7,
  rng: 'numpy' as RngName,
  subseedStrength: 0,
  watermark: true,
  /** diffusers' img2img pipeline; inpainting and outpainting (its inpaint pipeline) use 1. */
  strength: 0.75,
  repaintStrength: 1,
  resize: 'stretch' as ResizeMode,
  maskBlur: 4,
  maskedContent: 'original' as MaskedContent,
  /** Outpainting has no original under its new strips. */
  outpaintContent: 'fill' as MaskedContent,
  inpaintArea: 'whole' as InpaintArea,
  padding: 32,
  /** For a model that declares no sample size. */
  size: { width: 512, height: 512 },
} as const;

/** The largest canvas side a run may have (the format's limit for `size`). */
export const MAX_CANVAS_SIDE = 4096;

/** The UNet kinds by their input channels: latents, + mask and masked-image latents, + depth. */
export type UNetKind = 'plain' | 'inpainting' | 'depth';
const KINDS: Record<number, UNetKind> = { 4: 'plain', 9: 'inpainting', 5: 'depth' };

export interface ResolveContext {
  schedulerConfig: SchedulerConfig;
  /** The model's family: Turbo and LCM models have their own steps and cfg. */
  family?: ModelFamily;
  nativeSize?: Size;
  unetChannels: number;
  /** The UNet's file, for a message about its channels. */
  unetFile: string;
  /** The init's size in pixels, once loaded. */
  initSize?: Size;
}

/** The context a loaded model gives (with the init's size, once the init is read). */
export function modelContext(model: { info: ModelFolderInfo; unet: { inChannels: number } }, initSize?: Size): ResolveContext {
  const { info } = model;
  return {
    schedulerConfig: info.schedulerConfig,
    family: info.family,
    ...(info.nativeSize ? { nativeSize: info.nativeSize } : {}),
    unetChannels: model.unet.inChannels,
    unetFile: info.components.unet.onnx,
    ...(initSize ? { initSize } : {}),
  };
}

export function unetKind(channels: number): UNetKind | undefined {
  return KINDS[channels];
}

/** A request problem, located at the setting's file when it came from one. */
function problem(message: string, file?: ImageFile): UserError {
  const where = file?.origin;
  return where ? { code: 'invalid-request', message, file: where.file, line: where.line, column: where.column } : { code: 'invalid-request', message };
}

/** Rounded down to a multiple of 8 (at least 8), as diffusers sizes an init without a size. */
function multipleOf8(side: number): number {
  return Math.max(8, side - (side % 8));
}

export function resolveImageSettings(request: ImageRequest, context: ResolveContext): Result<ImageSettings> {
  const r = request;
  const kind = unetKind(context.unetChannels);
  if (!kind) {
    return fail({
      code: 'model-invalid',
      message: `the UNet takes ${context.unetChannels} input channels; sdprompt runs 4 (text and image to image), 9 (inpainting) and 5 (depth)`,
      file: context.unetFile,
    });
  }
  if (!r.init && (r.mask || r.outpaint)) return fail(problem(`${r.mask ? 'a mask' : 'outpaint'} needs an init image`, r.mask));
  if (r.mask && r.outpaint) return fail(problem('outpaint makes its own mask: use either mask or outpaint', r.mask));
  if (r.outpaint && r.inpaintArea === 'masked') return fail(problem('inpaint_area: masked does not apply to outpainting'));
  const depthFile = r.depth === 'auto' ? undefined : r.depth;
  if (r.depth !== undefined && kind !== 'depth') {
    return fail(problem(`a depth ${depthFile ? 'map' : 'estimate'} needs a depth model (5 UNet input channels); this UNet takes ${context.unetChannels}`, depthFile));
  }
  const depth = r.depth ?? (kind === 'depth' && r.init ? 'auto' : undefined);
  if (kind === 'depth' && !depth) return fail(problem("a depth model needs a depth map ('depth: FILE') or an init image to estimate one from"));
  if (depth === 'auto' && !r.init) return fail(problem('depth: auto estimates depth from the init image, and there is none'));

  const repaints = r.mask !== undefined || r.outpaint !== undefined;
  const strength = r.init ? (r.strength ?? (repaints ? DEFAULTS.repaintStrength : DEFAULTS.strength)) : 1;
  const made = context.family ? familyDefaults(context.family) : {};
  const steps = r.steps ?? made.steps ?? DEFAULTS.steps;
  const size = r.size ?? (context.initSize ? { width: multipleOf8(context.initSize.width), height: multipleOf8(context.initSize.height) } : (context.nativeSize ?? DEFAULTS.size));
  const sampler = runChoice(r.sampler, r.schedule, context.schedulerConfig);
  if (sampler.schedule !== 'automatic' && !sampler.sampler.sigmaBased) {
    return fail(problem(`the ${sampler.schedule} schedule needs a sampler that steps on sigmas (euler, euler_a, lms, dpmpp_2m, …); ${sampler.sampler.id} does not`));
  }
  const extension = r.outpaint ?? { left: 0, right: 0, top: 0, bottom: 0 };
  const canvas = { width: size.width + extension.left + extension.right, height: size.height + extension.top + extension.bottom };
  if (canvas.width > MAX_CANVAS_SIDE || canvas.height > MAX_CANVAS_SIDE) {
    return fail(problem(`the canvas would be ${canvas.width}x${canvas.height}; at most ${MAX_CANVAS_SIDE} a side`));
  }
  return ok({
    prompt: r.prompt,
    negativePrompt: r.negativePrompt ?? '',
    seed: r.seed,
    steps,
    cfg: r.cfg ?? made.cfg ?? DEFAULTS.cfg,
    sampler,
    rng: r.rng ?? DEFAULTS.rng,
    subseed: r.subseed ?? 0,
    subseedStrength: r.subseedStrength ?? DEFAULTS.subseedStrength,
    watermark: r.watermark ?? DEFAULTS.watermark,
    width: size.width,
    height: size.height,
    ...(r.init ? { init: r.init } : {}),
    strength,
    resize: r.resize ?? DEFAULTS.resize,
    ...(r.mask ? { mask: r.mask } : {}),
    maskInvert: r.maskInvert ?? false,
    maskBlur: r.maskBlur ?? DEFAULTS.maskBlur,
    maskedContent: r.maskedContent ?? (r.outpaint ? DEFAULTS.outpaintContent : DEFAULTS.maskedContent),
    inpaintArea: r.inpaintArea ?? DEFAULTS.inpaintArea,
    padding: r.padding ?? DEFAULTS.padding,
    ...(r.outpaint ? { outpaint: r.outpaint } : {}),
    ...(depth ? { depth } : {}),
  });
}

type FileSetting = 'init' | 'mask' | 'depth';

/** The request that format setting values make, with `file` resolving the files they name. */
export function imageRequest(
  prompt: string,
  seed: number,
  values: Partial<SettingValues>,
  file: (key: FileSetting, spec: string) => ImageFile,
): ImageRequest {
  const v = values;
  const fileOf = (key: FileSetting) => (v[key] !== undefined ? file(key, v[key]) : undefined);
  const request: ImageRequest = {
    prompt,
    seed,
    negativePrompt: v.negative,
    steps: v.steps,
    cfg: v.cfg,
    sampler: v.sampler,
    schedule: v.schedule,
    size: v.size,
    rng: v.rng,
    // A variation strength without a variation seed gets a random one per image, as A1111's −1.
    subseed: v.subseed ?? (v.subseed_strength ? randomSeed() : undefined),
    subseedStrength: v.subseed_strength,
    watermark: v.watermark,
    init: fileOf('init'),
    strength: v.strength,
    resize: v.resize,
    mask: fileOf('mask'),
    maskInvert: v.mask_invert,
    maskBlur: v.mask_blur,
    maskedContent: v.masked_content,
    inpaintArea: v.inpaint_area,
    padding: v.padding,
    outpaint: v.outpaint,
    depth: v.depth === undefined ? undefined : v.depth.toLowerCase() === 'auto' ? 'auto' : fileOf('depth'),
  };
  // Only what was asked: absent settings stay absent (in recipes and across the engine's IPC).
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as ImageRequest;
}
