// EulerDiscreteScheduler: Euler's method on the probability-flow ODE in sigma form (Karras et
// al. 2022, algorithm 2 without churn): x ← x + (σ_next − σ)·(x − x̂₀)/σ.

import { initArgs } from './config';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';
import { eulerStep, readSigmaSetup, SigmaSampler, type SigmaSamplerSetup, type SigmaStep, spacingWithBounds } from './sigmaSampler';

/** Reads the config as `EulerDiscreteScheduler.from_config(config, <schedule's flags>)` and makes its schedule. */
export function eulerSchedule(config: SchedulerConfig, steps: number, schedule: ScheduleType): SigmaSamplerSetup {
  const args = initArgs('EulerDiscreteScheduler', config, scheduleOverrides(schedule));
  args.unsupportedUnless('interpolation_type', 'linear');
  const setup = readSigmaSetup(args, steps, true, {
    ...spacingWithBounds(args),
    finalSigma: args.choice('final_sigmas_type', ['zero', 'sigma_min']),
  });
  if (args.choice('timestep_type', ['discrete', 'continuous']) === 'continuous' && setup.predictionType === 'v_prediction') {
    args.unsupportedUnless('timestep_type', 'discrete');
  }
  return setup;
}

export class EulerScheduler extends SigmaSampler {
  protected stepFrom({ sample, denoised, sigma, sigmaNext }: SigmaStep): Float32Array {
    return eulerStep(sample, denoised, sigma, sigmaNext);
  }
}

export function createEuler(config: SchedulerConfig, steps: number, schedule: ScheduleType): EulerScheduler {
  return new EulerScheduler(eulerSchedule(config, steps, schedule));
}
