// The pictures of an image-to-image run, brought to the model's canvas in A1111's order: the
// mask made binary, inverted and blurred; the canvas extended for outpainting; the init (and a
// depth map) resized to the model's size, or cut around the mask for "only masked"; the overlay
// of the original kept for the end; the masked area filled when asked. The pipeline then only
// deals with rasters of the size it runs at, and `compositeResult` undoes the geometry.

import { applyOverlay, overlayImage } from '../image/composite';
import { cropRegion, cropToModel, expandCropRegion, uncrop, type Region } from '../image/crop';
import { fillMasked } from '../image/fill';
import { blurMaskA1111 } from '../image/gaussian';
import { invertMask, maskFromImage, overlayMaskWhole } from '../image/mask';
import type { Extension, InpaintArea, MaskedContent, ResizeMode } from '../image/modes';
import { outpaintCanvas } from '../image/outpaint';
import { flatten, toGray, type Raster } from '../image/raster';
import { resample } from '../image/resample';
import { resizeImage } from '../image/resize';

export interface MaskInput {
  /** The mask file's pixels (white, or opaque alpha, repaints). */
  image: Raster;
  invert: boolean;
  blur: number;
  area: InpaintArea;
  padding: number;
}

export interface PrepareOptions {
  /** The size the init is brought to (before any outpainting extension). */
  width: number;
  height: number;
  resize: ResizeMode;
  maskedContent: MaskedContent;
  mask?: MaskInput;
  outpaint?: { extension: Extension; blur: number };
  /** A depth map picture, put through the same geometry as the init. */
  depth?: Raster;
}

/** Something the user should hear about an image: about one of its pictures (a mask of another size, an empty mask), or the whole. */
export interface ImageWarning {
  picture?: 'mask';
  message: string;
}

export interface PreparedImages {
  /** The picture the VAE encodes, RGB at the canvas size (filled where asked). */
  start: Raster;
  /** The blurred mask at the canvas size (grey, 255 = repaint); absent without mask or outpaint. */
  mask?: Raster;
  /** The depth map at the canvas size (grey). */
  depth?: Raster;
  /** How the result goes back over the original. */
  overlay?: { image: Raster; region?: Region; width: number; height: number };
  warnings: ImageWarning[];
}

/** The mask at the init's size, inverted and blurred there (a mask of another size is stretched to fit). */
function maskAtInitSize(mask: MaskInput, init: Raster, warnings: ImageWarning[]): Raster {
  let grey = maskFromImage(mask.image);
  if (mask.invert) grey = invertMask(grey);
  if (grey.width !== init.width || grey.height !== init.height) {
    warnings.push({ picture: 'mask', message: `the mask is ${grey.width}x${grey.height} and the init ${init.width}x${init.height}: the mask was stretched to fit` });
    grey = resample(grey, init.width, init.height, 'lanczos');
  }
  return blurMaskA1111(grey, mask.blur);
}

export function prepareImages(init: Raster, o: PrepareOptions): PreparedImages {
  const warnings: ImageWarning[] = [];
  const original = flatten(init);
  const depthAtInit = o.depth && resample(toGray(o.depth), original.width, original.height, 'lanczos');
  const fit = (r: Raster) => resizeImage(r, o.width, o.height, o.resize);
  const withDepth = (p: Omit<PreparedImages, 'warnings'>, depth?: Raster): PreparedImages => ({ ...p, ...(depth ? { depth } : {}), warnings });
  const filled = (start: Raster, mask: Raster) => (o.maskedContent === 'fill' ? fillMasked(start, mask) : start);

  if (o.outpaint) {
    const resized = fit(original);
    const canvas = outpaintCanvas(resized, o.outpaint.extension, 2 * o.outpaint.blur);
    const mask = blurMaskA1111(canvas.mask, o.outpaint.blur);
    const overlay = { image: overlayImage(canvas.image, overlayMaskWhole(mask)), width: canvas.image.width, height: canvas.image.height };
    const depth = depthAtInit && outpaintCanvas(fit(depthAtInit), o.outpaint.extension, 0).image;
    return withDepth({ start: filled(canvas.image, mask), mask, overlay }, depth);
  }
  if (!o.mask) return withDepth({ start: fit(original) }, depthAtInit && fit(depthAtInit));

  const mask = maskAtInitSize(o.mask, original, warnings);
  if (o.mask.area === 'masked') {
    const region = cropRegion(mask, o.mask.padding);
    if (!region) {
      warnings.push({ picture: 'mask', message: 'the mask is empty: nothing to repaint only there, so the whole picture is redrawn as img2img' });
      return withDepth({ start: fit(original) }, depthAtInit && fit(depthAtInit));
    }
    const expanded = expandCropRegion(region, o.width, o.height, original.width, original.height);
    const cut = (r: Raster) => cropToModel(r, expanded, o.width, o.height);
    const cutMask = cut(mask);
    const overlay = { image: overlayImage(original, mask), region: expanded, width: original.width, height: original.height };
    return withDepth({ start: filled(cut(original), cutMask), mask: cutMask, overlay }, depthAtInit && cut(depthAtInit));
  }
  const start = fit(original);
  const fitted = fit(mask);
  const overlay = { image: overlayImage(start, overlayMaskWhole(fitted)), width: start.width, height: start.height };
  return withDepth({ start: filled(start, fitted), mask: fitted, overlay }, depthAtInit && fit(depthAtInit));
}

/** The generated picture (RGB at the canvas size) back in the original's frame, the original over it outside the mask. */
export function compositeResult(generated: Raster, prepared: PreparedImages): Raster {
  const overlay = prepared.overlay;
  if (!overlay) return generated;
  const base = overlay.region ? uncrop(generated, overlay.region, overlay.width, overlay.height) : generated;
  return applyOverlay(base, overlay.image);
}
