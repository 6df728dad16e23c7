// The pipeline's image-to-image wiring, with stand-in components (./fake-model.ts): what the VAE
// encoder is given and in which order the seed's stream is drawn, where img2img starts and how
// it noises, the UNet's extra channels for inpainting and depth models, latent blending for
// 4-channel inpainting, and the errors of models that lack a part.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDepthPreprocessor } from '../../../src/core/image/depth-preprocess';
import { createRaster, type Raster } from '../../../src/core/image/raster';
import { rasterToTensor } from '../../../src/core/image/to-tensor';
import type { ImageSettings } from '../../../src/core/jobs/image-settings';
import { NumpyRandomState } from '../../../src/core/noise/numpy';
import { generateImage, type Pictures } from '../../../src/core/pipelines/generate';
import { createScheduler, resolveSampler, type Scheduler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';
import type { Tensor } from '../../../src/core/tensor';
import { FAKE_LOGVAR, fakeEncoderMean, fakeModel, newRecorder, request, SCALING, type FakeModelOptions } from './fake-model';

const FILE = { path: '/prompts/init.png', spec: 'init.png' };

/** 32x16: red grows along x, green along y, blue constant. */
function initPicture(): Raster {
  const r = createRaster(32, 16, 3);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) r.data.set([x * 8, y * 16, 100], (y * 32 + x) * 3);
  return r;
}

/** 32x16 grey, white (repaint) where x < 16. */
function leftHalf(): Raster {
  const m = createRaster(32, 16, 1);
  for (let y = 0; y < 16; y++) m.data.fill(255, y * 32, y * 32 + 16);
  return m;
}

function ddim(steps: number): Scheduler {
  const s = createScheduler(resolveSampler('ddim')!, SD15_SCHEDULER_CONFIG, steps);
  assert.ok(s.ok);
  return s.value;
}

/** The posterior sample times the scaling factor, as encodeImage computes it. */
function encoded(image: Tensor, epsilon?: Float32Array): Float32Array {
  const std = Math.fround(Math.exp(0.5 * FAKE_LOGVAR));
  return fakeEncoderMean(image).map((m, i) => Math.fround(epsilon ? m + std * epsilon[i]! : m) * SCALING);
}

/** Channel `c` of the first batch item of a UNet call's input, [h·w]. */
function channel(sample: Tensor, c: number): number[] {
  const [, , h, w] = sample.shape as [number, number, number, number];
  return Array.from(sample.data.subarray(c * h * w, (c + 1) * h * w));
}

async function run(settings: Partial<ImageSettings>, pictures: Pictures, options: FakeModelOptions = {}) {
  const recorder = newRecorder();
  const result = await generateImage(fakeModel(recorder, options), request(settings), pictures);
  return { recorder, result };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) =>
  Array.from(b).forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-5, `${what} [${i}]: ${a[i]} vs ${v}`));

