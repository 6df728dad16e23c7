// Components released between uses (src/core/models/releasable.ts), seen through the model
// cache's own state: with lowMemory the text encoders (SDXL's two) are closed once the prompts are
// encoded and the VAE encoder once the init is, opened again by the next run, and the images are
// byte for byte those made with every session kept open; the cache keeps one model across runs
// and, released, leaves nothing open and nothing that opens again.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs } from '../../../src/core/jobs/plan';
import { runJobs } from '../../../src/core/jobs/run';
import type { LoadedModel } from '../../../src/core/models';
import { ModelCache } from '../../../src/core/pipelines/model-cache';
import { testModelDir } from '../../../tools/test-models/test-dir';

const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-release-'));
const kept = new ModelCache({ threads: 1 });
const released = new ModelCache({ threads: 1, lowMemory: true });
after(async () => {
  await kept.release();
  await released.release();
  rmSync(temp, { recursive: true, force: true });
});

let runs = 0;
/** Runs one block through `models`; the image's raw pixels. */
async function image(models: ModelCache, text: string): Promise<Buffer> {
  const dir = path.join(temp, `run-${runs++}`);
  mkdirSync(dir);
  const ramp = Buffer.from(Array.from({ length: 40 * 32 * 3 }, (_, i) => (i * 7) % 256));
  await sharp(ramp, { raw: { width: 40, height: 32, channels: 3 } }).png().toFile(path.join(dir, 'init.png'));
  const file = path.join(dir, 'p.sdprompt');
  writeFileSync(file, text);
  const parsed = parseSdprompt(text, file);
  const jobs = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/nonexistent' });
  assert.ok(jobs.ok, jobs.ok ? '' : jobs.error.message);
  const summary = await runJobs(jobs.value, { models });
  assert.deepEqual(summary.errors, []);
  return sharp(summary.images[0]!).raw().toBuffer();
}

async function cachedModel(models: ModelCache, dir: string): Promise<LoadedModel> {
  const cached = await models.get(dir);
  assert.ok(cached.ok);
  assert.equal(cached.value.loadMs, 0, 'the model stays loaded across runs');
  return cached.value.sd.model;
}

describe('components released between uses', () => {
  const sdxl = testModelDir('sdxl');
  const txt2img = `model: ${sdxl}\n--- a\na photo of a (cat:1.2)\nnegative: a dog\nseed: 3\nsteps: 3\nsize: 64x48\n`;
  const img2img = `model: ${sdxl}\n--- b\na red circle\ninit: init.png\nstrength: 0.5\nsteps: 4\nseed: 5\n`;

  test('with lowMemory the text encoders close after encoding, open again for the next run, and the image is the same', async () => {
    const first = await image(released, txt2img);
    const model = await cachedModel(released, sdxl);
    const states = model.sessionStates();
    assert.deepEqual([states.text_encoder, states.text_encoder_2], [{ open: false, opens: 1 }, { open: false, opens: 1 }]);
    assert.deepEqual([states.unet, states.vae_decoder], [{ open: true, opens: 1 }, { open: true, opens: 1 }]);

    const second = await image(released, txt2img);
    assert.equal(await cachedModel(released, sdxl), model, 'the same loaded model');
    assert.deepEqual([model.sessionStates().text_encoder, model.sessionStates().text_encoder_2], [{ open: false, opens: 2 }, { open: false, opens: 2 }]);
    assert.equal(model.stats.textEncoder2.calls > 0, true);

    const reference = await image(kept, txt2img);
    const keptStates = (await cachedModel(kept, sdxl)).sessionStates();
    assert.deepEqual([keptStates.text_encoder, keptStates.text_encoder_2], [{ open: true, opens: 1 }, { open: true, opens: 1 }]);
    assert.ok(first.equals(reference), 'released between uses: the same pixels');
    assert.ok(second.equals(reference), 'opened again: the same pixels');
  });

  test('image to image: the VAE encoder closes after encoding the init, and the image is the same', async () => {
    const low = await image(released, img2img);
    const model = await cachedModel(released, sdxl);
    const opens = model.sessionStates().vae_encoder!.opens;
    assert.equal(model.sessionStates().vae_encoder?.open, false);
    const again = await image(released, img2img);
    assert.deepEqual(model.sessionStates().vae_encoder, { open: false, opens: opens + 1 });
    const reference = await image(kept, img2img);
    assert.equal((await cachedModel(kept, sdxl)).sessionStates().vae_encoder?.open, true);
    assert.ok(low.equals(reference) && again.equals(reference), 'the same pixels');
  });

  test('on the CPU without lowMemory nothing is released; a released model leaves nothing open and opens nothing again', async () => {
    const model = await cachedModel(kept, sdxl);
    await model.doneWith(['text_encoder', 'text_encoder_2', 'vae_encoder']);
    assert.ok(Object.values(model.sessionStates()).every((s) => s.open), 'the CPU is not memory-tight');

    const low = await cachedModel(released, sdxl);
    await released.release();
    assert.ok(Object.values(low.sessionStates()).every((s) => !s.open));
    await assert.rejects(low.textEncoder.encode(new Int32Array(77), 1), /text_encoder\/model\.onnx: used after its model was released/);
  });
});
