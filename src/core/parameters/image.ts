// Generation parameters carried by an image file, wherever the tool that made it put them: A1111's
// `parameters` text chunk (PNG), its EXIF UserComment (JPEG, WebP; A1111 reads this first when
// both are there), or ComfyUI's `prompt` graph (PNG). Only the metadata is read, never the
// pixels, without native code, so the editor can import a dropped image itself. Each failure
// names the file.

import { fail, type Result, type UserError } from '../errors';
import { readPictureFile } from '../files';
import { readTextChunks } from '../image/png-text';
import { parseParametersText, type GenerationParameters } from './a1111-text';
import { parseComfyGraph } from './comfyui';
import { exifUserComment, findExif } from './exif';

export interface ImageParameters {
  /** Which tool's format the parameters were in. */
  source: 'a1111' | 'comfyui';
  parameters: GenerationParameters;
}

/** The file's format by its first bytes. */
function formatOf(bytes: Buffer): 'png' | 'jpeg' | 'webp' | 'gif' | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  return undefined;
}

function imageProblem(path: string, problem: string): { ok: false; error: UserError } {
  return fail({ code: 'image-invalid', message: `${path}: ${problem}`, file: path });
}

/** The parameters in the image at `path`. */
export async function readImageParameters(path: string): Promise<Result<ImageParameters>> {
  const read = await readPictureFile(path);
  if (!read.ok) return imageProblem(path, read.problem);
  return imageParametersFromBytes(read.value, path);
}

/** The parameters in an image file's bytes (a file dropped from outside, which has no path); `path` names it in messages. */
export function imageParametersFromBytes(bytes: Buffer, path: string): Result<ImageParameters> {
  const format = formatOf(bytes);
  if (format === undefined) return imageProblem(path, 'is not an image (expected PNG, JPEG or WebP)');
  if (format === 'gif') return imageProblem(path, 'is a GIF image; parameters are read from PNG, JPEG or WebP');
  let texts: Record<string, string> = {};
  if (format === 'png') {
    try {
      texts = readTextChunks(bytes);
    } catch (e) {
      return imageProblem(path, `has damaged PNG chunks (${(e as Error).message})`);
    }
  }
  const exif = format === 'png' ? undefined : findExif(bytes, format);
  const comment = exif ? exifUserComment(exif) : undefined;
  const a1111 = comment || texts['parameters'];
  if (a1111) {
    const parsed = parseParametersText(a1111);
    if (!parsed.ok) return imageProblem(path, `its parameters text, line ${parsed.error.line}: ${parsed.error.message}`);
    return { ok: true, value: { source: 'a1111', parameters: parsed.value } };
  }
  if (texts['prompt']) {
    const parsed = parseComfyGraph(texts['prompt'], path);
    return parsed.ok ? { ok: true, value: { source: 'comfyui', parameters: parsed.value } } : parsed;
  }
  return imageProblem(path, "has no generation parameters (no A1111 'parameters' text or EXIF comment, no ComfyUI graph)");
}
