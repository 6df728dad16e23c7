// Each family through prompt files, the real loader, pipeline and writer: its own defaults (Turbo's
// one step without a guidance batch), image to image's modes on SD 2.x and SDXL, `batch:` (the same images as one at a time), `vae:` (another
// folder's VAE, and one of the wrong family refused), and float16 overflow named with its fix.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { readTextChunks } from '../../../src/core/image/png-text';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import { runJobs, type RunEvent, type RunSummary } from '../../../src/core/jobs/run';
import { verifyImage } from '../../../src/core/jobs/verify';
import { ModelCache } from '../../../src/core/pipelines/model-cache';
import type { TestModelOptions, TestModelVariant } from '../../../tools/test-models/generate';
import { variantOptions } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';

const models = new ModelCache({ threads: 1 });
const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-families-run-'));
after(async () => {
  await models.release();
  rmSync(temp, { recursive: true, force: true });
});

let files = 0;
function jobsOf(text: string): { jobs: Job[]; dir: string } {
  const dir = path.join(temp, `run-${files++}`);
  const file = path.join(dir, 'p.sdprompt');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  const parsed = parseSdprompt(text, file);
  const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/nonexistent' });
  assert.ok(planned.ok, planned.ok ? '' : planned.error.message);
  return { jobs: planned.value, dir: path.join(dir, 'p') };
}

async function run(text: string): Promise<{ summary: RunSummary; events: RunEvent[]; dir: string }> {
  const { jobs, dir } = jobsOf(text);
  const events: RunEvent[] = [];
  const summary = await runJobs(jobs, { models, onEvent: (e) => void events.push(e) });
  return { summary, events, dir };
}

function model(variant: TestModelVariant, overrides?: Partial<TestModelOptions>, name?: string): string {
  return overrides ? testModelDir(variant, { ...variantOptions(variant), ...overrides }, name) : testModelDir(variant);
}

const pixels = (file: string) => sharp(file).raw().toBuffer();

describe('families through prompt files', () => {
  for (const [variant, family] of [
    ['sd2', 'SD 2.x'],
    ['sd2-v', 'SD 2.x (768, v-prediction)'],
    ['sdxl', 'SDXL'],
    ['sdxl-fp16', 'SDXL'],
  ] as const) {
    test(`${family} (${variant}): an image, its recipe and A1111's text`, async () => {
      const { summary, events, dir } = await run(`model: ${model(variant)}\n--- cat\na photo of a (cat:1.2)\nnegative: a dog\nseed: 3\nsteps: 3\nsize: 64x48\n`);
      assert.deepEqual(summary.errors, []);
      const loaded = events.find((e) => e.type === 'model-loaded');
      assert.equal(loaded?.type === 'model-loaded' && loaded.family, family);
      const recipe = JSON.parse(readFileSync(path.join(dir, 'cat-3.json'), 'utf8'));
      assert.deepEqual(recipe.size, { width: 64, height: 48 });
      assert.match(readTextChunks(readFileSync(path.join(dir, 'cat-3.png')))['parameters']!, /Steps: 3, .*Size: 64x48, Model hash: [0-9a-f]{10}, Model: /);
    });
  }

  test("Turbo runs its family's one step without a guidance batch", async () => {
    for (const variant of ['sd-turbo', 'sdxl-turbo'] as const) {
      const { summary, dir } = await run(`model: ${model(variant)}\n--- t\na cat\nseed: 1\nsize: 64x64\n`);
      assert.deepEqual(summary.errors, []);
      const recipe = JSON.parse(readFileSync(path.join(dir, 't-1.json'), 'utf8'));
      assert.deepEqual([recipe.steps, recipe.cfg], [1, 1]);
      const cached = await models.get(model(variant));
      assert.ok(cached.ok);
      // One UNet call of batch 1 since the last load: the stats count calls.
      assert.equal(cached.value.sd.model.stats.unet.calls, 1);
      cached.value.sd.model.stats.reset();
    }
  });
});

/** A 40x32 init (a colour ramp) and a mask (a white rectangle right of centre), written once. */
let written: Promise<{ ramp: Buffer; init: string; mask: string }> | undefined;
function pictureFiles(): Promise<{ ramp: Buffer; init: string; mask: string }> {
  written ??= (async () => {
    const pictures = path.join(temp, 'pictures');
    mkdirSync(pictures, { recursive: true });
    const ramp = Buffer.alloc(40 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 40; x++) ramp.set([x * 6, y * 8, 90], (y * 40 + x) * 3);
    const init = path.join(pictures, 'init.png');
    await sharp(ramp, { raw: { width: 40, height: 32, channels: 3 } }).png().toFile(init);
    const maskBytes = Buffer.alloc(40 * 32);
    for (let y = 8; y < 24; y++) maskBytes.fill(255, y * 40 + 24, y * 40 + 36);
    const mask = path.join(pictures, 'mask.png');
    await sharp(maskBytes, { raw: { width: 40, height: 32, channels: 1 } }).png().toFile(mask);
    return { ramp, init, mask };
  })();
  return written;
}

