// `sdprompt verify` as CI runs it: a prompt repository rendered with `run`, then verified from its
// recipes alone; every way an image can fail to be made again is named for what it is, with its
// exit code. Generated test models keep it quick; the model is found by path inside the repository,
// by name through --models, or given with --model.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { readTextChunks } from '../../../src/core/image/png-text';
import { GENERATED_MODELS_DIR, testModelDir } from '../../../tools/test-models/test-dir';
import { OUT, repository, spoilRecords } from './prompt-repository';
import { ROOT, sdprompt } from './run-cli';

interface Verified {
  path: string;
  status: string;
  message: string;
  maxDifference?: number;
  differingPixels?: number;
  ssim?: number;
  edited?: boolean;
}

function verify(cwd: string, ...args: string[]): { code: number; images: Record<string, Verified>; done: Record<string, unknown>; stderr: string } {
  const r = sdprompt(['verify', 'prompts/shapes.sdprompt', '--json', ...args], cwd);
  const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const images = Object.fromEntries(lines.filter((l) => l['event'] === 'verified').map((l) => [path.basename(l['path'] as string), l as unknown as Verified]));
  return { code: r.code, images, done: lines.find((l) => l['event'] === 'done') ?? {}, stderr: r.stderr };
}

const statuses = (images: Record<string, Verified>) => Object.fromEntries(Object.entries(images).map(([name, v]) => [name, v.status]));


