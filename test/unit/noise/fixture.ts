// Reading the noise fixtures written by tools/reference/noise*.py, and comparing float32 arrays
// bit for bit against them.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

export function readNoiseFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'noise', name), 'utf8')) as T;
}

/** A sequence of calls on one generator and what the reference returned for each. */
export interface CallPattern {
  sizes: number[];
  calls: number[][];
}

/** Exact float32 equality, reporting the first differing index. */
export function assertSameFloat32(actual: Float32Array, expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: value ${i} is ${actual[i]}, the reference gives ${expected[i]}`);
  }
}

/** Sum and sum of squares in index order, in float64: what the reference scripts record for long tensors. */
export function sums(values: Float32Array): { sum: number; sumOfSquares: number } {
  let sum = 0;
  let sumOfSquares = 0;
  for (const v of values) {
    sum += v;
    sumOfSquares += v * v;
  }
  return { sum, sumOfSquares };
}
