// The noise levels A1111 gives k-diffusion's samplers (k_diffusion.external.DiscreteSchedule over
// the model's training sigmas): "Uniform" (`get_sigmas(n)`, evenly spaced fractional timesteps
// with log-sigma interpolation), "Karras" and "Exponential" between the table's ends, then 0;
// and the fractional timestep the UNet is given for a sigma (`sigma_to_t`). All in float32, as
// torch computes them.

import { f32, torchLinspaceF32 } from './numerics';
import type { SigmaSpacing } from './scheduleTypes';
import { logSigmaTable } from './training';

export interface KDiffusionSchedule {
  /** One per step, then 0. */
  sigmas: number[];
  /** The UNet's timestep for a noise level. */
  timestepOf(sigma: number): number;
}

/** `DiscreteSchedule.sigma_to_t` without quantizing: log-sigma interpolation, in float32. */
function sigmaToTF32(sigma: number, logSigmas: Float32Array): number {
  const logSigma = f32(Math.log(sigma));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (f32(logSigma - logSigmas[i]!) >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lowValue = logSigmas[low]!;
  let w = f32(f32(lowValue - logSigma) / f32(lowValue - logSigmas[low + 1]!));
  w = Math.min(Math.max(w, 0), 1);
  return f32(f32(f32(1 - w) * low) + f32(w * (low + 1)));
}

/** `DiscreteSchedule.t_to_sigma`: log-sigma interpolated between the neighbouring integer timesteps. */
function tToSigma(t: number, logSigmas: Float32Array): number {
  const low = Math.floor(t);
  const w = f32(t - low);
  return f32(Math.exp(f32(f32(f32(1 - w) * logSigmas[low]!) + f32(w * logSigmas[Math.ceil(t)]!))));
}

export function kDiffusionSchedule(sigmaTable: Float32Array, steps: number, spacing: SigmaSpacing): KDiffusionSchedule {
  const logSigmas = logSigmaTable(sigmaTable);
  const sigmaMin = sigmaTable[0]!;
  const sigmaMax = sigmaTable[sigmaTable.length - 1]!;
  let sigmas: number[];
  if (spacing === 'interpolated') {
    sigmas = Array.from(torchLinspaceF32(sigmaTable.length - 1, 0, steps), (t) => tToSigma(t, logSigmas));
  } else if (spacing === 'karras') {
    const rho = 7;
    const minInvRho = sigmaMin ** (1 / rho);
    const maxInvRho = sigmaMax ** (1 / rho);
    const span = f32(minInvRho - maxInvRho);
    sigmas = Array.from(torchLinspaceF32(0, 1, steps), (ramp) => f32(f32(f32(maxInvRho) + f32(ramp * span)) ** rho));
  } else {
    sigmas = Array.from(torchLinspaceF32(Math.log(sigmaMax), Math.log(sigmaMin), steps), (v) => f32(Math.exp(v)));
  }
  sigmas.push(0);
  return { sigmas, timestepOf: (sigma) => sigmaToTF32(sigma, logSigmas) };
}
