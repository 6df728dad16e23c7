// The 8-bit picture type the image operations share (interleaved, row-major, 1, 3 or 4 channels)
// and the per-pixel conversions between its kinds, with Pillow's integer rounding: A1111 and
// diffusers prepare images with Pillow, so matching its arithmetic matches their inputs.

export type Channels = 1 | 3 | 4;

export interface Raster {
  /** Interleaved samples, row-major: `(y · width + x) · channels + c`. */
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 grey (a mask, a depth map), 3 RGB, 4 RGBA (straight, not premultiplied). */
  channels: Channels;
}

export function createRaster(width: number, height: number, channels: Channels, fill = 0): Raster {
  return { data: new Uint8Array(width * height * channels).fill(fill), width, height, channels };
}

/** Pillow's DIV255: round(v / 255) in integers. */
function div255(v: number): number {
  const t = v + 128;
  return ((t >> 8) + t) >> 8;
}

/** Pillow's MULDIV255: round(a · b / 255). */
export function mulDiv255(a: number, b: number): number {
  return div255(a * b);
}

/** Pillow's BLEND, what a paste through a mask does to each sample: `under` → `over` by mask/255. */
export function blend255(under: number, over: number, mask: number): number {
  return div255(under * (255 - mask) + over * mask);
}

/** A1111's images.flatten: an RGBA picture pasted through its own alpha onto a plain background, as RGB. */
export function flatten(image: Raster, background: readonly [number, number, number] = [255, 255, 255]): Raster {
  if (image.channels !== 4) return toRgb(image);
  const out = createRaster(image.width, image.height, 3);
  for (let p = 0; p < image.width * image.height; p++) {
    const alpha = image.data[p * 4 + 3]!;
    for (let k = 0; k < 3; k++) out.data[p * 3 + k] = blend255(background[k]!, image.data[p * 4 + k]!, alpha);
  }
  return out;
}

/** Pillow's convert('L'): ITU-R 601-2 luma, L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16; alpha is ignored. */
export function toGray(image: Raster): Raster {
  if (image.channels === 1) return image;
  const out = createRaster(image.width, image.height, 1);
  const n = image.width * image.height;
  const c = image.channels;
  for (let p = 0, i = 0; p < n; p++, i += c) {
    out.data[p] = (image.data[i]! * 19595 + image.data[i + 1]! * 38470 + image.data[i + 2]! * 7471 + 0x8000) >>> 16;
  }
  return out;
}

/** The colour of each pixel (grey repeated) in 3 or 4 channels; alpha, if made, is opaque. */
function colourChannels(image: Raster, channels: 3 | 4): Raster {
  const out = createRaster(image.width, image.height, channels, 255);
  const c = image.channels;
  for (let p = 0; p < image.width * image.height; p++) {
    for (let k = 0; k < 3; k++) out.data[p * channels + k] = image.data[p * c + (c === 1 ? 0 : k)]!;
  }
  return out;
}

/** RGB (alpha dropped; grey repeated). */
export function toRgb(image: Raster): Raster {
  return image.channels === 3 ? image : colourChannels(image, 3);
}

/** RGBA with opaque alpha for images without one. */
export function toRgba(image: Raster): Raster {
  return image.channels === 4 ? image : colourChannels(image, 4);
}

/** The alpha channel as a grey raster (255 where the image has none). */
export function alphaOf(image: Raster): Raster {
  const out = createRaster(image.width, image.height, 1, 255);
  if (image.channels !== 4) return out;
  for (let p = 0; p < out.data.length; p++) out.data[p] = image.data[p * 4 + 3]!;
  return out;
}

/** Each colour sample of an RGBA raster mapped with its pixel's alpha; alpha kept. */
function mapColourByAlpha(image: Raster, what: string, f: (colour: number, alpha: number) => number): Raster {
  if (image.channels !== 4) throw new Error(`${what} needs four channels`);
  const out = createRaster(image.width, image.height, 4);
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3]!;
    for (let k = 0; k < 3; k++) out.data[i + k] = f(d[i + k]!, a);
    out.data[i + 3] = a;
  }
  return out;
}

