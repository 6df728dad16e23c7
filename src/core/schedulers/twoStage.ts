// The samplers that call the UNet twice a step (Heun, DPM2, DPM2 a, DPM++ SDE, DPM++ 2S a): a
// first call at the step's sigma moves part of the way, to a midpoint; a second call at the
// midpoint's sigma takes the whole step again from where it started. A step with no midpoint
// (the last, whose next sigma is 0; for DPM++ 2S a any step whose σ_down is 0) is one call. So n
// steps make 2n − 1 calls (or fewer), and the schedule lists one sigma and one timestep per call:
// [s₀, m₀, s₁, m₁, …, s_{n−1}], then the final sigma, as diffusers' HeunDiscreteScheduler and the
// k-dpm classes interleave them.

import { f32 } from './numerics';
import { eulerStep, SigmaSampler, type SigmaSamplerSetup, type SigmaStep } from './sigmaSampler';

/** What a UNet call is to its step. */
export type Stage = 'single' | 'first' | 'second';

export interface TwoStageSetup extends SigmaSamplerSetup {
  stages: Stage[];
  /** The sampler step each call belongs to, 0-based. */
  stepOfCall: number[];
  /**
   * The noise level `addNoise` gives each call: the step's sigma at a first call, the next step's
   * at a second one, as diffusers' two-call classes keep their `sigmas` ([s₀, s₁, s₁, s₂, s₂, …])
   * and index them in add_noise.
   */
  noiseLevels: number[];
}

/**
 * A two-call setup from the one-call schedule and each step's midpoint (a noise level, and the
 * timestep the UNet is given there), or undefined for a step taken in one call. The last step has
 * no midpoint.
 */
export function twoStageSetup(
  setup: SigmaSamplerSetup,
  midpoint: (k: number) => { sigma: number; timestep: number } | undefined,
): TwoStageSetup {
  const { schedule } = setup;
  const steps = schedule.timesteps.length;
  const timesteps: number[] = [];
  const sigmas: number[] = [];
  const stages: Stage[] = [];
  const stepOfCall: number[] = [];
  const noiseLevels: number[] = [];
  const call = (timestep: number, sigma: number, stage: Stage, step: number, level: number): void => {
    timesteps.push(timestep);
    sigmas.push(sigma);
    stages.push(stage);
    stepOfCall.push(step);
    noiseLevels.push(level);
  };
  for (let k = 0; k < steps; k++) {
    const mid = k < steps - 1 ? midpoint(k) : undefined;
    call(schedule.timesteps[k]!, schedule.sigmas[k]!, mid ? 'first' : 'single', k, schedule.sigmas[k]!);
    if (mid) call(mid.timestep, mid.sigma, 'second', k, schedule.sigmas[k + 1]!);
  }
  sigmas.push(schedule.sigmas[steps]!);
  return { ...setup, schedule: { ...schedule, timesteps, sigmas }, stages, stepOfCall, noiseLevels };
}

/** exp of the float32 midpoint of log a and log b (torch's `a.log().lerp(b.log(), 0.5).exp()`). */
export function geometricMean(a: number, b: number): number {
  const start = f32(Math.log(a));
  const end = f32(Math.log(b));
  return f32(Math.exp(f32(end - f32(f32(end - start) * 0.5))));
}

export abstract class TwoStageSampler extends SigmaSampler {
  /** diffusers' `order` for these classes: img2img skips two calls for each step it leaves out. */
  override readonly order = 2;
  private readonly stages: readonly Stage[];
  private readonly steps: readonly number[];
  private readonly noiseLevels: readonly number[];
  private start: Float32Array | undefined;

  constructor(setup: TwoStageSetup) {
    super(setup);
    this.stages = setup.stages;
    this.steps = setup.stepOfCall;
    this.noiseLevels = setup.noiseLevels;
  }

  protected override noiseLevel(index: number): number {
    return this.noiseLevels[index]!;
  }

  override stepOfCall(index: number): number {
    return this.steps[index]!;
  }

  protected stepFrom(step: SigmaStep): Float32Array {
    switch (this.stages[step.index]!) {
      case 'single':
        return this.singleStage(step);
      case 'first':
        if (this.start?.length !== step.sample.length) this.start = new Float32Array(step.sample.length);
        this.start.set(step.sample);
        return this.firstStage(step);
      case 'second':
        if (!this.start) throw new Error(`call ${step.index} is a step's second: a run starts at its first call`);
        return this.secondStage(step, this.start, this.sigmas[step.index - 1]!);
    }
  }

  /** A step taken in one call, to `sigmaNext` (the next step's sigma): Euler's, unless the sampler says otherwise. */
  protected singleStage({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    return eulerStep(sample, denoised, sigma, sigmaNext);
  }

  /** The first call of a step: `sigmaNext` is the midpoint's sigma. */
  protected abstract firstStage(step: SigmaStep): Float32Array;

  /**
   * The second call, at the midpoint (`sigma`): the whole step from `start`, the sample at the
   * step's first call, whose sigma is `sigmaStart`; `sigmaNext` is the next step's.
   */
  protected abstract secondStage(step: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array;
}
