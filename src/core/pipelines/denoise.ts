// The denoising loop: classifier-free guidance over the batch [uncond, cond]; the UNet's extra
// input channels (mask and masked-image latents, or depth) beside the scaled latents; a start
// part of the way down the schedule for image to image; and, for inpainting with a UNet that has
// no mask channel, the kept area put back after every step at the noise level of the next
// (diffusers' latent blending in StableDiffusionInpaintPipeline).

import type { UNet } from '../models';
import type { NoiseSource } from '../noise';
import type { Scheduler } from '../schedulers';
import type { Tensor } from '../tensor';
import { predictOriginal, type TrainingAlphas } from './denoised';

export interface StepInfo {
  /** 1-based number of the UNet call just done. */
  step: number;
  /** The UNet calls this run makes. */
  total: number;
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

export interface DenoiseInputs {
  scheduler: Scheduler;
  /** The start latents, [1, 4, h, w]. */
  latents: Float32Array;
  shape: readonly [number, number, number, number];
  /** The first call of the schedule that runs. */
  startIndex: number;
  conditioning: Tensor;
  cfg: number;
  /** The channels after the latents in the UNet's input, [C − 4, h, w], the same at every step. */
  extra?: Float32Array;
  blend?: LatentBlend;
  noise: NoiseSource;
  alphas: TrainingAlphas;
}

/** `(1 − m)·kept + m·latents` in place, m broadcast over the channels. */
function blendInto(latents: Float32Array, kept: Float32Array, mask: Float32Array): void {
  const plane = mask.length;
  for (let i = 0; i < latents.length; i++) {
    const m = mask[i % plane]!;
    latents[i] = (1 - m) * kept[i]! + m * latents[i]!;
  }
}

export async function denoise(unet: UNet, d: DenoiseInputs, hooks: PipelineHooks = {}): Promise<Float32Array> {
  const { scheduler, shape, extra } = d;
  const guided = d.cfg > 1;
  const batch = guided ? 2 : 1;
  const size = d.latents.length;
  const itemSize = size + (extra?.length ?? 0);
  const modelInput = new Float32Array(itemSize * batch);
  for (let b = 0; b < batch && extra; b++) modelInput.set(extra, b * itemSize + size);
  const inputShape = [batch, itemSize / (shape[2] * shape[3]), shape[2], shape[3]];
  const guidedOutput = guided ? new Float32Array(size) : undefined;
  const last = scheduler.timesteps.length - 1;
  const total = last + 1 - d.startIndex;
  let latents = d.latents;
  for (let i = d.startIndex; i <= last; i++) {
    const scaled = scheduler.scaleModelInput(latents, i);
    for (let b = 0; b < batch; b++) modelInput.set(scaled, b * itemSize);
    const prediction = await unet.predict({ data: modelInput, shape: inputShape }, scheduler.timesteps[i]!, d.conditioning);
    let output = prediction.data;
    if (guidedOutput) {
      // ε = ε_uncond + cfg · (ε_cond − ε_uncond); the batch is [uncond, cond].
      for (let j = 0; j < size; j++) {
        const uncond = output[j]!;
        guidedOutput[j] = uncond + d.cfg * (output[size + j]! - uncond);
      }
      output = guidedOutput;
    }
    latents = scheduler.step(output, i, latents, d.noise);
    if (d.blend) {
      const kept = i < last ? scheduler.addNoise(d.blend.original, d.blend.noise, i + 1) : d.blend.original;
      blendInto(latents, kept, d.blend.mask);
    }
    if (hooks.onStep) {
      const t = scheduler.timesteps[i]!;
      const denoised = () => ({ data: predictOriginal(scaled, output, d.alphas.at(t), d.alphas.prediction), shape });
      await hooks.onStep({ step: i - d.startIndex + 1, total, latents: { data: latents, shape }, denoised });
    }
    if (hooks.signal?.aborted) break;
  }
  return latents;
}
