// What a CLI command gets to talk to the world, so tests can run commands in-process.

import * as path from 'node:path';
import { formatUserError, isModelError, type UserError } from '../core/errors';
import { parseSdprompt, type ParsedFile } from '../core/format/parse';
import { readPromptText } from '../core/format/read';

export const EXIT = {
  ok: 0,
  invalidInput: 1,
  usage: 2,
  model: 3,
  failed: 4,
  /** `verify`: an image made again differs from the file. */
  differs: 5,
  /** `status --check`: an image the file asks for is missing or out of date, or one it no longer asks for is left. */
  outOfDate: 6,
  internal: 70,
  interrupted: 130,
  terminated: 143,
} as const;

/** 128 + the signal's number, as shells report a process a signal stopped. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

export interface CommandContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Raw writes for a progress bar; absent when stderr is not a terminal. */
  progress?: ((text: string) => void) | undefined;
  /** Lines for the log file (runtime-log.ts), not the terminal; absent in tests that don't look. */
  log?: (text: string) => void;
  cwd: string;
  signal?: AbortSignal;
}

export class UsageError extends Error {}

/** The exit code that fits a user error. */
export function exitCodeFor(error: UserError): number {
  if (isModelError(error)) return EXIT.model;
  if (error.code === 'invalid-request') return EXIT.invalidInput;
  if (error.code === 'cancelled') return EXIT.interrupted;
  return EXIT.failed;
}

export function reportError(ctx: CommandContext, error: UserError, asJson: boolean): void {
  if (asJson) {
    ctx.stdout(JSON.stringify({ event: 'error', code: error.code, message: error.message, file: error.file, line: error.line, column: error.column }));
  }
  ctx.stderr(`sdprompt: ${formatUserError(error)}`);
}

export function integerOption(name: string, value: string | boolean | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function stringOption(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads and parses the prompt file a command names; on failure reports it and returns undefined. */
export async function readPromptFile(ctx: CommandContext, name: string, asJson: boolean): Promise<{ file: string; parsed: ParsedFile } | undefined> {
  const file = path.resolve(ctx.cwd, name);
  const text = await readPromptText(file);
  if (!text.ok) {
    reportError(ctx, text.error, asJson);
    return undefined;
  }
  return { file, parsed: parseSdprompt(text.value, name) };
}
