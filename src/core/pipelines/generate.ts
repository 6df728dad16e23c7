// One image (or a block's seeds together), read top to bottom like the method: bring the pictures
// to the canvas; encode the prompts into what the family's UNet is conditioned on; prepare each
// seed's latents (its noise, or the encoded init noised to the start step); the conditioning for
// the UNet's extra channels (mask and masked-image latents for inpainting models, depth for depth
// models); denoise from the start step; decode (in tiles beyond 1024x1024); check the numbers
// (float16 overflow); put the result back over the original; add the invisible watermark. Text to
// image is the case without pictures.

import { fail, ok, type Result } from '../errors';
import { depthConditioning, depthFromImage } from '../image/depth';
import { tensorToRgb } from '../image/encode';
import { watermarkOutput, type WatermarkOutcome } from '../image/watermark';
import { conditioningMask, latentBlendMask } from '../image/mask';
import { toGray, type Raster } from '../image/raster';
import { resizeImage } from '../image/resize';
import { rasterToTensor } from '../image/to-tensor';
import { DEFAULTS, unetKind, type ImageSettings } from '../jobs/image-settings';
import { applyVariation, createNoiseSource } from '../noise';
import { createScheduler } from '../schedulers';
import { img2imgStart } from '../schedulers/strength';
import type { Scheduler } from '../schedulers';
import { conditionUNet } from './conditioning';
import { decodeLatents, TILE_BEYOND } from './decode';
import { denoise, type DenoiseImage, type LatentBlend, type PipelineHooks } from './denoise';
import { checkDecoded, nonFiniteError } from './numeric-safety';
import { trainingAlphas } from './denoised';
import { estimateDepth } from './depth';
import { encodeImage } from './encode-image';
import { latentMaskedContent, stackChannels, startLatents } from './latents';
import { compositeResult, prepareImages, type ImageWarning, type PreparedImages } from './prepare-images';
import type { StableDiffusion } from './stable-diffusion';

export type { PipelineHooks, StepInfo } from './denoise';

/** The pictures a run's settings name, loaded. */
export interface Pictures {
  init?: Raster;
  mask?: Raster;
  depth?: Raster;
}

export interface PipelineTimings {
  encodeMs: number;
  /** Preparing the pictures, the VAE encoder and the depth estimator (0 for text to image). */
  vaeEncodeMs: number;
  denoiseMs: number;
  decodeMs: number;
}

export interface PipelineOutput {
  /** RGB, in the original's frame (the canvas size, or the init's for only-masked inpainting). */
  image: Raster;
  watermark: WatermarkOutcome;
  timings: PipelineTimings;
  warnings: ImageWarning[];
}

const LATENT_CHANNELS = 4;
const VAE_FACTOR = 8;

export function checkSettings(s: ImageSettings): string | undefined {
  const { width, height, steps, cfg } = s;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width % VAE_FACTOR !== 0 || height % VAE_FACTOR !== 0 || width <= 0 || height <= 0) {
    return `size ${width}x${height} must be positive multiples of ${VAE_FACTOR}`;
  }
  if (!Number.isInteger(steps) || steps < 1) return `steps must be a positive whole number, not ${steps}`;
  if (!(cfg >= 0)) return `cfg must be a number ≥ 0, not ${cfg}`;
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff) return `seed must be a whole number from 0 to 4294967295`;
  if (!(s.strength >= 0 && s.strength <= 1)) return `strength must be from 0 to 1, not ${s.strength}`;
  return undefined;
}

/** The init and what goes with it at the canvas size. */
function canvasOf(s: ImageSettings, init: Raster, pictures: Pictures): PreparedImages {
  return prepareImages(init, {
    width: s.width,
    height: s.height,
    resize: s.resize,
    maskedContent: s.maskedContent,
    ...(pictures.mask ? { mask: { image: pictures.mask, invert: s.maskInvert, blur: s.maskBlur, area: s.inpaintArea, padding: s.padding } } : {}),
    ...(s.outpaint ? { outpaint: { extension: s.outpaint, blur: s.maskBlur } } : {}),
    ...(pictures.depth ? { depth: pictures.depth } : {}),
  });
}

