// Failures of operations on user-supplied things (model folders, images, output folders) are
// returned as values of type `UserError`. Exceptions are for bugs; code that calls into
// libraries converts their exceptions at the boundary with `userErrorFrom`.

import { escapeControls } from './quote';

export type ErrorCode =
  | 'model-missing'
  | 'model-invalid'
  | 'tokenizer-invalid'
  | 'image-invalid'
  | 'output-failed'
  | 'invalid-request'
  | 'cancelled'
  | 'inference-failed'
  /** An image's recipe is missing, unreadable, edited into something else, or from a newer sdprompt. */
  | 'recipe-invalid'
  /** A bug met while running (the engine ends the run with it instead of dying). */
  | 'internal';

export interface UserError {
  code: ErrorCode;
  message: string;
  /** The file the problem is in or about, when there is one. */
  file?: string;
  line?: number;
  column?: number;
}

/**
 * Whether the model folder is what failed (missing, unreadable, or a tokenizer or config it
 * cannot use): the other jobs on that model would fail alike, and the fix is another folder.
 */
export function isModelError(error: UserError): boolean {
  return error.code === 'model-missing' || error.code === 'model-invalid' || error.code === 'tokenizer-invalid';
}

export type Result<T, E = UserError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(error: UserError): { ok: false; error: UserError } {
  return { ok: false, error };
}

/**
 * Thrown inside a module to unwind to its public boundary, where `catchUserError` turns it
 * back into a `Result`. It never crosses a public function.
 */
export class UserErrorException extends Error {
  constructor(readonly userError: UserError) {
    super(userError.message);
    this.name = 'UserErrorException';
  }
}

export function raise(error: UserError): never {
  throw new UserErrorException(error);
}

/** Runs `body` and returns its value, or the `UserError` it raised. Other exceptions are bugs and propagate. */
export async function catchUserError<T>(body: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await body());
  } catch (e) {
    if (e instanceof UserErrorException) return fail(e.userError);
    throw e;
  }
}

export function catchUserErrorSync<T>(body: () => T): Result<T> {
  try {
    return ok(body());
  } catch (e) {
    if (e instanceof UserErrorException) return fail(e.userError);
    throw e;
  }
}

/** A failed read of a user's file, as the end of a sentence about it ("photo.png: no such file"). */
export function readProblem(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'is a folder, not an image';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'cannot be read (permission denied)';
  return `cannot be read: ${e.message}`;
}

/** `file:line:column: message`, or as much of it as is known. */
export function formatUserError(e: UserError): string {
  const where = [e.file, e.line, e.column].filter((p) => p !== undefined).join(':');
  return escapeControls(where ? `${where}: ${e.message}` : e.message);
}
