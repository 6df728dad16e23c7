// Outpainting: the picture on a larger canvas, the new strips to be painted. The new area starts
// as the picture's edge pixels stretched outwards (the masked-content step may replace them), and
// the mask covers it plus a seam reaching `seam` pixels into the picture on each extended side,
// as A1111's poor man's outpainting insets its mask by twice the blur; the blur then feathers it.

import type { Extension } from './modes';
import { createRaster, paste, type Raster } from './raster';

export interface OutpaintCanvas {
  /** The picture at (left, top) on the larger canvas, edges repeated into the new area; same channels as the picture. */
  image: Raster;
  /** Grey, 255 over the new area and the seam, 0 over the rest of the picture. */
  mask: Raster;
}

export function outpaintCanvas(image: Raster, extension: Extension, seam: number): OutpaintCanvas {
  const { left, right, top, bottom } = extension;
  const width = image.width + left + right;
  const height = image.height + top + bottom;
  const c = image.channels;
  const canvas = createRaster(width, height, c);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, y - top));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.max(0, x - left));
      const from = (sy * image.width + sx) * c;
      canvas.data.set(image.data.subarray(from, from + c), (y * width + x) * c);
    }
  }
  const mask = createRaster(width, height, 1, 255);
  const inset = (extended: number) => (extended > 0 ? Math.min(seam, image.width, image.height) : 0);
  const kept = createRaster(
    Math.max(0, image.width - inset(left) - inset(right)),
    Math.max(0, image.height - inset(top) - inset(bottom)),
    1,
  );
  paste(mask, kept, left + inset(left), top + inset(top));
  return { image: canvas, mask };
}
