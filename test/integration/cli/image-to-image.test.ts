// The image flags of `sdprompt generate` and `sdprompt run`, through the built dist/cli.js; the
// shipped image-to-image demo models named by their folder names.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { ROOT, sdprompt } from './run-cli';


async function workspace(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-cli-img-'));
  await sharp({ create: { width: 24, height: 20, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toFile(path.join(dir, 'init.png'));
  const mask = Buffer.alloc(24 * 20);
  mask.fill(255, 0, 24 * 10);
  await sharp(mask, { raw: { width: 24, height: 20, channels: 1 } }).png().toFile(path.join(dir, 'mask.png'));
  return dir;
}

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('sdprompt image flags', () => {
  test('generate --init --mask --mask-invert --masked-content --strength: files from the working directory, settings in the recipe', async () => {
    const dir = await workspace();
    const model = testModelDir('inpainting');
    const args = ['generate', '--prompt', 'x', '--model', model, '--seed', '4', '--steps', '4', '--sampler', 'euler', '--init', 'init.png', '--mask', 'mask.png', '--mask-invert'];
    const { code, stdout, stderr } = sdprompt([...args, '--masked-content', 'latent nothing', '--strength', '0.5', '--mask-blur', '0', '--json'], dir);
    assert.equal(code, 0, stderr);
    const image = events(stdout).find((e) => e['event'] === 'image')!;
    const recipe = JSON.parse(readFileSync(image['recipe'] as string, 'utf8'));
    assert.deepEqual(
      [recipe.init.path, recipe.mask.path, recipe.maskInvert, recipe.maskedContent, recipe.strength, recipe.maskBlur, recipe.size],
      ['init.png', 'mask.png', true, 'latent nothing', 0.5, 0, { width: 24, height: 16 }],
    );
    const progress = events(stdout).filter((e) => e['event'] === 'progress');
    assert.deepEqual(progress.map((e) => e['total']), [2, 2]);
  });

  test('run --init overrides the file; bad values and a mask without init are reported with their flag or line', async () => {
    const dir = await workspace();
    writeFileSync(path.join(dir, 'p.sdprompt'), `model: ${testModelDir('optimum')}\n--- a\nx\nsteps: 4\nseed: 1\nstrength: 0.5\n`);
    const run = sdprompt(['run', 'p.sdprompt', '--init', 'init.png', '--outpaint', 'left 8', '--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const recipe = JSON.parse(readFileSync(events(run.stdout).find((e) => e['event'] === 'image')!['recipe'] as string, 'utf8'));
    assert.deepEqual([recipe.init.path, recipe.outpaint, recipe.output], ['init.png', { left: 8, right: 0, top: 0, bottom: 0 }, { width: 32, height: 16 }]);

    const bad = sdprompt(['generate', '--prompt', 'x', '--init', 'init.png', '--resize', 'squash'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--resize: unknown resize mode 'squash'; use stretch, crop, fill/);
    const noInit = sdprompt(['generate', '--prompt', 'x', '--model', testModelDir('optimum'), '--mask', 'mask.png'], dir);
    assert.equal(noInit.code, 1);
    assert.match(noInit.stderr, /a mask needs an init image/);
    const missing = sdprompt(['generate', '--prompt', 'x', '--model', testModelDir('optimum'), '--init', 'nope.png'], dir);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /init image .*nope\.png: no such file/);
  });

  test('--model and model: take the shipped demo models by name: 9-channel outpainting, depth from the estimator', async () => {
    const dir = await workspace();
    const args = ['--seed', '2', '--steps', '4', '--size', '32x32', '--json'];
    const outpaint = sdprompt(['generate', '--prompt', 'a red square', '--model', 'demo-inpainting', '--init', 'init.png', '--outpaint', 'right 16', ...args], dir);
    assert.equal(outpaint.code, 0, outpaint.stderr);
    assert.match(outpaint.stderr, /using the shipped demo model \(.*models[/\\]demo-inpainting\)/);
    const model = events(outpaint.stdout).find((e) => e['event'] === 'model')!;
    assert.deepEqual([model['dir'], model['demo']], [path.join(ROOT, 'models', 'demo-inpainting'), true]);
    const image = events(outpaint.stdout).find((e) => e['event'] === 'image')!;
    const recipe = JSON.parse(readFileSync(image['recipe'] as string, 'utf8'));
    // A shipped model is outside the output's tree: recorded by its name (verify finds it among the shipped models).
    assert.deepEqual([recipe.model.name, recipe.model.path, recipe.output], ['demo-inpainting', undefined, { width: 48, height: 32 }]);

    writeFileSync(path.join(dir, 'd.sdprompt'), 'model: demo-depth\n--- d\na red square\ninit: init.png\nstrength: 1\nsize: 32x32\nsteps: 4\nseed: 2\n');
    const depth = sdprompt(['run', 'd.sdprompt', '--json'], dir);
    assert.equal(depth.code, 0, depth.stderr);
    const depthRecipe = JSON.parse(readFileSync(events(depth.stdout).find((e) => e['event'] === 'image')!['recipe'] as string, 'utf8'));
    assert.deepEqual([depthRecipe.model.name, depthRecipe.depth], ['demo-depth', 'auto']);

    // A folder of that name where the name is looked up wins over the shipped model (here, an empty one).
    mkdirSync(path.join(dir, 'demo-depth'));
    const local = sdprompt(['generate', '--prompt', 'x', '--model', 'demo-depth', ...args], dir);
    assert.equal(local.code, 3);
    assert.ok(local.stderr.includes(path.join(dir, 'demo-depth')), local.stderr);
    assert.ok(!local.stderr.includes(path.join(ROOT, 'models')), local.stderr);
  });
});
