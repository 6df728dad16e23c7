// Putting the original back over the generated picture (A1111's overlay, processing.py
// apply_overlay): the original, transparent in proportion to the overlay mask, is alpha-composited
// over the result, so every pixel where the mask is 0 is exactly the original's and the repainted
// area fades in along the blurred edge.

import { alphaComposite, premultipliedOutsideMask, toRgb, toRgba, unpremultiply, type Raster } from './raster';

/** The original as A1111's overlay image: alpha 255 − mask, through Pillow's premultiplied paste. RGBA. */
export function overlayImage(original: Raster, overlayMask: Raster): Raster {
  return unpremultiply(premultipliedOutsideMask(original, overlayMask));
}

/** The generated picture (RGB, or RGBA from uncrop) with the overlay composited over it, as RGB. */
export function applyOverlay(generated: Raster, overlay: Raster): Raster {
  return toRgb(alphaComposite(toRgba(generated), overlay));
}
