// A1111's "fill" for masked content (modules/masking.py fill): the area to repaint gets the
// colours around it, by compositing ever less blurred copies of the unmasked image (blur radii
// 256, 64, 16, 4, 2, 0) over one another. The start image then has no trace of what was under
// the mask, only its surroundings' colours.

import { gaussianBlurPillow } from './box-blur';
import { alphaComposite, createRaster, premultipliedOutsideMask, toRgb, unpremultiply, type Raster } from './raster';

const LAYERS: readonly (readonly [radius: number, repeats: number])[] = [
  [256, 1],
  [64, 1],
  [16, 2],
  [4, 4],
  [2, 2],
  [0, 1],
];

/** `image` (RGB) with the area under `mask` (grey, white = repaint, same size) filled from its surroundings. */
export function fillMasked(image: Raster, mask: Raster): Raster {
  const masked = premultipliedOutsideMask(image, mask);
  let result = createRaster(image.width, image.height, 4);
  for (const [radius, repeats] of LAYERS) {
    const blurred = unpremultiply(gaussianBlurPillow(masked, radius));
    for (let i = 0; i < repeats; i++) result = alphaComposite(result, blurred);
  }
  return toRgb(result);
}
