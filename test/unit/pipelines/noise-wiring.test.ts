// The pipeline's noise and watermark: each rng's generator gives the starting noise, a variation
// seed moves it by A1111's slerp, ancestral samplers continue the same generator, and the output
// carries the watermark when it is on and the image large enough.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { embedWatermark } from '../../../src/core/image/watermark';
import { applyVariation, PhiloxGenerator, TorchCpuGenerator } from '../../../src/core/noise';
import { generateImage } from '../../../src/core/pipelines/generate';
import { createScheduler, resolveSampler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';
import { fakeModel, newRecorder, request } from './fake-model';

/** The first UNet call's latents (DDIM: initial sigma 1, no input scaling, so the starting noise itself). */
async function startingNoise(overrides: Parameters<typeof request>[0]): Promise<number[]> {
  const recorder = newRecorder();
  const result = await generateImage(fakeModel(recorder), request({ cfg: 1, ...overrides }));
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return Array.from(recorder.unetCalls[0]!.sample.data);
}

describe('noise in the pipeline', () => {
  test('rng torch and nv start from their generators\' first draw', async () => {
    assert.deepEqual(await startingNoise({ rng: 'torch', seed: 7 }), Array.from(new TorchCpuGenerator(7).randn(32)));
    assert.deepEqual(await startingNoise({ rng: 'nv', seed: 7 }), Array.from(new PhiloxGenerator(7).randn(32)));
  });

  test('a variation seed moves the starting noise by A1111\'s slerp; strength 0 leaves it, 1 is the subseed\'s', async () => {
    const own = new TorchCpuGenerator(7).randn(32);
    const expected = applyVariation(own, { rng: 'torch', subseed: 99, strength: 0.4 }, [4, 2, 4]);
    assert.deepEqual(await startingNoise({ rng: 'torch', seed: 7, subseed: 99, subseedStrength: 0.4 }), Array.from(expected));
    assert.notDeepEqual(Array.from(expected), Array.from(own));
    assert.deepEqual(await startingNoise({ rng: 'torch', seed: 7, subseed: 99, subseedStrength: 0 }), Array.from(own));
    assert.deepEqual(await startingNoise({ rng: 'torch', seed: 7, subseed: 99, subseedStrength: 1 }), Array.from(new TorchCpuGenerator(99).randn(32)));
  });

  test('an ancestral sampler draws its step noise from the seed\'s generator, right after the starting noise', async () => {
    const recorder = newRecorder();
    const sampler = resolveSampler('euler_a')!;
    const result = await generateImage(fakeModel(recorder), request({ cfg: 1, rng: 'nv', seed: 3, sampler, steps: 2 }));
    assert.ok(result.ok);
    // The same run by hand: Philox call 0 is the start, call 1 the first step's noise.
    const scheduler = createScheduler(sampler, SD15_SCHEDULER_CONFIG, 2);
    assert.ok(scheduler.ok);
    const generator = new PhiloxGenerator(3);
    const start = generator.randn(32).map((v) => v * scheduler.value.initNoiseSigma);
    const prediction = new Float32Array(32).fill(0.3); // the fake UNet's output without guidance
    const next = scheduler.value.step(prediction, 0, start, generator);
    assert.deepEqual(Array.from(recorder.unetCalls[1]!.sample.data), Array.from(scheduler.value.scaleModelInput(next, 1)));
  });
});

describe('watermark in the pipeline', () => {
  test('on by default: a 256x256 output is the unmarked one marked, and says so; off leaves it', async () => {
    const on = await generateImage(fakeModel(newRecorder()), request({ width: 256, height: 256 }));
    const off = await generateImage(fakeModel(newRecorder()), request({ width: 256, height: 256, watermark: false }));
    assert.ok(on.ok && off.ok);
    assert.equal(on.value.watermark, 'StableDiffusionV1');
    assert.equal(off.value.watermark, 'off');
    assert.deepEqual(on.value.image.data, embedWatermark(off.value.image).data);
  });

  test('images under 256x256 pixels are left unmarked, and the outcome says why', async () => {
    const small = await generateImage(fakeModel(newRecorder()), request());
    assert.ok(small.ok);
    assert.equal(small.value.watermark, 'too small');
  });
});
