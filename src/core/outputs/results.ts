// Reading back what runs wrote: each image in an output folder with its recipe (or, for a grid,
// its grid record) and parameters text, for the results panel, `status` and `verify`. Files are
// read once and remembered by the sizes and times of the PNG and its JSON.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readImageHeader } from '../image/header';
import { readTextChunks } from '../image/png-text';
import type { GridRecord } from './grid-record';
import type { Recipe } from './metadata';
import { readOutputRecord, recordFileFor } from './recipe-read';

export interface ImageRecord {
  /** Absolute path of the PNG. */
  path: string;
  fileName: string;
  /** The recipe beside it, when present and readable. */
  recipe?: Recipe;
  /** For a grid PNG: the record that names its cells. */
  grid?: GridRecord;
  /** Why neither could be read (no recipe, not JSON, from a newer sdprompt). */
  recordError?: string;
  /** The PNG's A1111 `parameters` text, or '' if it has none. */
  parameters: string;
  width: number;
  height: number;
  /** Milliseconds since the epoch: the recipe's time, else the file's. */
  createdAt: number;
}

const cache = new Map<string, { stamp: string; record: ImageRecord | undefined }>();


async function readRecord(file: string, stamp: string, mtimeMs: number): Promise<ImageRecord | undefined> {
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.record;
  let record: ImageRecord | undefined;
  try {
    const png = await fs.readFile(file);
    const header = readImageHeader(png);
    if (header?.format === 'png') {
      const size = { width: header.width, height: header.height };
      let parameters = '';
      try {
        parameters = readTextChunks(png)['parameters'] ?? '';
      } catch {
        // a damaged PNG still shows, without its text
      }
      const read = await readOutputRecord(file);
      const recipe = read.ok && read.value.format === 'sdprompt-recipe' ? read.value : undefined;
      const grid = read.ok && read.value.format === 'sdprompt-grid' ? read.value : undefined;
      const created = read.ok ? Date.parse(read.value.createdAt) : NaN;
      record = {
        path: file,
        fileName: path.basename(file),
        ...(recipe ? { recipe } : {}),
        ...(grid ? { grid } : {}),
        ...(read.ok ? {} : { recordError: read.error.message }),
        parameters,
        ...size,
        createdAt: Number.isFinite(created) ? created : mtimeMs,
      };
    }
  } catch {
    record = undefined;
  }
  cache.set(file, { stamp, record });
  return record;
}

/** One image file with its recipe and parameters (remembered as listResults remembers them); undefined when it is not a readable PNG. */
export async function readResult(file: string): Promise<ImageRecord | undefined> {
  const stat = await fs.stat(file).catch(() => undefined);
  const json = await fs.stat(recordFileFor(file)).catch(() => undefined);
  return stat?.isFile() ? readRecord(file, `${stat.size}:${stat.mtimeMs}:${json?.size}:${json?.mtimeMs}`, stat.mtimeMs) : undefined;
}

/** The images of an output folder, newest first; an absent folder has none. */
export async function listResults(outputDir: string, limit = 500): Promise<ImageRecord[]> {
  const names = await fs.readdir(outputDir).catch(() => [] as string[]);
  const pngs = names.filter((n) => n.endsWith('.png') && !n.startsWith('.'));
  const records = await Promise.all(pngs.map((name) => readResult(path.join(outputDir, name))));
  return records
    .filter((r): r is ImageRecord => r !== undefined)
    .sort((a, b) => b.createdAt - a.createdAt || b.fileName.localeCompare(a.fileName))
    .slice(0, limit);
}
