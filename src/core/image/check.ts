// Checking a picture a block names without decoding it (and without native code, so the editor
// can do it as you type): it exists, can be read, is a PNG, JPEG or WebP, and is not too large.
// The messages are the ones a run gives (load.ts), so the Problems panel says what the run would.

import { open } from 'node:fs/promises';
import { fail, ok, readProblem, type Result, type UserError } from '../errors';
import { readImageHeader, type ImageHeader } from './header';

export type ImageRole = 'init' | 'mask' | 'depth' | 'image';

/** Where a prompt file names the picture, for the error's location. */
export interface ImageOrigin {
  file: string;
  line: number;
  column: number;
}

/** `file:line:column: ` for a message about the picture a setting names, as editors link it; nothing without one. */
export function originPrefix(origin: ImageOrigin | undefined): string {
  return origin ? `${origin.file}:${origin.line}:${origin.column}: ` : '';
}

/** The largest side accepted: twice the largest output, so any sensible source fits. */
export const MAX_IMAGE_SIDE = 8192;
const ROLE_NAMES: Record<ImageRole, string> = { init: 'init image', mask: 'mask', depth: 'depth map', image: 'image' };
/** Enough of a file for any header readImageHeader reads (a JPEG's EXIF may come before its frame). */
const HEAD_BYTES = 256 * 1024;

export function imageError(role: ImageRole, path: string, problem: string, origin?: ImageOrigin): UserError {
  const message = `${ROLE_NAMES[role]} ${path}: ${problem}`;
  return origin
    ? { code: 'image-invalid', message, file: origin.file, line: origin.line, column: origin.column }
    : { code: 'image-invalid', message, file: path };
}

/** The size larger than MAX_IMAGE_SIDE, said as a problem; undefined when it fits. */
export function sizeProblem(width: number, height: number): string | undefined {
  return width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE ? `is ${width}x${height}, larger than ${MAX_IMAGE_SIDE} pixels a side; scale it down first` : undefined;
}

/** The picture's format and size from its first bytes, or the error a run would give for it. */
export async function checkPicture(path: string, role: ImageRole, origin?: ImageOrigin): Promise<Result<ImageHeader>> {
  const problem = (text: string) => fail(imageError(role, path, text, origin));
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (e) {
    return problem(readProblem(e as NodeJS.ErrnoException));
  }
  const header = readImageHeader(head);
  if (!header) return problem('is not an image (expected PNG, JPEG or WebP)');
  const tooLarge = sizeProblem(header.width, header.height);
  return tooLarge ? problem(tooLarge) : ok(header);
}
