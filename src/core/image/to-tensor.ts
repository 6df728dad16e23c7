// From 8-bit pictures to the float tensors the VAE encoder and the UNet take: pixels scaled to
// [-1, 1] and laid out planar (NCHW), as diffusers' VaeImageProcessor and A1111 both do
// (x / 255 · 2 − 1 in float32).

import type { Tensor } from '../tensor';
import type { Raster } from './raster';

/** An RGB (or RGBA, alpha ignored) picture as [1, 3, H, W] in [-1, 1]; where `repaint` is given, its pixels ≥ 128 become 0 (grey). */
export function rasterToTensor(image: Raster, repaint?: Raster): Tensor {
  if (image.channels < 3) throw new Error('rasterToTensor needs an RGB picture');
  if (repaint && (repaint.channels !== 1 || repaint.width !== image.width || repaint.height !== image.height)) {
    throw new Error('the mask must be grey and of the picture’s size');
  }
  const plane = image.width * image.height;
  const data = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    if (repaint && repaint.data[p]! >= 128) continue;
    for (let c = 0; c < 3; c++) data[c * plane + p] = 2 * Math.fround(image.data[p * image.channels + c]! / 255) - 1;
  }
  return { data, shape: [1, 3, image.height, image.width] };
}
