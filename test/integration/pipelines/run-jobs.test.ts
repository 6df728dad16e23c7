// Jobs from a prompt file through the real loader, pipeline and output writer, on generated
// test models of every layout: the files beside the prompt file, their metadata, reproducibility.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { readTextChunks } from '../../../src/core/image/png-text';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import { runJobs, type RunEvent } from '../../../src/core/jobs/run';
import { ModelCache } from '../../../src/core/pipelines/model-cache';
import { generateImage } from '../../../src/core/pipelines/generate';
import { modelContext, resolveImageSettings } from '../../../src/core/jobs/image-settings';
import { loadStableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { resolveSampler, SAMPLERS, samplerNames } from '../../../src/core/schedulers';
import { TEST_MODEL_VARIANTS } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';

const models = new ModelCache();
after(() => models.release());

function promptFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-run-'));
  const file = path.join(dir, 'shapes.sdprompt');
  writeFileSync(file, text);
  return file;
}

function jobsOf(file: string, block = 1): Job[] {
  const parsed = parseSdprompt(readFileSync(file, 'utf8'), file);
  const planned = planBlockJobs(parsed, parsed.blocks[block - 1]!, { promptFile: file, defaultModel: '/nonexistent' });
  assert.ok(planned.ok, planned.ok ? '' : planned.error.message);
  return planned.value;
}

