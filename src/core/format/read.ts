// Reading a prompt file from disk, within the file-size limit: a file too large, or something
// that is not a file (a folder, /dev/zero, a named pipe), is refused before it is read into memory.

import { constants, promises as fs } from 'node:fs';
import { fail, ok, type Result } from '../errors';
import { MAX_PROMPT_FILE_BYTES } from './limits';

function unreadable(file: string, why: string): Result<string> {
  return fail({ code: 'invalid-request', message: `cannot read the prompt file: ${why}`, file });
}

/** The text of a prompt file (UTF-8; the parser drops a byte order mark), or why it cannot be read. */
export async function readPromptText(file: string): Promise<Result<string>> {
  let handle: fs.FileHandle;
  try {
    // Non-blocking: opening a named pipe would otherwise wait for a writer, for ever.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return unreadable(file, 'there is no such file');
    if (code === 'EACCES' || code === 'EPERM') return unreadable(file, 'permission denied');
    if (code === 'EISDIR') return unreadable(file, 'it is a folder');
    return unreadable(file, (e as Error).message);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) return unreadable(file, 'it is a folder');
    if (!stat.isFile()) return unreadable(file, 'it is not a regular file');
    if (stat.size > MAX_PROMPT_FILE_BYTES) {
      return unreadable(file, `it is ${stat.size} bytes long; a prompt file may be at most ${MAX_PROMPT_FILE_BYTES} bytes (1 MiB)`);
    }
    // Read at most one byte past the limit: the file may grow after the stat.
    const buffer = Buffer.alloc(MAX_PROMPT_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_PROMPT_FILE_BYTES) return unreadable(file, `it is longer than ${MAX_PROMPT_FILE_BYTES} bytes (1 MiB), the most a prompt file may be`);
    }
    return ok(buffer.subarray(0, length).toString('utf8'));
  } catch (e) {
    return unreadable(file, (e as Error).message);
  } finally {
    await handle.close();
  }
}
