// EulerAncestralDiscreteScheduler: an Euler step down to σ_down, then fresh noise of size σ_up,
// with σ_up² + σ_down² = σ_next². The noise comes from the run's NoiseSource, continuing the
// stream that gave the initial latents: our documented choice (diffusers' ONNX pipelines draw it
// from an unseeded torch generator, so no seed reproduces their images exactly anyway).
//
// diffusers has no Karras or exponential option for this class; with either schedule type the
// sampler steps over the schedule of EulerDiscreteScheduler(use_karras_sigmas=True, or
// use_exponential_sigmas=True) built from the same config.

import { initArgs, readPredictionType } from './config';
import { eulerSchedule } from './euler';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import type { ScheduleType } from './scheduleTypes';
import { ancestralSigmas, eulerStep, readSigmaSetup, SigmaSampler, type SigmaSamplerSetup, type SigmaStep } from './sigmaSampler';

const PREDICTION_TYPES = ['epsilon', 'v_prediction'] as const;

function ancestralSetup(config: SchedulerConfig, steps: number, schedule: ScheduleType): SigmaSamplerSetup {
  const args = initArgs('EulerAncestralDiscreteScheduler', config);
  if (schedule !== 'automatic') {
    return { schedule: eulerSchedule(config, steps, schedule).schedule, predictionType: readPredictionType(args, PREDICTION_TYPES) };
  }
  return readSigmaSetup(args, steps, true, { spacing: 'interpolated', finalSigma: 'zero' }, PREDICTION_TYPES);
}

export class EulerAncestralScheduler extends SigmaSampler {
  protected stepFrom({ sample, denoised, sigma, sigmaNext, noise }: SigmaStep): Float32Array {
    const { up, down } = ancestralSigmas(sigma, sigmaNext);
    const out = eulerStep(sample, denoised, sigma, down);
    const fresh = noise.randn(out.length);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + f32(fresh[i]! * up);
    return out;
  }
}

export function createEulerAncestral(config: SchedulerConfig, steps: number, schedule: ScheduleType): EulerAncestralScheduler {
  return new EulerAncestralScheduler(ancestralSetup(config, steps, schedule));
}
