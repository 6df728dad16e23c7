// The schedule of the sigma samplers that step in "k-diffusion" form (Euler, Euler ancestral,
// LMS): timesteps by the spacing rule, sigmas interpolated from the training table at them, or
// Karras sigmas with their timesteps mapped back by log-sigma interpolation; a final sigma after
// the last step.

import type { TimestepSpacing } from './config';
import { f32, karrasSigmas, npInterpIndex, sigmaToT } from './numerics';
import { sigmaSamplerTimesteps, type SpacingInput } from './spacing';
import { logSigmaTable, sigmaTable } from './training';

export interface SigmaScheduleOptions {
  karras: boolean;
  /** Euler's `sigma_min` / `sigma_max`: bounds for the Karras ramp instead of the schedule's ends. */
  karrasSigmaMin?: number | undefined;
  karrasSigmaMax?: number | undefined;
  /** `final_sigmas_type`: 0, or the smallest training sigma. */
  finalSigma: 'zero' | 'sigma_min';
}

export interface SigmaSchedule {
  timesteps: number[];
  /** One per step plus the final one, float32 values. */
  sigmas: number[];
  initNoiseSigma: number;
}

/** The initial noise scale: σ_max, or √(σ_max² + 1) for `leading` spacing (diffusers' rule). */
export function initNoiseSigmaFor(sigmas: readonly number[], spacing: TimestepSpacing): number {
  const max = Math.max(...sigmas);
  return spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
}

export function sigmaSchedule(alphasCumprod: Float32Array, input: SpacingInput, options: SigmaScheduleOptions): SigmaSchedule {
  const table = sigmaTable(alphasCumprod);
  let timesteps = sigmaSamplerTimesteps(input);
  let sigmas = timesteps.map((t) => npInterpIndex(t, table));
  if (options.karras) {
    const sigmaMin = options.karrasSigmaMin ?? sigmas[sigmas.length - 1]!;
    const sigmaMax = options.karrasSigmaMax ?? sigmas[0]!;
    const logSigmas = logSigmaTable(table);
    sigmas = karrasSigmas(sigmaMin, sigmaMax, input.steps);
    timesteps = sigmas.map((sigma) => f32(sigmaToT(sigma, logSigmas)));
  }
  sigmas.push(options.finalSigma === 'zero' ? 0 : table[0]!);
  const sigmas32 = sigmas.map(f32);
  return { timesteps, sigmas: sigmas32, initNoiseSigma: initNoiseSigmaFor(sigmas32, input.spacing) };
}
