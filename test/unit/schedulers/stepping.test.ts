// How the schedulers behave as objects: call order, noise use, buffers, input scaling, speed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumpyRandomState, type NoiseSource } from '../../../src/core/noise';
import { createScheduler, resolveSampler, samplerNames, type Scheduler } from '../../../src/core/schedulers';
import { SigmaSampler } from '../../../src/core/schedulers/sigmaSampler';

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

/** Noise tensors each sampler draws in a 6-step run, as its reference draws them. */
const NOISE_DRAWS: Record<string, number> = {
  euler_a: 6, // every step
  dpmpp_2m_sde: 6, // every step, the last too
  ddpm: 6, // every step whose timestep is above 0 (leading spacing with offset 1 ends at 1)
  dpm2_a: 5, // every step but the last, in its second call
  dpmpp_2s_a: 5, // every step whose next sigma is above 0
  lcm: 5, // every step but the last
  dpmpp_sde: 10, // both calls of every step but the last (a bare generator: plain draws)
};
const TWO_CALLS = ['heun', 'dpm2', 'dpm2_a', 'dpmpp_sde', 'dpmpp_2s_a'];
const base = (name: string): string => name.replace(/_(karras|exponential)$/, '');

test('the samplers that add noise draw it from the run stream, a latent-sized tensor at a time, as their references do', () => {
  for (const name of CANONICAL) {
    const noise = new CountingNoise();
    run(make(name, 6), noise);
    assert.equal(noise.drawn, (NOISE_DRAWS[base(name)] ?? 0) * 256, name);
  }
});

test('PLMS makes n+1 calls, the two-call samplers 2n−1, the others one per step; stepOfCall maps them back', () => {
  for (const name of CANONICAL) {
    const s = make(name, 12);
    const calls = base(name) === 'pndm' ? 13 : TWO_CALLS.includes(base(name)) ? 23 : 12;
    assert.equal(s.timesteps.length, calls, name);
    const steps = s.timesteps.map((_, i) => s.stepOfCall(i));
    assert.equal(steps[0], 0, name);
    assert.equal(steps.at(-1), 11, name);
    steps.forEach((step, i) => assert.ok(i === 0 || step - steps[i - 1]! <= 1 && step >= steps[i - 1]!, `${name}: call ${i}`));
  }
  assert.deepEqual(Array.from({ length: 5 }, (_, i) => make('heun', 3).stepOfCall(i)), [0, 0, 1, 1, 2]);
  assert.deepEqual(Array.from({ length: 4 }, (_, i) => make('pndm', 3).stepOfCall(i)), [0, 0, 1, 2]);
});

test('steps must follow each other; the first may start part of the way down (img2img), at a step’s first call', () => {
  for (const name of CANONICAL) {
    const s = make(name, 8);
    const start = s.timesteps.findIndex((_, i) => s.stepOfCall(i) === 3);
    const x = new Float32Array(16).fill(0.5);
    const y = s.step(fakeUnet(x, s.timesteps[start]!, start), start, x, new CountingNoise());
    assert.ok(y.every(Number.isFinite), `${name} from step 3`);
    assert.throws(() => s.step(x, start, x, new CountingNoise()), /steps must follow each other/, name);
    assert.throws(() => s.step(x, start + 2, x, new CountingNoise()), /steps must follow each other/, name);
    assert.throws(() => make(name, 8).step(x, s.timesteps.length, x, new CountingNoise()), RangeError, name);
    if (TWO_CALLS.includes(base(name))) {
      assert.throws(() => make(name, 8).step(x, start + 1, x, new CountingNoise()), /starts at its first call/, name);
    }
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
    if (s instanceof SigmaSampler) {
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
