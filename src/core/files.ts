// Reading a file a user named, within a size limit: only a regular file is read (a folder,
// /dev/zero, a named pipe or a socket is refused before any byte, where reading would never end
// or wait for a writer for ever), it is opened without blocking, and never more than the limit
// is read, even from a file that grows while it is read. Callers put the problem in their words;
// those for a picture are here, shared by the image loader and the parameters reader.

import { constants, promises as fs } from 'node:fs';

export type FileProblem =
  | { kind: 'missing' }
  | { kind: 'denied' }
  | { kind: 'folder' }
  | { kind: 'special' }
  | { kind: 'too-large'; size: number }
  | { kind: 'other'; message: string };

export type FileRead = { ok: true; value: Buffer } | { ok: false; problem: FileProblem };

function openProblem(e: NodeJS.ErrnoException): FileProblem {
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { kind: 'missing' };
  if (e.code === 'EACCES' || e.code === 'EPERM') return { kind: 'denied' };
  if (e.code === 'EISDIR') return { kind: 'folder' };
  return { kind: 'other', message: e.message };
}

/** The bytes of the regular file `file`, at most `maxBytes` of them, or why not. */
export async function readRegularFile(file: string, maxBytes: number): Promise<FileRead> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, problem: openProblem(e as NodeJS.ErrnoException) };
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return { ok: false, problem: { kind: 'folder' } };
    if (!stat.isFile()) return { ok: false, problem: { kind: 'special' } };
    if (stat.size > maxBytes) return { ok: false, problem: { kind: 'too-large', size: stat.size } };
    // One byte past what the stat said, to see a file that grew after it.
    const buffer = Buffer.alloc(Math.min(maxBytes, stat.size) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) return { ok: true, value: buffer.subarray(0, length) };
      length += bytesRead;
      if (length === buffer.length) return { ok: false, problem: { kind: 'too-large', size: length } };
    }
  } catch (e) {
    return { ok: false, problem: { kind: 'other', message: (e as Error).message } };
  } finally {
    await handle.close();
  }
}

/**
 * The most a picture file (init, mask, depth map, or one whose parameters are read) may hold:
 * an 8192x8192 RGBA PNG stored without compression is 256 MiB.
 */
export const MAX_IMAGE_FILE_BYTES = 512 * 1024 * 1024;

/** A failed read of a picture, as the end of a sentence about it ("photo.png: no such file"). */
function pictureProblem(problem: FileProblem): string {
  switch (problem.kind) {
    case 'missing':
      return 'no such file';
    case 'denied':
      return 'cannot be read (permission denied)';
    case 'folder':
      return 'is a folder, not an image';
    case 'special':
      return 'is not a regular file (a device, a pipe or a socket), not an image';
    case 'too-large':
      return `is ${problem.size} bytes long; a picture file may be at most ${MAX_IMAGE_FILE_BYTES} bytes (512 MiB)`;
    case 'other':
      return `cannot be read: ${problem.message}`;
  }
}

/** The bytes of a picture file, or the end of a sentence saying why not. */
export async function readPictureFile(file: string): Promise<{ ok: true; value: Buffer } | { ok: false; problem: string }> {
  const read = await readRegularFile(file, MAX_IMAGE_FILE_BYTES);
  return read.ok ? read : { ok: false, problem: pictureProblem(read.problem) };
}