describe('image to image wiring', () => {
  test('img2img: the init encoded (posterior ε first), noised with the next draw to diffusers’ start, int(steps·strength) calls', async () => {
    const { recorder, result } = await run({ init: FILE, strength: 0.5, steps: 10 }, { init: initPicture() });
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    const image = rasterToTensor(initPicture());
    assert.deepEqual(recorder.vaeEncodeCalls[0]!.data, image.data);
    const stream = new NumpyRandomState(42);
    const x0 = encoded(image, stream.randn(32));
    const expected = ddim(10).addNoise(x0, stream.randn(32), 5);
    assert.equal(recorder.unetCalls.length, 5);
    assert.equal(recorder.unetCalls[0]!.timestep, ddim(10).timesteps[5]);
    close(recorder.unetCalls[0]!.sample.data.subarray(0, 32), expected, 'start latents');
    assert.deepEqual([result.value.image.width, result.value.image.height], [32, 16]);
  });

  test('a latent_sample encoder draws nothing: the noise is the seed’s first draw', async () => {
    const { recorder, result } = await run({ init: FILE, strength: 0.3, steps: 10 }, { init: initPicture() }, { encoder: 'latent_sample' });
    assert.ok(result.ok);
    const expected = ddim(10).addNoise(encoded(rasterToTensor(initPicture())), new NumpyRandomState(42).randn(32), 7);
    assert.equal(recorder.unetCalls.length, 3);
    close(recorder.unetCalls[0]!.sample.data.subarray(0, 32), expected, 'start latents');
  });

  test('9-channel inpainting: pure noise at strength 1; [latents, mask, masked-image latents] with the masked pixels grey', async () => {
    const { recorder, result } = await run({ init: FILE, mask: FILE, strength: 1, maskBlur: 0, steps: 2 }, { init: initPicture(), mask: leftHalf() }, { inChannels: 9 });
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    const stream = new NumpyRandomState(42);
    stream.randn(32); // the init's posterior sample
    const noise = stream.randn(32);
    const first = recorder.unetCalls[0]!.sample;
    assert.deepEqual(first.shape, [2, 9, 2, 4]);
    close(first.data.subarray(0, 32), noise, 'start latents = noise · 1 (DDIM)');
    assert.deepEqual(channel(first, 4), [1, 1, 0, 0, 1, 1, 0, 0]);
    const masked = recorder.vaeEncodeCalls[1]!;
    const full = rasterToTensor(initPicture());
    for (let i = 0; i < masked.data.length; i++) assert.equal(masked.data[i], i % 32 < 16 ? 0 : full.data[i], `masked image [${i}]`);
    close(first.data.subarray(5 * 8, 9 * 8), encoded(masked, stream.randn(32)), 'masked-image latents');
    // The CFG batch carries the same extra channels.
    assert.deepEqual(Array.from(first.data.subarray(9 * 8 + 4 * 8, 18 * 8)), Array.from(first.data.subarray(4 * 8, 9 * 8)));
  });

  test('a 9-channel model without init: an all-repaint mask and a grey masked image, as A1111', async () => {
    const { recorder, result } = await run({}, {}, { inChannels: 9 });
    assert.ok(result.ok);
    assert.ok(recorder.vaeEncodeCalls[0]!.data.every((v) => v === 0));
    assert.deepEqual(channel(recorder.unetCalls[0]!.sample, 4), [1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('4-channel inpainting blends: the kept area ends as the encoded init itself', async () => {
    const { recorder, result } = await run({ init: FILE, mask: FILE, strength: 1, maskBlur: 0, steps: 4 }, { init: initPicture(), mask: leftHalf() });
    assert.ok(result.ok);
    const x0 = encoded(rasterToTensor(initPicture()), new NumpyRandomState(42).randn(32));
    const decoded = recorder.decodeCalls[0]!.data;
    for (let i = 0; i < 32; i++) {
      const kept = i % 4 >= 2;
      if (kept) assert.ok(Math.abs(decoded[i]! - x0[i]! / SCALING) < 1e-5, `kept latent ${i}`);
      else assert.ok(Math.abs(decoded[i]! - x0[i]! / SCALING) > 1e-3, `repainted latent ${i} changed`);
    }
  });

  test('depth models: a depth map (white near) or the estimator’s depth, stretched to [-1, 1], as the fifth channel', async () => {
    const depth = createRaster(32, 16, 1);
    for (let y = 0; y < 16; y++) depth.data.fill(255, y * 32 + 16, y * 32 + 32);
    const fromMap = await run({ depth: { ...FILE, spec: 'depth.png' } }, { depth }, { inChannels: 5 });
    assert.ok(fromMap.result.ok, fromMap.result.ok ? '' : fromMap.result.error.message);
    const mapChannel = channel(fromMap.recorder.unetCalls[0]!.sample, 4);
    assert.equal(Math.min(...mapChannel), -1);
    assert.equal(Math.max(...mapChannel), 1);
    assert.ok(mapChannel[0]! < 0 && mapChannel[3]! > 0, `${mapChannel}`);

    const missing = await run({ init: FILE, depth: 'auto', steps: 4 }, { init: initPicture() }, { inChannels: 5 });
    assert.ok(!missing.result.ok);
    assert.equal(missing.result.error.code, 'model-missing');
    assert.match(missing.result.error.message, /depth_estimator\/model\.onnx is missing/);

    const recorder = newRecorder();
    const sd = fakeModel(recorder, { inChannels: 5 });
    const preprocessor = parseDepthPreprocessor({ size: { height: 16, width: 32 } }, '/m/preprocessor_config.json');
    assert.ok(preprocessor.ok);
    const seen: Tensor[] = [];
    // The stand-in estimator: depth = the mean of the colours (brighter nearer).
    sd.model.depthEstimator = {
      preprocessor: preprocessor.value,
      async estimate(pixels) {
        seen.push(pixels);
        const plane = 16 * 32;
        return { data: Float32Array.from({ length: plane }, (_, i) => (pixels.data[i]! + pixels.data[plane + i]! + pixels.data[2 * plane + i]!) / 3), shape: [1, 16, 32] };
      },
    };
    const estimated = await generateImage(sd, request({ init: FILE, depth: 'auto', strength: 0.5, steps: 2 }), { init: initPicture() });
    assert.ok(estimated.ok);
    assert.deepEqual(seen[0]!.shape, [1, 3, 16, 32]);
    const estimatedChannel = channel(recorder.unetCalls[0]!.sample, 4);
    // Red grows along x and green along y: the far corner is the top left, the near one the bottom right.
    assert.equal(estimatedChannel[0], Math.min(...estimatedChannel));
    assert.equal(estimatedChannel[7], Math.max(...estimatedChannel));
  });

  test('missing parts and empty runs are errors, not exceptions, and run nothing', async () => {
    const noEncoder = await run({ init: FILE }, { init: initPicture() }, { encoder: false });
    assert.ok(!noEncoder.result.ok);
    assert.equal(noEncoder.result.error.code, 'model-missing');
    assert.match(noEncoder.result.error.message, /vae_encoder\/model\.onnx is missing: image to image needs it/);
    const inpaintingNoEncoder = await run({}, {}, { inChannels: 9, encoder: false });
    assert.ok(!inpaintingNoEncoder.result.ok);
    assert.match(inpaintingNoEncoder.result.error.message, /an inpainting model needs it/);
    const noStep = await run({ init: FILE, strength: 0.05, steps: 10 }, { init: initPicture() });
    assert.ok(!noStep.result.ok);
    assert.equal(noStep.result.error.code, 'invalid-request');
    assert.match(noStep.result.error.message, /strength 0\.05 with 10 steps runs no step/);
    for (const r of [noEncoder, inpaintingNoEncoder, noStep]) assert.equal(r.recorder.unetCalls.length, 0);
  });
});
