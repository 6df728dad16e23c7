// An image's noise as A1111 assembles it (modules/rng.py, `ImageRNG`): one generator per image,
// seeded with the image's seed; its first call is the starting noise and its later calls are the
// sampler's per-step noise (A1111 hands k-diffusion's `torch.randn_like` to `ImageRNG.next`, and
// diffusers' schedulers call the pipeline's generator the same way). A variation seed (A1111's
// subseed) draws its own noise from a fresh generator and blends it into the starting noise by
// `slerp`; the per-step stream is untouched by it.

import { f32, fmaF32 } from '../schedulers/numerics';
import { createNoiseSource, withOrigin, type NoiseSource, type RngName } from './index';

export interface ImageNoiseRequest {
  rng: RngName;
  seed: number | bigint;
  /** The variation seed; used only when `subseedStrength` is not 0. */
  subseed?: number | bigint;
  /** How far toward the variation seed's noise, 0..1; 0 (the default) leaves the seed's noise as it is. */
  subseedStrength?: number;
  /**
   * A1111's "Eta noise seed delta" (ENSD): when not 0, the per-step noise comes from a fresh
   * generator seeded with seed + delta instead of continuing the seed's own.
   */
  etaNoiseSeedDelta?: number;
  /** One image's latent shape: [channels, height, width]. */
  shape: readonly [number, number, number];
}

export interface ImageNoise {
  /** The starting noise, unit variance (the pipeline scales it to the scheduler's first sigma). */
  initial: Float32Array;
  /** The seed's generator, after the starting noise: where samplers draw their per-step noise. */
  steps: NoiseSource;
}

/** A variation seed: its noise moves an image's noise by `strength` (A1111's subseed and subseed_strength). */
export interface Variation {
  rng: RngName;
  subseed: number | bigint;
  /** 0..1; 0 leaves the noise as it is (A1111 then draws no variation noise at all). */
  strength: number;
}

/**
 * `noise` (one image's, [C, H, W]) moved toward the variation seed's by A1111's slerp. The
 * variation noise is the first draw of a fresh generator seeded with the subseed (A1111 reseeds its
 * global generator for it), so the image's own generator is not touched.
 */
export function applyVariation(noise: Float32Array, variation: Variation, shape: readonly [number, number, number]): Float32Array {
  if (variation.strength === 0) return noise;
  const other = createNoiseSource(variation.rng, variation.subseed).randn(noise.length);
  return slerp(variation.strength, noise, other, shape);
}

/** ImageRNG for one image: the starting noise (first call, variation applied), then the per-step stream. */
export function imageNoise(request: ImageNoiseRequest): ImageNoise {
  const count = request.shape[0] * request.shape[1] * request.shape[2];
  const seeded = createNoiseSource(request.rng, request.seed);
  const variation = { rng: request.rng, subseed: request.subseed ?? 0, strength: request.subseedStrength ?? 0 };
  const initial = applyVariation(seeded.randn(count), variation, request.shape);
  const delta = request.etaNoiseSeedDelta ?? 0;
  // With a delta the steps continue another generator, but still stand for the image's seed.
  const steps = delta === 0 ? seeded : withOrigin(createNoiseSource(request.rng, BigInt(request.seed) + BigInt(delta)), seeded.origin!);
  return { initial, steps };
}

/**
 * A1111's `slerp(val, low, high)` on one image's [C, H, W] noise, in float32 as torch computes
 * it. A1111 normalises along dim 1, so each (channel, column) pair of H values is its own vector
 * with its own angle. Where the vectors are nearly parallel on average (mean cosine > 0.9995) it
 * falls back to `low·val + high·(1−val)`, the weights the other way round from the slerp: A1111's
 * formula, kept as it is.
 */
