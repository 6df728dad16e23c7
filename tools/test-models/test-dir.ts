// Test models for the test suites: generated into the gitignored
// test/fixtures/models/generated/<name> once per process, left alone when the bytes on disk
// already match (so parallel test processes and repeated runs don't rewrite them).

import { existsSync, readFileSync, readdirSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type TestModelOptions, type TestModelVariant, buildTestModelFiles, variantOptions } from './generate';

// out/tools/test-models → the repository root.
const REPO_ROOT = path.resolve(__dirname, '../../..');
export const GENERATED_MODELS_DIR = path.join(REPO_ROOT, 'test/fixtures/models/generated');

const ready = new Map<string, string>();

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

function sameBytes(file: string, bytes: Uint8Array): boolean {
  try {
    return Buffer.from(bytes).equals(readFileSync(file));
  } catch {
    return false;
  }
}

/**
 * The folder of a generated test model. `name` defaults to the variant; give one whenever
 * `overrides` are given, so that different folders don't share a name.
 */
export function testModelDir(variant: TestModelVariant, overrides?: Partial<TestModelOptions>, name?: string): string {
  if (overrides !== undefined && name === undefined) throw new Error('testModelDir: name the folder when giving overrides');
  const id = name ?? variant;
  const known = ready.get(id);
  if (known !== undefined) return known;
  const dir = path.join(GENERATED_MODELS_DIR, id);
  const files = buildTestModelFiles({ ...variantOptions(variant), ...overrides });
  for (const stale of listFiles(dir)) if (!files.has(stale)) rmSync(path.join(dir, stale), { force: true });
  for (const [rel, bytes] of files) {
    const file = path.join(dir, rel);
    if (sameBytes(file, bytes)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    // Written beside and renamed, so a concurrent reader never sees half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  }
  ready.set(id, dir);
  return dir;
}
