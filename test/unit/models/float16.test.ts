import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  float16ArrayToFloat32,
  float16BitsToFloat32,
  float32ArrayToFloat16,
  float32ToFloat16Bits,
} from '../../../src/core/models/float16';

// Expected bit patterns from the IEEE 754 binary16 layout (1 sign, 5 exponent bits with bias
// 15, 10 mantissa bits); numpy's float16 gives the same (np.float16(x).view(np.uint16)).
describe('float32ToFloat16Bits', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // the largest finite half
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -15, 0x0200], // a subnormal
    [-(2 ** -24) * 3, 0x8003],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [1e6, 0x7c00], // overflow
    [65520, 0x7c00], // halfway between 65504 and 65536 rounds to even: inf
    [65519.99, 0x7bff],
    [1e-9, 0x0000], // underflow
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
  ];
  for (const [value, bits] of cases) {
    it(`${value} → 0x${bits.toString(16).padStart(4, '0')}`, () => {
      assert.equal(float32ToFloat16Bits(value), bits);
    });
  }

  it('rounds ties to even', () => {
    // Between 1 (0x3c00) and 1 + 2^-10 (0x3c01), the midpoint 1 + 2^-11 goes to the even 0x3c00;
    // between 0x3c01 and 0x3c02 the midpoint goes to 0x3c02.
    assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00);
    assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(float32ToFloat16Bits(1 + 2 ** -11 + 2 ** -20), 0x3c01);
    // Subnormal ties: 1.5 · 2^-24 → 2 · 2^-24 (even), 2.5 · 2^-24 → 2 · 2^-24, 0.5 · 2^-24 → 0.
    assert.equal(float32ToFloat16Bits(1.5 * 2 ** -24), 0x0002);
    assert.equal(float32ToFloat16Bits(2.5 * 2 ** -24), 0x0002);
    assert.equal(float32ToFloat16Bits(2 ** -25), 0x0000);
    assert.equal(float32ToFloat16Bits(2 ** -25 + 2 ** -35), 0x0001);
  });

  it('keeps NaN a NaN', () => {
    const bits = float32ToFloat16Bits(NaN);
    assert.equal(bits & 0x7c00, 0x7c00);
    assert.notEqual(bits & 0x03ff, 0);
  });
});

describe('float16BitsToFloat32', () => {
  it('decodes normals, subnormals and specials', () => {
    assert.equal(float16BitsToFloat32(0x3c00), 1);
    assert.equal(float16BitsToFloat32(0x7bff), 65504);
    assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
    assert.equal(float16BitsToFloat32(0x03ff), 1023 * 2 ** -24);
    assert.equal(float16BitsToFloat32(0xc000), -2);
    assert.equal(float16BitsToFloat32(0x7c00), Infinity);
    assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
    assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
    assert.ok(Object.is(float16BitsToFloat32(0x8000), -0));
  });

  it('round-trips every finite half exactly', () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      assert.equal(float32ToFloat16Bits(float16BitsToFloat32(h)), h, `0x${h.toString(16)}`);
    }
  });
});

describe('array conversions', () => {
  it('match the scalar ones, including on a view into a larger buffer', () => {
    const backing = Float32Array.of(7, 1, -2, 65504, 2 ** -24, 0.1, 9);
    const view = backing.subarray(1, 6);
    const bits = float32ArrayToFloat16(view);
    assert.deepEqual([...bits], [0x3c00, 0xc000, 0x7bff, 0x0001, 0x2e66]);
    assert.deepEqual([...float16ArrayToFloat32(bits)], [1, -2, 65504, 2 ** -24, float16BitsToFloat32(0x2e66)]);
  });
});
