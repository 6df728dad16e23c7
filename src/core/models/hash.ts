// Content hashes of a model's components, for recipes and caches that must tell two models apart
// even when their folders share a name, and for `verify` to tell whether a folder still holds the
// weights a recipe names. No onnxruntime import: the extension host may call it.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { COMPONENTS, type ComponentName, type ModelFolderInfo } from './folder';

const cache = new Map<string, string>();

function fileKey(file: string): string {
  const s = statSync(file);
  return `${file}\u0000${s.size}\u0000${s.mtimeMs}`;
}

/** sha256 (hex) of files read in order as one stream; cached by each file's path, size and modification time. */
async function filesHash(files: readonly string[]): Promise<string> {
  const key = files.map(fileKey).join('\u0001');
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(file, { highWaterMark: 1 << 20 })
        .on('data', (chunk) => hash.update(chunk))
        .on('error', reject)
        .on('end', resolve);
    });
  }
  const digest = hash.digest('hex');
  cache.set(key, digest);
  return digest;
}

function componentFileList(info: ModelFolderInfo, component: ComponentName): string[] {
  const c = info.components[component];
  return [c.onnx, ...(c.externalData ?? [])];
}

/** sha256 (hex) of the UNet's model.onnx followed by its external data files in name order. */
export async function unetContentHash(info: ModelFolderInfo): Promise<string> {
  return filesHash(componentFileList(info, 'unet'));
}

/** The same hash for every component the folder has (text encoders, UNet, VAE decoder and encoder, depth estimator). */
export async function modelContentHashes(info: ModelFolderInfo): Promise<Partial<Record<ComponentName, string>> & { unet: string }> {
  const hashes: Partial<Record<ComponentName, string>> = {};
  for (const component of COMPONENTS) {
    if (info.components[component].present) hashes[component] = await filesHash(componentFileList(info, component));
  }
  return { ...hashes, unet: hashes.unet ?? (await unetContentHash(info)) };
}
