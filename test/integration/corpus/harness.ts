// The bad-input corpus's machinery: a case is a row of a table (cases-*.ts) that arranges a
// folder and names the command, the exit code and the message it must give. Every case is run
// the same way: earlier outputs are put beside the prompt file first, the CLI runs through
// driver.ts, and the checks that hold for all bad input are made on what it leaves: its exit
// code, its message and where it points, no temporary file anywhere, earlier outputs unchanged.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { testModelDir } from '../../../tools/test-models/test-dir';
import type { DriverAction, DriverResult, DriverSpec, Snapshot } from './driver';

const ROOT = path.resolve(__dirname, '../../../..');
// SDPROMPT_CORPUS_CLI runs the corpus against another build (an older checkout's dist/cli.js).
const CLI = process.env['SDPROMPT_CORPUS_CLI'] ?? path.join(ROOT, 'dist', 'cli.js');
const DRIVER = path.join(__dirname, 'driver.js');

export type CaseKind = 'prompt file' | 'model folder' | 'output folder' | 'signal' | 'image';

/** What a case needs of the machine beyond the CLI; a case whose need is missing is skipped, saying why. */
export type Need = 'unshare';

/** The folder a case is arranged in; the CLI runs in `cwd` (`work`, or the tmpfs mounted at `mnt`). */
export interface Workspace {
  root: string;
  work: string;
  /** Where the CLI runs (after any mount): paths in messages are under it. */
  cwd: string;
  /** A copy of a test model inside `work`, for cases that break or delete it; its path relative to `work`. */
  copyModel(variant?: Parameters<typeof testModelDir>[0]): string;
  write(relative: string, content: string | Uint8Array): void;
}

export interface CorpusCase {
  kind: CaseKind;
  name: string;
  needs?: Need[];
  /** Writes the case's files into `ws.work` (the earlier outputs are there already). */
  arrange(ws: Workspace): void | Promise<void>;
  args(ws: Workspace): string[];
  driver?: Pick<DriverSpec, 'actions' | 'rerun'> & { mount?: Omit<NonNullable<DriverSpec['mount']>, 'at'>; asOtherUser?: boolean };
  expect: {
    exit: number;
    /** Where the message points: `file`, `file:line` or `file:line:column` (paths under `ws.cwd`); a line of stderr starts with it. */
    where?: (ws: Workspace) => string;
    /** Found in what the runs print (stderr, then stdout). */
    message: RegExp;
    /** Files the run adds (relative to ws.cwd); none when absent. */
    written?: string[];
    /** The most UNet steps it may run (0: it stopped before any model work). */
    maxSteps?: number;
    /** The most UNet steps it may run once it has a signal (after its `stopping` event, which it must send). */
    maxStepsAfterStop?: number;
  };
}

/** The earlier outputs every case starts with, beside the prompt file `case.sdprompt`. */
export const EARLIER_OUTPUTS: Record<string, string> = {
  'case/block-1-1.png': 'an earlier image: not a PNG, but its bytes must survive',
  'case/block-1-1.json': '{"earlier": true}\n',
  'case/notes.txt': 'the user\'s own file\n',
};

/** The model every case uses unless it breaks one: generated once, shared, read-only. */
export function sharedModel(): string {
  return testModelDir('optimum');
}

let unshareWorks: boolean | undefined;

export function missingNeed(needs: readonly Need[] = []): string | undefined {
  if (needs.includes('unshare')) {
    unshareWorks ??= spawnSync('unshare', ['-rm', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs tmpfs "$d" && umount "$d" && rmdir "$d"']).status === 0;
    if (!unshareWorks) return 'needs `unshare -rm` (user and mount namespaces) to mount a small tmpfs';
  }
  return undefined;
}

/** Root writes through permissions: a case about an unwritable folder runs the CLI as nobody then. */
export const RUNNING_AS_ROOT = process.getuid?.() === 0;

function makeWorkspace(): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), 'sdprompt-corpus-'));
  // Readable by the unprivileged user some cases run as.
  chmodSync(root, 0o755);
  const work = path.join(root, 'work');
  mkdirSync(work);
  const ws: Workspace = {
    root,
    work,
    cwd: work,
    copyModel(variant = 'optimum') {
      const relative = path.join('models', variant);
      cpSync(testModelDir(variant), path.join(work, relative), { recursive: true });
      return relative;
    },
    write(relative, content) {
      mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
      writeFileSync(path.join(work, relative), content);
    },
  };
  for (const [file, content] of Object.entries(EARLIER_OUTPUTS)) ws.write(file, content);
  return ws;
}

