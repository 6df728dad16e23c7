// The denoising loop: classifier-free guidance over the batch [uncond, cond]; several images (a
// block's seeds) in one UNet call, each with its own schedule and noise; the UNet's added inputs
// (SDXL's pooled text and size ids, LCM's guidance embedding); the UNet's extra
// input channels (mask and masked-image latents, or depth) beside the scaled latents; a start
// part of the way down the schedule for image to image; and, for inpainting with a UNet that has
// no mask channel, the kept area put back after every step at the noise level of the next
// (diffusers' latent blending in StableDiffusionInpaintPipeline).

import type { UNet } from '../models';
import type { UNetAddedInputs } from '../models/components';
import type { NoiseSource } from '../noise';
import type { Scheduler } from '../schedulers';
import type { Tensor } from '../tensor';
import { predictOriginal, type TrainingAlphas } from './denoised';

/**
 * How far a run is. Steps are sampler steps, as `steps:` counts them (and A1111, and diffusers'
 * `num_inference_steps`); calls are UNet calls, which Heun, DPM2, DPM2 a, DPM++ SDE and DPM++ 2S a
 * make two of a step (but for the last), PLMS two for its first.
 */
export interface Progress {
  /** Sampler steps done, of `total` this run takes (an image-to-image run takes fewer than asked). */
  step: number;
  total: number;
  /** 1-based number of the UNet call just done, of `calls` this run makes. */
  call: number;
  calls: number;
}

/** The progress after call `index` of a run from call `start` to `last`. */
export function progressAt(scheduler: Scheduler, start: number, last: number, index: number): Progress {
  const first = scheduler.stepOfCall(start);
  const step = scheduler.stepOfCall(index);
  const stepEnds = index === last || scheduler.stepOfCall(index + 1) !== step;
  return { step: step - first + (stepEnds ? 1 : 0), total: scheduler.stepOfCall(last) - first + 1, call: index - start + 1, calls: last - start + 1 };
}

export interface StepInfo extends Progress {
  /** Which image of the batch (0 without `batch:`). */
  image: number;
  /** The latents after this step, [1, 4, h, w]. Valid only during the callback. */
  latents: Tensor;
  /** The model's estimate of the finished latents at this step (x₀), for previews; computed on request. */
  denoised(): Tensor;
}

export interface PipelineHooks {
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Checked after every step; an aborted run ends with the error code 'cancelled'. */
  signal?: AbortSignal;
}

/** What latent blending keeps: the start picture's latents and the noise they were noised with, and where to repaint. */
export interface LatentBlend {
  original: Float32Array;
  noise: Float32Array;
  /** [h, w], 1 = repaint (the denoiser's latents), 0 = keep (the original, noised). */
  mask: Float32Array;
}

/** One image of a batch: its own schedule state, latents, noise stream and pictures' channels. */
export interface DenoiseImage {
  scheduler: Scheduler;
  /** The start latents, [1, 4, h, w]. */
  latents: Float32Array;
  noise: NoiseSource;
  /** The channels after the latents in the UNet's input, [C − 4, h, w], the same at every step. */
  extra?: Float32Array;
  blend?: LatentBlend;
}

export interface DenoiseInputs {
  /** The images denoised together, one UNet call for all of them a step (a block's seeds with `batch:`). */
  images: readonly DenoiseImage[];
  shape: readonly [number, number, number, number];
  /** The first call of the schedule that runs. */
  startIndex: number;
  /** One row per prompt, [uncond, cond] with guidance, else [cond]. */
  conditioning: Tensor;
  /** The UNet's added inputs, rows as the conditioning's (SDXL's text_embeds and time_ids, LCM's timestep_cond). */
  added?: UNetAddedInputs;
  /** Classifier-free guidance's scale; no guidance batch when the conditioning has one row. */
  cfg: number;
  alphas: TrainingAlphas;
}

/** A UNet prediction or latents that are not finite: which image, which step. */
export interface NonFinite {
  image: number;
  /** 1-based UNet call, or 0 for the start latents. */
  step: number;
  where: 'prediction' | 'latents';
}

