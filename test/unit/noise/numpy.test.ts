import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumpyRandomState, createNoiseSource } from '../../../src/core/noise';
import { assertCallPatterns, assertSummary, readNoiseFixture, type Summary } from './fixture';

interface SeedEntry {
  [pattern: string]: unknown;
  big: Summary & { size: number };
}
interface Fixture {
  origin: string;
  seeds: Record<string, SeedEntry>;
}

// numpy.random.RandomState(seed).randn(...) cast to float32, written by tools/reference/noise.py
// (the fixture's `origin` names the numpy version).
const fixture = readNoiseFixture<Fixture>('numpy-randn.json');

test('seed 0 starts with the values numpy is known for', () => {
  const first = new NumpyRandomState(0).randn(4);
  assert.deepEqual(
    Array.from(first, (v) => v.toFixed(6)),
    ['1.764052', '0.400157', '0.978738', '2.240893'],
  );
});

test('the fixture covers the seeds the brief asks for', () => {
  assert.match(fixture.origin, /numpy \d+\.\d+/);
  for (const seed of ['0', '1', '42', '4294967295']) assert.ok(fixture.seeds[seed], `seed ${seed}`);
});

for (const [seed, entry] of Object.entries(fixture.seeds)) {
  test(`seed ${seed}: every call pattern equals numpy bit for bit`, () => {
    assertCallPatterns(entry, () => new NumpyRandomState(Number(seed)), `seed ${seed}`);
  });

  test(`seed ${seed}: 16384 values (many generator twists) equal numpy`, () => {
    assertSummary(new NumpyRandomState(Number(seed)).randn(entry.big.size), entry.big, `seed ${seed}`);
  });
}

test('createNoiseSource gives a numpy stream that continues across calls', () => {
  const source = createNoiseSource('numpy', 42);
  const direct = new NumpyRandomState(42).randn(12);
  const split = [...source.randn(5), ...source.randn(7)];
  assert.deepEqual(split, Array.from(direct));
});

test('seeds outside numpy range are rejected as bugs', () => {
  assert.throws(() => new NumpyRandomState(-1), RangeError);
  assert.throws(() => new NumpyRandomState(2 ** 32), RangeError);
  assert.throws(() => new NumpyRandomState(1.5), RangeError);
});
