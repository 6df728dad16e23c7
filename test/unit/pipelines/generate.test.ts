// The pipeline's wiring, checked with stand-in model components that record what they get:
// the seed's noise, the [uncond, cond] batch, the guidance formula, chunk padding, the VAE
// scaling and cancellation. The components' own numerics are tested in test/integration/models.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePrompts } from '../../../src/core/pipelines/encode-prompt';
import { generateImage } from '../../../src/core/pipelines/generate';
import { tokenizePrompt } from '../../../src/core/prompt/chunks';
import { applyTokenWeights } from '../../../src/core/prompt/weighting';
import { NumpyRandomState } from '../../../src/core/noise/numpy';
import { createScheduler, resolveSampler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';
import { fakeModel, newRecorder, request, SCALING, tokenizer } from './fake-model';


describe('text to image wiring', () => {
  test('starts from the seed\'s numpy noise, batches [negative, prompt] and guides with ε_u + cfg·(ε_c − ε_u)', async () => {
    const recorder = newRecorder();
    const sd = fakeModel(recorder);
    const result = await generateImage(sd, request());
    assert.ok(result.ok);

    const noise = new NumpyRandomState(42).randn(1 * 4 * 2 * 4);
    const [call] = recorder.unetCalls;
    assert.equal(recorder.unetCalls.length, 1);
    assert.deepEqual(call!.sample.shape, [2, 4, 2, 4]);
    // DDIM's initial noise sigma is 1 and it does not scale its input: both halves are the noise.
    assert.deepEqual(Array.from(call!.sample.data.subarray(0, 32)), Array.from(noise));
    assert.deepEqual(Array.from(call!.sample.data.subarray(32)), Array.from(noise));

    // The conditioning is [negative, prompt], one chunk each, states = token ids here.
    const t = sd.tokenizer;
    assert.deepEqual(call!.hidden.shape, [2, 77, 1]);
    assert.deepEqual(Array.from(call!.hidden.data.subarray(0, 77)), tokenizePrompt('c', t).chunks[0]!.ids);
    assert.deepEqual(Array.from(call!.hidden.data.subarray(77)), tokenizePrompt('ab', t).chunks[0]!.ids);

    // The scheduler saw the guided prediction 0.1 + 7 · (0.3 − 0.1).
    const scheduler = createScheduler(resolveSampler('ddim')!, SD15_SCHEDULER_CONFIG, 1);
    assert.ok(scheduler.ok);
    assert.equal(call!.timestep, scheduler.value.timesteps[0]);
    const guided = new Float32Array(32).fill(0.1 + 7 * (0.3 - 0.1));
    const expected = scheduler.value.step(guided, 0, noise, new NumpyRandomState(0));

    // The decoder got the final latents divided by the scaling factor.
    assert.equal(recorder.decodeCalls.length, 1);
    assert.deepEqual(recorder.decodeCalls[0]!.shape, [1, 4, 2, 4]);
    const decoded = Array.from(recorder.decodeCalls[0]!.data);
    decoded.forEach((v, i) => assert.ok(Math.abs(v - expected[i]! / SCALING) < 1e-5, `latent ${i}: ${v} vs ${expected[i]! / SCALING}`));
    assert.deepEqual([result.value.image.width, result.value.image.height, result.value.image.channels], [32, 16, 3]);
  });

  test('cfg 1 or less turns guidance off: one prompt, batch 1', async () => {
    for (const cfg of [1, 0.5]) {
      const recorder = newRecorder();
      const result = await generateImage(fakeModel(recorder), request({ cfg }));
      assert.ok(result.ok);
      assert.equal(recorder.encodeCalls.length, 1);
      assert.equal(recorder.encodeCalls[0]!.batch, 1);
      assert.deepEqual(recorder.unetCalls[0]!.sample.shape, [1, 4, 2, 4]);
    }
  });

  test('sigma samplers start from noise × σ_max and feed the UNet x / √(σ² + 1)', async () => {
    const recorder = newRecorder();
    const result = await generateImage(fakeModel(recorder), request({ sampler: resolveSampler('euler')!, steps: 3 }));
    assert.ok(result.ok);
    const scheduler = createScheduler(resolveSampler('euler')!, SD15_SCHEDULER_CONFIG, 3);
    assert.ok(scheduler.ok);
    const sigma = scheduler.value.sigmas![0]!;
    assert.equal(scheduler.value.initNoiseSigma, sigma);
    const noise = new NumpyRandomState(42).randn(32);
    const first = recorder.unetCalls[0]!.sample.data;
    noise.forEach((n, i) => assert.ok(Math.abs(first[i]! - (n * sigma) / Math.sqrt(sigma * sigma + 1)) < 1e-5));
    assert.deepEqual(recorder.unetCalls.map((c) => c.timestep), scheduler.value.timesteps);
  });

  test('a long prompt gives two chunks, and the shorter negative prompt is padded with the empty prompt', async () => {
    const t = tokenizer();
    const long = Array.from({ length: 80 }, () => 'a').join(' ');
    assert.equal(tokenizePrompt(long, t).chunks.length, 2);
    const recorder = newRecorder();
    const { hidden: conditioning } = await encodePrompts([{ encoder: fakeModel(recorder).model.textEncoder, tokenizer: t }], ['', long]);
    assert.deepEqual(conditioning.shape, [2, 154, 1]);
    const empty = tokenizePrompt('', t).chunks[0]!.ids;
    assert.deepEqual(Array.from(conditioning.data.subarray(0, 77)), empty);
    assert.deepEqual(Array.from(conditioning.data.subarray(77, 154)), empty);
    const chunks = tokenizePrompt(long, t).chunks;
    assert.deepEqual(Array.from(conditioning.data.subarray(154, 231)), chunks[0]!.ids);
    assert.deepEqual(Array.from(conditioning.data.subarray(231)), chunks[1]!.ids);
    // All four chunks went to the text encoder in one call.
    assert.equal(recorder.encodeCalls[0]!.batch, 4);
  });

  test('emphasis weights each token\'s state and keeps the chunk mean', async () => {
    const t = tokenizer();
    const recorder = newRecorder();
    const { hidden: conditioning } = await encodePrompts([{ encoder: fakeModel(recorder).model.textEncoder, tokenizer: t }], ['a (b:1.5) [c]']);
    const chunk = tokenizePrompt('a (b:1.5) [c]', t).chunks[0]!;
    assert.ok(chunk.weights.some((w) => w === 1.5));
    const expected = applyTokenWeights(Float32Array.from(chunk.ids), 1, chunk.weights);
    assert.deepEqual(Array.from(conditioning.data), Array.from(expected));
  });

  test('cancellation stops after the current step with the code cancelled, and decodes nothing', async () => {
    const recorder = newRecorder();
    const controller = new AbortController();
    const result = await generateImage(fakeModel(recorder), request({ steps: 10 }), {}, {
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 3) controller.abort();
      },
    });
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'cancelled');
    assert.equal(recorder.unetCalls.length, 3);
    assert.equal(recorder.decodeCalls.length, 0);
  });

  test('every step reports its latents and x₀; at the last DDIM step x₀ is the latents', async () => {
    const recorder = newRecorder();
    const seen: { step: number; total: number; latents: number[]; denoised: number[] }[] = [];
    const result = await generateImage(fakeModel(recorder), request({ steps: 4 }), {}, {
      onStep: (s) => void seen.push({ step: s.step, total: s.total, latents: Array.from(s.latents.data), denoised: Array.from(s.denoised().data) }),
    });
    assert.ok(result.ok);
    assert.deepEqual(seen.map((s) => `${s.step}/${s.total}`), ['1/4', '2/4', '3/4', '4/4']);
    // DDIM with set_alpha_to_one false ends at ᾱ_0 ≈ 0.99915, so x_final ≈ x₀ of the last step.
    const last = seen[3]!;
    last.latents.forEach((v, i) => assert.ok(Math.abs(v - last.denoised[i]!) < 0.05, `${v} vs ${last.denoised[i]}`));
  });

  test('bad requests are errors, not exceptions', async () => {
    const recorder = newRecorder();
    const result = await generateImage(fakeModel(recorder), request({ width: 30 }));
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'invalid-request');
    assert.match(result.error.message, /multiples of 8/);
    assert.equal(recorder.unetCalls.length, 0);
  });
});
