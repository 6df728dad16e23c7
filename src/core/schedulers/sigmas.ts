// The schedule of the samplers that step in k-diffusion's sigma form: timesteps by the spacing
// rule and sigmas interpolated from the training table at them, or Karras or exponential sigmas
// with their timesteps mapped back by log-sigma interpolation; a final sigma after the last step.

import type { TimestepSpacing } from './config';
import { exponentialSigmas, f32, karrasSigmas, npInterpIndex, roundHalfEven, sigmaToT } from './numerics';
import type { SigmaSpacing } from './scheduleTypes';
import { sigmaSamplerTimesteps, type SpacingInput } from './spacing';
import { logSigmaTable, sigmaTable } from './training';

export interface SigmaScheduleOptions {
  spacing: SigmaSpacing;
  /**
   * Bounds of the Karras or exponential sigmas instead of the interpolated schedule's ends (the
   * config's `sigma_min` / `sigma_max`, where the class reads them).
   */
  sigmaMin?: number | undefined;
  sigmaMax?: number | undefined;
  /** `final_sigmas_type`: 0, or the smallest training sigma. */
  finalSigma: 'zero' | 'sigma_min';
  /** KDPM2 and KDPM2 ancestral round their Karras timesteps to integers. */
  roundKarrasTimesteps?: boolean;
  /**
   * Timesteps as numpy's float64 (DPMSolverSDEScheduler's linspace, and the timesteps the k-dpm
   * classes map back from sigmas) rather than cast to float32 as Euler, LMS and Heun cast them.
   */
  float64Timesteps?: boolean;
}

export interface SigmaSchedule {
  timesteps: number[];
  /** One per step plus the final one, float32 values. */
  sigmas: number[];
  initNoiseSigma: number;
  /** The fractional training timestep of a noise level (diffusers' `_sigma_to_t`, in float64). */
  timestepOf(sigma: number): number;
}

/** The initial noise scale: σ_max, or √(σ_max² + 1) for `leading` spacing (diffusers' rule). */
export function initNoiseSigmaFor(sigmas: readonly number[], spacing: TimestepSpacing): number {
  const max = Math.max(...sigmas);
  return spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
}

export function sigmaSchedule(alphasCumprod: Float32Array, input: SpacingInput, options: SigmaScheduleOptions): SigmaSchedule {
  const table = sigmaTable(alphasCumprod);
  const logSigmas = logSigmaTable(table);
  const precise = options.float64Timesteps === true;
  let timesteps = sigmaSamplerTimesteps(input, precise);
  let sigmas = timesteps.map((t) => npInterpIndex(t, table));
  if (options.spacing !== 'interpolated') {
    const sigmaMin = options.sigmaMin ?? sigmas[sigmas.length - 1]!;
    const sigmaMax = options.sigmaMax ?? sigmas[0]!;
    const karras = options.spacing === 'karras';
    sigmas = karras ? karrasSigmas(sigmaMin, sigmaMax, input.steps) : exponentialSigmas(sigmaMin, sigmaMax, input.steps);
    const round = karras && options.roundKarrasTimesteps === true;
    timesteps = sigmas.map((sigma) => {
      const t = sigmaToT(sigma, logSigmas);
      return round ? roundHalfEven(t) : precise ? t : f32(t);
    });
  }
  sigmas.push(options.finalSigma === 'zero' ? 0 : table[0]!);
  const sigmas32 = sigmas.map(f32);
  return {
    timesteps,
    sigmas: sigmas32,
    initNoiseSigma: initNoiseSigmaFor(sigmas32, input.spacing),
    timestepOf: (sigma) => sigmaToT(sigma, logSigmas),
  };
}
