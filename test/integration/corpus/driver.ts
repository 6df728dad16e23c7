// Runs one bad-input case of the corpus: `node driver.js SPEC.json` (inside `unshare -rm` when
// the case mounts a file system). It optionally mounts a small tmpfs (full or read-only) and
// copies the arranged folder onto it, lists the folder with each file's sha256, runs the built
// CLI (as another user if asked), acts on its --json events (signals, deleting files), lists
// the folder again and prints everything as one JSON object on stdout.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export type DriverEvent = 'start' | 'step' | 'image';

export interface DriverAction {
  /** After the `count`-th event of this kind on the CLI's --json stdout. */
  on: DriverEvent;
  count: number;
  signal?: NodeJS.Signals;
  /** A path (relative to the case's folder) to delete. */
  remove?: string;
}

export interface DriverSpec {
  /** The arranged folder. */
  work: string;
  cli: string;
  args: string[];
  /** Mount a tmpfs of this many KiB at `mountAt` and run there, on a copy of `work`. */
  mount?: { at: string; sizeKib: number; readOnly?: boolean; leaveFreeBytes?: number };
  asUser?: { uid: number; gid: number };
  actions?: DriverAction[];
  /** Run the same command again after the first one ends (a run after a crash). */
  rerun?: boolean;
  timeoutMs: number;
}

/** Relative path → sha256 of each file under `root` ('dir' for folders). */
export type Snapshot = Record<string, string>;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  progress: number;
  /** UNet steps after the CLI's `stopping` event (a signal's), when there was one. */
  progressAfterStop?: number;
}

export interface DriverResult {
  cwd: string;
  before: Snapshot;
  after: Snapshot;
  runs: RunResult[];
}

export function snapshot(root: string, prefix = ''): Snapshot {
  const out: Snapshot = {};
  for (const entry of readdirSync(path.join(root, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) {
      out[rel] = 'dir';
      Object.assign(out, snapshot(root, rel));
    } else if (entry.isFile()) {
      out[rel] = createHash('sha256').update(readFileSync(path.join(root, rel))).digest('hex');
    } else {
      out[rel] = 'other';
    }
  }
  return out;
}

function mountTmpfs(spec: NonNullable<DriverSpec['mount']>, work: string): void {
  const mount = (args: string[]) => {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
  };
  mount(['-t', 'tmpfs', '-o', `size=${spec.sizeKib}k,mode=755`, 'tmpfs', spec.at]);
  cpSync(work, spec.at, { recursive: true });
  if (spec.leaveFreeBytes !== undefined) {
    const fs = statfsSync(spec.at);
    const free = fs.bavail * fs.bsize;
    writeFileSync(path.join(spec.at, 'filler.bin'), Buffer.alloc(Math.max(0, free - spec.leaveFreeBytes)));
  }
  if (spec.readOnly) mount(['-o', 'remount,ro', spec.at]);
}

function runOnce(spec: DriverSpec, cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [spec.cli, ...spec.args], {
      cwd,
      ...(spec.asUser ? { uid: spec.asUser.uid, gid: spec.asUser.gid } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const counts: Record<DriverEvent, number> = { start: 0, step: 0, image: 0 };
    // Steps after the CLI's own `stopping` event: what it ran once it had the signal. (The count
    // of all steps also holds those it ran while this side was slow to read the pipe.)
    let stepsAtStop: number | undefined;
    const actions = [...(spec.actions ?? [])];
    const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        let event: string | undefined;
        try {
          event = (JSON.parse(line) as { event?: string }).event;
        } catch {
          continue;
        }
        if (event === 'stopping') stepsAtStop ??= counts.step;
        const kind: DriverEvent | undefined = event === 'start' ? 'start' : event === 'progress' ? 'step' : event === 'image' ? 'image' : undefined;
        if (!kind) continue;
        counts[kind]++;
        for (const action of actions.filter((a) => a.on === kind && a.count === counts[kind])) {
          if (action.remove) rmSync(path.join(cwd, action.remove), { recursive: true, force: true });
          if (action.signal) child.kill(action.signal);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, progress: counts.step, ...(stepsAtStop !== undefined ? { progressAfterStop: counts.step - stepsAtStop } : {}) });
    });
  });
}

async function drive(spec: DriverSpec): Promise<DriverResult> {
  let cwd = spec.work;
  if (spec.mount) {
    mountTmpfs(spec.mount, spec.work);
    cwd = spec.mount.at;
  }
  const before = snapshot(cwd);
  const runs = [await runOnce(spec, cwd)];
  if (spec.rerun) runs.push(await runOnce({ ...spec, actions: [] }, cwd));
  return { cwd, before, after: existsSync(cwd) ? snapshot(cwd) : {}, runs };
}

if (require.main === module) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DriverSpec;
  drive(spec).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (e: unknown) => {
      process.stderr.write(`corpus driver: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
