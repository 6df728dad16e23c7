import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhiloxGenerator, imageNoise, type RngName } from '../../../src/core/noise';
import { assertCallPatterns, assertSameFloat32, assertSummary, readNoiseFixture, sums, type CallPattern, type Summary } from './fixture';

interface ImageRngCase {
  rng: 'CPU' | 'NV';
  ensd: number;
  seed: number;
  subseed: number;
  strength: number;
  shape: [number, number, number];
  initial?: number[];
  initialSummary: Summary;
  stepSummaries: Summary[];
}
interface Fixture {
  origin: string;
  philox: Record<string, Record<string, CallPattern> & { big: Summary & { size: number } }>;
  imageRng: ImageRngCase[];
}

// A1111's modules/rng_philox.py and modules/rng.py (ImageRNG), run by tools/reference/noise_a1111.py.
const fixture = readNoiseFixture<Fixture>('a1111.json');
const RNG_OF: Record<ImageRngCase['rng'], RngName> = { CPU: 'torch', NV: 'nv' };

test('the fixture is A1111 1.10.1 code', () => {
  assert.match(fixture.origin, /A1111 stable-diffusion-webui v1\.10\.1/);
});

test('rng_philox.Generator(0).randn((3, 4)) starts as A1111 documents it', () => {
  // The module's docstring: [[-0.92466259 -0.42534415 -2.6438457 0.14518388] ...], printed to 8 digits from CUDA.
  const values = new PhiloxGenerator(0).randn(12);
  assert.deepEqual(Array.from(values.subarray(0, 4), (v) => v.toFixed(3)), ['-0.925', '-0.425', '-2.644', '0.145']);
});

for (const [seed, entry] of Object.entries(fixture.philox)) {
  test(`NV seed ${seed}: every call pattern equals A1111's Philox bit for bit`, () => {
    assertCallPatterns(entry, () => new PhiloxGenerator(BigInt(seed)), `seed ${seed}`);
    assertSummary(new PhiloxGenerator(BigInt(seed)).randn(entry.big.size), entry.big, '1x4x64x64');
  });
}

for (const c of fixture.imageRng) {
  const what = `${c.rng} seed ${c.seed}, subseed ${c.subseed} at ${c.strength}${c.ensd ? `, ENSD ${c.ensd}` : ''}, ${c.shape.join('x')}`;
  const noise = () =>
    imageNoise({ rng: RNG_OF[c.rng], seed: c.seed, subseed: c.subseed, subseedStrength: c.strength, etaNoiseSeedDelta: c.ensd, shape: c.shape });

  test(`${what}: per-step noise continues as ImageRNG.next() gives it`, () => {
    const { steps } = noise();
    const count = c.shape[0] * c.shape[1] * c.shape[2];
    c.stepSummaries.forEach((expected, i) => assertSummary(steps.randn(count), expected, `step ${i + 1}`));
  });

  test(`${what}: the starting noise equals ImageRNG.first()`, () => {
    const { initial } = noise();
    if (c.strength === 0 || c.strength === 1 || c.seed === c.subseed) {
      // No slerp arithmetic to speak of: the seed's noise, the subseed's, or the linear fallback.
      if (c.initial) assertSameFloat32(initial, c.initial, 'initial');
      assertSummary(initial, c.initialSummary, 'initial');
      return;
    }
    // slerp: the norms and sums round as torch's CPU kernels do, but torch takes acos and sin
    // from Sleef (within 1 ulp) where we round the exact values, so about one value in ten
    // differs in its last bits. Documented tolerance: 1e-6 absolute, two float32 ulps of the
    // largest noise values (the two weighted terms can be that large while their sum is small).
    const expected = c.initial ?? c.initialSummary.head;
    let differing = 0;
    expected.forEach((value, i) => {
      assert.ok(Math.abs(initial[i]! - value) <= 1e-6, `value ${i}: ${initial[i]} against ${value}`);
      if (initial[i] !== value) differing++;
    });
    if (c.initial) assert.ok(differing <= expected.length / 5, `${differing} of ${expected.length} values differ`);
    const { sum, sumOfSquares } = sums(initial);
    assert.ok(Math.abs(sum - c.initialSummary.sum) < 1e-4, `sum ${sum} against ${c.initialSummary.sum}`);
    assert.ok(Math.abs(sumOfSquares - c.initialSummary.sumOfSquares) < 1e-3, `sum of squares ${sumOfSquares} against ${c.initialSummary.sumOfSquares}`);
  });
}
