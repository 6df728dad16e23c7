// The GPU runtimes (Dawn for WebGPU, ONNX Runtime's providers) write their warnings straight to
// the process's stderr, where no JavaScript can catch them. So a CLI command that may run a model
// on a GPU runs in a child process whose stderr goes to the log file, and which writes what the
// user should see to an extra descriptor that is the terminal's stderr. The log file also takes
// the providers `auto` passed over and why.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** In the child: the descriptor that reaches the user's terminal (the parent's stderr). */
export const USER_FD = 3;
/** Tells the child which descriptor is the user's; set by the parent only. */
export const USER_FD_ENV = 'SDPROMPT_USER_FD';

const MAX_LOG_BYTES = 1024 * 1024;

/** Where the CLI's log goes unless --log says otherwise: the platform's place for an app's logs. */
export function defaultLogFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env['LOCALAPPDATA'] ?? path.join(home, 'AppData', 'Local'), 'sdprompt', 'sdprompt.log');
  if (platform === 'darwin') return path.join(home, 'Library', 'Logs', 'sdprompt', 'sdprompt.log');
  return path.join(env['XDG_STATE_HOME'] || path.join(home, '.local', 'state'), 'sdprompt', 'sdprompt.log');
}

/** Appends timestamped lines to a log file; a log that cannot be written is not worth failing a run for. */
export class LogFile {
  private ready = false;

  constructor(readonly file: string) {}

  private prepare(): void {
    if (this.ready) return;
    this.ready = true;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      // One old generation is kept, so the log stays small.
      if ((statSync(this.file, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(this.file, `${this.file}.1`);
    } catch {
      // Written or not, the run goes on.
    }
  }

  write(text: string): void {
    this.prepare();
    const stamp = new Date().toISOString();
    // ORT colours its warnings for a terminal; the log keeps the words.
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\n$/, '');
    const lines = plain.split('\n').map((l) => `${stamp} ${l}\n`).join('');
    try {
      appendFileSync(this.file, lines);
    } catch {
      // See prepare().
    }
  }

  /** The last `count` lines, for a crash report. */
  tail(count: number): string[] {
    try {
      return readFileSync(this.file, 'utf8').trimEnd().split('\n').slice(-count);
    } catch {
      return [];
    }
  }
}

/** In a child the parent started: the user's descriptor, else undefined. */
export function userFdFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return env[USER_FD_ENV] === String(USER_FD) ? USER_FD : undefined;
}

/** Writes to a descriptor, whole. */
export function writeFd(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at);
}

export interface ChildRun {
  /** The child's exit code, or 70 when a signal ended it. */
  code: number;
  signal: NodeJS.Signals | null;
}

/**
 * Runs `node script ...args` with its stderr into `log` and its descriptor 3 on `userFd` (the
 * terminal's stderr); stdin and stdout are shared. Ctrl+C reaches the child from the terminal
 * itself, so this process ignores it and waits; SIGTERM is passed on.
 */
export function runWithRuntimeLog(script: string, args: readonly string[], log: LogFile, userFd = 2): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['inherit', 'inherit', 'pipe', userFd],
      env: { ...process.env, [USER_FD_ENV]: String(USER_FD) },
    });
    const ignore = (): void => undefined;
    const terminate = (): void => {
      child.kill('SIGTERM');
    };
    process.on('SIGINT', ignore);
    process.on('SIGTERM', terminate);
    let pending = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      log.write(pending.slice(0, end + 1));
      pending = pending.slice(end + 1);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', terminate);
      if (pending) log.write(pending);
      resolve({ code: code ?? 70, signal });
    });
  });
}

/** What the parent tells the user when the child died of a signal (a native crash). */
export function crashReport(signal: NodeJS.Signals, log: LogFile): string {
  const tail = log.tail(8).map((l) => `  ${l}`);
  return [`sdprompt: the model runtime stopped with ${signal}; its last messages (in ${log.file}):`, ...tail].join('\n');
}
