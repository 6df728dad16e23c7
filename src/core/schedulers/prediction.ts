// What the UNet's output says about the clean sample x̂₀ (and the noise ε), whatever it predicts
// (PREDICTION_TYPES: ε, v or x₀ itself), in float32 operations in diffusers' order. The sigma
// samplers write the noisy sample as x̂₀ + σ·ε, the others as a·x̂₀ + b·ε; the two forms round
// differently, so each has its function.

import type { PredictionType } from './config';
import { f32 } from './numerics';

/** x̂₀ at noise level σ in the sigma form x = x̂₀ + σ·ε (written into `out`). */
export function originalFromSigmaForm(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  sigma: number,
  out: Float32Array,
): Float32Array {
  const n = sample.length;
  if (predictionType === 'epsilon') {
    for (let i = 0; i < n; i++) out[i] = sample[i]! - f32(sigma * modelOutput[i]!);
  } else if (predictionType === 'v_prediction') {
    const variance = f32(f32(sigma * sigma) + 1);
    const outputScale = f32(-sigma / f32(Math.sqrt(variance)));
    for (let i = 0; i < n; i++) out[i] = f32(modelOutput[i]! * outputScale) + f32(sample[i]! / variance);
  } else {
    out.set(modelOutput);
  }
  return out;
}

/**
 * x̂₀ from a sample written x = a·x̂₀ + b·ε (a = √ᾱ, b = √(1−ᾱ); or DPM-Solver's α_t, σ_t),
 * written into `out`.
 */
export function originalFromScaledForm(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  a: number,
  b: number,
  out: Float32Array,
): Float32Array {
  const n = sample.length;
  if (predictionType === 'epsilon') {
    for (let i = 0; i < n; i++) out[i] = f32(sample[i]! - f32(b * modelOutput[i]!)) / a;
  } else if (predictionType === 'v_prediction') {
    for (let i = 0; i < n; i++) out[i] = f32(a * sample[i]!) - f32(b * modelOutput[i]!);
  } else {
    out.set(modelOutput);
  }
  return out;
}

/** ε from v in the scaled form: a·v + b·x (PLMS turns v into ε this way before it steps). */
export function noiseFromVelocity(velocity: number, sample: number, a: number, b: number): number {
  return f32(f32(a * velocity) + f32(b * sample));
}