describe('sdprompt verify', () => {
  test('a fresh render verifies: every image identical, the grid named as one, exit 0', async () => {
    const repo = await repository({ modelInside: true });
    const r = verify(repo);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(statuses(r.images), { 'circle-1.png': 'identical', 'circle-2.png': 'identical', 'redo-3.png': 'identical', 'sweep-4-cfg-1.png': 'identical', 'sweep-4-cfg-7.png': 'identical', 'sweep-4-grid.png': 'grid' });
    assert.deepEqual(r.done, { event: 'done', images: 6, identical: 5, grid: 1, exitCode: 0 });
    const text = sdprompt(['verify', 'prompts/shapes.sdprompt'], repo);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^prompts\/shapes\/circle-1\.png: identical$/m);
    assert.match(text.stderr, /6 images: 5 identical, 1 grid/);
  });

  test('no absolute path in any recipe or PNG: the model and the init relative to the prompt file', async () => {
    const repo = await repository({ modelInside: true });
    const out = path.join(repo, ...OUT);
    for (const name of readdirSync(out)) {
      const bytes = readFileSync(path.join(out, name));
      const text = name.endsWith('.png') ? JSON.stringify(readTextChunks(bytes)) : bytes.toString('utf8');
      for (const leak of [repo, tmpdir(), ROOT, process.env['HOME'] ?? '/nonexistent-home']) assert.ok(!text.includes(leak), `${name} mentions ${leak}`);
    }
    const recipe = JSON.parse(readFileSync(path.join(out, 'redo-3.json'), 'utf8'));
    assert.deepEqual([recipe.model.path, recipe.model.name, recipe.init.path, recipe.init.width, recipe.source.promptFile], ['../models/optimum', 'optimum', 'pictures/init.png', 24, '../shapes.sdprompt']);
    assert.deepEqual(Object.keys(recipe.model.sha256).sort(), ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
  });

  test('an edited image, and a recipe edited to other settings: exit 5, each with its largest difference and SSIM', async () => {
    const repo = await repository({ modelInside: true });
    const out = path.join(repo, ...OUT);
    const { data, info } = await sharp(path.join(out, 'circle-1.png')).raw().toBuffer({ resolveWithObject: true });
    const at = (5 * info.width + 7) * 3 + 1;
    const before = data[at]!;
    data[at] = before ^ 0x21;
    await sharp(data, { raw: info }).png().toFile(path.join(out, 'circle-1.png.tmp'));
    renameSync(path.join(out, 'circle-1.png.tmp'), path.join(out, 'circle-1.png'));
    const recipe = JSON.parse(readFileSync(path.join(out, 'circle-2.json'), 'utf8'));
    writeFileSync(path.join(out, 'circle-2.json'), JSON.stringify({ ...recipe, cfg: 3 }));
    const r = verify(repo);
    assert.equal(r.code, 5);
    const edited = r.images['circle-1.png']!;
    assert.deepEqual([edited.status, edited.maxDifference, edited.differingPixels, edited.edited], ['differs', Math.abs(before - (before ^ 0x21)), 1, true]);
    assert.ok(edited.ssim! > 0.99 && edited.ssim! < 1);
    assert.match(edited.message, /the file was changed after it was written .*, and the recipe still makes the image it recorded$/);
    const other = r.images['circle-2.png']!;
    assert.equal(other.status, 'differs');
    assert.equal(other.edited, false, 'the PNG is as written; its recipe asks for something else now');
    assert.ok(other.differingPixels! > 0 && other.ssim! < 1);
    assert.equal(r.images['redo-3.png']!.status, 'identical');
  });

  test('a recipe missing, not JSON, or from a newer sdprompt: named, nothing overwritten, exit 1', async () => {
    const repo = await repository({ modelInside: true });
    const out = path.join(repo, ...OUT);
    spoilRecords(out, { missing: 'circle-1', notJson: 'circle-2', newer: 'redo-3' });
    const before = readdirSync(out).map((n) => [n, readFileSync(path.join(out, n)).toString('base64')]);
    const r = verify(repo);
    assert.equal(r.code, 1);
    assert.deepEqual([r.images['circle-1.png']!.message, r.images['redo-3.png']!.message], [
      'the image has no recipe beside it',
      'the recipe is version 2, from a newer sdprompt; this one reads version 1: update sdprompt',
    ]);
    assert.match(r.images['circle-2.png']!.message, /^the recipe is not valid JSON \(.+\): edited by hand\?$/);
    assert.deepEqual(readdirSync(out).map((n) => [n, readFileSync(path.join(out, n)).toString('base64')]), before, 'verify writes nothing');
  });

  test('an input picture that changed or moved is named, not reported as a different image', async () => {
    const repo = await repository({ modelInside: true });
    const init = path.join(repo, 'prompts', 'pictures', 'init.png');
    await sharp({ create: { width: 24, height: 16, channels: 3, background: '#808080' } }).png().toFile(`${init}.new`);
    renameSync(`${init}.new`, init);
    const changed = verify(repo, '--block', 'redo');
    assert.equal(changed.code, 1);
    assert.deepEqual(Object.keys(changed.images), ['redo-3.png'], '--block checks that block’s images only');
    assert.match(changed.images['redo-3.png']!.message, /^the init pictures\/init\.png has changed since the image was made \(sha256 [0-9a-f]{12}…, the recipe's [0-9a-f]{12}…\)$/);
    rmSync(init);
    assert.equal(verify(repo, '--block', '2').images['redo-3.png']!.message, 'the init pictures/init.png is not there (moved?)');
  });

  test('a model folder that moved, a model found by name, and another model’s weights: exit 3, named plainly', async () => {
    const repo = await repository({ modelInside: true });
    renameSync(path.join(repo, 'models', 'optimum'), path.join(repo, 'models', 'elsewhere'));
    const moved = verify(repo, '--block', 'circle');
    assert.equal(moved.code, 3);
    assert.equal(moved.images['circle-1.png']!.message, 'the model folder ../models/optimum the recipe names is not there (moved?); give it with --model DIR');
    assert.equal(verify(repo, '--block', 'circle', '--model', 'models/elsewhere').code, 0, 'given with --model, it verifies');
    const other = verify(repo, '--block', 'circle', '--model', testModelDir('legacy'));
    assert.equal(other.code, 3);
    assert.match(other.images['circle-1.png']!.message, /legacy is not the model the recipe names: its text_encoder differs \(sha256 [0-9a-f]{12}… here, [0-9a-f]{12}… in the recipe\)$/);
    assert.equal(other.images['circle-1.png']!.status, 'model-differs');

    const outside = await repository({ modelInside: false });
    const recipe = JSON.parse(readFileSync(path.join(outside, ...OUT, 'circle-1.json'), 'utf8'));
    assert.deepEqual([recipe.model.path, recipe.model.name], [undefined, 'optimum'], 'outside the repository: by name only');
    assert.equal(verify(outside, '--block', 'circle').code, 0, 'found by name where the file’s blocks name their model');
    const promptFile = path.join(outside, 'prompts', 'shapes.sdprompt');
    writeFileSync(promptFile, readFileSync(promptFile, 'utf8').replace(/^model: .*$/m, 'model: ../models/elsewhere'));
    const unfound = verify(outside, '--block', 'circle');
    assert.equal(unfound.code, 3);
    assert.match(unfound.images['circle-1.png']!.message, /^the recipe names the model 'optimum' by its folder name \(it was outside the prompt file's tree\), and there is no such folder in .*; give it with --model DIR or --models DIR$/);
    assert.equal(verify(outside, '--models', GENERATED_MODELS_DIR).code, 0, '--models DIR finds it by name');
  });
});
