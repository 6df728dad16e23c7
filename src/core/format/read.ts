// Reading a prompt file from disk, within the file-size limit: a file too large, or something
// that is not a file (a folder, /dev/zero, a named pipe), is refused before it is read into memory.

import { fail, ok, type Result } from '../errors';
import { readRegularFile, type FileProblem } from '../files';
import { MAX_PROMPT_FILE_BYTES } from './limits';

function why(problem: FileProblem): string {
  switch (problem.kind) {
    case 'missing':
      return 'there is no such file';
    case 'denied':
      return 'permission denied';
    case 'folder':
      return 'it is a folder';
    case 'special':
      return 'it is not a regular file';
    case 'too-large':
      return `it is ${problem.size} bytes long; a prompt file may be at most ${MAX_PROMPT_FILE_BYTES} bytes (1 MiB)`;
    case 'other':
      return problem.message;
  }
}

/** The text of a prompt file (UTF-8; the parser drops a byte order mark), or why it cannot be read. */
export async function readPromptText(file: string): Promise<Result<string>> {
  const read = await readRegularFile(file, MAX_PROMPT_FILE_BYTES);
  if (!read.ok) return fail({ code: 'invalid-request', message: `cannot read the prompt file: ${why(read.problem)}`, file });
  return ok(read.value.toString('utf8'));
}