/** Pillow's RGBA → RGBa: colour multiplied by alpha, rounded (MULDIV255). */
export function premultiply(image: Raster): Raster {
  return mapColourByAlpha(image, 'premultiply', mulDiv255);
}

/** Pillow's RGBa → RGBA: colour · 255 / alpha, truncated and clipped; alpha 0 and 255 copy. */
export function unpremultiply(image: Raster): Raster {
  return mapColourByAlpha(image, 'unpremultiply', (c, a) => (a === 0 || a === 255 ? c : Math.min(255, Math.trunc((255 * c) / a))));
}

/**
 * `image` as premultiplied RGBa pasted into an empty RGBa picture through the inverse of `mask`
 * (Pillow's paste, BLEND over zeros): what A1111's fill and overlay both start from.
 */
export function premultipliedOutsideMask(image: Raster, mask: Raster): Raster {
  if (mask.channels !== 1 || mask.width !== image.width || mask.height !== image.height) {
    throw new Error('the mask must be grey and of the picture’s size');
  }
  const source = premultiply(toRgba(image));
  const out = createRaster(image.width, image.height, 4);
  for (let p = 0; p < mask.data.length; p++) {
    const keep = 255 - mask.data[p]!;
    for (let k = 0; k < 4; k++) out.data[p * 4 + k] = mulDiv255(source.data[p * 4 + k]!, keep);
  }
  return out;
}

/** Pillow's `dst.alpha_composite(src)` for two RGBA rasters of one size (7 extra bits of precision, rounded divisions). */
export function alphaComposite(dst: Raster, src: Raster): Raster {
  if (dst.channels !== 4 || src.channels !== 4 || dst.width !== src.width || dst.height !== src.height) {
    throw new Error('alphaComposite needs two RGBA rasters of one size');
  }
  const out = createRaster(dst.width, dst.height, 4);
  const shiftDiv255 = (v: number) => ((v >>> 8) + v) >>> 8;
  const precision = 1 << 7;
  const s = src.data;
  const d = dst.data;
  for (let i = 0; i < d.length; i += 4) {
    const sa = s[i + 3]!;
    if (sa === 0) {
      out.data.set(d.subarray(i, i + 4), i);
      continue;
    }
    const outa255 = sa * 255 + d[i + 3]! * (255 - sa);
    const coef1 = Math.floor((sa * 255 * 255 * precision) / outa255);
    const coef2 = 255 * precision - coef1;
    for (let k = 0; k < 3; k++) {
      out.data[i + k] = shiftDiv255(s[i + k]! * coef1 + d[i + k]! * coef2 + (0x80 << 7)) >>> 7;
    }
    out.data[i + 3] = shiftDiv255(outa255 + 0x80);
  }
  return out;
}

/** A copy of the rectangle [x1, x2) × [y1, y2); parts outside the raster are zero, as Pillow's crop. */
export function crop(image: Raster, x1: number, y1: number, x2: number, y2: number): Raster {
  const out = createRaster(x2 - x1, y2 - y1, image.channels);
  paste(out, image, -x1, -y1);
  return out;
}

/** Copies `src` into `dst` with its top-left corner at (x, y), clipped to `dst`. Same channel count. */
export function paste(dst: Raster, src: Raster, x: number, y: number): void {
  if (dst.channels !== src.channels) throw new Error('paste needs rasters with the same channels');
  const c = src.channels;
  const x0 = Math.max(0, x);
  const x1 = Math.min(dst.width, x + src.width);
  if (x1 <= x0) return;
  for (let row = Math.max(0, y); row < Math.min(dst.height, y + src.height); row++) {
    const from = ((row - y) * src.width + (x0 - x)) * c;
    dst.data.set(src.data.subarray(from, from + (x1 - x0) * c), (row * dst.width + x0) * c);
  }
}
