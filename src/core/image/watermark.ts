// The invisible watermark Stable Diffusion's reference scripts put in their images: the
// `invisible-watermark` library's dwtDct method, compatible both ways (its decoder reads our
// marks, ours reads its marks, and our pixels equal its pixels).
//
// The method, as the library's EmbedMaxDct does it: convert the image to YUV; take the U plane
// (cropped to multiples of 4), one level of Haar wavelet; cut the approximation into 4x4 blocks,
// and in each block move the coefficient of largest magnitude (the first one aside) to a quarter
// (bit 0) or three quarters (bit 1) of the way through its band of width 36; the blocks carry the
// payload's bits in turn, over and over. The library then inverts the wavelet with the
// horizontal and vertical details exchanged (its `idwt2((ca1, (v1, h1, d1)))`), stores the
// result into 8-bit U by truncation (numpy's cast), and converts back to RGB. Reading takes the
// same approximation and votes: a block says 1 when its largest coefficient sits past the middle
// of its band, and a bit is 1 when more than 127/255 of its blocks say so.
//
// We mark with the payload of Stable Diffusion's txt2img.py ('bytes', "StableDiffusionV1", 136
// bits, the library's uint8 path on the image in BGR order): our images come from SD 1.x-style
// models, and this is the mark tools look for in them. Reading also knows SD 2's "SDV2" and the
// 48 bits diffusers' SDXL pipeline writes (which passes RGB where the library expects BGR).

import type { RgbImage } from './encode';
import { floatU, haar2d, inverseHaar2d, rgbToYuv, yuvToRgb, type Plane } from './watermark-transform';

const BLOCK = 4;
const SCALE = 36;

/** A known payload, as the bits the library embeds (each byte most significant bit first). */
export interface WatermarkPayload {
  name: string;
  bits: readonly number[];
  /**
   * How the library was called: with 8-bit BGR (SD's scripts), or with float RGB in 0..255 as if
   * it were BGR (diffusers' SDXL watermarker), which reads back only through the float path.
   */
  input: 'uint8-bgr' | 'float-rgb';
}

function bytesToBits(text: string): number[] {
  return [...Buffer.from(text, 'utf8')].flatMap((byte) => [7, 6, 5, 4, 3, 2, 1, 0].map((k) => (byte >> k) & 1));
}

export const SD_WATERMARK: WatermarkPayload = { name: 'StableDiffusionV1', bits: bytesToBits('StableDiffusionV1'), input: 'uint8-bgr' };

export const KNOWN_WATERMARKS: readonly WatermarkPayload[] = [
  SD_WATERMARK,
  { name: 'SDV2', bits: bytesToBits('SDV2'), input: 'uint8-bgr' },
  { name: 'SDXL (diffusers)', bits: [...'101100111110110010010000011110111011000110011110'].map(Number), input: 'float-rgb' },
];

/** The library refuses images of fewer than 256·256 pixels (its check is on rows × columns). */
export function canWatermark(width: number, height: number): boolean {
  return width * height >= 256 * 256;
}

/** Python's `a // b` for a ≥ 0, b > 0 in floats: (a − fmod(a, b)) / b, floored, rounded up past .5. */
function floorDiv(a: number, b: number): number {
  const div = (a - (a % b)) / b;
  const floored = Math.floor(div);
  return div - floored > 0.5 ? floored + 1 : floored;
}

/** The index (1..15) of the largest |value| in a 4x4 block but its first, the first of equals. */
function strongest(plane: Plane, top: number, left: number): number {
  let best = 1;
  let bestValue = -1;
  for (let k = 1; k < BLOCK * BLOCK; k++) {
    const value = Math.abs(plane.data[(top + Math.floor(k / BLOCK)) * plane.width + left + (k % BLOCK)]!);
    if (value > bestValue) {
      best = k;
      bestValue = value;
    }
  }
  return (top + Math.floor(best / BLOCK)) * plane.width + left + (best % BLOCK);
}

/** Calls `visit(index)` for each 4x4 block of the plane, in rows, with its top-left corner. */
function forEachBlock(plane: Plane, visit: (block: number, top: number, left: number) => void): void {
  const rows = Math.floor(plane.height / BLOCK);
  const columns = Math.floor(plane.width / BLOCK);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) visit(i * columns + j, i * BLOCK, j * BLOCK);
}

/** The U plane cropped to multiples of 4, as float64. */
function croppedU(u: Uint8Array | Float64Array, width: number, height: number): Plane {
  const w = width - (width % 4);
  const h = height - (height % 4);
  const data = new Float64Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) data[r * w + c] = u[r * width + c]!;
  return { data, width: w, height: h };
}