/** The settings of a batch must differ only in their seeds: they share the prompts' encoding and the UNet's calls. */
function sameButSeed(all: readonly ImageSettings[]): boolean {
  const key = (s: ImageSettings) => JSON.stringify({ ...s, seed: 0 });
  return all.every((s) => key(s) === key(all[0]!));
}

/** One image, as generateImages with one setting. */
export async function generateImage(sd: StableDiffusion, s: ImageSettings, pictures: Pictures = {}, hooks: PipelineHooks = {}): Promise<Result<PipelineOutput>> {
  const r = await generateImages(sd, [s], pictures, hooks);
  return r.ok ? ok(r.value[0]!) : r;
}

/** Images whose settings differ only in their seeds (a block's seeds with `batch:`), denoised in one UNet call a step. */
export async function generateImages(sd: StableDiffusion, batch: readonly ImageSettings[], pictures: Pictures = {}, hooks: PipelineHooks = {}): Promise<Result<PipelineOutput[]>> {
  const s = batch[0]!;
  if (!sameButSeed(batch)) throw new Error('generateImages: the settings of a batch differ in more than their seeds');
  for (const each of batch) {
    const problem = checkSettings(each);
    if (problem) return fail({ code: 'invalid-request', message: problem });
  }
  const { model } = sd;
  const kind = unetKind(model.unet.inChannels);
  if (!kind) return fail({ code: 'model-invalid', message: `the UNet takes ${model.unet.inChannels} input channels; sdprompt runs 4, 9 and 5`, file: model.info.components.unet.onnx });
  // One schedule state for each image: multistep samplers keep a history, ancestral ones draw noise.
  const schedulers: Scheduler[] = [];
  for (let k = 0; k < batch.length; k++) {
    const created = createScheduler(s.sampler, model.info.schedulerConfig, s.steps);
    if (!created.ok) return created;
    schedulers.push(created.value);
  }
  const encoder = model.vaeEncoder;
  if (!encoder && (pictures.init || kind === 'inpainting')) {
    const why = pictures.init ? 'image to image needs it to encode the init' : 'an inpainting model needs it to encode its masked image';
    return fail({ code: 'model-missing', message: `vae_encoder/model.onnx is missing: ${why}`, file: model.info.components.vae_encoder.onnx });
  }

  const run = pictures.init ? img2imgStart(s.steps, s.strength, schedulers[0]!.order) : { startIndex: 0, steps: s.steps };
  if (run.steps === 0) {
    return fail({ code: 'invalid-request', message: `strength ${s.strength} with ${s.steps} steps runs no step (int(${s.steps} × ${s.strength}) = 0): raise strength or steps` });
  }

  const t0 = performance.now();
  const init = pictures.init && canvasOf(s, pictures.init, pictures);
  const width = init?.start.width ?? s.width;
  const height = init?.start.height ?? s.height;
  const conditioning = await conditionUNet(sd, s.prompt, s.negativePrompt, s.cfg, width, height);
  await model.doneWith(['text_encoder', 'text_encoder_2']);

  const t1 = performance.now();
  const shape = [1, LATENT_CHANNELS, height / VAE_FACTOR, width / VAE_FACTOR] as const;
  const scale = model.info.vaeScalingFactor;
  const mask = init?.mask;
  const blendMask = mask && latentBlendMask(mask, VAE_FACTOR);
  // The depth map is the same for every seed.
  let depth: Float32Array | undefined;
  if (kind === 'depth') {
    const depthImage = init ? init.depth : pictures.depth && resizeImage(toGray(pictures.depth), width, height, s.resize);
    const map = depthImage ? ok(depthFromImage(depthImage)) : await estimateDepth(sd, init!.start);
    if (!map.ok) return map;
    depth = depthConditioning(map.value, shape[3], shape[2]).data;
  }
  const { startIndex } = run;
  const images: DenoiseImage[] = [];
  for (const [k, each] of batch.entries()) {
    // Each seed draws from its own stream, in the order one image alone draws.
    const noise = createNoiseSource(each.rng, each.seed);
    const scheduler = schedulers[k]!;
    const encoded = init && (await encodeImage(encoder!, rasterToTensor(init.start), scale, noise)).data;
    // The seed's starting noise, moved toward the variation seed's (A1111's subseed) when there is one.
    const variation = { rng: each.rng, subseed: each.subseed, strength: each.subseedStrength };
    const epsilon = applyVariation(noise.randn(shape.reduce((a, b) => a * b, 1)), variation, [shape[1], shape[2], shape[3]]);
    const original = encoded && blendMask ? latentMaskedContent(encoded, epsilon, blendMask, s.maskedContent) : encoded;
    const latents = startLatents({ scheduler, noise: epsilon, original, startIndex, pureNoise: mask !== undefined && s.strength === 1 });
    let extra = depth;
    if (kind === 'inpainting') {
      const plane = shape[2] * shape[3];
      const maskChannel = mask ? conditioningMask(mask, VAE_FACTOR) : new Float32Array(plane).fill(1);
      // The masked image: the start picture with the repainted pixels at 0 (grey). Without a mask all
      // of it is repainted, so all grey, with or without an init (A1111's inpainting_image_conditioning).
      const image = init && mask ? rasterToTensor(init.start, mask) : { data: new Float32Array(3 * width * height), shape: [1, 3, height, width] };
      extra = stackChannels(maskChannel, (await encodeImage(encoder!, image, scale, noise)).data);
    }
    const blend: LatentBlend | undefined = kind !== 'inpainting' && original && blendMask ? { original, noise: epsilon, mask: blendMask } : undefined;
    images.push({ scheduler, latents, noise, ...(extra ? { extra } : {}), ...(blend ? { blend } : {}) });
  }
  await model.doneWith(['vae_encoder', 'depth_estimator']);

  const t2 = performance.now();
  const alphas = trainingAlphas(model.info.schedulerConfig);
  const denoised = await denoise(model.unet, { images, shape, startIndex, conditioning: conditioning.hidden, added: conditioning.added, cfg: conditioning.cfg, alphas }, hooks);
  if (hooks.signal?.aborted) return fail({ code: 'cancelled', message: 'cancelled' });
  if ('nonFinite' in denoised) return fail(nonFiniteError(sd, denoised.nonFinite, run.steps));

  const t3 = performance.now();
  const outputs: PipelineOutput[] = [];
  for (const final of denoised.latents) {
    // latents / scaling_factor in float32, as diffusers divides.
    const divisor = Math.fround(scale);
    const decoded = await decodeLatents(model.vaeDecoder, { data: final.map((v) => v / divisor), shape }, { tileSize: model.info.vaeSampleSize ?? DEFAULTS.size.width, beyond: TILE_BEYOND });
    const problem = checkDecoded(sd, decoded);
    if (problem.error) return fail(problem.error);
    const image = { ...tensorToRgb(decoded), channels: 3 as const };
    const marked = watermarkOutput(init ? compositeResult(image, init) : image, s.watermark);
    outputs.push({ image: marked.image, watermark: marked.watermark, timings: { encodeMs: 0, vaeEncodeMs: 0, denoiseMs: 0, decodeMs: 0 }, warnings: [...(init?.warnings ?? []), ...problem.warnings.map((message) => ({ message }))] });
  }
  const t4 = performance.now();
  // A batch shares its time: each image's share of it.
  const share = (ms: number) => ms / batch.length;
  for (const o of outputs) o.timings = { encodeMs: share(t1 - t0), vaeEncodeMs: share(t2 - t1), denoiseMs: share(t3 - t2), decodeMs: share(t4 - t3) };
  return ok(outputs);
}
