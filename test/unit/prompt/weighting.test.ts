import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTokenWeights } from '../../../src/core/prompt/weighting';

const mean = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0) / values.length;

describe('applyTokenWeights', () => {
  it('scales by the weights, then restores the mean (hand-checked)', () => {
    // 3 tokens, width 2. Mean before: 21/6 = 3.5. Weighted [1,2, 6,8, 5,6]: sum 28, mean 28/6.
    // Rescale by 3.5 / (28/6) = 0.75.
    const hidden = new Float32Array([1, 2, 3, 4, 5, 6]);
    const out = applyTokenWeights(hidden, 2, [1, 2, 1]);
    assert.deepEqual(Array.from(out), [0.75, 1.5, 4.5, 6, 3.75, 4.5]);
    assert.deepEqual(Array.from(hidden), [1, 2, 3, 4, 5, 6], 'the input is left as it was');
  });

  it('handles weights below 1 and negative values (hand-checked)', () => {
    // 2 tokens, width 2: [2, -1] weight 0.5 → [1, -0.5]; [4, 1] weight 1 → [4, 1].
    // Mean before 6/4 = 1.5, after 5.5/4 = 1.375; scale 1.5/1.375 = 12/11.
    const out = applyTokenWeights(new Float32Array([2, -1, 4, 1]), 2, [0.5, 1]);
    const expected = [1, -0.5, 4, 1].map((v) => Math.fround((v * 1.5) / 1.375));
    assert.deepEqual(Array.from(out), expected);
  });

  it('keeps the mean of a 77 × 16 chunk and scales each token by weight × one common factor', () => {
    const width = 16;
    const hidden = new Float32Array(77 * width);
    for (let i = 0; i < hidden.length; i++) hidden[i] = Math.sin(i * 0.37) + 0.2;
    const weights = Array.from({ length: 77 }, (_, t) => (t % 5 === 0 ? 1.21 : t % 7 === 0 ? 1 / 1.1 : 1));
    const out = applyTokenWeights(hidden, width, weights);
    assert.ok(Math.abs(mean(out) - mean(hidden)) < 1e-6, `mean ${mean(out)} vs ${mean(hidden)}`);
    const factor = out[1]! / hidden[1]!; // token 0 has weight 1.21
    const common = factor / 1.21;
    assert.ok(Math.abs(common - 1) > 1e-3, 'the rescale is not a no-op here');
    for (let t = 0; t < 77; t++) {
      for (let j = 0; j < width; j++) {
        const i = t * width + j;
        assert.ok(Math.abs(out[i]! - hidden[i]! * weights[t]! * common) < 1e-5, `token ${t}, channel ${j}`);
      }
    }
  });

  it('returns an unchanged copy when every weight is 1', () => {
    const hidden = new Float32Array([0.1, -0.2, 0.3, 0.4]);
    const out = applyTokenWeights(hidden, 2, [1, 1]);
    assert.notEqual(out, hidden);
    assert.deepEqual(out, hidden);
    out[0] = 9;
    assert.equal(hidden[0], Math.fround(0.1));
  });

  it('does not rescale when the weighted mean is 0', () => {
    const out = applyTokenWeights(new Float32Array([1, 1]), 1, [1, -1]);
    assert.deepEqual(Array.from(out), [1, -1]);
  });

  it('throws when the array does not match weights × width (a caller bug)', () => {
    assert.throws(() => applyTokenWeights(new Float32Array(10), 4, [1, 1]), /10 values/);
  });
});
