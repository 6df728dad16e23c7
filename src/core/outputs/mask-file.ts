// Masks painted in the editor, written as files: the painter's PNG checked (a PNG of the size it
// claims, not anything else), then written beside the picture it masks under a free name
// (`hero-1-mask.png`, then `-2`, …), atomically: never overwriting, never half-written.

import * as path from 'node:path';
import { fail, ok, type Result } from '../errors';
import { readImageHeader } from '../image/header';
import { writeOutputSet } from './write';

const PNG_DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/;

/** The PNG bytes of a painted mask, if they are a PNG of `width` x `height`. */
export function maskPngBytes(dataUrl: string, width: number, height: number): Result<Buffer> {
  const base64 = PNG_DATA_URL.exec(dataUrl)?.[1];
  const bytes = base64 ? Buffer.from(base64, 'base64') : undefined;
  const header = bytes ? readImageHeader(bytes) : undefined;
  if (!bytes || header?.format !== 'png') return fail({ code: 'invalid-request', message: 'the painted mask is not a PNG' });
  if (header.width !== width || header.height !== height) {
    return fail({ code: 'invalid-request', message: `the painted mask is ${header.width}x${header.height}, not ${width}x${height}` });
  }
  return ok(bytes);
}

/** The stem a new mask for `file` starts from: a mask's own stem without its `-2`, else the picture's with `-mask`. */
export function maskStem(file: string): string {
  const stem = path.basename(file, path.extname(file));
  return /-mask(-\d+)?$/.test(stem) ? stem.replace(/-\d+$/, '') : `${stem}-mask`;
}

/** Writes `png` into `dir` as `<stem>.png`, or `<stem>-2.png`… if taken; the path written. */
export async function writeMask(dir: string, stem: string, png: Buffer): Promise<Result<string>> {
  const written = await writeOutputSet(dir, stem, [{ extension: '.png', data: png }]);
  return written.ok ? ok(written.value.paths[0]!) : written;
}
