// A prompt repository as the tests of `verify` and `status` use it: `.git`, prompts/shapes.sdprompt
// with a plain block, an image-to-image block and a grid, its init picture, and the test model
// inside the repository or outside it; rendered once with `sdprompt run`.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { sdprompt } from './run-cli';

/** The output folder of prompts/shapes.sdprompt, inside the repository. */
export const OUT = ['prompts', 'shapes'];

export async function repository(options: { modelInside: boolean; moreBlocks?: string }): Promise<string> {
  const repo = mkdtempSync(path.join(tmpdir(), 'sdprompt-repo-'));
  mkdirSync(path.join(repo, '.git'));
  mkdirSync(path.join(repo, 'prompts', 'pictures'), { recursive: true });
  const ramp = Buffer.alloc(24 * 16 * 3);
  for (let i = 0; i < ramp.length; i++) ramp[i] = (i * 7) % 256;
  await sharp(ramp, { raw: { width: 24, height: 16, channels: 3 } }).png().toFile(path.join(repo, 'prompts', 'pictures', 'init.png'));
  let model = testModelDir('optimum');
  if (options.modelInside) {
    cpSync(model, path.join(repo, 'models', 'optimum'), { recursive: true });
    model = '../models/optimum';
  }
  writeFileSync(
    path.join(repo, 'prompts', 'shapes.sdprompt'),
    `model: ${model}\nsteps: 2\nsize: 24x16\n--- circle\na red circle\nseed: 1, 2\n--- redo\na blue square\ninit: pictures/init.png\nstrength: 0.6\nseed: 3\n--- sweep\ngreen\nseed: 4\ngrid: cfg 1, 7\n${options.moreBlocks ?? ''}`,
  );
  const run = sdprompt(['run', 'prompts/shapes.sdprompt'], repo);
  assert.equal(run.code, 0, run.stderr);
  return repo;
}

/** Spoils three images' records in the output folder: one removed, one cut short (not JSON), one from a newer sdprompt. */
export function spoilRecords(out: string, names: { missing: string; notJson: string; newer: string }): void {
  const record = (name: string) => path.join(out, `${name}.json`);
  rmSync(record(names.missing));
  writeFileSync(record(names.notJson), '{"format": "sdprompt-recipe", "seed": ');
  const newer = JSON.parse(readFileSync(record(names.newer), 'utf8')) as Record<string, unknown>;
  writeFileSync(record(names.newer), JSON.stringify({ ...newer, version: 2 }));
}
