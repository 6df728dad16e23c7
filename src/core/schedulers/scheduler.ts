// The one interface every sampler implements. A scheduler is made for one run: its schedule is
// fixed when it is created (diffusers' `set_timesteps`), and multistep samplers keep the history
// of the steps they have taken.

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
  /** The UNet's input at call `index`. May return `sample` itself when nothing needs scaling. */
  scaleModelInput(sample: Float32Array, index: number): Float32Array;
  /**
   * One denoising step. `modelOutput` is the UNet's raw prediction (epsilon or v, per config).
   * `index` is the call number 0..timesteps.length-1: the first call may start anywhere (img2img
   * starts part of the way down), each later one must be the next. `noise` is used by ancestral
   * samplers only. Returns a new array with the next sample.
   */
  step(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array;
}

/** Checks the calling order the multistep samplers rely on; a wrong order is a bug of the caller. */
export class StepOrder {
  private next: number | undefined;

  constructor(private readonly calls: number) {}

  /** Returns true on the first call of the run. */
  check(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.calls) {
      throw new RangeError(`step index ${index} is outside 0..${this.calls - 1}`);
    }
    const first = this.next === undefined;
    if (!first && index !== this.next) {
      throw new Error(`step ${index} called after step ${this.next! - 1}: steps must follow each other`);
    }
    this.next = index + 1;
    return first;
  }
}
