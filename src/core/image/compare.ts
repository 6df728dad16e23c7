// How far an image is from another of the same size, for `sdprompt verify`: whether every sample
// is the same, the largest difference of any sample, how many pixels differ, and the structural
// similarity (SSIM; Wang, Bovik, Sheikh and Simoncelli, 2004) as a perceptual distance. SSIM is
// computed as scikit-image's `structural_similarity(a, b, channel_axis=-1, data_range=255,
// gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`, the configuration of the paper:
// per channel, local means, variances and covariance under an 11-tap Gaussian window (σ 1.5,
// borders reflected), the SSIM map averaged away from a 5-pixel border, then over the channels.

import type { RgbImage } from './encode';

export interface ImageComparison {
  identical: boolean;
  /** The largest difference of one sample (0..255). */
  maxDifference: number;
  /** Pixels with any channel different. */
  differingPixels: number;
  /** 1 for identical images, lower the more they differ in structure, contrast or brightness. */
  ssim: number;
}

const SIGMA = 1.5;
/** scikit-image's truncate for Gaussian weights: radius int(3.5 σ + 0.5) = 5, an 11-tap window. */
const RADIUS = Math.trunc(3.5 * SIGMA + 0.5);
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

function gaussianTaps(): Float64Array {
  const taps = Float64Array.from({ length: 2 * RADIUS + 1 }, (_, i) => Math.exp(-0.5 * ((i - RADIUS) / SIGMA) ** 2));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / sum);
}
const TAPS = gaussianTaps();

/** scipy.ndimage's 'reflect' border: the edge sample repeats (d c b a | a b c d | d c b a). */
function reflect(p: number, n: number): number {
  for (;;) {
    if (p < 0) p = -p - 1;
    else if (p >= n) p = 2 * n - p - 1;
    else return p;
  }
}

/** The Gaussian-weighted local mean of a plane: separable, x then y. */
function localMean(plane: Float64Array, width: number, height: number): Float64Array {
  const across = new Float64Array(plane.length);
  const out = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) sum += TAPS[k + RADIUS]! * plane[y * width + reflect(x + k, width)]!;
      across[y * width + x] = sum;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) sum += TAPS[k + RADIUS]! * across[reflect(y + k, height) * width + x]!;
      out[y * width + x] = sum;
    }
  }
  return out;
}

/** Mean SSIM of one channel, away from the window's radius at the borders (all of it for images too small for that). */
function channelSsim(a: RgbImage, b: RgbImage, channel: number): number {
  const { width, height } = a;
  const n = width * height;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    x[p] = a.data[p * 3 + channel]!;
    y[p] = b.data[p * 3 + channel]!;
  }
  const product = (u: Float64Array, v: Float64Array) => u.map((value, i) => value * v[i]!);
  const [ux, uy, uxx, uyy, uxy] = [x, y, product(x, x), product(y, y), product(x, y)].map((plane) => localMean(plane, width, height)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const pad = width > 2 * RADIUS && height > 2 * RADIUS ? RADIUS : 0;
  let sum = 0;
  for (let row = pad; row < height - pad; row++) {
    for (let col = pad; col < width - pad; col++) {
      const i = row * width + col;
      const mx = ux[i]!;
      const my = uy[i]!;
      const vx = uxx[i]! - mx * mx;
      const vy = uyy[i]! - my * my;
      const vxy = uxy[i]! - mx * my;
      sum += ((2 * mx * my + C1) * (2 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
    }
  }
  return sum / ((width - 2 * pad) * (height - 2 * pad));
}

/** Compares two RGB images of the same size. */
export function compareImages(a: RgbImage, b: RgbImage): ImageComparison {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`comparing ${a.width}x${a.height} with ${b.width}x${b.height}`);
  let maxDifference = 0;
  let differingPixels = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    let pixel = 0;
    for (let c = 0; c < 3; c++) pixel = Math.max(pixel, Math.abs(a.data[p * 3 + c]! - b.data[p * 3 + c]!));
    if (pixel > 0) differingPixels++;
    maxDifference = Math.max(maxDifference, pixel);
  }
  if (differingPixels === 0) return { identical: true, maxDifference: 0, differingPixels: 0, ssim: 1 };
  const ssim = (channelSsim(a, b, 0) + channelSsim(a, b, 1) + channelSsim(a, b, 2)) / 3;
  return { identical: false, maxDifference, differingPixels, ssim };
}