/** What a run did about the watermark, for its recipe: the payload it embedded, or why none. */
export const WATERMARK_OUTCOMES = ['StableDiffusionV1', 'off', 'too small'] as const;
export type WatermarkOutcome = (typeof WATERMARK_OUTCOMES)[number];

/** An output image marked with Stable Diffusion's payload when `wanted` and it is large enough. */
export function watermarkOutput<T extends RgbImage>(image: T, wanted: boolean): { image: T; watermark: WatermarkOutcome } {
  if (!wanted) return { image, watermark: 'off' };
  if (!canWatermark(image.width, image.height)) return { image, watermark: 'too small' };
  return { image: { ...image, data: embedWatermark(image).data }, watermark: 'StableDiffusionV1' };
}

/** The image with `bits` embedded as the library's 8-bit path does; the image must pass `canWatermark`. */
export function embedWatermark(image: RgbImage, bits: readonly number[] = SD_WATERMARK.bits): RgbImage {
  if (!canWatermark(image.width, image.height)) throw new Error(`a ${image.width}x${image.height} image is too small to watermark`);
  const yuv = rgbToYuv(image);
  const plane = croppedU(yuv.u, image.width, image.height);
  const bands = haar2d(plane);
  const approx = bands.approx.data;
  forEachBlock(bands.approx, (block, top, left) => {
    const at = strongest(bands.approx, top, left);
    const bit = bits[block % bits.length]!;
    const value = approx[at]!;
    const moved = (floorDiv(Math.abs(value), SCALE) + 0.25 + 0.5 * bit) * SCALE;
    approx[at] = value >= 0 ? moved : -1 * moved;
  });
  const marked = inverseHaar2d({ ...bands, horizontal: bands.vertical, vertical: bands.horizontal });
  for (let r = 0; r < marked.height; r++) {
    for (let c = 0; c < marked.width; c++) yuv.u[r * image.width + c] = Math.trunc(marked.data[r * marked.width + c]!) & 0xff;
  }
  return yuvToRgb(yuv);
}

/**
 * The bits the library's decoder reads for a payload of `length` bits, and for each the share of
 * its blocks that voted 1. `input` says how to look at the pixels (see WatermarkPayload).
 */
export function readWatermarkBits(image: RgbImage, length: number, input: WatermarkPayload['input'] = 'uint8-bgr'): { bits: number[]; ones: number[] } {
  const u = input === 'uint8-bgr' ? rgbToYuv(image).u : floatU(image, true);
  const { approx } = haar2d(croppedU(u, image.width, image.height));
  const votes = new Array<number>(length).fill(0);
  const counts = new Array<number>(length).fill(0);
  forEachBlock(approx, (block, top, left) => {
    const value = Math.abs(approx.data[strongest(approx, top, left)]!);
    votes[block % length] += value % SCALE > 0.5 * SCALE ? 1 : 0;
    counts[block % length] += 1;
  });
  const ones = votes.map((v, k) => v / counts[k]!);
  return { bits: ones.map((share) => (share * 255 > 127 ? 1 : 0)), ones };
}

export interface WatermarkReading {
  payload: WatermarkPayload;
  /** How many of the payload's bits the decoder reads back; the method is fragile, so a mark can read back partly. */
  matchingBits: number;
}

/** How well each known payload reads back from the image, best first (empty when the image is too small). */
export function readKnownWatermarks(image: RgbImage): WatermarkReading[] {
  if (!canWatermark(image.width, image.height)) return [];
  return KNOWN_WATERMARKS.map((payload) => {
    const { bits } = readWatermarkBits(image, payload.bits.length, payload.input);
    return { payload, matchingBits: bits.filter((bit, k) => bit === payload.bits[k]).length };
  }).sort((a, b) => b.matchingBits / b.payload.bits.length - a.matchingBits / a.payload.bits.length);
}

/**
 * Whether a reading shows the mark: at least 90% of its bits match (bits read from an unmarked
 * image match by chance: 29 of SDV2's 32 about once in 800,000 images, the longer payloads far
 * less often).
 */
export function isMarked(reading: WatermarkReading): boolean {
  return reading.matchingBits >= 0.9 * reading.payload.bits.length;
}

/** The known watermark an image carries (the best reading, if `isMarked`); undefined when none, or when the image is too small. */
export function findWatermark(image: RgbImage): WatermarkReading | undefined {
  const best = readKnownWatermarks(image)[0];
  return best && isMarked(best) ? best : undefined;
}
