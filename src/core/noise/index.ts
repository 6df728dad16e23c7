// Seeded noise sources. A source is a generator: the initial latents are its first `randn` call,
// and ancestral and SDE samplers keep calling it for their per-step noise, one call per noise
// tensor, so one seed fixes a whole image. How the image's noise is assembled (variation seeds,
// which generator the steps continue) is in ./image-noise.ts.

import { NumpyRandomState } from './numpy';
import { PhiloxGenerator } from './philox';
import { TorchCpuGenerator } from './torch';

/**
 * A seeded normal generator. `randn(count)` is one call of the reference tool's `randn` with a
 * tensor of `count` values, and the boundaries between calls matter: torch and Philox give other
 * values for randn(8) then randn(8) than for randn(16), as their references do. Call it exactly
 * where the reference draws a tensor (k-diffusion's `torch.randn_like(x)`, diffusers'
 * `randn_tensor(shape, generator)`), with the whole tensor's size.
 */
export interface NoiseSource {
  /** The next `randn` call: `count` standard normal values, as float32. */
  randn(count: number): Float32Array;
  /**
   * The source and the seed the stream stands for, where it was made from one (createNoiseSource,
   * imageNoise): DPM++ SDE seeds its Brownian tree with them, as A1111 seeds it with the image's
   * seed. Bare generators have none.
   */
  readonly origin?: NoiseOrigin;
}

export interface NoiseOrigin {
  rng: RngName;
  seed: bigint;
}

/** The `rng:` setting's values. */
export const RNG_NAMES = ['numpy', 'torch', 'nv'] as const;
export type RngName = (typeof RNG_NAMES)[number];

export function isRngName(name: string): name is RngName {
  return (RNG_NAMES as readonly string[]).includes(name);
}

/** The largest seed each source takes: numpy's RandomState takes 32 bits, torch and Philox 64. */
export const MAX_SEED: Readonly<Record<RngName, bigint>> = {
  numpy: 0xffffffffn,
  torch: 0xffffffffffffffffn,
  nv: 0xffffffffffffffffn,
};

/** Whether `seed` is a whole number the source accepts. */
export function seedFits(rng: RngName, seed: number | bigint): boolean {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) return false;
  const value = BigInt(seed);
  return value >= 0n && value <= MAX_SEED[rng];
}

/** A fresh generator for `seed`; a seed out of the source's range is a bug (callers check `seedFits`). */
export function createNoiseSource(rng: RngName, seed: number | bigint): NoiseSource {
  if (!seedFits(rng, seed)) throw new RangeError(`${rng} seeds are integers 0..${MAX_SEED[rng]}, got ${seed}`);
  return withOrigin(generatorFor(rng, seed), { rng, seed: BigInt(seed) });
}

function generatorFor(rng: RngName, seed: number | bigint): NoiseSource {
  switch (rng) {
    case 'numpy':
      return new NumpyRandomState(Number(seed));
    case 'torch':
      return new TorchCpuGenerator(seed);
    case 'nv':
      return new PhiloxGenerator(seed);
  }
}

/** `source`'s stream, saying where it came from. */
export function withOrigin(source: NoiseSource, origin: NoiseOrigin): NoiseSource {
  return { randn: (count) => source.randn(count), origin };
}

export { NumpyRandomState, PhiloxGenerator, TorchCpuGenerator };
export { applyVariation, imageNoise, slerp, type ImageNoise, type ImageNoiseRequest, type Variation } from './image-noise';
