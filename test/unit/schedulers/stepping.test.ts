// How the schedulers behave as objects: call order, noise use, buffers, input scaling, speed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumpyRandomState, type NoiseSource } from '../../../src/core/noise';
import { createScheduler, resolveSampler, samplerNames, type Scheduler } from '../../../src/core/schedulers';

const SD15 = {
  _class_name: 'PNDMScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  clip_sample: false,
};
const CANONICAL = samplerNames().filter((n) => /^[a-z0-9_]+$/.test(n));

function make(name: string, steps: number, config: Record<string, unknown> = SD15): Scheduler {
  const result = createScheduler(resolveSampler(name)!, config, steps);
  if (!result.ok) assert.fail(result.error.message);
  return result.value;
}

class CountingNoise implements NoiseSource {
  drawn = 0;
  private readonly inner = new NumpyRandomState(7);
  randn(count: number): Float32Array {
    this.drawn += count;
    return this.inner.randn(count);
  }
}

/** A deterministic stand-in for the UNet. */
function fakeUnet(x: Float32Array, t: number, i: number): Float32Array {
  return x.map((v, k) => 0.3 * v * Math.cos(t / 300) + 0.05 * Math.sin(i + 1 + k));
}

function run(s: Scheduler, noise: NoiseSource, reuseOutput = false): Float32Array {
  let latents: Float32Array = new NumpyRandomState(3).randn(4 * 8 * 8).map((v) => v * s.initNoiseSigma);
  const shared = new Float32Array(latents.length);
  for (let i = 0; i < s.timesteps.length; i++) {
    let eps = fakeUnet(s.scaleModelInput(latents, i), s.timesteps[i]!, i);
    if (reuseOutput) {
      shared.set(eps);
      eps = shared;
    }
    latents = s.step(eps, i, latents, noise);
  }
  return latents;
}

test('only Euler ancestral draws noise: one value per latent per step, from the run stream', () => {
  for (const name of CANONICAL) {
    const noise = new CountingNoise();
    const s = make(name, 6);
    run(s, noise);
    const expected = name.startsWith('euler_a') ? 6 * 256 : 0;
    assert.equal(noise.drawn, expected, name);
  }
});

test('PLMS makes n+1 calls; the others one per step', () => {
  for (const name of CANONICAL) {
    assert.equal(make(name, 12).timesteps.length, name === 'pndm' ? 13 : 12, name);
  }
});

test('steps must follow each other; the first may start part of the way down (img2img)', () => {
  for (const name of CANONICAL) {
    const s = make(name, 8);
    const x = new Float32Array(16).fill(0.5);
    const y = s.step(fakeUnet(x, s.timesteps[3]!, 3), 3, x, new CountingNoise());
    assert.ok(y.every(Number.isFinite), `${name} from step 3`);
    assert.throws(() => s.step(x, 3, x, new CountingNoise()), /steps must follow each other/, name);
    assert.throws(() => s.step(x, 5, x, new CountingNoise()), /steps must follow each other/, name);
    assert.throws(() => make(name, 8).step(x, s.timesteps.length, x, new CountingNoise()), RangeError, name);
  }
});

test('a stateless sampler started at step k takes the same step as one that got there', () => {
  const s = make('euler', 10);
  const fresh = make('euler', 10);
  const x = new NumpyRandomState(5).randn(64);
  let latents = x;
  for (let i = 0; i < 4; i++) latents = s.step(fakeUnet(latents, s.timesteps[i]!, i), i, latents, new CountingNoise());
  const eps = fakeUnet(latents, s.timesteps[4]!, 4);
  assert.deepEqual(fresh.step(eps, 4, latents, new CountingNoise()), s.step(eps, 4, latents, new CountingNoise()));
});

test('schedulers copy what they remember: reusing the model-output buffer changes nothing', () => {
  for (const name of CANONICAL) {
    const a = run(make(name, 7), new NumpyRandomState(9));
    const b = run(make(name, 7), new NumpyRandomState(9), true);
    assert.deepEqual(b, a, name);
  }
});

test('step leaves its inputs alone and returns a new array', () => {
  for (const name of CANONICAL) {
    const s = make(name, 5);
    const x = new NumpyRandomState(11).randn(32);
    const eps = new NumpyRandomState(12).randn(32);
    const before = [Array.from(x), Array.from(eps)];
    const out = s.step(eps, 0, x, new NumpyRandomState(1));
    assert.deepEqual([Array.from(x), Array.from(eps)], before, name);
    assert.notEqual(out, x, name);
  }
});

test('sigma samplers scale the UNet input by 1/√(σ²+1); the others pass it through', () => {
  const x = new Float32Array([1, -2, 0.5]);
  for (const name of CANONICAL) {
    const s = make(name, 10);
    const scaled = s.scaleModelInput(x, 2);
    if (['euler', 'euler_karras', 'euler_a', 'euler_a_karras', 'lms', 'lms_karras'].includes(name)) {
      const sigma = s.sigmas![2]!;
      const expected = Array.from(x, (v) => Math.fround(v / Math.fround(Math.sqrt(sigma * sigma + 1))));
      assert.deepEqual(Array.from(scaled), expected, name);
    } else {
      assert.equal(scaled, x, name);
    }
  }
});

test('every sampler carries a 4×128×128 latent through 20 steps to finite values', () => {
  const size = 4 * 128 * 128;
  const latentsStart = new NumpyRandomState(1).randn(size);
  const eps = new NumpyRandomState(2).randn(size);
  const noise = new NumpyRandomState(3);
  for (const name of CANONICAL) {
    const s = make(name, 20);
    let latents = latentsStart;
    for (let i = 0; i < s.timesteps.length; i++) latents = s.step(eps, i, s.scaleModelInput(latents, i), noise);
    assert.ok(latents.every(Number.isFinite), name);
  }
});
