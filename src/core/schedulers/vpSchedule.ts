// The schedule of the multistep solvers in DPM-Solver's form (DPMSolverMultistepScheduler,
// UniPCMultistepScheduler, DEISMultistepScheduler): n + 1 evenly spaced integer timesteps less the
// last, with the training sigmas at them, or Karras or exponential sigmas with their timesteps
// mapped back to integers; then a final sigma. The three classes differ only in the small rules
// of `VpScheduleRules`.

import type { BetaOptions, TimestepSpacing } from './config';
import { exponentialSigmas, f32, karrasSigmas, roundHalfEven, sigmaToT } from './numerics';
import type { SigmaSpacing } from './scheduleTypes';
import { dpmSolverTimesteps } from './spacing';
import { alphasCumprod, logSigmaTable, sigmaTable } from './training';

export interface VpScheduleRules {
  spacing: SigmaSpacing;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  /** Karras / exponential bounds instead of the training table's ends (`self.config.sigma_min` / `sigma_max`). */
  sigmaMin?: number | undefined;
  sigmaMax?: number | undefined;
  /** DPM-Solver's `lambda_min_clipped`: the noisiest timesteps whose λ is below it are not used. */
  lambdaMinClipped?: number;
  /** DPM-Solver truncates rather than rounds the Karras timesteps of cosine betas. */
  truncateKarrasTimesteps?: boolean;
  /** `final_sigmas_type`: 0, or the smallest sigma. */
  finalSigma: 'zero' | 'sigma_min';
  /**
   * Whether `sigma_min` after Karras or exponential sigmas is the ramp's own last sigma (UniPC,
   * DEIS) rather than the training table's smallest (DPM-Solver).
   */
  finalFromRamp: boolean;
}

export interface VpSchedule {
  timesteps: number[];
  /** One per call plus the final one, float32. */
  sigmas: number[];
}

/** How many of the noisiest timesteps have λ_t = log(α_t/σ_t) below `lambdaMin` (diffusers' `clipped_idx`). */
function clippedTimesteps(bar: Float32Array, lambdaMin: number): number {
  let clipped = 0;
  for (let t = bar.length - 1; t >= 0; t--) {
    const a = bar[t]!;
    const lambda = f32(f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a))))));
    if (lambda < lambdaMin) clipped++;
  }
  return clipped;
}

export function vpSchedule(betas: BetaOptions, steps: number, rules: VpScheduleRules): VpSchedule {
  const T = betas.numTrainTimesteps;
  const bar = alphasCumprod(betas, true);
  const table = sigmaTable(bar);
  const clipped = rules.lambdaMinClipped === undefined ? 0 : clippedTimesteps(bar, rules.lambdaMinClipped);
  let timesteps = dpmSolverTimesteps({ spacing: rules.timestepSpacing, steps, numTrainTimesteps: T, stepsOffset: rules.stepsOffset }, T - clipped);
  let sigmas: number[];
  if (rules.spacing === 'interpolated') {
    sigmas = timesteps.map((t) => table[Math.min(Math.max(t, 0), T - 1)]!);
  } else {
    const sigmaMin = rules.sigmaMin ?? table[0]!;
    const sigmaMax = rules.sigmaMax ?? table[T - 1]!;
    const logSigmas = logSigmaTable(table);
    const karras = rules.spacing === 'karras';
    sigmas = karras ? karrasSigmas(sigmaMin, sigmaMax, steps) : exponentialSigmas(sigmaMin, sigmaMax, steps);
    // The timesteps become int64: rounded first for Karras, truncated otherwise.
    const round = karras && rules.truncateKarrasTimesteps !== true;
    timesteps = sigmas.map((sigma) => Math.trunc(round ? roundHalfEven(sigmaToT(sigma, logSigmas)) : sigmaToT(sigma, logSigmas)));
  }
  const smallest = rules.finalFromRamp && rules.spacing !== 'interpolated' ? sigmas[sigmas.length - 1]! : table[0]!;
  sigmas.push(rules.finalSigma === 'zero' ? 0 : smallest);
  return { timesteps, sigmas: sigmas.map(f32) };
}
