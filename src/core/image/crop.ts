// "Inpaint area: only masked": the region around the mask is cut out, brought to the model's size,
// repainted at that resolution and put back. The region is A1111's (modules/masking.py
// get_crop_region_v2 and expand_crop_region): the mask's bounding box plus padding, grown to the
// model's aspect ratio and shifted back inside the picture.

import { createRaster, crop, paste, toRgba, type Raster } from './raster';
import { resizeImage } from './resize';

/** [x1, y1, x2, y2], x2 and y2 exclusive. */
export type Region = readonly [number, number, number, number];

/** The bounding box of the mask's non-zero pixels grown by `padding` (clamped), or undefined for an empty mask. */
export function cropRegion(mask: Raster, padding: number): Region | undefined {
  let x1 = mask.width;
  let y1 = mask.height;
  let x2 = 0;
  let y2 = 0;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[(y * mask.width + x) * mask.channels] === 0) continue;
      x1 = Math.min(x1, x);
      y1 = Math.min(y1, y);
      x2 = Math.max(x2, x + 1);
      y2 = Math.max(y2, y + 1);
    }
  }
  if (x2 === 0) return undefined;
  return [Math.max(x1 - padding, 0), Math.max(y1 - padding, 0), Math.min(x2 + padding, mask.width), Math.min(y2 + padding, mask.height)];
}

/** Grows one side pair [a, b) by `diff` (half before), then shifts it back inside [0, limit]. */
function grow(a: number, b: number, diff: number, limit: number): [number, number] {
  const before = Math.floor(diff / 2);
  a -= before;
  b += diff - before;
  if (b >= limit) {
    a -= b - limit;
    b = limit;
  }
  if (a < 0) {
    b -= a;
    a = 0;
  }
  return [a, Math.min(b, limit)];
}

/** A1111's expand_crop_region: the region grown to the aspect ratio width:height, inside the image. */
export function expandCropRegion(region: Region, width: number, height: number, imageWidth: number, imageHeight: number): Region {
  const [x1, y1, x2, y2] = region;
  const ratio = width / height;
  if ((x2 - x1) / (y2 - y1) > ratio) {
    const diff = Math.trunc((x2 - x1) / ratio - (y2 - y1));
    const [top, bottom] = grow(y1, y2, diff, imageHeight);
    return [x1, top, x2, bottom];
  }
  const diff = Math.trunc((y2 - y1) * ratio - (x2 - x1));
  const [left, right] = grow(x1, x2, diff, imageWidth);
  return [left, y1, right, y2];
}

/** The region cut out of `image` and brought to width × height as A1111 does (resize mode fill). */
export function cropToModel(image: Raster, region: Region, width: number, height: number): Raster {
  return resizeImage(crop(image, ...region), width, height, 'fill');
}

/**
 * A1111's uncrop: the generated picture brought back to the region's size (resize mode crop) on a
 * transparent canvas of the full size, ready for the overlay of the original. RGBA.
 */
export function uncrop(generated: Raster, region: Region, fullWidth: number, fullHeight: number): Raster {
  const [x1, y1, x2, y2] = region;
  const canvas = createRaster(fullWidth, fullHeight, 4);
  paste(canvas, toRgba(resizeImage(generated, x2 - x1, y2 - y1, 'crop')), x1, y1);
  return canvas;
}
