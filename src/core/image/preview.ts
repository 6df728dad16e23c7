// Cheap live previews: a linear map from the 4 latent channels to RGB at latent resolution,
// instead of a VAE decode per step.

import type { Tensor } from '../tensor';
import type { RgbImage } from './encode';

/** Rows are latent channels, columns R, G, B; plus a bias per colour. Output is in [-1, 1]. */
export interface LatentRgbMap {
  factors: readonly (readonly [number, number, number])[];
  bias: readonly [number, number, number];
}

/**
 * Stable Diffusion 1.x and 2.x latents (scaling factor 0.18215). The widely used
 * approximation that ComfyUI's `latent_formats.SD15` publishes.
 */
export const SD1_LATENT_RGB: LatentRgbMap = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  bias: [0, 0, 0],
};

/** The RGB preview of latents [1, C, h, w] (in the UNet's scale, i.e. VAE latents × scaling factor). */
export function latentPreview(latents: Tensor, map: LatentRgbMap): RgbImage {
  const [, channels, height, width] = latents.shape as [number, number, number, number];
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      let v = map.bias[c]!;
      for (let k = 0; k < Math.min(channels, map.factors.length); k++) v += latents.data[k * plane + p]! * map.factors[k]![c]!;
      const unit = v / 2 + 0.5;
      data[p * 3 + c] = Math.round((unit < 0 ? 0 : unit > 1 ? 1 : unit) * 255);
    }
  }
  return { data, width, height };
}

/**
 * Fits a latent-to-RGB map for a model without a published one: decode some latents and solve
 * least squares from each latent pixel (4 channels and 1) to the mean colour of the 8×8 pixels
 * it becomes. `latents` are in the UNet's scale; `decode` gets them divided by `scalingFactor`.
 */
export async function fitLatentRgbMap(
  latents: Tensor,
  scalingFactor: number,
  decode: (latents: Tensor) => Promise<Tensor>,
): Promise<LatentRgbMap> {
  const [batch, channels, height, width] = latents.shape as [number, number, number, number];
  const unscaled = latents.data.map((v) => v / scalingFactor);
  const images = await decode({ data: unscaled, shape: latents.shape });
  const [, , imageHeight, imageWidth] = images.shape as [number, number, number, number];
  const factor = imageWidth / width;
  const n = channels + 1;
  // Normal equations XᵀX · w = Xᵀy for the three colours at once.
  const xtx = Array.from({ length: n }, () => new Float64Array(n));
  const xty = Array.from({ length: n }, () => new Float64Array(3));
  const x = new Float64Array(n);
  const plane = width * height;
  const imagePlane = imageWidth * imageHeight;
  for (let b = 0; b < batch; b++) {
    for (let yy = 0; yy < height; yy++) {
      for (let xx = 0; xx < width; xx++) {
        for (let k = 0; k < channels; k++) x[k] = latents.data[(b * channels + k) * plane + yy * width + xx]!;
        x[channels] = 1;
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < factor; dy++) {
            for (let dx = 0; dx < factor; dx++) {
              sum += images.data[(b * 3 + c) * imagePlane + (yy * factor + dy) * imageWidth + xx * factor + dx]!;
            }
          }
          const mean = sum / (factor * factor);
          for (let i = 0; i < n; i++) xty[i]![c]! += x[i]! * mean;
        }
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xtx[i]![j]! += x[i]! * x[j]!;
      }
    }
  }
  const weights = solve(xtx, xty);
  return {
    factors: weights.slice(0, channels).map((row) => [row[0]!, row[1]!, row[2]!] as const),
    bias: [weights[channels]![0]!, weights[channels]![1]!, weights[channels]![2]!],
  };
}

/** Solves A · W = B (A n×n, B n×3) by Gaussian elimination with partial pivoting and a tiny ridge. */
function solve(a: Float64Array[], b: Float64Array[]): Float64Array[] {
  const n = a.length;
  const m = a.map((row) => Float64Array.from(row));
  const r = b.map((row) => Float64Array.from(row));
  for (let i = 0; i < n; i++) m[i]![i]! += 1e-6;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    [r[col], r[pivot]] = [r[pivot]!, r[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const f = m[row]![col]! / m[col]![col]!;
      for (let k = col; k < n; k++) m[row]![k]! -= f * m[col]![k]!;
      for (let k = 0; k < 3; k++) r[row]![k]! -= f * r[col]![k]!;
    }
  }
  return r.map((row, i) => row.map((v) => v / m[i]![i]!));
}
