// Image to image from prompt files through the real loader, pipeline and writer, on generated
// test models of every UNet kind and both VAE encoder outputs: the sizes written, the recipe and
// A1111 parameters, and every bad input as a located error with nothing written.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { parseSdprompt } from '../../../src/core/format/parse';
import { readTextChunks } from '../../../src/core/image/png-text';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import { runJobs, type RunEvent } from '../../../src/core/jobs/run';
import { ModelCache } from '../../../src/core/pipelines/model-cache';
import { testModelDir } from '../../../tools/test-models/test-dir';

const models = new ModelCache();
after(() => models.release());

/** A folder with a 40x30 init (a colour ramp), a 40x30 mask (a white rectangle), a 20x15 mask and a depth map. */
async function workspace(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-img2img-'));
  const ramp = Buffer.alloc(40 * 30 * 3);
  for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) ramp.set([x * 6, y * 8, 90], (y * 40 + x) * 3);
  await sharp(ramp, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(path.join(dir, 'init.png'));
  await sharp(ramp, { raw: { width: 40, height: 30, channels: 3 } }).jpeg().toFile(path.join(dir, 'init.jpg'));
  const mask = (w: number, h: number) => {
    const m = Buffer.alloc(w * h);
    for (let y = Math.floor(h / 3); y < Math.floor((2 * h) / 3); y++) m.fill(255, y * w + Math.floor(w / 4), y * w + Math.floor(w / 2));
    return sharp(m, { raw: { width: w, height: h, channels: 1 } }).png();
  };
  await mask(40, 30).toFile(path.join(dir, 'mask.png'));
  await mask(20, 15).toFile(path.join(dir, 'small-mask.png'));
  await mask(40, 30).toFile(path.join(dir, 'depth.png'));
  return dir;
}

function plan(dir: string, text: string): Job[] {
  const file = path.join(dir, 'edit.sdprompt');
  writeFileSync(file, text);
  const parsed = parseSdprompt(text, file);
  const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/nonexistent' });
  assert.ok(planned.ok, planned.ok ? '' : planned.error.message);
  return planned.value;
}

async function runText(dir: string, text: string) {
  const events: RunEvent[] = [];
  const summary = await runJobs(plan(dir, text), { models, onEvent: (e) => void events.push(e) });
  return { summary, events };
}

async function written(file: string) {
  const png = readFileSync(file);
  const meta = await sharp(png).metadata();
  return { size: [meta.width, meta.height], parameters: readTextChunks(png)['parameters']!, recipe: JSON.parse(readFileSync(file.replace(/\.png$/, '.json'), 'utf8')) };
}

