// Noise sources and the watermark, for `npm run bench`: what drawing a latent's noise costs with
// each source (ratios to numpy's, the long-standing default), what a variation seed's slerp adds,
// and what marking and reading a 512x512 image take.

import { createNoiseSource, RNG_NAMES, slerp } from '../src/core/noise';
import { embedWatermark, findWatermark } from '../src/core/image/watermark';

export interface NoiseFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function medianMs(runs: number, body: () => void): number {
  body(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    body();
    times.push(performance.now() - started);
  }
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export function noiseBench(): NoiseFigure[] {
  const figures: NoiseFigure[] = [];
  for (const [label, side] of [['1x4x64x64 (512x512)', 64], ['1x4x128x128 (1024x1024)', 128]] as const) {
    const count = 4 * side * side;
    const ms = Object.fromEntries(RNG_NAMES.map((rng) => [rng, medianMs(9, () => createNoiseSource(rng, 1).randn(count))]));
    for (const rng of RNG_NAMES) {
      figures.push({ name: `noise: a ${label} latent from rng ${rng}`, value: ms[rng]!, unit: 'ms', note: `${(ms[rng]! / ms['numpy']!).toFixed(2)}x numpy's` });
    }
    const a = createNoiseSource('torch', 1).randn(count);
    const b = createNoiseSource('torch', 2).randn(count);
    figures.push({ name: `noise: variation seed slerp on a ${label} latent`, value: medianMs(9, () => slerp(0.3, a, b, [4, side, side])), unit: 'ms' });
  }
  const data = new Uint8Array(512 * 512 * 3);
  for (let p = 0; p < data.length; p++) data[p] = (p * 2654435761) >>> 24;
  const image = { data, width: 512, height: 512 };
  figures.push({ name: 'watermark: mark a 512x512 image', value: medianMs(5, () => embedWatermark(image)), unit: 'ms' });
  const marked = embedWatermark(image);
  figures.push({ name: 'watermark: read a 512x512 image (three known payloads)', value: medianMs(5, () => findWatermark(marked)), unit: 'ms' });
  return figures;
}
