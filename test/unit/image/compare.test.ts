// compareImages: identical images, the largest difference, and SSIM against scikit-image's
// (tools/reference/ssim.py, which makes the same pictures by the same formulas).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { compareImages } from '../../../src/core/image/compare';
import type { RgbImage } from '../../../src/core/image/encode';

const FIXTURE = JSON.parse(readFileSync(path.join(__dirname, '../../../../test/fixtures/image/ssim.json'), 'utf8')) as {
  width: number;
  height: number;
  ssim: Record<string, number>;
};
const W = FIXTURE.width;
const H = FIXTURE.height;

function image(sample: (x: number, y: number, c: number) => number, width = W, height = H): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = sample(x, y, c);
  return { data, width, height };
}

/** The reference script's LCG: Numerical Recipes' constants, the top byte of each state. */
function lcg(seed: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  let state = BigInt(seed);
  for (let i = 0; i < count; i++) {
    state = (1664525n * state + 1013904223n) % 2n ** 32n;
    out[i] = Number(state >> 24n);
  }
  return out;
}

const clamp = (v: number) => Math.min(255, Math.max(0, v));
const base = image((x, y, c) => (x * 5 + y * 3 + c * 40 + Math.floor((x * y) / 7)) % 256);
const at = (img: RgbImage, x: number, y: number, c: number) => img.data[(y * W + x) * 3 + c]!;
const noise = lcg(1, W * H * 3);
const CASES: Record<string, [RgbImage, RgbImage]> = {
  noise: [base, image((x, y, c) => clamp(at(base, x, y, c) + (noise[(y * W + x) * 3 + c]! % 7) - 3))],
  brighter: [base, image((x, y, c) => clamp(at(base, x, y, c) + 20))],
  'inverted block': [base, image((x, y, c) => (y >= 10 && y < 20 && x >= 12 && x < 22 ? 255 - at(base, x, y, c) : at(base, x, y, c)))],
  unrelated: [{ data: lcg(2, W * H * 3), width: W, height: H }, { data: lcg(3, W * H * 3), width: W, height: H }],
  'one pixel': [base, image((x, y, c) => (x === 30 && y === 20 && c === 1 ? 0 : at(base, x, y, c)))],
};

describe('compareImages', () => {
  test('identical images: no difference, SSIM 1', () => {
    assert.deepEqual(compareImages(base, image((x, y, c) => at(base, x, y, c))), { identical: true, maxDifference: 0, differingPixels: 0, ssim: 1 });
  });

  test('the largest difference of any sample, and how many pixels differ', () => {
    const [a, b] = CASES['one pixel']!;
    const r = compareImages(a, b);
    assert.deepEqual([r.identical, r.maxDifference, r.differingPixels], [false, at(base, 30, 20, 1), 1]);
    const block = compareImages(...CASES['inverted block']!);
    assert.equal(block.differingPixels, 100);
  });

  test('SSIM as scikit-image computes it (Wang et al. 2004: Gaussian window σ 1.5, per channel)', () => {
    for (const [name, expected] of Object.entries(FIXTURE.ssim)) {
      const [a, b] = CASES[name]!;
      const { ssim } = compareImages(a, b);
      assert.ok(Math.abs(ssim - expected) < 1e-12, `${name}: ${ssim} vs scikit-image's ${expected}`);
    }
    assert.deepEqual(Object.keys(CASES).sort(), Object.keys(FIXTURE.ssim).sort(), 'every reference case is checked');
  });

  test('images smaller than the window are measured over all their pixels', () => {
    const a = image((x, y) => x * 30 + y, 8, 8);
    const b = image((x, y) => clamp(x * 30 + y + (x === 3 ? 40 : 0)), 8, 8);
    const r = compareImages(a, b);
    assert.ok(r.ssim < 1 && r.ssim > 0.5, String(r.ssim));
  });
});
