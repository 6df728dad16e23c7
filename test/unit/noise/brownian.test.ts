// DPM++ SDE's noise against the real torchsde and diffusers (test/fixtures/noise/brownian.json,
// from tools/reference/brownian.py): numpy's SeedSequence word for word, the Brownian interval's
// increments bit for bit with torch's CPU generator, and DPMSolverSDEScheduler end to end from a
// seed with `rng: torch`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNoiseSource } from '../../../src/core/noise';
import { BrownianTree, roundTo6 } from '../../../src/core/noise/brownian';
import { SeedSequence } from '../../../src/core/noise/seed-sequence';
import { createScheduler, resolveSampler, type SchedulerConfig } from '../../../src/core/schedulers';
import { scaledError } from '../schedulers/reference';
import { assertSameFloat32, readNoiseFixture } from './fixture';

interface BrownianFixture {
  origin: string;
  config: SchedulerConfig;
  seedSequence: { entropy: string; spawnKey: string[]; poolSize: number; state: number[] }[];
  intervals: { t0: number; t1: number; entropy: string; size: number; queries: [number, number][]; increments: number[][] }[];
  dpmppSde: { seed: string; steps: number; schedule: string; afterFirstCall16: number[]; final: number[] }[];
}

const fixture = readNoiseFixture<BrownianFixture>('brownian.json');

test('SeedSequence generates numpy’s words', () => {
  for (const c of fixture.seedSequence) {
    const state = new SeedSequence(BigInt(c.entropy), c.spawnKey.map(BigInt), c.poolSize).generateState(c.state.length);
    assert.deepEqual(state, c.state, `entropy ${c.entropy}, spawn key ${c.spawnKey.join(',')}`);
  }
});

test('roundTo6 is Python’s round(x, 6), ties to even', () => {
  assert.equal(roundTo6(14.614645004272461), 14.614645);
  assert.equal(roundTo6(0.029167532920837402), 0.029168);
  assert.equal(roundTo6(0.0078125), 0.007812);
  assert.equal(roundTo6(0.0234375), 0.023438);
  assert.equal(roundTo6(2.5), 2.5);
});

test('Brownian interval increments equal torchsde’s bit for bit (torch CPU generator)', () => {
  assert.match(fixture.origin, /^torchsde/);
  for (const c of fixture.intervals) {
    const tree = new BrownianTree({
      t0: c.t0,
      t1: c.t1,
      entropy: BigInt(c.entropy),
      size: c.size,
      randn: (seed) => createNoiseSource('torch', seed).randn(c.size),
    });
    c.queries.forEach(([ta, tb], q) => assertSameFloat32(tree.increment(ta, tb), c.increments[q]!, `entropy ${c.entropy}, query ${q} (${ta}, ${tb})`));
  }
});

test('an increment does not depend on the order of queries', () => {
  const c = fixture.intervals[1]!;
  const make = () => new BrownianTree({ t0: c.t0, t1: c.t1, entropy: 1n, size: c.size, randn: (seed) => createNoiseSource('torch', seed).randn(c.size) });
  const reversed = make();
  const order = c.queries.map((_, q) => q).reverse();
  const values = new Map(order.map((q) => [q, reversed.increment(...c.queries[q]!)]));
  c.queries.forEach((_, q) => assertSameFloat32(values.get(q)!, c.increments[q]!, `query ${q} asked last-first`));
});

// diffusers computes the noise levels it queries the tree at with torch's float32 exp and log on
// 0-d tensors, i.e. glibc's expf/logf, which round a value now and then to the other neighbour
// (0.502 and 0.82 ulp at most; which variant runs depends on the CPU). Ours are correctly rounded.
// Where such a level, rounded to the tree's 6 decimals, lands on the other side, that stage's
// increment ends at a time 1e-6 away and the latents move by ~1e-4 of their scale; with noise
// from an unrelated tree they would differ by their own size.
const SDE_LATENTS_SCALED = 1e-3;

test('DPM++ SDE with rng torch and a seed runs as diffusers’ DPMSolverSDEScheduler(noise_sampler_seed=seed) on the CPU', () => {
  for (const run of fixture.dpmppSde) {
    const name = run.schedule === 'karras' ? 'dpmpp_sde_karras' : 'dpmpp_sde';
    const created = createScheduler(resolveSampler(name)!, fixture.config, run.steps);
    assert.ok(created.ok);
    const scheduler = created.value;
    const noise = createNoiseSource('torch', BigInt(run.seed));
    let latents: Float32Array = noise.randn(64).map((v) => v * scheduler.initNoiseSigma);
    let first = latents;
    scheduler.timesteps.forEach((t, i) => {
      const input = scheduler.scaleModelInput(latents, i);
      const eps = input.map((x) => 0.3 * x * Math.cos(t / 300) + 0.05 * Math.sin(i + 1));
      latents = scheduler.step(eps, i, latents, noise);
      if (i === 0) first = latents;
    });
    const what = `${name}, seed ${run.seed}, ${run.steps} steps`;
    assert.ok(scaledError(first, run.afterFirstCall16) <= SDE_LATENTS_SCALED, `${what}: after the first call, error ${scaledError(first, run.afterFirstCall16)}`);
    assert.ok(scaledError(latents, run.final) <= SDE_LATENTS_SCALED, `${what}: final, error ${scaledError(latents, run.final)}`);
  }
});
