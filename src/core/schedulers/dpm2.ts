// KDPM2DiscreteScheduler (k-diffusion's DPM2, after Lu et al. 2022's DPM-Solver-2): an Euler
// step to the geometric midpoint of σ and σ_next, then the whole step from the start along the
// derivative there. And KDPM2AncestralDiscreteScheduler (DPM2 a): the same towards the ancestral
// step's σ_down, then fresh noise of size σ_up from the run's noise source.

import type { NoiseSource } from '../noise';
import type { DiffusersSchedulerClass } from './classDefaults';
import { initArgs } from './config';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';
import { ancestralSigmas, derivativeAt, eulerStep, readSigmaSetup, type SigmaStep, spacingWithBounds } from './sigmaSampler';
import { geometricMean, TwoStageSampler, twoStageSetup } from './twoStage';

const PREDICTION_TYPES = ['epsilon', 'v_prediction'] as const;

/** x from `start` along the derivative at the midpoint, to `sigmaTo`. */
function fromStart(start: Float32Array, { sample, denoised, sigma }: SigmaStep, sigmaStart: number, sigmaTo: number): Float32Array {
  const dt = f32(sigmaTo - sigmaStart);
  const out = new Float32Array(sample.length);
  for (let i = 0; i < out.length; i++) out[i] = start[i]! + f32(derivativeAt(sample, denoised, sigma, i) * dt);
  return out;
}

export class Dpm2Scheduler extends TwoStageSampler {
  protected firstStage({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    return eulerStep(sample, denoised, sigma, sigmaNext);
  }

  protected secondStage(step: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array {
    return fromStart(start, step, sigmaStart, step.sigmaNext);
  }
}

export class Dpm2AncestralScheduler extends TwoStageSampler {
  protected firstStage({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    return eulerStep(sample, denoised, sigma, sigmaNext);
  }

  protected secondStage(step: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array {
    const { up, down } = ancestralSigmas(sigmaStart, step.sigmaNext);
    const out = fromStart(start, step, sigmaStart, down);
    addNoise(out, step.noise, up);
    return out;
  }
}

/** x + noise·σ_up in place, the noise one draw of the sample's size. */
function addNoise(x: Float32Array, noise: NoiseSource, up: number): void {
  const fresh = noise.randn(x.length);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + f32(fresh[i]! * up);
}

/** The one-call schedule as the k-dpm classes make it: Karras timesteps rounded, others kept in float64. */
function kdpmSetup(cls: DiffusersSchedulerClass, config: SchedulerConfig, steps: number, schedule: ScheduleType) {
  const args = initArgs(cls, config, scheduleOverrides(schedule));
  const spaced = spacingWithBounds(args);
  const options = { ...spaced, finalSigma: 'zero', roundKarrasTimesteps: true, float64Timesteps: spaced.spacing !== 'interpolated' } as const;
  const setup = readSigmaSetup(args, steps, false, options, PREDICTION_TYPES);
  const spacing = spaced.spacing;
  // The midpoint timesteps take the dtype of the step timesteps: float32 for linspace's.
  const timestep = spacing === 'interpolated' ? (sigma: number) => f32(setup.schedule.timestepOf(sigma)) : setup.schedule.timestepOf;
  return { setup, timestep };
}

export function createDpm2(config: SchedulerConfig, steps: number, schedule: ScheduleType): Dpm2Scheduler {
  const { setup, timestep } = kdpmSetup('KDPM2DiscreteScheduler', config, steps, schedule);
  const { sigmas } = setup.schedule;
  return new Dpm2Scheduler(
    twoStageSetup(setup, (k) => {
      const sigma = geometricMean(sigmas[k + 1]!, sigmas[k]!);
      return { sigma, timestep: timestep(sigma) };
    }),
  );
}

export function createDpm2Ancestral(config: SchedulerConfig, steps: number, schedule: ScheduleType): Dpm2AncestralScheduler {
  const { setup, timestep } = kdpmSetup('KDPM2AncestralDiscreteScheduler', config, steps, schedule);
  const { sigmas } = setup.schedule;
  return new Dpm2AncestralScheduler(
    twoStageSetup(setup, (k) => {
      const sigma = geometricMean(sigmas[k]!, ancestralSigmas(sigmas[k]!, sigmas[k + 1]!).down);
      return { sigma, timestep: timestep(sigma) };
    }),
  );
}
