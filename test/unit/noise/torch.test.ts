import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TorchCpuGenerator, createNoiseSource } from '../../../src/core/noise';
import { assertCallPatterns, assertSummary, readNoiseFixture, type Summary } from './fixture';

interface Fixture {
  origin: string;
  seeds: Record<string, Record<string, unknown> & { big: Summary & { size: number } }>;
  far: { seed: number; size: number; values: Record<string, number> }[];
}

// torch.randn(n, generator=torch.Generator().manual_seed(seed)), written by
// tools/reference/noise_torch.py (the fixture's `origin` names the torch version and CPU path).
const fixture = readNoiseFixture<Fixture>('torch-randn.json');

test('the fixture was made by torch on its AVX2 path, for 32- and 64-bit seeds', () => {
  assert.match(fixture.origin, /torch \d+\.\d+.*CPU capability AVX2/);
  for (const seed of ['0', '42', '4294967295', '18446744073709551615']) assert.ok(fixture.seeds[seed], `seed ${seed}`);
});

test('seed 0 starts with the values torch is known for', () => {
  // torch.manual_seed(0); torch.randn(4) → tensor([1.5410, -0.2934, -2.1788, 0.5684])
  const first = new TorchCpuGenerator(0).randn(4);
  assert.deepEqual(Array.from(first, (v) => v.toFixed(4)), ['1.5410', '-0.2934', '-2.1788', '0.5684']);
});

for (const [seed, entry] of Object.entries(fixture.seeds)) {
  test(`seed ${seed}: every call pattern equals torch bit for bit`, () => {
    assertCallPatterns(entry, () => new TorchCpuGenerator(BigInt(seed)), `seed ${seed}`);
  });

  test(`seed ${seed}: a 1x4x64x64 latent equals torch`, () => {
    assertSummary(new TorchCpuGenerator(BigInt(seed)).randn(entry.big.size), entry.big, `seed ${seed}`);
  });
}

test('values deep into long tensors equal torch, including the sine range reduction torch fuses', () => {
  for (const { seed, size, values } of fixture.far) {
    const ours = new TorchCpuGenerator(seed).randn(size);
    for (const [index, expected] of Object.entries(values)) assert.equal(ours[Number(index)], expected, `seed ${seed}, value ${index}`);
  }
});

test('a 64-bit seed keeps only its low 32 bits, as torch does', () => {
  const high = createNoiseSource('torch', 2n ** 32n + 7n).randn(20);
  assert.deepEqual(high, new TorchCpuGenerator(7).randn(20));
});