export function slerp(val: number, low: Float32Array, high: Float32Array, shape: readonly [number, number, number]): Float32Array {
  const [channels, height, width] = shape;
  const columns = channels * width;
  const at = (column: number, row: number): number => Math.floor(column / width) * height * width + row * width + (column % width);
  const dots = new Float64Array(columns);
  const products = new Float32Array(height);
  let dotTotal = 0;
  for (let column = 0; column < columns; column++) {
    const lowNorm = columnNorm(low, column, height, at);
    const highNorm = columnNorm(high, column, height, at);
    for (let row = 0; row < height; row++) {
      const i = at(column, row);
      products[row] = f32(f32(low[i]! / lowNorm) * f32(high[i]! / highNorm));
    }
    dots[column] = (column % width) < width - (width % 32) ? cascadeSum(products, 1) : interleavedSum(products);
    dotTotal += dots[column]!;
  }
  const out = new Float32Array(low.length);
  const valF = f32(val);
  if (dotTotal / columns > 0.9995) {
    const rest = f32(1 - val);
    for (let i = 0; i < out.length; i++) out[i] = f32(f32(low[i]! * valF) + f32(high[i]! * rest));
    return out;
  }
  const restF = f32(1 - val);
  for (let column = 0; column < columns; column++) {
    const omega = f32(Math.acos(dots[column]!));
    const so = f32(Math.sin(omega));
    const lowWeight = f32(f32(Math.sin(f32(restF * omega))) / so);
    const highWeight = f32(f32(Math.sin(f32(valF * omega))) / so);
    for (let row = 0; row < height; row++) {
      const i = at(column, row);
      out[i] = f32(f32(lowWeight * low[i]!) + f32(highWeight * high[i]!));
    }
  }
  return out;
}

/**
 * `torch.norm(x, dim=1)` for one column: a float32 sum of squares in row order (each step one
 * fused multiply-add, as GCC builds torch's NormTwoOps), then its root.
 */
function columnNorm(x: Float32Array, column: number, height: number, at: (column: number, row: number) => number): number {
  let sum = 0;
  for (let row = 0; row < height; row++) {
    const v = x[at(column, row)]!;
    sum = fmaF32(v, v, sum);
  }
  return f32(Math.sqrt(sum));
}

/**
 * torch's float32 `sum` over a strided dimension, as SumKernel.cpp's `vectorized_outer_sum`
 * does it on AVX2 (8 lanes): columns in blocks of 32 go through `multi_row_sum`
 * (`cascadeSum`), the columns left over through `row_sum` (`interleavedSum`).
 *
 * `multi_row_sum` with four levels: runs of 2^p values (p = max(4, ⌈log2 n⌉/4)) are summed in
 * order into level 0, which is carried into level 1 after each run, level 1 into level 2 every
 * 2^p runs, and so on; the values left over go into level 0, and the levels are added at the end.
 * `stride`/`offset` pick every stride-th value starting at offset, for `interleavedSum`.
 */
function cascadeSum(values: Float32Array, stride: number, offset = 0): number {
  const levels = 4;
  const size = Math.floor((values.length - offset + stride - 1) / stride);
  const power = Math.max(4, Math.floor(ceilLog2(size) / levels));
  const step = 2 ** power;
  const acc = new Float64Array(levels);
  let i = 0;
  const at = (k: number) => values[offset + k * stride]!;
  while (i + step <= size) {
    for (let j = 0; j < step; j++, i++) acc[0] = f32(acc[0]! + at(i));
    for (let level = 1; level < levels; level++) {
      acc[level] = f32(acc[level]! + acc[level - 1]!);
      acc[level - 1] = 0;
      if (i % 2 ** (power * (level + 1)) !== 0) break;
    }
  }
  for (; i < size; i++) acc[0] = f32(acc[0]! + at(i));
  for (let level = 1; level < levels; level++) acc[0] = f32(acc[0]! + acc[level]!);
  return acc[0]!;
}

/** `row_sum`: four interleaved partial sums (values k, k+4, k+8…), the tail into the first, then added in order. */
function interleavedSum(values: Float32Array): number {
  const whole = values.length - (values.length % 4);
  const partials = [0, 1, 2, 3].map((k) => cascadeSum(values.subarray(0, whole), 4, k));
  let first = partials[0]!;
  for (let i = whole; i < values.length; i++) first = f32(first + values[i]!);
  return f32(f32(f32(first + partials[1]!) + partials[2]!) + partials[3]!);
}

/** torch's `CeilLog2`: 1 for n ≤ 2. */
function ceilLog2(n: number): number {
  return n <= 2 ? 1 : Math.ceil(Math.log2(n));
}
