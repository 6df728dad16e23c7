// The latents a run starts from, and the UNet's extra channels. Text to image starts from the
// seed's noise at the scheduler's initial level; image to image from the encoded init noised to
// the start step (pure noise for inpainting at strength 1, as diffusers' inpaint pipeline); A1111's
// latent masked contents replace the repainted area of the encoded init first.

import type { MaskedContent } from '../image/modes';
import type { Scheduler } from '../schedulers';

/**
 * A1111's latent masked contents: 'latent noise' puts the run's noise in the repainted area,
 * 'latent nothing' zeros; other contents leave the latents. `mask` is [h, w], 1 = repaint.
 */
export function latentMaskedContent(original: Float32Array, noise: Float32Array, mask: Float32Array, content: MaskedContent): Float32Array {
  if (content !== 'latent noise' && content !== 'latent nothing') return original;
  const plane = mask.length;
  return original.map((v, i) => {
    const m = mask[i % plane]!;
    return v * (1 - m) + (content === 'latent noise' ? noise[i]! * m : 0);
  });
}

export interface StartLatents {
  scheduler: Scheduler;
  noise: Float32Array;
  /** The encoded init (absent for text to image). */
  original?: Float32Array;
  startIndex: number;
  /** Start from noise alone even with an init (inpainting at strength 1). */
  pureNoise: boolean;
}

export function startLatents(s: StartLatents): Float32Array {
  if (!s.original || s.pureNoise) {
    const sigma = s.scheduler.initNoiseSigma;
    return s.noise.map((v) => v * sigma);
  }
  return s.scheduler.addNoise(s.original, s.noise, s.startIndex);
}

/** Channels stacked after one another: planes of [h, w] each, or groups of planes. */
export function stackChannels(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
