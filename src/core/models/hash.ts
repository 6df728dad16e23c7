// Content hashes of a model's components, for recipes and caches that must tell two models apart
// even when their folders share a name, and for `verify` to tell whether a folder still holds the
// weights a recipe names; and a key of a loaded model's files that tells when they change on
// disk. No onnxruntime import: the extension host may call it.

import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fail, ok, type Result } from '../errors';
import { filesHash } from '../file-hash';
import { COMPONENTS, type ComponentName, type ModelFolderInfo } from './folder';

/** The hash of each component the folder has; the UNet's always. */
export type ModelHashes = Partial<Record<ComponentName, string>> & { unet: string };

function componentFileList(info: ModelFolderInfo, component: ComponentName): string[] {
  const c = info.components[component];
  return [c.onnx, ...(c.externalData ?? [])];
}

/** sha256 (hex) of the UNet's model.onnx followed by its external data files in name order. */
export async function unetContentHash(info: ModelFolderInfo): Promise<string> {
  return filesHash(componentFileList(info, 'unet'));
}

/** The same hash for every component the folder has (text encoders, UNet, VAE decoder and encoder, depth estimator). */
export async function modelContentHashes(info: ModelFolderInfo): Promise<ModelHashes> {
  const hashes: Partial<Record<ComponentName, string>> = {};
  for (const component of COMPONENTS) {
    if (info.components[component].present) hashes[component] = await filesHash(componentFileList(info, component));
  }
  return { ...hashes, unet: hashes.unet ?? (await unetContentHash(info)) };
}

/** What went wrong reading a model's file, as the error a user can act on. */
function readError(info: ModelFolderInfo, e: unknown) {
  const err = e as NodeJS.ErrnoException;
  const file = err.path ?? info.dir;
  const relative = path.relative(info.dir, file) || file;
  return err.code === 'ENOENT'
    ? fail({ code: 'model-missing', message: `${relative} was moved or deleted while the model was in use`, file })
    : fail({ code: 'model-invalid', message: `${relative}: cannot read it: ${err.message}`, file });
}

/** modelContentHashes, with a file that is gone or unreadable as a user's error, not an exception. */
export async function checkedContentHashes(info: ModelFolderInfo): Promise<Result<ModelHashes>> {
  try {
    return ok(await modelContentHashes(info));
  } catch (e) {
    return readError(info, e);
  }
}

function fileKey(file: string): string {
  const s = statSync(file);
  return `${file}\u0000${s.size}\u0000${s.mtimeMs}`;
}

/**
 * The size and modification time of every model file of the folder, as one string; a model
 * loaded from files with another key is out of date. An error when a file is gone.
 */
export function modelFilesKey(info: ModelFolderInfo): Result<string> {
  try {
    return ok(COMPONENTS.filter((c) => info.components[c].present).flatMap((c) => componentFileList(info, c)).map(fileKey).join('\u0001'));
  } catch (e) {
    return readError(info, e);
  }
}
