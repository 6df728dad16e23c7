// A content hash of the UNet, for recipes and caches that must tell two models apart even when
// their folders share a name. No onnxruntime import: the extension host may call it.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { ModelFolderInfo } from './folder';

const cache = new Map<string, string>();

function fileKey(file: string): string {
  const s = statSync(file);
  return `${file}\u0000${s.size}\u0000${s.mtimeMs}`;
}

/**
 * sha256 (hex) of the UNet's model.onnx followed by its external data files in name order,
 * read as a stream. Cached by each file's path, size and modification time.
 */
export async function unetContentHash(info: ModelFolderInfo): Promise<string> {
  const unet = info.components.unet;
  const files = [unet.onnx, ...(unet.externalData ?? [])];
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