describe('image to image on generated models', () => {
  test('img2img with both VAE encoder outputs: the init’s size rounded down to 8, strength in the recipe and parameters', async () => {
    const dir = await workspace();
    for (const variant of ['optimum', 'legacy'] as const) {
      const { summary } = await runText(dir, `model: ${testModelDir(variant)}\n--- ${variant}\na red circle\ninit: init.png\nstrength: 0.5\nsteps: 4\nseed: 3\n`);
      assert.deepEqual(summary.errors, [], variant);
      const out = await written(summary.images[0]!);
      assert.deepEqual(out.size, [40, 24]);
      assert.match(out.parameters, /, Denoising strength: 0\.5, RNG: numpy, Version: sdprompt /);
      const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(path.join(dir, 'init.png'))).digest('hex');
      assert.deepEqual([out.recipe.init, out.recipe.strength, out.recipe.resize, out.recipe.size], [{ path: 'init.png', name: 'init.png', sha256: sha, width: 40, height: 30 }, 0.5, 'stretch', { width: 40, height: 24 }]);
      assert.equal(out.recipe.mask, undefined);
    }
  });

  test('inpainting on 9- and 4-channel models: A1111’s keys, the original outside the mask, only-masked at the init’s size', async () => {
    const dir = await workspace();
    for (const variant of ['inpainting', 'optimum'] as const) {
      const { summary } = await runText(dir, `model: ${testModelDir(variant)}\n--- ${variant}\nx\ninit: init.png\nmask: mask.png\nmask_blur: 2\nmasked_content: fill\nsize: 40x32\nsteps: 3\nseed: 1\n`);
      assert.deepEqual(summary.errors, [], variant);
      const out = await written(summary.images[0]!);
      assert.deepEqual(out.size, [40, 32]);
      assert.match(out.parameters, /, Denoising strength: 1, RNG: numpy, Mask blur: 2, Masked content: fill, Version: /);
      assert.deepEqual([out.recipe.maskBlur, out.recipe.maskedContent, out.recipe.inpaintArea, out.recipe.maskInvert, out.recipe.mask.path], [2, 'fill', 'whole', false, 'mask.png']);
      // Far from the mask the pixels are the (resized) init's: the top-left corner is dark.
      const { data } = await sharp(summary.images[0]!).raw().toBuffer({ resolveWithObject: true });
      assert.ok(data[0]! < 10 && data[1]! < 10, `top-left ${[...data.subarray(0, 3)]}`);
    }
    const masked = await runText(dir, `model: ${testModelDir('inpainting')}\n--- m\nx\ninit: init.png\nmask: mask.png\ninpaint_area: masked\npadding: 4\nsize: 16x16\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(masked.summary.errors, []);
    const out = await written(masked.summary.images[0]!);
    assert.deepEqual([out.size, out.recipe.output, out.recipe.size], [[40, 30], { width: 40, height: 30 }, { width: 16, height: 16 }]);
    assert.match(out.parameters, /Inpaint area: Only masked, Masked area padding: 4/);
  });

  test('outpainting makes the canvas bigger; a 9-channel model makes a plain image too', async () => {
    const dir = await workspace();
    const { summary } = await runText(dir, `model: ${testModelDir('optimum')}\n--- o\nx\ninit: init.jpg\noutpaint: right 16, top 8\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(summary.errors, []);
    const out = await written(summary.images[0]!);
    assert.deepEqual([out.size, out.recipe.outpaint, out.recipe.maskedContent], [[56, 32], { left: 0, right: 16, top: 8, bottom: 0 }, 'fill']);
    const plain = await runText(dir, `model: ${testModelDir('inpainting')}\n--- t\nx\nsize: 16x16\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(plain.summary.errors, []);
  });

  test('depth models: a depth map conditions text to image; with an init the estimator runs (depth: auto by default)', async () => {
    const dir = await workspace();
    const fromMap = await runText(dir, `model: ${testModelDir('depth')}\n--- d\nx\ndepth: depth.png\nsize: 16x16\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(fromMap.summary.errors, []);
    assert.equal((await written(fromMap.summary.images[0]!)).recipe.depth.path, 'depth.png');
    const estimated = await runText(dir, `model: ${testModelDir('depth')}\n--- e\nx\ninit: init.png\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(estimated.summary.errors, []);
    assert.equal((await written(estimated.summary.images[0]!)).recipe.depth, 'auto');
  });

  test('a mask of another size is stretched with a warning; the image is still made', async () => {
    const dir = await workspace();
    const { summary, events } = await runText(dir, `model: ${testModelDir('optimum')}\n--- w\nx\ninit: init.png\nmask: small-mask.png\nsteps: 2\nseed: 1\n`);
    assert.deepEqual(summary.errors, []);
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [{ message: e.message, line: e.origin?.line, column: e.origin?.column }] : []));
    // Located at the `mask:` setting (line 5, after 'mask: '), as an error about the mask would be.
    assert.deepEqual(warnings, [{ message: 'the mask is 20x15 and the init 40x30: the mask was stretched to fit', line: 5, column: 7 }]);
  });

  test('bad inputs: each a located error, no crash, nothing written', async () => {
    const dir = await workspace();
    writeFileSync(path.join(dir, 'notes.png'), 'not a picture');
    const header = `model: ${testModelDir('optimum')}\n--- b\nx\nsteps: 2\nseed: 1\n`;
    // [the file, the error's code, its message, its line (and column when not the setting's value: 1 for the block)]
    const cases: [string, string, RegExp, number?, number?][] = [
      [header + 'init: missing.png\n', 'image-invalid', /init image .*missing\.png: no such file/, 6],
      [header + 'init: init.png\nmask: notes.png\n', 'image-invalid', /mask .*notes\.png: is not an image/, 7],
      [`model: ${testModelDir('optimum')}\n--- b\nx\nsteps: 2\ndepth: depth.png\n`, 'invalid-request', /a depth map needs a depth model \(5 UNet input channels\); this UNet takes 4/, 5],
      [header + 'init: init.png\ndepth: auto\n', 'invalid-request', /a depth estimate needs a depth model \(5 UNet input channels\); this UNet takes 4/, 2, 1],
      [`model: ${testModelDir('depth')}\n--- b\nx\nsteps: 2\n`, 'invalid-request', /a depth model needs a depth map/, 2, 1],
      [header + 'init: init.png\nstrength: 0.2\n', 'invalid-request', /strength 0\.2 with 2 steps runs no step/, 2, 1],
      [`model: ${testModelDir('optimum', { omitFiles: ['vae_encoder'] }, 'no-encoder')}\n--- b\nx\nsteps: 2\ninit: init.png\n`, 'model-missing', /vae_encoder\/model\.onnx is missing: image to image needs it/],
    ];
    for (const [text, code, message, line, column] of cases) {
      const { summary } = await runText(dir, text);
      assert.equal(summary.errors.length, 1, text);
      const error = summary.errors[0]!;
      assert.equal(error.code, code, text);
      assert.match(error.message, message);
      if (line !== undefined) assert.deepEqual([error.file, error.line, error.column], [path.join(dir, 'edit.sdprompt'), line, column ?? text.split('\n')[line - 1]!.indexOf(':') + 3]);
    }
    assert.deepEqual(readdirSync(dir).filter((f) => !f.includes('.')), []);
    // A mask without an init stops the block before it runs: the planner reports the file's error.
    const parsed = parseSdprompt('--- a\nx\nmask: mask.png\n', 'p.sdprompt');
    const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: path.join(dir, 'p.sdprompt'), defaultModel: '/nonexistent' });
    assert.ok(!planned.ok);
    assert.match(planned.error.message, /p\.sdprompt:3:1: error: a mask needs an init image/);
  });
});
