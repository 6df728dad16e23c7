// Writing an image's files so that nothing is ever overwritten and nothing half-written is left:
// each file is written in full under a temporary name in the same folder, then hard-linked to
// its final name (which fails if the name exists, so even two writers racing cannot replace a
// file), and the temporary name removed. A temporary name carries the host and process that
// wrote it, so the leftovers of a process that was killed are known and removed by the next run.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fail, ok, type Result } from '../errors';

export interface OutputFile {
  /** File name extension, with the dot: `.png`. */
  extension: string;
  data: Uint8Array | string;
}

export interface WrittenOutputs {
  stem: string;
  /** Final paths, in the order of the files given. */
  paths: string[];
}

const PARTIAL_SUFFIX = '.partial';
/** Temporary files of another host (a shared folder) older than this are left over from a process that died mid-write. */
const STALE_PARTIAL_MS = 10 * 60 * 1000;
/** `.<name>.<host>-<pid>-<8 hex>.partial`: which host and process wrote it. */
const PARTIAL_NAME = /^\..*\.(.+)-(\d+)-[0-9a-f]{8}\.partial$/;

function errorMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') return 'the disk is full';
  if (err.code === 'EFBIG') return 'the file is larger than this process may write';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'EROFS') return 'the file system is read-only';
  if (err.code === 'EEXIST' || err.code === 'ENOTDIR') return 'a file is in the way where a folder should be';
  return err.message ?? String(e);
}

/** This host's name as temporary names carry it (no dots, so the name parses back). */
const HOST = os.hostname().replace(/[^A-Za-z0-9-]/g, '_');

function partialToken(): string {
  return `${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** `dir/.<name>.<host>-<pid>-<8 hex>.partial`: hidden, and saying who writes it. */
function temporaryPath(dir: string, name: string, token = partialToken()): string {
  return path.join(dir, `.${name}.${token}${PARTIAL_SUFFIX}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function writeComplete(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` (a prompt file the user edits) with `data` all at once: written in full beside
 * it, then renamed over it, so a reader sees the old text or the new, never a half-written one.
 */
export async function replaceFile(file: string, data: string): Promise<void> {
  const temp = temporaryPath(path.dirname(file), path.basename(file));
  await writeComplete(temp, data);
  try {
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Gives `temp` the name `final` unless `final` exists; false if it does. */
async function claim(temp: string, final: string): Promise<boolean> {
  try {
    await fs.link(temp, final);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (FAT, some network shares): rename after a check, which
    // is atomic for the file's contents though not against a second writer racing us.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      if (await exists(final)) return false;
      await fs.rename(temp, final);
      return true;
    }
    throw e;
  }
}

/**
 * Removes temporary files left by writers that are gone: a process of this host that no longer
 * runs (killed mid-write), or any writer after ten minutes. Those of live writers stay.
 */
export async function removeLeftoverPartials(dir: string): Promise<string[]> {
  const now = Date.now();
  const removed: string[] = [];
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('.') || !name.endsWith(PARTIAL_SUFFIX)) continue;
    const file = path.join(dir, name);
    const owner = PARTIAL_NAME.exec(name);
    const dead = owner !== null && owner[1] === HOST && Number(owner[2]) !== process.pid && !processAlive(Number(owner[2]));
    const stat = dead ? undefined : await fs.stat(file).catch(() => undefined);
    if (dead || (stat && now - stat.mtimeMs > STALE_PARTIAL_MS)) {
      await fs.rm(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}

/** Creates `dir` and its missing parents; the first folder it created, if any. */
async function makeFolder(dir: string): Promise<Result<string | undefined>> {
  try {
    return ok(await fs.mkdir(dir, { recursive: true }));
  } catch (e) {
    return fail({ code: 'output-failed', message: `cannot create the output folder: ${errorMessage(e)}`, file: dir });
  }
}

/** Removes the empty folders from `dir` up to `top`, which mkdir created; stops at one that is not empty. */
async function removeCreated(dir: string, top: string): Promise<void> {
  for (let d = dir; ; d = path.dirname(d)) {
    if (!(await fs.rmdir(d).then(() => true, () => false)) || d === top || path.dirname(d) === d) return;
  }
}

/**
 * Makes sure a run can write its images before any is computed: creates the folder, removes
 * what killed writers left, and writes (then removes) a small file, so that a folder that
 * cannot be written is an error before the first step rather than after each image. A folder
 * it had to create is removed again: a run that fails before its first image leaves nothing.
 */
export async function prepareOutputFolder(dir: string): Promise<Result<void>> {
  const made = await makeFolder(dir);
  if (!made.ok) return made;
  await removeLeftoverPartials(dir);
  const probe = temporaryPath(dir, 'sdprompt-probe');
  try {
    await writeComplete(probe, 'sdprompt checks that it can write here\n');
    return ok(undefined);
  } catch (e) {
    return fail({ code: 'output-failed', message: `cannot write in the output folder: ${errorMessage(e)}`, file: dir });
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
    if (made.value !== undefined) await removeCreated(dir, made.value);
  }
}

/**
 * Writes a set of files that share a stem (`circle-1.png`, `circle-1.json`) into `dir`, creating
 * it if needed. If any file of the stem exists, the set is written as `circle-1-2.*`, then `-3`…
 * Returns the paths written, or an `output-failed` error naming the folder, with nothing left behind.
 */
export async function writeOutputSet(dir: string, stem: string, files: readonly OutputFile[]): Promise<Result<WrittenOutputs>> {
  const made = await makeFolder(dir);
  if (!made.ok) return made;
  await removeLeftoverPartials(dir);
  const token = partialToken();
  const temps = files.map((f) => temporaryPath(dir, stem + f.extension, token));
  try {
    for (let i = 0; i < files.length; i++) await writeComplete(temps[i]!, files[i]!.data);
    for (let n = 1; n < 100_000; n++) {
      const candidate = n === 1 ? stem : `${stem}-${n}`;
      const finals = files.map((f) => path.join(dir, candidate + f.extension));
      const claimed: string[] = [];
      let complete = true;
      for (let i = 0; i < files.length; i++) {
        if (!(await claim(temps[i]!, finals[i]!))) {
          complete = false;
          break;
        }
        claimed.push(finals[i]!);
      }
      if (complete) return ok({ stem: candidate, paths: finals });
      // Another file took part of this name: give back what we claimed (ours, just made) and try the next.
      for (const file of claimed) await fs.rm(file, { force: true });
    }
    return fail({ code: 'output-failed', message: `no free file name for ${stem}`, file: dir });
  } catch (e) {
    return fail({ code: 'output-failed', message: `cannot write ${stem}: ${errorMessage(e)}`, file: dir });
  } finally {
    for (const temp of temps) await fs.rm(temp, { force: true });
  }
}
