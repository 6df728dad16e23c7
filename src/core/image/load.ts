// Reading the pictures a block names (init, mask, depth map): PNG, JPEG or WebP, turned upright
// per its EXIF orientation, as 8-bit RGBA. Its size is checked from the header before anything
// is decoded, so a huge or hostile file costs nothing. Every failure is a UserError that names the
// file and, when a prompt file named it, the setting's line and column.

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { fail, ok, type Result } from '../errors';
import { readPictureFile } from '../files';
import { imageError, MAX_IMAGE_SIDE, sizeProblem, type ImageOrigin, type ImageRole } from './check';
import type { Raster } from './raster';

export interface LoadedImage {
  /** RGBA, upright. */
  raster: Raster;
  /** The file had an alpha channel. */
  hasAlpha: boolean;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
  path: string;
}

const FORMATS = ['png', 'jpeg', 'webp'];

export async function loadImage(path: string, role: ImageRole, origin?: ImageOrigin): Promise<Result<LoadedImage>> {
  const problem = (text: string) => fail(imageError(role, path, text, origin));
  const read = await readPictureFile(path);
  if (!read.ok) return problem(read.problem);
  const bytes = read.value;
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch {
    return problem('is not an image (expected PNG, JPEG or WebP)');
  }
  if (!metadata.format || !FORMATS.includes(metadata.format)) {
    return problem(`is a ${String(metadata.format).toUpperCase()} image; use PNG, JPEG or WebP`);
  }
  const { width, height } = metadata;
  if (!width || !height) return problem('has no size in its header');
  const tooLarge = sizeProblem(width, height);
  if (tooLarge) return problem(tooLarge);
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(bytes, { limitInputPixels: MAX_IMAGE_SIDE * MAX_IMAGE_SIDE })
      .autoOrient()
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    return problem(`cannot be decoded: ${(e as Error).message}`);
  }
  const { data, info } = decoded;
  if (info.channels !== 4) throw new Error(`sharp gave ${info.channels} channels for RGBA`);
  return ok({
    raster: { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: 4 },
    hasAlpha: metadata.hasAlpha === true,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    path,
  });
}
