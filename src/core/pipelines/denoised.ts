// The model's estimate of the clean latents (x₀) at a step, whatever the sampler: the UNet's
// input is always the sample in the training (DDPM) parameterisation, x_t = √ᾱ·x₀ + √(1−ᾱ)·ε,
// so x₀ follows from the prediction and ᾱ at the step's timestep.

import { alphasCumprod } from '../schedulers/training';
import { initArgs, readBetaOptions, PREDICTION_TYPES, readPredictionType, type PredictionType } from '../schedulers/config';
import type { SchedulerConfig } from '../schedulers';
import { originalFromScaledForm } from '../schedulers/prediction';

export interface TrainingAlphas {
  prediction: PredictionType;
  /** ᾱ at a (possibly fractional) training timestep, interpolated linearly. */
  at(t: number): number;
}

export function trainingAlphas(config: SchedulerConfig): TrainingAlphas {
  const args = initArgs('DDIMScheduler', config);
  const table = alphasCumprod(readBetaOptions(args), false);
  const last = table.length - 1;
  return {
    prediction: readPredictionType(args, PREDICTION_TYPES),
    at(t) {
      const x = Math.min(Math.max(t, 0), last);
      const i = Math.floor(x);
      const f = x - i;
      return f === 0 ? table[i]! : table[i]! * (1 - f) + table[Math.min(i + 1, last)]! * f;
    },
  };
}

/** x₀ from the UNet's input x_t and its (guided) prediction, in the samplers' own arithmetic. */
export function predictOriginal(sample: Float32Array, prediction: Float32Array, alphaBar: number, type: PredictionType): Float32Array {
  return originalFromScaledForm(type, prediction, sample, Math.sqrt(alphaBar), Math.sqrt(1 - alphaBar), new Float32Array(sample.length));
}