describe('runJobs on generated models', () => {
  test('a variation seed reaches the parameters text (after Model, as A1111 writes it) and the recipe; a strength alone gets a random one', async () => {
    const model = testModelDir('optimum');
    const file = promptFile(`model: ${model}\nsteps: 2\nsize: 32x24\nrng: nv\n\n--- varied\na circle\nseed: 7\nsubseed: 11\nsubseed_strength: 0.25\n\n--- random\na square\nseed: 8\nsubseed_strength: 0.5\n`);
    const summary = await runJobs([...jobsOf(file, 1), ...jobsOf(file, 2)], { models });
    assert.deepEqual(summary.errors, []);
    const outDir = path.join(path.dirname(file), 'shapes');
    const parameters = readTextChunks(readFileSync(path.join(outDir, 'varied-7.png')))['parameters']!;
    assert.match(parameters, /, Model: optimum, Variation seed: 11, Variation seed strength: 0\.25, RNG: NV, Version: /);
    const recipe = JSON.parse(readFileSync(path.join(outDir, 'varied-7.json'), 'utf8'));
    assert.deepEqual([recipe.subseed, recipe.subseedStrength, recipe.rng], [11, 0.25, 'nv']);
    const random = JSON.parse(readFileSync(path.join(outDir, 'random-8.json'), 'utf8'));
    assert.ok(Number.isInteger(random.subseed) && random.subseed >= 0 && random.subseed <= 0xffffffff, `subseed ${random.subseed}`);
    assert.equal(random.subseedStrength, 0.5);
  });

  test('writes one PNG and one recipe per seed beside the prompt file, with A1111 parameters inside', async () => {
    const model = testModelDir('optimum');
    const file = promptFile(`model: ${model}\nsteps: 4\n\n--- red circle\na (red:1.2) circle\nnegative: blue\nseed: 7, 8\nsampler: Euler a\nsize: 32x24\n`);
    const events: RunEvent[] = [];
    const summary = await runJobs(jobsOf(file), { models, onEvent: (e) => void events.push(e) });
    assert.deepEqual(summary.errors, []);
    const outDir = path.join(path.dirname(file), 'shapes');
    assert.deepEqual(readdirSync(outDir).sort(), ['red-circle-7.json', 'red-circle-7.png', 'red-circle-8.json', 'red-circle-8.png']);
    assert.deepEqual(summary.images, [path.join(outDir, 'red-circle-7.png'), path.join(outDir, 'red-circle-8.png')]);

    const png = readFileSync(path.join(outDir, 'red-circle-7.png'));
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [32, 24, 3]);
    const parameters = readTextChunks(png)['parameters']!;
    assert.match(parameters, /^a \(red:1\.2\) circle\nNegative prompt: blue\nSteps: 4, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 7, Size: 32x24, Model hash: [0-9a-f]{10}, Model: optimum, RNG: numpy, Version: sdprompt /);

    const recipe = JSON.parse(readFileSync(path.join(outDir, 'red-circle-7.json'), 'utf8'));
    assert.equal(recipe.format, 'sdprompt-recipe');
    assert.deepEqual(recipe.source, { promptFile: '../shapes.sdprompt', block: { index: 1, name: 'red circle', line: 4 } });
    assert.equal(recipe.prompt, 'a (red:1.2) circle');
    assert.equal(recipe.negativePrompt, 'blue');
    assert.deepEqual([recipe.seed, recipe.steps, recipe.cfg, recipe.rng], [7, 4, 7, 'numpy']);
    assert.deepEqual(recipe.sampler, { name: 'euler_a', a1111: 'Euler a', diffusersClass: 'EulerAncestralDiscreteScheduler', schedule: 'automatic' });
    assert.deepEqual(recipe.size, { width: 32, height: 24 });
    assert.equal(recipe.watermark, 'too small', 'under 256x256 pixels the watermark method does not apply');
    assert.equal(recipe.subseed, undefined, 'no variation seed, none recorded');
    assert.equal(recipe.model.name, 'optimum');
    assert.equal(recipe.model.path, undefined, 'the model is outside the prompt file’s tree: recorded by name only');
    assert.deepEqual(Object.keys(recipe.model.sha256).sort(), ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
    for (const hash of Object.values(recipe.model.sha256)) assert.match(hash as string, /^[0-9a-f]{64}$/);
    assert.notEqual(recipe.model.sha256.unet, recipe.model.sha256.vae_decoder);
    const pixels = await sharp(png).raw().toBuffer();
    assert.equal(recipe.imageSha256, createHash('sha256').update(pixels).digest('hex'));
    assert.equal(recipe.runtime.executionProvider, 'cpu');
    assert.ok(recipe.timings.totalMs > 0);

    const steps = events.filter((e) => e.type === 'step');
    assert.equal(steps.length, 8);
    const preview = await (steps[0] as Extract<RunEvent, { type: 'step' }>).preview();
    assert.deepEqual([preview.width, preview.height, preview.data.length], [4, 3, 36]);
  });

  test('the same block and seed give a byte-identical PNG, written under a new name', async () => {
    const file = promptFile(`--- a\na red circle\nseed: 3\nsteps: 3\nmodel: ${testModelDir('optimum')}\n`);
    await runJobs(jobsOf(file), { models });
    await runJobs(jobsOf(file), { models });
    const outDir = path.join(path.dirname(file), 'shapes');
    assert.deepEqual(readdirSync(outDir).sort(), ['a-3-2.json', 'a-3-2.png', 'a-3.json', 'a-3.png']);
    assert.ok(readFileSync(path.join(outDir, 'a-3.png')).equals(readFileSync(path.join(outDir, 'a-3-2.png'))));
  });

  test('different seeds give different images', async () => {
    const file = promptFile(`--- a\na red circle\nseed: 1, 2\nsteps: 3\nmodel: ${testModelDir('optimum')}\n`);
    const summary = await runJobs(jobsOf(file), { models });
    const [a, b] = summary.images.map((p) => readFileSync(p));
    assert.ok(!a!.equals(b!));
  });

  test('a missing model folder fails every job with one clear error and writes nothing', async () => {
    const file = promptFile('--- a\na red circle\nseed: 1, 2\nmodel: ./no-such-model\n');
    const errors: RunEvent[] = [];
    const summary = await runJobs(jobsOf(file), { models, onEvent: (e) => void (e.type === 'job-error' && errors.push(e)) });
    assert.equal(summary.errors.length, 2);
    assert.equal(summary.errors[0]!.code, 'model-missing');
    assert.equal(summary.errors[0]!.file, path.join(path.dirname(file), 'no-such-model'));
    assert.deepEqual(readdirSync(path.dirname(file)), ['shapes.sdprompt']);
  });

  for (const variant of TEST_MODEL_VARIANTS) {
    test(`${variant}: every sampler makes a finite image, the same twice for a seed`, async () => {
      const sd = await loadStableDiffusion(testModelDir(variant));
      assert.ok(sd.ok, sd.ok ? '' : sd.error.message);
      try {
        const names = [...SAMPLERS.map((s) => s.id), 'dpmpp_2m_karras', 'dpmpp_sde_exponential'];
        assert.ok(names.every((n) => samplerNames().includes(n)));
        for (const name of names) {
          const request = { prompt: 'a red circle', negativePrompt: 'blue', seed: 5, steps: 3, sampler: resolveSampler(name)!, size: { width: 16, height: 16 } };
          const settings = resolveImageSettings(request, modelContext(sd.value.model));
          assert.ok(settings.ok);
          const first = await generateImage(sd.value, settings.value);
          const second = await generateImage(sd.value, settings.value);
          assert.ok(first.ok && second.ok, `${variant} ${name}`);
          assert.deepEqual([first.value.image.width, first.value.image.height, first.value.image.data.length], [16, 16, 16 * 16 * 3]);
          // A broken sampler (NaN, a flat image) shows as one value a channel. (The test models'
          // made-up predictions drive most pixels to 0 or 255 within 3 steps, the more so for the
          // samplers that evaluate them twice a step, so only a few values are left.)
          assert.ok(new Set(first.value.image.data).size > 3, `${variant} ${name}: an image, not a flat field`);
          assert.deepEqual(first.value.image.data, second.value.image.data, `${variant} ${name}: reproducible`);
        }
      } finally {
        await sd.value.model.release();
      }
    });
  }
});
