// Seeded noise sources. A source is a stream: the initial latents are drawn first, and ancestral
// samplers keep drawing from the same stream, so one seed fixes a whole image.
// Later sources (torch's CPU generator, A1111's Philox) join RNG_NAMES and createNoiseSource.

import { NumpyRandomState } from './numpy';

export interface NoiseSource {
  /** The next `count` standard normal values of the stream, as float32. */
  randn(count: number): Float32Array;
}

/** The `rng:` setting's values. */
export const RNG_NAMES = ['numpy'] as const;
export type RngName = (typeof RNG_NAMES)[number];

/** A fresh stream for `seed` (an integer 0..4294967295; the format parser checks the range). */
export function createNoiseSource(rng: RngName, seed: number): NoiseSource {
  switch (rng) {
    case 'numpy':
      return new NumpyRandomState(seed);
  }
}

export { NumpyRandomState };
