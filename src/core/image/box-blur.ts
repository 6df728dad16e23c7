// Pillow's ImageFilter.GaussianBlur (BoxBlur.c): three box blurs along x, then three along y,
// each rounding to 8 bits, with a fractional box radius chosen so the three boxes approximate a
// Gaussian (Gwosdek et al. 2011) and edge pixels repeated past the border. A1111's "fill" for
// masked content blurs with it, so its colours come out the same here.

import { createRaster, type Raster } from './raster';

const PASSES = 3;

/** Pillow's _gaussian_blur_radius, in its single-precision arithmetic. */
export function boxRadiusFor(radius: number): number {
  const f = Math.fround;
  const sigma2 = f(f(radius * radius) / PASSES);
  const length = f(Math.sqrt(12 * sigma2 + 1));
  const l = f(Math.floor((length - 1) / 2));
  let a = f(f(f(2 * l) + 1) * f(f(l * f(l + 1)) - f(3 * sigma2)));
  a = f(a / f(6 * f(sigma2 - f(f(l + 1) * f(l + 1)))));
  return f(l + a);
}

/** One box blur of every line along x (`alongX`) or y, radius r + a fraction carried by the two outer taps. */
function boxPass(image: Raster, floatRadius: number, alongX: boolean): Raster {
  const { width, height, channels } = image;
  const out = createRaster(width, height, channels);
  const radius = Math.trunc(floatRadius);
  const inner = Math.trunc(Math.fround(2 ** 24 / Math.fround(Math.fround(floatRadius * 2) + 1)));
  const outer = Math.floor((2 ** 24 - (radius * 2 + 1) * inner) / 2);
  const length = alongX ? width : height;
  const lines = alongX ? height : width;
  const step = (alongX ? 1 : width) * channels;
  const lineStep = (alongX ? width : 1) * channels;
  // prefix[i] = Σ line[clamp(j − radius − 1)] for j < i, so a window is a difference of two prefixes.
  const extended = length + 2 * radius + 2;
  const prefix = new Float64Array(extended + 1);
  const clamp = (p: number) => (p < 0 ? 0 : p >= length ? length - 1 : p);
  for (let line = 0; line < lines; line++) {
    for (let c = 0; c < channels; c++) {
      const base = line * lineStep + c;
      const at = (p: number) => image.data[base + clamp(p) * step]!;
      for (let i = 0; i < extended; i++) prefix[i + 1] = prefix[i]! + at(i - radius - 1);
      for (let x = 0; x < length; x++) {
        const window = prefix[x + 2 * radius + 2]! - prefix[x + 1]!;
        const bulk = window * inner + (at(x - radius - 1) + at(x + radius + 1)) * outer;
        out.data[base + x * step] = Math.floor((bulk + 2 ** 23) / 2 ** 24);
      }
    }
  }
  return out;
}

/** `image.filter(ImageFilter.GaussianBlur(radius))` as Pillow 9 computes it. */
export function gaussianBlurPillow(image: Raster, radius: number): Raster {
  const boxRadius = boxRadiusFor(radius);
  if (boxRadius === 0) return { ...image, data: image.data.slice() };
  let out = image;
  for (let i = 0; i < PASSES; i++) out = boxPass(out, boxRadius, true);
  for (let i = 0; i < PASSES; i++) out = boxPass(out, boxRadius, false);
  return out;
}
