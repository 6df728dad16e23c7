// EulerDiscreteScheduler: Euler's method on the probability-flow ODE in sigma form (Karras et
// al. 2022, algorithm 2 without churn): x ← x + (σ_next − σ)·(x − x̂₀)/σ.

import { initArgs } from './config';
import type { SchedulerConfig } from './scheduler';
import { eulerStep, readSigmaSetup, SigmaSampler, type SigmaSamplerSetup, type SigmaStep } from './sigmaSampler';

/** Reads the config as `EulerDiscreteScheduler.from_config(config, use_karras_sigmas=karras)` and makes its schedule. */
export function eulerSchedule(config: SchedulerConfig, steps: number, karras: boolean): SigmaSamplerSetup {
  const args = initArgs('EulerDiscreteScheduler', config, { use_karras_sigmas: karras });
  args.unsupportedUnless('interpolation_type', 'linear');
  args.unsupportedUnless('use_exponential_sigmas', false);
  args.unsupportedUnless('use_beta_sigmas', false);
  const setup = readSigmaSetup(args, steps, true, {
    karras,
    karrasSigmaMin: args.optionalNumber('sigma_min'),
    karrasSigmaMax: args.optionalNumber('sigma_max'),
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

export function createEuler(config: SchedulerConfig, steps: number, karras: boolean): EulerScheduler {
  return new EulerScheduler(eulerSchedule(config, steps, karras));
}
