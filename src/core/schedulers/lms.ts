// LMSDiscreteScheduler: a linear multistep method of order up to 4 in sigma. Each step adds the
// last derivatives weighted by the integral, from σ_i to σ_{i+1}, of their Lagrange basis
// polynomials. Those are polynomials of degree < 4, so 3-point Gauss–Legendre integrates them
// exactly (diffusers uses scipy's adaptive quad on a float32 integrand, which agrees to ~1e-7).

import { initArgs } from './config';
import { History } from './history';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { readSigmaSpacing, scheduleOverrides, type ScheduleType } from './scheduleTypes';
import { configBounds, derivativeAt, readSigmaSetup, SigmaSampler, type SigmaStep } from './sigmaSampler';

const MAX_ORDER = 4;
const GAUSS_NODES = [-Math.sqrt(3 / 5), 0, Math.sqrt(3 / 5)];
const GAUSS_WEIGHTS = [5 / 9, 8 / 9, 5 / 9];

/**
 * ∫ from σ_t to σ_{t+1} of the Lagrange basis polynomial that is 1 at σ_{t−current} and 0 at the
 * other σ_{t−k}, k < order (diffusers' `get_lms_coefficient`).
 */
export function lmsCoefficient(sigmas: readonly number[], order: number, t: number, current: number): number {
  const basis = (tau: number): number => {
    let product = 1;
    for (let k = 0; k < order; k++) {
      if (k === current) continue;
      product *= (tau - sigmas[t - k]!) / (sigmas[t - current]! - sigmas[t - k]!);
    }
    return product;
  };
  const a = sigmas[t]!;
  const b = sigmas[t + 1]!;
  const half = (b - a) / 2;
  const middle = (a + b) / 2;
  let integral = 0;
  for (let i = 0; i < GAUSS_NODES.length; i++) integral += GAUSS_WEIGHTS[i]! * basis(middle + half * GAUSS_NODES[i]!);
  return integral * half;
}

export class LmsScheduler extends SigmaSampler {
  private readonly derivatives = new History(MAX_ORDER);

  protected stepFrom({ index, sample, denoised, sigma }: SigmaStep): Float32Array {
    const n = sample.length;
    const derivative = this.derivatives.claim(n);
    for (let i = 0; i < n; i++) derivative[i] = derivativeAt(sample, denoised, sigma, i);

    // As diffusers: the order follows the step index, the terms pair with the derivatives
    // remembered (fewer when a run starts part of the way down).
    const order = Math.min(index + 1, MAX_ORDER);
    const terms = Math.min(order, this.derivatives.length);
    const sum = new Float32Array(n);
    for (let k = 0; k < terms; k++) {
      const coefficient = f32(lmsCoefficient(this.sigmas, order, index, k));
      const d = this.derivatives.get(k);
      for (let i = 0; i < n; i++) sum[i] = sum[i]! + f32(coefficient * d[i]!);
    }
    for (let i = 0; i < n; i++) sum[i] = sample[i]! + sum[i]!;
    return sum;
  }
}

export function createLms(config: SchedulerConfig, steps: number, schedule: ScheduleType): LmsScheduler {
  const args = initArgs('LMSDiscreteScheduler', config, scheduleOverrides(schedule));
  const spacing = readSigmaSpacing(args);
  return new LmsScheduler(readSigmaSetup(args, steps, false, { spacing, ...configBounds(args, spacing, false), finalSigma: 'zero' }));
}
