// Bringing an init image (or mask, or depth map) to the size the model runs at, in A1111's three
// img2img resize modes (modules/images.py resize_image 0, 1, 2), with its integer arithmetic:
// stretch (just resize), crop (resize to cover, centre, cut the overflow) and fill (resize to fit,
// centre, stretch the edge rows or columns into the gaps). Resampling is Pillow's LANCZOS.

import type { ResizeMode } from './modes';
import { createRaster, paste, type Raster } from './raster';
import { resample } from './resample';

function lanczos(image: Raster, width: number, height: number): Raster {
  return resample(image, width, height, 'lanczos');
}

/** Python's `//` for the non-negative operands used here. */
function div(a: number, b: number): number {
  return Math.floor(a / b);
}

export function resizeImage(image: Raster, width: number, height: number, mode: ResizeMode): Raster {
  if (mode === 'stretch') return lanczos(image, width, height);
  const ratio = width / height;
  const sourceRatio = image.width / image.height;
  const fitted = div(image.width * height, image.height);
  const fittedHeight = div(image.height * width, image.width);
  let w: number;
  let h: number;
  if (mode === 'crop') {
    w = ratio > sourceRatio ? width : fitted;
    h = ratio <= sourceRatio ? height : fittedHeight;
  } else {
    w = ratio < sourceRatio ? width : fitted;
    h = ratio >= sourceRatio ? height : fittedHeight;
  }
  const resized = lanczos(image, w, h);
  const out = createRaster(width, height, image.channels);
  paste(out, resized, div(width, 2) - div(w, 2), div(height, 2) - div(h, 2));
  if (mode === 'fill') fillGaps(out, resized, ratio, sourceRatio);
  return out;
}

/** A1111's gap filling: each gap gets the image's edge, resampled (Pillow's default BICUBIC) from a zero-height (or zero-width) box at that edge. */
function fillGaps(out: Raster, resized: Raster, ratio: number, sourceRatio: number): void {
  const { width, height } = out;
  if (ratio < sourceRatio) {
    const gap = div(height, 2) - div(resized.height, 2);
    if (gap <= 0) return;
    paste(out, resample(resized, width, gap, 'bicubic', [0, 0, width, 0]), 0, 0);
    paste(out, resample(resized, width, gap, 'bicubic', [0, resized.height, width, resized.height]), 0, gap + resized.height);
  } else if (ratio > sourceRatio) {
    const gap = div(width, 2) - div(resized.width, 2);
    if (gap <= 0) return;
    paste(out, resample(resized, gap, height, 'bicubic', [0, 0, 0, height]), 0, 0);
    paste(out, resample(resized, gap, height, 'bicubic', [resized.width, 0, resized.width, height]), gap + resized.width, 0);
  }
}
