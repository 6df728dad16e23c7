// The pictures a prompt file names (`init:`, `mask:`, `depth:`, in its header and its blocks),
// where they are on disk, and what is wrong with each: missing, unreadable, not a PNG, JPEG or
// WebP, too large. The editor marks these as you type, with the messages a run would give.

import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { checkPicture, type ImageRole } from '../image/check';
import type { ParsedFile, SettingEntry } from './parse';
import { resolveModelPath } from './resolve';
import { SETTINGS, type SettingKey } from './settings';

export const PICTURE_KEYS = ['init', 'mask', 'depth'] as const satisfies readonly (SettingKey & ImageRole)[];
export type PictureKey = (typeof PICTURE_KEYS)[number];

export interface NamedPicture {
  key: PictureKey;
  entry: SettingEntry;
  /** Absolute: relative paths start at the prompt file's folder, `~/` at the home folder. */
  file: string;
}

/** A picture setting's file; undefined for a value that names none (`depth: auto`). */
export function pictureFile(key: PictureKey, entry: SettingEntry, promptFile: string): string | undefined {
  const value = String(entry.value);
  if (SETTINGS[key].values?.includes(value)) return undefined;
  return resolveModelPath(value, path.dirname(path.resolve(promptFile)));
}

/** Every picture the file names, each setting once (a header's setting is not repeated per block). */
export function namedPictures(parsed: ParsedFile, promptFile: string): NamedPicture[] {
  const found: NamedPicture[] = [];
  for (const settings of [parsed.header, ...parsed.blocks.map((b) => b.settings)]) {
    for (const key of PICTURE_KEYS) {
      const entry = settings[key];
      const file = entry && pictureFile(key, entry, promptFile);
      if (entry && file) found.push({ key, entry, file });
    }
  }
  return found;
}

/** An error on each picture setting whose file a run could not use. */
export async function pictureProblems(parsed: ParsedFile, promptFile: string): Promise<Diagnostic[]> {
  const checked = await Promise.all(
    namedPictures(parsed, promptFile).map(async ({ key, entry, file }): Promise<Diagnostic | undefined> => {
      const result = await checkPicture(file, key);
      return result.ok ? undefined : { severity: 'error', message: result.error.message, range: entry.valueRange, code: 'image-invalid', ...(parsed.file ? { file: parsed.file } : {}) };
    }),
  );
  return checked.filter((d): d is Diagnostic => d !== undefined);
}