describe('image to image on SD 2.x and SDXL through prompt files', () => {
  test('img2img, inpainting by latent blending (the original kept outside the mask) and outpainting', async () => {
    const { ramp, init, mask } = await pictureFiles();
    for (const variant of ['sd2', 'sdxl'] as const) {
      const block = `model: ${model(variant)}\n--- e\na cat\ninit: ${init}\nsteps: 4\nseed: 2\n`;
      const img2img = await run(`${block}strength: 0.5\n`);
      assert.deepEqual(img2img.summary.errors, [], variant);
      const recipe = JSON.parse(readFileSync(path.join(img2img.dir, 'e-2.json'), 'utf8'));
      assert.deepEqual([recipe.size, recipe.strength], [{ width: 40, height: 32 }, 0.5], variant);

      const inpainted = await run(`${block}mask: ${mask}\nmask_blur: 1\n`);
      assert.deepEqual(inpainted.summary.errors, [], variant);
      const out = await pixels(path.join(inpainted.dir, 'e-2.png'));
      // The left half is far from the mask: the init's own pixels. The masked rectangle is redrawn.
      let kept = 0;
      let redrawn = 0;
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 40; x++) {
          const i = (y * 40 + x) * 3;
          const same = out[i] === ramp[i] && out[i + 1] === ramp[i + 1] && out[i + 2] === ramp[i + 2];
          if (x < 16) kept += same ? 1 : 0;
          if (x >= 26 && x < 34 && y >= 10 && y < 22) redrawn += same ? 0 : 1;
        }
      }
      assert.deepEqual([kept, redrawn], [16 * 32, 8 * 12], variant);

      const outpainted = await run(`${block}outpaint: right 16\n`);
      assert.deepEqual(outpainted.summary.errors, [], variant);
      assert.deepEqual(JSON.parse(readFileSync(path.join(outpainted.dir, 'e-2.json'), 'utf8')).output, { width: 56, height: 32 }, variant);
    }
  });

  test("SDXL's inpainting models (9 UNet channels) and SD 2.x's depth models (5) run their modes", async () => {
    const { init, mask } = await pictureFiles();
    const inpainting = model('sdxl', { unetInChannels: 9 }, 'sdxl-inpainting');
    const inpainted = await run(`model: ${inpainting}\n--- i\na cat\ninit: ${init}\nmask: ${mask}\nsteps: 3\nseed: 2\n`);
    assert.deepEqual(inpainted.summary.errors, []);
    const text = await run(`model: ${inpainting}\n--- t\na cat\nsize: 32x32\nsteps: 2\nseed: 2\n`);
    assert.deepEqual(text.summary.errors, []);
    const depth = model('sd2', { unetInChannels: 5, depthEstimator: true }, 'sd2-depth');
    const estimated = await run(`model: ${depth}\n--- d\na cat\ninit: ${init}\nsteps: 3\nseed: 2\n`);
    assert.deepEqual(estimated.summary.errors, []);
    assert.equal(JSON.parse(readFileSync(path.join(estimated.dir, 'd-2.json'), 'utf8')).depth, 'auto');
  });
});

describe('batch:', () => {
  test('denoises a block\'s seeds together and makes the same images as one at a time', async () => {
    const base = `model: ${model('sdxl')}\n--- b\na cat\nnegative: a dog\nseed: 1..3\nsteps: 3\nsampler: euler_a\nsize: 64x64\n`;
    const one = await run(base);
    const cached = await models.get(model('sdxl'));
    assert.ok(cached.ok);
    cached.value.sd.model.stats.reset();
    const batched = await run(base.replace('steps: 3', 'steps: 3\nbatch: 2'));
    assert.deepEqual(batched.summary.errors, []);
    // Seeds 1 and 2 in one call a step, seed 3 alone: 3 + 3 UNet calls, not 9.
    assert.equal(cached.value.sd.model.stats.unet.calls, 6);
    for (const seed of [1, 2, 3]) {
      assert.ok((await pixels(path.join(one.dir, `b-${seed}.png`))).equals(await pixels(path.join(batched.dir, `b-${seed}.png`))), `seed ${seed}`);
    }
  });
});

