// sha256 of files, read as streams and remembered by each file's path, size and modification
// time: model components (models/hash.ts) and the pictures a recipe records. Native-free: the
// extension host hashes the pictures a block names to tell current images from stale ones.

import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

const cache = new Map<string, string>();

function fileKey(file: string): string {
  const s = statSync(file);
  return `${file}\u0000${s.size}\u0000${s.mtimeMs}`;
}

/** sha256 (hex) of files read in order as one stream; throws as `fs` does for a file that cannot be read. */
export async function filesHash(files: readonly string[]): Promise<string> {
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

/** sha256 (hex) of one file, or undefined when it cannot be read. */
export async function fileSha256(file: string): Promise<string | undefined> {
  return filesHash([file]).catch(() => undefined);
}
