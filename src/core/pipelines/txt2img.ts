// Text to image, read top to bottom like the method: encode the prompts, prepare the seeded
// latents, denoise with classifier-free guidance, decode.

import { fail, ok, type Result } from '../errors';
import { createNoiseSource, type NoiseSource, type RngName } from '../noise';
import { createScheduler, type SamplerChoice, type Scheduler } from '../schedulers';
import type { Tensor } from '../tensor';
import type { StableDiffusion } from './stable-diffusion';
import { predictOriginal, trainingAlphas, type TrainingAlphas } from './denoised';
import { encodePrompts } from './encode-prompt';

export interface Txt2ImgRequest {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: SamplerChoice;
  width: number;
  height: number;
  rng: RngName;
}

export interface StepInfo {
  /** 1-based number of the UNet call just done. */
  step: number;
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

export interface PipelineTimings {
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
}

export interface PipelineOutput {
  /** [1, 3, height, width] in [-1, 1]. */
  image: Tensor;
  timings: PipelineTimings;
}

/** Latent channels of the VAE: 4 for every Stable Diffusion 1.x, 2.x and XL model. */
const LATENT_CHANNELS = 4;
const VAE_FACTOR = 8;

export function checkRequest(request: Txt2ImgRequest): string | undefined {
  const { width, height, steps, cfg } = request;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width % VAE_FACTOR !== 0 || height % VAE_FACTOR !== 0 || width <= 0 || height <= 0) {
    return `size ${width}x${height} must be positive multiples of ${VAE_FACTOR}`;
  }
  if (!Number.isInteger(steps) || steps < 1) return `steps must be a positive whole number, not ${steps}`;
  if (!(cfg >= 0)) return `cfg must be a number ≥ 0, not ${cfg}`;
  if (!Number.isInteger(request.seed) || request.seed < 0 || request.seed > 0xffffffff) return `seed must be a whole number from 0 to 4294967295`;
  return undefined;
}

export async function txt2img(sd: StableDiffusion, request: Txt2ImgRequest, hooks: PipelineHooks = {}): Promise<Result<PipelineOutput>> {
  const problem = checkRequest(request);
  if (problem) return fail({ code: 'invalid-request', message: problem });
  const scheduler = createScheduler(request.sampler, sd.model.info.schedulerConfig, request.steps);
  if (!scheduler.ok) return scheduler;
  const guided = request.cfg > 1;

  const t0 = performance.now();
  const conditioning = await encodePrompts(
    sd.model.textEncoder,
    sd.tokenizer,
    guided ? [request.negativePrompt, request.prompt] : [request.prompt],
  );

  const t1 = performance.now();
  const noise = createNoiseSource(request.rng, request.seed);
  const shape = [1, LATENT_CHANNELS, request.height / VAE_FACTOR, request.width / VAE_FACTOR] as const;
  let latents = prepareLatents(noise, shape, scheduler.value);
  const alphas = trainingAlphas(sd.model.info.schedulerConfig);
  latents = await denoise(sd, scheduler.value, latents, shape, conditioning, request.cfg, noise, alphas, hooks);
  if (hooks.signal?.aborted) return fail({ code: 'cancelled', message: 'cancelled' });

  const t2 = performance.now();
  const scaled = new Float32Array(latents.length);
  const scale = 1 / sd.model.info.vaeScalingFactor;
  for (let i = 0; i < latents.length; i++) scaled[i] = latents[i]! * scale;
  const image = await sd.model.vaeDecoder.decode({ data: scaled, shape });
  const t3 = performance.now();
  return ok({ image, timings: { encodeMs: t1 - t0, denoiseMs: t2 - t1, decodeMs: t3 - t2 } });
}

/** The seed's noise, scaled to the scheduler's starting noise level, as diffusers' ONNX pipelines draw it. */
function prepareLatents(noise: NoiseSource, shape: readonly number[], scheduler: Scheduler): Float32Array {
  const latents = noise.randn(shape.reduce((a, b) => a * b, 1));
  const sigma = scheduler.initNoiseSigma;
  for (let i = 0; i < latents.length; i++) latents[i] = latents[i]! * sigma;
  return latents;
}

async function denoise(
  sd: StableDiffusion,
  scheduler: Scheduler,
  start: Float32Array,
  shape: readonly number[],
  conditioning: Tensor,
  cfg: number,
  noise: NoiseSource,
  alphas: TrainingAlphas,
  hooks: PipelineHooks,
): Promise<Float32Array> {
  const guided = cfg > 1;
  const batch = guided ? 2 : 1;
  const size = start.length;
  const modelInput = new Float32Array(size * batch);
  const guidedOutput = guided ? new Float32Array(size) : undefined;
  const total = scheduler.timesteps.length;
  let latents = start;
  for (let i = 0; i < total; i++) {
    const scaled = scheduler.scaleModelInput(latents, i);
    modelInput.set(scaled, 0);
    if (guided) modelInput.set(scaled, size);
    const prediction = await sd.model.unet.predict(
      { data: modelInput, shape: [batch, ...shape.slice(1)] },
      scheduler.timesteps[i]!,
      conditioning,
    );
    let output = prediction.data;
    if (guidedOutput) {
      // ε = ε_uncond + cfg · (ε_cond − ε_uncond); the batch is [uncond, cond].
      for (let j = 0; j < size; j++) {
        const uncond = output[j]!;
        guidedOutput[j] = uncond + cfg * (output[size + j]! - uncond);
      }
      output = guidedOutput;
    }
    latents = scheduler.step(output, i, latents, noise);
    if (hooks.onStep) {
      const t = scheduler.timesteps[i]!;
      const denoised = () => ({ data: predictOriginal(scaled, output, alphas.at(t), alphas.prediction), shape });
      await hooks.onStep({ step: i + 1, total, latents: { data: latents, shape }, denoised });
    }
    if (hooks.signal?.aborted) break;
  }
  return latents;
}