describe('vae:', () => {
  test("another folder's VAE decodes; the recipe and A1111's text name it", async () => {
    const own = await run(`model: ${model('sdxl')}\n--- v\na cat\nseed: 2\nsteps: 2\nsize: 64x64\n`);
    const other = model('sdxl', { seed: 5 }, 'sdxl-other-vae');
    const swapped = await run(`model: ${model('sdxl')}\nvae: ${other}\n--- v\na cat\nseed: 2\nsteps: 2\nsize: 64x64\n`);
    assert.deepEqual(swapped.summary.errors, []);
    assert.ok(!(await pixels(path.join(own.dir, 'v-2.png'))).equals(await pixels(path.join(swapped.dir, 'v-2.png'))));
    const recipe = JSON.parse(readFileSync(path.join(swapped.dir, 'v-2.json'), 'utf8'));
    assert.equal(recipe.model.vae.name, 'sdxl-other-vae');
    assert.match(recipe.model.vae.sha256, /^[0-9a-f]{64}$/);
    assert.match(readTextChunks(readFileSync(path.join(swapped.dir, 'v-2.png')))['parameters']!, /Model: sdxl, VAE hash: [0-9a-f]{10}, VAE: sdxl-other-vae, /);
    // `sdprompt verify` makes it again with the recorded VAE, found beside the model (--models).
    const search = { models, modelSearch: [path.dirname(other)] };
    const verified = await verifyImage(path.join(swapped.dir, 'v-2.png'), search);
    assert.deepEqual([verified.status, verified.message], ['identical', 'identical']);
    // With its own VAE the image would differ: verify does use the recorded one.
    const { vae: _vae, ...withoutVae } = recipe.model as Record<string, unknown>;
    writeFileSync(path.join(swapped.dir, 'v-2.json'), JSON.stringify({ ...recipe, model: withoutVae }));
    assert.equal((await verifyImage(path.join(swapped.dir, 'v-2.png'), search)).status, 'model-differs');
  });

  test("a VAE of the other family is refused, naming its config", async () => {
    const { summary } = await run(`model: ${model('sdxl')}\nvae: ${model('sd2')}\n--- v\na cat\nseed: 2\nsteps: 2\nsize: 64x64\n`);
    assert.equal(summary.errors[0]?.code, 'model-invalid');
    assert.equal(summary.errors[0]?.file, path.join(model('sd2'), 'vae_decoder', 'config.json'));
    assert.match(summary.errors[0]!.message, /is an SD 1\.x\/2\.x VAE \(scaling_factor 0\.18215\); SDXL models take a VAE with scaling_factor 0\.13025$/);
  });

  test('a folder without a VAE is refused', async () => {
    const { summary } = await run(`model: ${model('sdxl')}\nvae: ${temp}\n--- v\na cat\nseed: 2\nsteps: 2\nsize: 64x64\n`);
    assert.equal(summary.errors[0]?.code, 'model-missing');
    assert.match(summary.errors[0]!.message, /has no vae_decoder\/model\.onnx \(nor model\.onnx\)/);
  });
});

describe('float16 overflow', () => {
  test("a VAE that decodes NaN is named with the fix, and `vae:` with an fp32 VAE makes the image", async () => {
    const broken = model('sdxl-fp16', { vaeFault: 'overflow' }, 'sdxl-fp16-vae-overflow');
    const text = `model: ${broken}\n--- f\na cat\nseed: 4\nsteps: 2\nsize: 64x64\n`;
    const failed = await run(text);
    assert.equal(failed.summary.errors.length, 1);
    const error = failed.summary.errors[0]!;
    assert.equal(error.code, 'inference-failed');
    assert.equal(error.file, path.join(broken, 'vae_decoder', 'model.onnx'));
    assert.match(error.message, /^vae_decoder\/model\.onnx decoded NaN \(not a number\) or infinite values: the VAE overflowed, as SDXL's does in float16\. Fix: use an fp32 VAE, or an fp16 VAE fixed not to overflow \(SDXL: madebyollin\/sdxl-vae-fp16-fix, exported to ONNX\), with `vae: FOLDER`$/);
    const fixed = await run(text.replace('--- f', `vae: ${model('sdxl')}\n--- f`));
    assert.deepEqual(fixed.summary.errors, []);
  });

  test('a UNet that predicts NaN stops the image at that step, naming the UNet', async () => {
    const broken = model('sdxl', { unetOverflow: true }, 'sdxl-unet-overflow');
    const { summary } = await run(`model: ${broken}\n--- f\na cat\nseed: 4\nsteps: 3\nsize: 64x64\n`);
    assert.equal(summary.errors[0]?.file, path.join(broken, 'unet', 'model.onnx'));
    assert.match(summary.errors[0]!.message, /^unet\/model\.onnx predicted NaN \(not a number\) or infinite values at step 1 of 3: .*Use the model's fp32 export, or another execution provider \(--provider cpu\)$/);
  });

  test('an all-black decode is written, with a warning that says why it may be black', async () => {
    const black = model('sdxl', { vaeFault: 'black' }, 'sdxl-vae-black');
    const { summary, events } = await run(`model: ${black}\n--- f\na cat\nseed: 4\nsteps: 2\nsize: 64x64\n`);
    assert.deepEqual(summary.errors, []);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.message : ''));
    assert.deepEqual(warnings, ['the image is all black: the VAE probably overflowed (float16). If so: use an fp32 VAE, or an fp16 VAE fixed not to overflow (SDXL: madebyollin/sdxl-vae-fp16-fix, exported to ONNX), with `vae: FOLDER`']);
  });
});