async function runDriver(spec: DriverSpec, inNamespace: boolean): Promise<DriverResult> {
  const specFile = path.join(path.dirname(spec.work), 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const command = inNamespace ? ['unshare', '-rm', process.execPath, DRIVER, specFile] : [process.execPath, DRIVER, specFile];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: spec.timeoutMs + 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `the corpus driver failed: ${stderr}`);
  return JSON.parse(stdout) as DriverResult;
}

/** Arranges, runs and checks one case; returns what the driver saw for case-specific checks. */
export async function runCase(c: CorpusCase): Promise<DriverResult> {
  assert.ok(existsSync(CLI), `${CLI} is missing: build with 'node esbuild.mjs' first (npm test does)`);
  const ws = makeWorkspace();
  await c.arrange(ws);
  const mount = c.driver?.mount ? { ...c.driver.mount, at: path.join(ws.root, 'mnt') } : undefined;
  if (mount) {
    mkdirSync(mount.at);
    ws.cwd = mount.at;
  }
  const spec: DriverSpec = {
    work: ws.work,
    cli: CLI,
    args: c.args(ws),
    ...(mount ? { mount } : {}),
    ...(c.driver?.asOtherUser && RUNNING_AS_ROOT ? { asUser: { uid: 65534, gid: 65534 } } : {}),
    ...(c.driver?.actions ? { actions: c.driver.actions satisfies DriverAction[] } : {}),
    ...(c.driver?.rerun ? { rerun: true } : {}),
    timeoutMs: 60_000,
  };
  const result = await runDriver(spec, mount !== undefined);
  const last = result.runs.at(-1)!;
  const first = result.runs[0]!;
  const transcript = `exit ${last.code} signal ${last.signal}\nstderr:\n${last.stderr}\nstdout:\n${last.stdout.slice(0, 2000)}`;

  assert.equal(last.code, c.expect.exit, transcript);
  assert.match(result.runs.map((r) => r.stderr + r.stdout).join('\n'), c.expect.message, transcript);
  if (c.expect.where) {
    const where = c.expect.where(ws);
    const lines = first.stderr.split('\n');
    assert.ok(lines.some((l) => l.startsWith(`sdprompt: ${where}: `) || l.startsWith(`${where}: `)), `the message points at ${where}:\n${transcript}`);
  }
  for (const run of result.runs) {
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(run.stderr), `raw control characters on stderr:\n${JSON.stringify(run.stderr)}`);
  }
  if (c.expect.maxSteps !== undefined) assert.ok(first.progress <= c.expect.maxSteps, `${first.progress} steps ran, at most ${c.expect.maxSteps} expected`);
  if (c.expect.maxStepsAfterStop !== undefined) {
    assert.ok(first.progressAfterStop !== undefined, `no 'stopping' event on stdout:\n${transcript}`);
    assert.ok(first.progressAfterStop <= c.expect.maxStepsAfterStop, `${first.progressAfterStop} steps ran after the signal, at most ${c.expect.maxStepsAfterStop} expected`);
  }
  checkLeftovers(result.before, result.after, c.expect.written ?? []);
  await checkImagesWhole(result.cwd, result.after, c.expect.written ?? []);
  return result;
}

function checkLeftovers(before: Snapshot, after: Snapshot, written: readonly string[]): void {
  const partial = Object.keys(after).filter((f) => f.endsWith('.partial'));
  assert.deepEqual(partial, [], 'no temporary file remains');
  for (const file of Object.keys(EARLIER_OUTPUTS)) {
    if (before[file] === undefined) continue;
    assert.equal(after[file], before[file], `${file}: earlier outputs are byte-identical`);
  }
  const added = Object.keys(after).filter((f) => before[f] === undefined && after[f] !== 'dir' && f !== 'filler.bin');
  assert.deepEqual(added.sort(), [...written].sort(), 'the files the run added');
}

/** Every PNG the run wrote decodes to its full size: no image is cut short. */
async function checkImagesWhole(cwd: string, after: Snapshot, written: readonly string[]): Promise<void> {
  for (const file of written.filter((f) => f.endsWith('.png'))) {
    if (!existsSync(path.join(cwd, file))) continue; // written inside a namespace's tmpfs, gone with it
    const { width, height } = await sharp(readFileSync(path.join(cwd, file))).metadata();
    const pixels = await sharp(readFileSync(path.join(cwd, file))).raw().toBuffer();
    assert.equal(pixels.length, width! * height! * 3, `${file} decodes whole (${after[file]})`);
  }
}