/** `(1 − m)·kept + m·latents` in place, m broadcast over the channels. */
function blendInto(latents: Float32Array, kept: Float32Array, mask: Float32Array): void {
  const plane = mask.length;
  for (let i = 0; i < latents.length; i++) {
    const m = mask[i % plane]!;
    latents[i] = (1 - m) * kept[i]! + m * latents[i]!;
  }
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** `t`'s rows, each repeated `times` times in place: [a, b] → [a, a, b, b] (diffusers' order for several images a prompt). */
function repeatRows(t: Tensor, times: number): Tensor {
  if (times === 1) return t;
  const rows = t.shape[0]!;
  const size = t.data.length / rows;
  const out = new Float32Array(t.data.length * times);
  for (let r = 0; r < rows; r++) for (let k = 0; k < times; k++) out.set(t.data.subarray(r * size, (r + 1) * size), (r * times + k) * size);
  return { data: out, shape: [rows * times, ...t.shape.slice(1)] };
}

/** The final latents of each image, or where a value stopped being finite (float16 overflow). */
export async function denoise(unet: UNet, d: DenoiseInputs, hooks: PipelineHooks = {}): Promise<{ latents: Float32Array[] } | { nonFinite: NonFinite }> {
  const { shape, images } = d;
  const guided = d.conditioning.shape[0] === 2;
  const rows = guided ? 2 : 1;
  const n = images.length;
  const size = shape[1] * shape[2] * shape[3];
  const itemSize = size + (images[0]!.extra?.length ?? 0);
  // The UNet's batch: [uncond × n, cond × n] with guidance, [cond × n] without.
  const modelInput = new Float32Array(itemSize * rows * n);
  images.forEach((image, k) => {
    for (let r = 0; r < rows && image.extra; r++) modelInput.set(image.extra, (r * n + k) * itemSize + size);
  });
  const inputShape = [rows * n, itemSize / (shape[2] * shape[3]), shape[2], shape[3]];
  const conditioning = repeatRows(d.conditioning, n);
  const added: UNetAddedInputs = {};
  for (const [key, value] of Object.entries(d.added ?? {}) as [keyof UNetAddedInputs, Tensor][]) added[key] = repeatRows(value, n);
  const scheduler = images[0]!.scheduler;
  const last = scheduler.timesteps.length - 1;
  const total = last + 1 - d.startIndex;
  const latents = images.map((image) => image.latents);
  for (const [k, l] of latents.entries()) if (!allFinite(l)) return { nonFinite: { image: k, step: 0, where: 'latents' } };
  for (let i = d.startIndex; i <= last; i++) {
    const scaled = images.map((image, k) => image.scheduler.scaleModelInput(latents[k]!, i));
    scaled.forEach((x, k) => {
      for (let r = 0; r < rows; r++) modelInput.set(x, (r * n + k) * itemSize);
    });
    const prediction = (await unet.predict({ data: modelInput, shape: inputShape }, scheduler.timesteps[i]!, conditioning, added)).data;
    for (let k = 0; k < n; k++) {
      const image = images[k]!;
      let output = prediction.subarray((guided ? n + k : k) * size, (guided ? n + k + 1 : k + 1) * size);
      if (guided) {
        // ε = ε_uncond + cfg · (ε_cond − ε_uncond).
        const uncond = prediction.subarray(k * size, (k + 1) * size);
        const cond = output;
        output = new Float32Array(size);
        for (let j = 0; j < size; j++) output[j] = uncond[j]! + d.cfg * (cond[j]! - uncond[j]!);
      }
      if (!allFinite(output)) return { nonFinite: { image: k, step: i - d.startIndex + 1, where: 'prediction' } };
      let next = image.scheduler.step(output, i, latents[k]!, image.noise);
      if (image.blend) {
        const kept = i < last ? image.scheduler.addNoise(image.blend.original, image.blend.noise, i + 1) : image.blend.original;
        next = next === latents[k] ? next.slice() : next;
        blendInto(next, kept, image.blend.mask);
      }
      latents[k] = next;
      if (hooks.onStep) {
        const t = scheduler.timesteps[i]!;
        const x = scaled[k]!;
        const guidedOutput = output;
        const denoised = () => ({ data: predictOriginal(x, guidedOutput, d.alphas.at(t), d.alphas.prediction), shape });
        await hooks.onStep({ image: k, ...progressAt(scheduler, d.startIndex, last, i), latents: { data: next, shape }, denoised });
      }
    }
    if (hooks.signal?.aborted) break;
  }
  for (const [k, l] of latents.entries()) if (!allFinite(l)) return { nonFinite: { image: k, step: total, where: 'latents' } };
  return { latents };
}
