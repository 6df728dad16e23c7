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

/** First and last values and sums of a long tensor, as the reference scripts record them. */
export interface Summary {
  head: number[];
  tail: number[];
  sum: number;
  sumOfSquares: number;
}

export function assertSummary(values: Float32Array, expected: Summary, what: string): void {
  assertSameFloat32(values.subarray(0, expected.head.length), expected.head, `${what}: head`);
  assertSameFloat32(values.subarray(values.length - expected.tail.length), expected.tail, `${what}: tail`);
  // Summed in the same order as the reference scripts, so equal values give equal sums.
  assert.deepEqual(sums(values), { sum: expected.sum, sumOfSquares: expected.sumOfSquares }, `${what}: sums`);
}

/** Runs each recorded call pattern on a fresh generator from `make` and compares every call bit for bit. */
export function assertCallPatterns(patterns: Record<string, unknown>, make: () => { randn(count: number): Float32Array }, what: string): void {
  for (const [name, value] of Object.entries(patterns)) {
    if (name === 'big') continue;
    const { sizes, calls } = value as CallPattern;
    const generator = make();
    sizes.forEach((size, call) => assertSameFloat32(generator.randn(size), calls[call]!, `${what}, ${name}, call ${call}`));
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
