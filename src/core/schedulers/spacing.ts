// Which training timesteps a run of n steps visits (Lin et al. 2023, table 2), by diffusers'
// rules. The classes differ in small ways:
// DDIM and PNDM round to integers, the sigma samplers keep linspace's fractions, DPM-Solver
// spaces n+1 points and drops the last. All lists are descending.

import type { TimestepSpacing } from './config';
import { f32, npArange, npLinspace, roundHalfEven } from './numerics';

/** T, the steps n and the offset that `leading` adds. */
export interface SpacingInput {
  spacing: TimestepSpacing;
  steps: number;
  numTrainTimesteps: number;
  stepsOffset: number;
}

/** `trailing`: round(arange(T, 0, −T/n)) − 1, counting down from T − 1. */
function trailing(from: number, steps: number, numTrainTimesteps: number): number[] {
  return npArange(from, 0, -numTrainTimesteps / steps).map((t) => roundHalfEven(t) - 1);
}

/** `leading`: 0, r, 2r, … with r = T // n, plus the offset, reversed. */
function leading(count: number, ratio: number, offset: number): number[] {
  const out: number[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(i * ratio + offset);
  return out;
}

/** The rules DDIM, PNDM and the sigma samplers share; they differ in what linspace's values become. */
function spacedTimesteps({ spacing, steps, numTrainTimesteps: T, stepsOffset }: SpacingInput, linspaceValue: (t: number) => number): number[] {
  switch (spacing) {
    case 'linspace':
      return npLinspace(0, T - 1, steps).map(linspaceValue).reverse();
    case 'leading':
      return leading(steps, Math.floor(T / steps), stepsOffset);
    case 'trailing':
      return trailing(T, steps, T);
  }
}

/** DDIMScheduler and PNDMScheduler: integer timesteps. */
export function discreteTimesteps(input: SpacingInput): number[] {
  return spacedTimesteps(input, roundHalfEven);
}

/**
 * The sigma samplers: linspace is not rounded, and its values are float32 (numpy's `dtype=float32`)
 * except with `float64` (DPMSolverSDEScheduler's `dtype=float`).
 */
export function sigmaSamplerTimesteps(input: SpacingInput, float64 = false): number[] {
  return spacedTimesteps(input, float64 ? (t) => t : f32);
}

/**
 * DPMSolverMultistepScheduler: `lastTimestep` is T minus the steps cut by `lambda_min_clipped`.
 * linspace and leading space n+1 points and drop the final 0; trailing may give fewer than n
 * steps when clipped (diffusers then runs that many).
 */
export function dpmSolverTimesteps(
  { spacing, steps, numTrainTimesteps: T, stepsOffset }: SpacingInput,
  lastTimestep: number,
): number[] {
  switch (spacing) {
    case 'linspace':
      return npLinspace(0, lastTimestep - 1, steps + 1).map(roundHalfEven).reverse().slice(0, steps);
    case 'leading':
      return leading(steps + 1, Math.floor(lastTimestep / (steps + 1)), stepsOffset).slice(0, steps);
    case 'trailing':
      return trailing(lastTimestep, steps, T);
  }
}
