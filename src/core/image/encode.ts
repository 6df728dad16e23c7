// From the VAE's output tensor to PNG bytes.

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Tensor } from '../tensor';
import { addTextChunks } from './png-text';

export interface RgbImage {
  /** Interleaved RGB, row-major, 3 bytes a pixel. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** sha256 of an image's samples (RGB, row-major): what a recipe's `imageSha256` records, which a PNG optimiser keeps and an edit does not. */
export function samplesSha256(image: RgbImage): string {
  return createHash('sha256').update(image.data).digest('hex');
}

/** One image of a [B, 3, H, W] tensor in [-1, 1] as 8-bit RGB: clip(x / 2 + 0.5) · 255, rounded, as diffusers does. */
export function tensorToRgb(images: Tensor, index = 0): RgbImage {
  const [batch, channels, height, width] = images.shape as [number, number, number, number];
  if (images.shape.length !== 4 || channels !== 3) throw new Error(`expected images [B, 3, H, W], got [${images.shape.join(', ')}]`);
  if (index >= batch) throw new Error(`image ${index} of a batch of ${batch}`);
  const plane = width * height;
  const base = index * 3 * plane;
  const data = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const src = base + c * plane;
    for (let p = 0; p < plane; p++) {
      const v = images.data[src + p]! / 2 + 0.5;
      data[p * 3 + c] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
  }
  return { data, width, height };
}

/** PNG bytes for an RGB image, with text chunks. The same pixels and text give the same bytes. */
export async function encodePng(image: RgbImage, text: Readonly<Record<string, string>> = {}): Promise<Buffer> {
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
  return Object.keys(text).length > 0 ? addTextChunks(png, text) : png;
}
