// HeunDiscreteScheduler (Karras et al. 2022, algorithm 1 without churn): an Euler step to the
// next sigma, then the same step again from the start along the mean of the derivatives at both
// ends. The midpoint of a step is the next step's sigma itself.

import { initArgs } from './config';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';
import { derivativeAt, eulerStep, readSigmaSetup, type SigmaStep, spacingWithBounds } from './sigmaSampler';
import { TwoStageSampler, twoStageSetup, type TwoStageSetup } from './twoStage';

export class HeunScheduler extends TwoStageSampler {
  private derivative: Float32Array | undefined;

  constructor(
    setup: TwoStageSetup,
    /** `clip_sample_range` when `clip_sample` is on. */
    private readonly clipRange: number | undefined,
  ) {
    super(setup);
  }

  private clip(denoised: Float32Array): void {
    if (this.clipRange === undefined) return;
    const range = f32(this.clipRange);
    for (let i = 0; i < denoised.length; i++) denoised[i] = Math.min(Math.max(denoised[i]!, -range), range);
  }

  protected override singleStage({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    this.clip(denoised);
    return eulerStep(sample, denoised, sigma, sigmaNext);
  }

  protected firstStage({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    this.clip(denoised);
    if (this.derivative?.length !== sample.length) this.derivative = new Float32Array(sample.length);
    const dt = f32(sigmaNext - sigma);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d = derivativeAt(sample, denoised, sigma, i);
      this.derivative[i] = d;
      out[i] = sample[i]! + f32(d * dt);
    }
    return out;
  }

  protected secondStage({ sample, denoised, sigma }: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array {
    this.clip(denoised);
    const dt = f32(sigma - sigmaStart);
    const first = this.derivative!;
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d = f32(f32(first[i]! + derivativeAt(sample, denoised, sigma, i)) / 2);
      out[i] = start[i]! + f32(d * dt);
    }
    return out;
  }
}

export function createHeun(config: SchedulerConfig, steps: number, schedule: ScheduleType): HeunScheduler {
  const args = initArgs('HeunDiscreteScheduler', config, scheduleOverrides(schedule));
  const setup = readSigmaSetup(args, steps, false, {
    ...spacingWithBounds(args),
    finalSigma: 'zero',
  });
  const { timesteps, sigmas } = setup.schedule;
  const twoCalls = twoStageSetup(setup, (k) => ({ sigma: sigmas[k + 1]!, timestep: timesteps[k + 1]! }));
  return new HeunScheduler(twoCalls, args.flag('clip_sample') ? args.number('clip_sample_range') : undefined);
}
