// Image to image against the real diffusers: where every sampler starts for a strength
// (StableDiffusionImg2ImgPipeline.get_timesteps with set_begin_index), how add_noise noises the
// init there and at every later call (the 4-channel inpainting blend), and the loop from there.
// The fixtures' `img2img` sections were computed by tools/reference/schedulers.py; DPM++ 2S a's
// (no diffusers class) by k-diffusion's sampler from the same start, without the blend.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumpyRandomState } from '../../../src/core/noise';
import { createScheduler, resolveSampler, type Scheduler } from '../../../src/core/schedulers';
import { img2imgStart } from '../../../src/core/schedulers/strength';
import { loadFixtures, scaledError, truncatesFirstTimestep, type ReferenceFixture } from './reference';


const fixtures = loadFixtures().filter(([, f]) => Object.values(f.samplers).some((s) => s.img2img !== undefined));
// The same float32 arithmetic as the trajectories (diffusers-reference.test.ts); noise levels
// are single float32 products.
const LATENTS_SCALED = 1e-5;
const LEVEL_REL = 1e-6;
// k-diffusion's samplers (DPM++ 2S a) have no inpainting blend between a step's two calls to compare with.
const NO_BLEND_REFERENCE = ['dpmpp_2s_a', 'dpmpp_2s_a_karras', 'dpmpp_2s_a_exponential'];

function create(name: string, fixture: ReferenceFixture, steps: number): Scheduler {
  const created = createScheduler(resolveSampler(name)!, fixture.config, steps);
  if (!created.ok) assert.fail(`${name}, ${steps} steps: ${created.error.message}`);
  return created.value;
}

/**
 * The reference loop from the start index; `first` is the latents after call startIndex + afterCall;
 * with `blend`, the inpainting pipeline's blend after each step (mask = first two rows).
 */
function run(scheduler: Scheduler, unetTimesteps: readonly number[], startIndex: number, blend: boolean, afterCall = 0): { start: Float32Array; first: Float32Array; final: Float32Array } {
  const rs = new NumpyRandomState(2);
  const original = rs.randn(64);
  const noise = rs.randn(64);
  let latents = scheduler.addNoise(original, noise, startIndex);
  const start = latents;
  let first = latents;
  const last = scheduler.timesteps.length - 1;
  for (let i = startIndex; i <= last; i++) {
    const input = scheduler.scaleModelInput(latents, i);
    const c = Math.cos(unetTimesteps[i]! / 300);
    const s = Math.sin(i - startIndex + 1);
    const eps = new Float32Array(input.length);
    for (let k = 0; k < input.length; k++) eps[k] = 0.3 * input[k]! * c + 0.05 * s;
    latents = scheduler.step(eps, i, latents, rs);
    if (i === startIndex + afterCall) first = latents;
    if (blend && i < last) {
      const kept = scheduler.addNoise(original, noise, i + 1);
      // mask 1 (repaint) on rows 0-1 of each 4x4 channel, 0 (keep) on rows 2-3
      latents = latents.map((v, k) => ((k % 16) < 8 ? v : kept[k]!));
    }
  }
  return { start, first, final: latents };
}

test('img2imgStart is diffusers’ get_timesteps', () => {
  assert.deepEqual(img2imgStart(10, 0.3, 1), { startIndex: 7, steps: 3 });
  assert.deepEqual(img2imgStart(20, 0.5, 1), { startIndex: 10, steps: 10 });
  assert.deepEqual(img2imgStart(10, 1, 1), { startIndex: 0, steps: 10 });
  assert.deepEqual(img2imgStart(10, 0.05, 1), { startIndex: 10, steps: 0 });
  // int() truncates: 7 × 0.6 = 4.2 → 4 steps; second-order samplers skip twice the calls.
  assert.deepEqual(img2imgStart(7, 0.6, 2), { startIndex: 6, steps: 4 });
});

test('fixtures with img2img cases exist for every sampler of four configs', () => {
  assert.deepEqual(fixtures.map(([key]) => key), ['cosine-leading', 'sd15', 'sd21-v', 'zsnr-v-trailing']);
  for (const [key, fixture] of fixtures) {
    const without = Object.entries(fixture.samplers).filter(([, s]) => s.img2img === undefined).map(([name]) => name);
    assert.deepEqual(without, [], `${key}: samplers without img2img cases`);
    assert.ok(fixture.samplers['dpmpp_2s_a']?.img2img, `${key}: DPM++ 2S a (k-diffusion) has img2img cases`);
  }
});

for (const [key, fixture] of fixtures) {
  test(`${key}: every sampler starts, noises and blends img2img where diffusers does`, () => {
    let checked = 0;
    for (const [name, reference] of Object.entries(fixture.samplers)) {
      for (const c of reference.img2img ?? []) {
        const what = `${name}, ${c.steps} steps, strength ${c.strength}`;
        const scheduler = create(name, fixture, c.steps);
        const { startIndex } = img2imgStart(c.steps, c.strength, scheduler.order);
        assert.equal(startIndex, c.startIndex, `${what}: start index`);
        assert.equal(Math.max(0, scheduler.timesteps.length - startIndex), c.calls, `${what}: calls`);
        if (c.calls === 0) continue;
        c.levels!.forEach(([x0Scale, noiseScale], j) => {
          const level = scheduler.addNoise(Float32Array.of(1, 0), Float32Array.of(0, 1), startIndex + j);
          assert.ok(Math.abs(level[0]! - x0Scale) <= LEVEL_REL * x0Scale, `${what}: x0 scale at call ${startIndex + j}: ${level[0]} vs ${x0Scale}`);
          assert.ok(Math.abs(level[1]! - noiseScale) <= LEVEL_REL * noiseScale, `${what}: noise scale at call ${startIndex + j}: ${level[1]} vs ${noiseScale}`);
        });
        // The fake UNet sees diffusers' timesteps (see truncatesFirstTimestep).
        const unetTimesteps = [...scheduler.timesteps];
        if (truncatesFirstTimestep(name) && fixture.config['beta_schedule'] === 'squaredcos_cap_v2') unetTimesteps[0] = 999;
        const plain = run(scheduler, unetTimesteps, startIndex, false, c.afterCall);
        assert.ok(scaledError(plain.start, c.start16!) <= LATENTS_SCALED, `${what}: start latents`);
        assert.ok(scaledError(plain.first, c.afterFirstStep16!) <= LATENTS_SCALED, `${what}: after the first step`);
        assert.ok(scaledError(plain.final, c.final16!) <= LATENTS_SCALED, `${what}: final latents`);
        if (NO_BLEND_REFERENCE.includes(name)) {
          assert.equal(c.blendedFinal16, undefined, `${what}: a blend reference to check`);
        } else {
          const blended = run(create(name, fixture, c.steps), unetTimesteps, startIndex, true);
          assert.ok(scaledError(blended.final, c.blendedFinal16!) <= LATENTS_SCALED, `${what}: blended final latents`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 40, `${checked} cases`);
  });
}
