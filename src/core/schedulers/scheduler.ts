// The one interface every sampler implements, and the base class they share. A scheduler is made
// for one run: its schedule is fixed when it is created (diffusers' `set_timesteps`), and
// multistep samplers keep the history of the steps they have taken.
//
// Samplers come in three families by how they write the noisy sample, each with its base:
// - sigmaSampler.ts: x = x̂₀ + σ·ε, the UNet's input scaled by 1/√(σ²+1) (k-diffusion's form:
//   Euler, Euler a, LMS, and the two-call samplers below);
// - vpSampler.ts: x = α_σ·x̂₀ + σ_t·ε with α_σ = 1/√(σ²+1), σ_t = σ·α_σ, no input scaling
//   (DPM-Solver's form: DPM++ 2M, DPM++ 2M SDE, UniPC, DEIS);
// - alphaSampler.ts: x = √ᾱ_t·x̂₀ + √(1−ᾱ_t)·ε at integer training timesteps (DDIM, PLMS,
//   DDPM, LCM).
// The sigma samplers that call the UNet twice a step (Heun, DPM2, DPM2 a, DPM++ SDE, DPM++ 2S a)
// share twoStage.ts.

import type { NoiseSource } from '../noise';

/** A parsed `scheduler/scheduler_config.json`, snake_case keys as in the file. Read it through config.ts. */
export interface SchedulerConfig {
  [key: string]: unknown;
}

export interface Scheduler {
  /** The timestep given to the UNet at each call, one per call (PNDM makes n+1 calls). */
  readonly timesteps: readonly number[];
  /** Sigma samplers: the noise level at each call, and a final one after the last (usually 0). */
  readonly sigmas?: readonly number[];
  /** What the initial unit-variance noise is multiplied by. */
  readonly initNoiseSigma: number;
  /**
   * diffusers' `order`: UNet calls per denoising step. Image to image skips `order` calls for each
   * step it leaves out (get_timesteps' `t_start · order`).
   */
  readonly order: number;
  /**
   * The sampler step (0-based) that UNet call `index` belongs to: the call itself for most
   * samplers; Heun, DPM2, DPM2 a, DPM++ SDE and DPM++ 2S a make two calls a step (one for the
   * last), PLMS two for its first. Progress counts steps with it, as A1111 and diffusers do.
   */
  stepOfCall(index: number): number;
  /** The UNet's input at call `index`. May return `sample` itself when nothing needs scaling. */
  scaleModelInput(sample: Float32Array, index: number): Float32Array;
  /**
   * One denoising step. `modelOutput` is the UNet's raw prediction (epsilon or v, per config).
   * `index` is the call number 0..timesteps.length-1: the first call may start anywhere (img2img
   * starts part of the way down), each later one must be the next. `noise` is used by ancestral
   * samplers only. Returns a new array with the next sample.
   */
  step(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array;
  /**
   * The clean `original` noised to the level of call `index` with `noise` (diffusers' add_noise
   * as the img2img and inpainting pipelines call it: before any step at the begin index, after a
   * step at the next call's). A new array; works in any order, outside the run's steps.
   */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array;
}

/**
 * What every sampler shares: its schedule, unscaled model input unless its family scales it, and
 * the calling order, checked before the sampler's own `advance`.
 */
export abstract class SamplerBase implements Scheduler {
  readonly order: number = 1;
  private readonly calls: StepOrder;

  constructor(
    readonly timesteps: readonly number[],
    readonly initNoiseSigma: number,
  ) {
    this.calls = new StepOrder(timesteps.length);
  }

  scaleModelInput(sample: Float32Array, _index: number): Float32Array {
    return sample;
  }

  stepOfCall(index: number): number {
    return index;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    this.calls.check(index);
    return this.advance(modelOutput, index, sample, noise);
  }

  abstract addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array;

  /** The sampler's own step, called in order (see `step`). */
  protected abstract advance(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array;
}

/** Checks the calling order the multistep samplers rely on; a wrong order is a bug of the caller. */
export class StepOrder {
  private next: number | undefined;

  constructor(private readonly calls: number) {}

  /** Throws unless `index` is in range and follows the run's previous call (the first may be any: img2img starts late). */
  check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.calls) {
      throw new RangeError(`step index ${index} is outside 0..${this.calls - 1}`);
    }
    if (this.next !== undefined && index !== this.next) {
      throw new Error(`step ${index} called after step ${this.next - 1}: steps must follow each other`);
    }
    this.next = index + 1;
  }
}
