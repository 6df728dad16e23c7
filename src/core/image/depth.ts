// The depth channel of depth-to-image UNets, as diffusers' StableDiffusionDepth2ImgPipeline
// prepares it (prepare_depth_map): a depth map (a grey image, white = near, or the estimator's
// predicted_depth) resized to latent size with torch's bicubic interpolation (align_corners
// False, no antialiasing) and stretched per image to [-1, 1].

import type { Raster } from './raster';
import { toGray } from './raster';

/** A float map [height, width], row-major. */
export interface DepthMap {
  data: Float32Array;
  width: number;
  height: number;
}

/** A depth image's luminance, 0..255, as a float map. */
export function depthFromImage(image: Raster): DepthMap {
  const grey = toGray(image);
  return { data: Float32Array.from(grey.data), width: grey.width, height: grey.height };
}

const A = -0.75;

/** torch's cubic convolution weights for the four taps around a fraction t. */
function cubicWeights(t: number): [number, number, number, number] {
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** For each output index: the four source indices (clamped) and their weights. */
function taps(inSize: number, outSize: number): { index: Int32Array; weight: Float64Array } {
  const scale = Math.fround(inSize / outSize);
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const real = Math.fround(scale * (o + 0.5) - 0.5);
    const base = Math.floor(real);
    const w = cubicWeights(real - base);
    for (let k = 0; k < 4; k++) {
      index[o * 4 + k] = Math.min(inSize - 1, Math.max(0, base - 1 + k));
      weight[o * 4 + k] = w[k]!;
    }
  }
  return { index, weight };
}

/** `F.interpolate(x[None, None], (height, width), mode='bicubic', align_corners=False)`. */
export function interpolateBicubic(map: DepthMap, width: number, height: number): DepthMap {
  const xs = taps(map.width, width);
  const ys = taps(map.height, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let j = 0; j < 4; j++) {
        const row = ys.index[y * 4 + j]! * map.width;
        let line = 0;
        for (let i = 0; i < 4; i++) line += map.data[row + xs.index[x * 4 + i]!]! * xs.weight[x * 4 + i]!;
        sum += line * ys.weight[y * 4 + j]!;
      }
      out[y * width + x] = sum;
    }
  }
  return { data: out, width, height };
}

/** 2·(d − min)/(max − min) − 1; a flat map (max = min, where diffusers divides by zero) gives zeros. */
export function normalizeDepth(map: DepthMap): DepthMap {
  let min = Infinity;
  let max = -Infinity;
  for (const v of map.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const data = Float32Array.from(map.data, (v) => (range > 0 ? (2 * (v - min)) / range - 1 : 0));
  return { data, width: map.width, height: map.height };
}

/** The UNet's depth channel for a map: resized to width × height (the latent size), then normalised. */
export function depthConditioning(map: DepthMap, width: number, height: number): DepthMap {
  return normalizeDepth(interpolateBicubic(map, width, height));
}
