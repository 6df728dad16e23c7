// Writing an image's files so that nothing is ever overwritten and nothing half-written is left:
// each file is written in full under a temporary name in the same folder, then hard-linked to
// its final name (which fails if the name exists, so even two writers racing cannot replace a
// file), and the temporary name removed.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
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
/** Temporary files older than this are left over from a process that died mid-write. */
const STALE_PARTIAL_MS = 10 * 60 * 1000;

function errorMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOSPC') return 'the disk is full';
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'EROFS') return 'the file system is read-only';
  return err.message ?? String(e);
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
  const temp = `${file}.${randomBytes(4).toString('hex')}${PARTIAL_SUFFIX}`;
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

async function removeStalePartials(dir: string): Promise<void> {
  const now = Date.now();
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('.') || !name.endsWith(PARTIAL_SUFFIX)) continue;
    const file = path.join(dir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && now - stat.mtimeMs > STALE_PARTIAL_MS) await fs.rm(file, { force: true });
  }
}

/**
 * Writes a set of files that share a stem (`circle-1.png`, `circle-1.json`) into `dir`, creating
 * it if needed. If any file of the stem exists, the set is written as `circle-1-2.*`, then `-3`…
 * Returns the paths written, or an `output-failed` error naming the folder, with nothing left behind.
 */
export async function writeOutputSet(dir: string, stem: string, files: readonly OutputFile[]): Promise<Result<WrittenOutputs>> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    return fail({ code: 'output-failed', message: `cannot create the output folder: ${errorMessage(e)}`, file: dir });
  }
  await removeStalePartials(dir);
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temps = files.map((f) => path.join(dir, `.${stem}${f.extension}.${token}${PARTIAL_SUFFIX}`));
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
