// The built dist/cli.js run as users run it, in a child process: shared by the CLI's tests.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export function sdprompt(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), `${CLI} is missing: build with 'node esbuild.mjs' first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
