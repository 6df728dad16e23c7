// A1111's mask blur: OpenCV's GaussianBlur on an 8-bit mask, once along x with a (k, 1) kernel
// and once along y with (1, k), k = 2·int(2.5σ + 0.5) + 1. For 8-bit images OpenCV blurs in fixed
// point: the Gaussian's taps are quantised to 1/256 with error diffusion (summing to exactly 256),
// the borders reflect without repeating the edge (BORDER_REFLECT_101), and each pass rounds half
// up. Doing the same gives A1111's masks bit for bit.

import { createRaster, type Raster } from './raster';

/** A1111's kernel size for a blur of σ pixels. */
export function a1111KernelSize(sigma: number): number {
  return 2 * Math.trunc(2.5 * sigma + 0.5) + 1;
}

/** Round half to even, as OpenCV's cvRound. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** OpenCV's getGaussianKernelBitExact then getGaussianKernelFixedPoint_ED with 8 fraction bits. */
export function fixedPointGaussianKernel(size: number, sigma: number): Int32Array {
  if (size % 2 !== 1 || sigma <= 0) throw new Error(`a Gaussian kernel needs an odd size and σ > 0, not ${size}, ${sigma}`);
  const half = (size - 1) / 2;
  const scale2 = -0.125 / (sigma * sigma);
  const values: number[] = [];
  let sum = 0;
  for (let i = 0, x = 1 - size; i < half; i++, x += 2) {
    const t = Math.exp(x * x * scale2);
    values.push(t);
    sum += t;
  }
  sum = sum * 2 + 1;
  const norm = 1 / sum;
  const kernel = new Int32Array(size);
  let error = 0;
  let total = 0;
  for (let i = 0; i < half; i++) {
    const adjusted = values[i]! * norm * 256 + error;
    const v = roundHalfEven(adjusted);
    error = adjusted - v;
    kernel[i] = v;
    kernel[size - 1 - i] = v;
    total += v;
  }
  kernel[half] = 256 - 2 * total;
  return kernel;
}

/** OpenCV's BORDER_REFLECT_101 index, reflecting as often as a kernel wider than the line needs. */
function reflect101(p: number, length: number): number {
  if (length === 1) return 0;
  while (p < 0 || p >= length) p = p < 0 ? -p : 2 * length - 2 - p;
  return p;
}

/** Along x: each row, reflected into a padded line, convolved with the taps. */
function blurRows(image: Raster, kernel: Int32Array): Raster {
  const { width, height } = image;
  const out = createRaster(width, height, 1);
  const radius = (kernel.length - 1) / 2;
  const line = new Int32Array(width + 2 * radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let i = 0; i < line.length; i++) line[i] = image.data[row + reflect101(i - radius, width)]!;
    for (let x = 0; x < width; x++) {
      let sum = 128;
      for (let k = 0; k < kernel.length; k++) sum += line[x + k]! * kernel[k]!;
      out.data[row + x] = sum >> 8;
    }
  }
  return out;
}

/** Along y: each output row the taps' weighted sum of whole (reflected) input rows, so memory is read in order. */
function blurColumns(image: Raster, kernel: Int32Array): Raster {
  const { width, height } = image;
  const out = createRaster(width, height, 1);
  const radius = (kernel.length - 1) / 2;
  const sum = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    sum.fill(128);
    for (let k = 0; k < kernel.length; k++) {
      const row = image.data.subarray(reflect101(y + k - radius, height) * width, (reflect101(y + k - radius, height) + 1) * width);
      const weight = kernel[k]!;
      for (let x = 0; x < width; x++) sum[x]! += row[x]! * weight;
    }
    for (let x = 0; x < width; x++) out.data[y * width + x] = sum[x]! >> 8;
  }
  return out;
}

/** A grey raster blurred by σ as A1111 blurs masks (`mask_blur`); σ ≤ 0 returns it unchanged. */
export function blurMaskA1111(mask: Raster, sigma: number): Raster {
  if (mask.channels !== 1) throw new Error('blurMaskA1111 needs a grey raster');
  if (!(sigma > 0)) return mask;
  const kernel = fixedPointGaussianKernel(a1111KernelSize(sigma), sigma);
  return blurColumns(blurRows(mask, kernel), kernel);
}
