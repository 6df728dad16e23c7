// Masks, white = repaint (A1111 and diffusers agree), from a mask file to what the pipeline uses:
// the grey mask (an alpha channel if the file has a real one, else luminance), inverted on
// request, blurred as A1111 blurs it, and from it the overlay mask for compositing and the
// latent-size masks for the UNet and for latent blending.

import { blurMaskA1111 } from './gaussian';
import { alphaOf, createRaster, toGray, type Raster } from './raster';
import { resample } from './resample';

/**
 * A1111's create_binary_mask (with mask_round): an image whose alpha is not all opaque is a mask
 * drawn in alpha, thresholded at > 128; any other image is its luminance.
 */
export function maskFromImage(image: Raster): Raster {
  if (image.channels === 4) {
    const alpha = alphaOf(image);
    if (alpha.data.some((a) => a !== 255)) {
      for (let i = 0; i < alpha.data.length; i++) alpha.data[i] = alpha.data[i]! > 128 ? 255 : 0;
      return alpha;
    }
  }
  return toGray(image);
}

export function invertMask(mask: Raster): Raster {
  const out = createRaster(mask.width, mask.height, 1);
  for (let i = 0; i < out.data.length; i++) out.data[i] = 255 - mask.data[i]!;
  return out;
}

export interface MaskOptions {
  invert: boolean;
  /** σ of A1111's Gaussian mask blur, in pixels; 0 for none. */
  blur: number;
}

/** A mask file's pixels to the blurred grey mask, at the file's own size (A1111's order: binary, invert, blur). */
export function prepareMask(image: Raster, options: MaskOptions): Raster {
  const mask = maskFromImage(image);
  return blurMaskA1111(options.invert ? invertMask(mask) : mask, options.blur);
}

/** A1111's whole-picture overlay mask: the blurred mask doubled and clipped, so the repainted area reaches full strength. */
export function overlayMaskWhole(mask: Raster): Raster {
  const out = createRaster(mask.width, mask.height, 1);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Math.min(255, mask.data[i]! * 2);
  return out;
}

/** True where nothing is to be repainted. */
export function isEmptyMask(mask: Raster): boolean {
  return mask.data.every((v) => v === 0);
}

/**
 * The UNet's mask channel for inpainting models: the mask rounded to 0 or 1 (A1111's torch.round,
 * diffusers' binarize at 0.5), sampled at every 8th pixel as torch's nearest interpolation does. [h, w].
 */
export function conditioningMask(mask: Raster, factor: number): Float32Array {
  const w = mask.width / factor;
  const h = mask.height / factor;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[y * w + x] = mask.data[y * factor * mask.width + x * factor]! >= 128 ? 1 : 0;
  }
  return out;
}

/**
 * The mask for blending latents on models without a mask channel (A1111's latmask): the blurred
 * mask resized to latent size with Pillow's BICUBIC, then rounded to 0 or 1. [h, w], 1 = repaint.
 */
export function latentBlendMask(mask: Raster, factor: number): Float32Array {
  const small = resample(mask, mask.width / factor, mask.height / factor, 'bicubic');
  return Float32Array.from(small.data, (v) => (v >= 128 ? 1 : 0));
}
