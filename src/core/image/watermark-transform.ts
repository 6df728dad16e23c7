// The two transforms the invisible-watermark library's dwtDct method runs an image through,
// computed as the library's dependencies compute them, so that our pixels equal its pixels:
// OpenCV's 8-bit BGR↔YUV conversion (fixed point, 14 fractional bits; checked against cv2 4.6
// over all 2²⁴ colours) and PyWavelets' one-level 2-D Haar transform in float64 (rows first,
// then columns; each coefficient one product per input, added in pywt's order).

import type { RgbImage } from './encode';

/** An image's Y, U and V planes, row-major, as cv2.cvtColor(bgr, COLOR_BGR2YUV) gives them. */
export interface YuvPlanes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  width: number;
  height: number;
}

const SHIFT = 14;
const HALF = 1 << (SHIFT - 1);
const DELTA = 128 << SHIFT;
const clamp8 = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : x);

/** `COLOR_BGR2YUV` on 8-bit pixels (OpenCV's RGB2YCrCb_i with its YUV coefficients). */
export function rgbToYuv(image: RgbImage, blueFirst = false): YuvPlanes {
  const { data, width, height } = image;
  const count = width * height;
  const y = new Uint8Array(count);
  const u = new Uint8Array(count);
  const v = new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const r = data[p * 3 + (blueFirst ? 2 : 0)]!;
    const g = data[p * 3 + 1]!;
    const b = data[p * 3 + (blueFirst ? 0 : 2)]!;
    const luma = (b * 1868 + g * 9617 + r * 4899 + HALF) >> SHIFT;
    y[p] = clamp8(luma);
    u[p] = clamp8(((b - luma) * 8061 + DELTA + HALF) >> SHIFT);
    v[p] = clamp8(((r - luma) * 14369 + DELTA + HALF) >> SHIFT);
  }
  return { y, u, v, width, height };
}

/**
 * The U plane `COLOR_BGR2YUV` gives for a float image in 0..255 (U = (B − Y)·0.492 + 0.5, not
 * centred on 128), in float64: the library's path when it is handed floats, as diffusers' SDXL
 * watermarker does. Only for reading, where the last bits do not matter.
 */
export function floatU(image: RgbImage, blueFirst = false): Float64Array {
  const { data } = image;
  const u = new Float64Array(image.width * image.height);
  for (let p = 0; p < u.length; p++) {
    const r = data[p * 3 + (blueFirst ? 2 : 0)]!;
    const b = data[p * 3 + (blueFirst ? 0 : 2)]!;
    const luma = r * 0.299 + data[p * 3 + 1]! * 0.587 + b * 0.114;
    u[p] = (b - luma) * 0.492 + 0.5;
  }
  return u;
}

/** `COLOR_YUV2BGR` on 8-bit pixels, back to interleaved RGB. */
export function yuvToRgb(planes: YuvPlanes): RgbImage {
  const { y, u, v, width, height } = planes;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < y.length; p++) {
    const luma = y[p]!;
    const cb = u[p]! - 128;
    const cr = v[p]! - 128;
    data[p * 3] = clamp8(luma + ((cr * 18678 + HALF) >> SHIFT));
    data[p * 3 + 1] = clamp8(luma + ((cb * -6472 + cr * -9519 + HALF) >> SHIFT));
    data[p * 3 + 2] = clamp8(luma + ((cb * 33292 + HALF) >> SHIFT));
  }
  return { data, width, height };
}

/** A float64 plane, row-major. */
export interface Plane {
  data: Float64Array;
  width: number;
  height: number;
}

/** pywt's Haar filter tap, 1/√2 as a double. */
const TAP = 0.7071067811865476;

/**
 * One Haar step along rows (pairs of rows) or columns (pairs of columns) of an even-sized plane:
 * approximation a·x₁ + a·x₀ and detail (−a)·x₁ + a·x₀, where x₀ is the first of the pair.
 */
function haarStep(input: Plane, alongRows: boolean): [Plane, Plane] {
  const width = alongRows ? input.width : input.width / 2;
  const height = alongRows ? input.height / 2 : input.height;
  const approx = new Float64Array(width * height);
  const detail = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const first = alongRows ? 2 * r * input.width + c : r * input.width + 2 * c;
      const second = first + (alongRows ? input.width : 1);
      const x0 = input.data[first]!;
      const x1 = input.data[second]!;
      approx[r * width + c] = TAP * x1 + TAP * x0;
      detail[r * width + c] = -TAP * x1 + TAP * x0;
    }
  }
  return [
    { data: approx, width, height },
    { data: detail, width, height },
  ];
}

/** The inverse of `haarStep`: x₀ = a·A + a·D, x₁ = a·A + (−a)·D. */
function inverseHaarStep(approx: Plane, detail: Plane, alongRows: boolean): Plane {
  const width = alongRows ? approx.width : approx.width * 2;
  const height = alongRows ? approx.height * 2 : approx.height;
  const out = new Float64Array(width * height);
  for (let r = 0; r < approx.height; r++) {
    for (let c = 0; c < approx.width; c++) {
      const a = approx.data[r * approx.width + c]!;
      const d = detail.data[r * approx.width + c]!;
      const first = alongRows ? 2 * r * width + c : r * width + 2 * c;
      out[first] = TAP * a + TAP * d;
      out[first + (alongRows ? width : 1)] = TAP * a + -TAP * d;
    }
  }
  return { data: out, width, height };
}

/** `pywt.dwt2(plane, 'haar')`: cA and the three details (pywt's cH, cV, cD). */
export interface Haar2d {
  approx: Plane;
  horizontal: Plane;
  vertical: Plane;
  diagonal: Plane;
}

export function haar2d(plane: Plane): Haar2d {
  const [low, high] = haarStep(plane, true);
  const [approx, vertical] = haarStep(low, false);
  const [horizontal, diagonal] = haarStep(high, false);
  return { approx, horizontal, vertical, diagonal };
}

/** `pywt.idwt2((cA, (cH, cV, cD)), 'haar')`: columns first, then rows. */
export function inverseHaar2d({ approx, horizontal, vertical, diagonal }: Haar2d): Plane {
  const low = inverseHaarStep(approx, vertical, false);
  const high = inverseHaarStep(horizontal, diagonal, false);
  return inverseHaarStep(low, high, true);
}
