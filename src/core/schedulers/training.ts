// The training noise schedule: betas, the cumulative products of alphas, and the sigma table,
// as diffusers builds them in float32 tensors (bit for bit; see numerics.ts).

import type { BetaOptions } from './config';
import { f32, torchLinspaceF32 } from './numerics';

/** `betas_for_alpha_bar` with the cosine ("squaredcos_cap_v2") alpha-bar, in float64 then float32. */
function cosineBetas(count: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  const betas = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    betas[i] = Math.min(1 - alphaBar((i + 1) / count) / alphaBar(i / count), 0.999);
  }
  return betas;
}

/** `torch.cumprod` of float32 values: accumulated in double, each prefix stored as float32. */
function cumprod(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let product = 1;
  for (let i = 0; i < values.length; i++) {
    product *= values[i]!;
    out[i] = product;
  }
  return out;
}

function oneMinus(values: Float32Array): Float32Array {
  return values.map((v) => 1 - v);
}

/** `rescale_zero_terminal_snr` (Lin et al. 2023, algorithm 1): betas whose last alpha-bar is 0. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const sqrtBar = cumprod(oneMinus(betas)).map(Math.sqrt);
  const first = sqrtBar[0]!;
  const last = sqrtBar[sqrtBar.length - 1]!;
  const scale = f32(first / f32(first - last));
  const bar = sqrtBar.map((v) => {
    const shifted = f32(f32(v - last) * scale);
    return shifted * shifted;
  });
  const alphas = new Float32Array(bar.length);
  alphas[0] = bar[0]!;
  for (let i = 1; i < bar.length; i++) alphas[i] = bar[i]! / bar[i - 1]!;
  return oneMinus(alphas);
}

export function trainingBetas(options: BetaOptions): Float32Array {
  let betas: Float32Array;
  if (options.trainedBetas) {
    betas = Float32Array.from(options.trainedBetas);
  } else if (options.betaSchedule === 'linear') {
    betas = torchLinspaceF32(options.betaStart, options.betaEnd, options.numTrainTimesteps);
  } else if (options.betaSchedule === 'scaled_linear') {
    betas = torchLinspaceF32(Math.sqrt(options.betaStart), Math.sqrt(options.betaEnd), options.numTrainTimesteps).map((b) => b * b);
  } else {
    betas = cosineBetas(options.numTrainTimesteps);
  }
  return options.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

/**
 * ᾱ_t = ∏(1 − β), t = 0..T−1. Under `rescale_betas_zero_snr` the sigma schedulers (Euler,
 * Euler a, DPM-Solver) replace the final 0 by 2⁻²⁴ so that its sigma stays finite; DDIM keeps it.
 */
export function alphasCumprod(options: BetaOptions, finiteLastSigma: boolean): Float32Array {
  const bar = cumprod(oneMinus(trainingBetas(options)));
  if (options.rescaleBetasZeroSnr && finiteLastSigma) bar[bar.length - 1] = 2 ** -24;
  return bar;
}

/** σ_t = √((1 − ᾱ_t) / ᾱ_t), ascending with t, in float32 as diffusers computes it. */
export function sigmaTable(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => Math.sqrt(f32(f32(1 - a) / a)));
}

/** The natural log of each float32 sigma, rounded to float32 (numpy's `np.log` of a float32 array). */
export function logSigmaTable(sigmas: Float32Array): Float32Array {
  return sigmas.map(Math.log);
}
