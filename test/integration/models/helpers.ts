import assert from 'node:assert/strict';
import { type LoadedModel, loadModel } from '../../../src/core/models';
import { type Tensor, tensor } from '../../../src/core/tensor';

/** Loads a model on one thread (tests share two cores), failing the test on an error. */
export async function load(dir: string): Promise<LoadedModel> {
  const r = await loadModel(dir, { threads: 1 });
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Deterministic values in [-scale, scale) from a small LCG (not a model of anything). */
export function values(shape: number[], seed: number, scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return tensor(data, shape);
}

/** Token ids [batch·77]: BOS, a few ids below `vocab`, EOS padding. */
export function ids(batch: number, seed: number, bos = 521, eos = 522): Int32Array {
  const out = new Int32Array(batch * 77).fill(eos);
  for (let b = 0; b < batch; b++) {
    out[b * 77] = bos;
    for (let i = 1; i < 8; i++) out[b * 77 + i] = (seed * 31 + b * 7 + i * 13) % 520;
  }
  return out;
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

export function meanAbs(t: Tensor): number {
  let s = 0;
  for (const v of t.data) s += Math.abs(v);
  return s / t.data.length;
}

export function assertSame(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  assert.ok(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)), `${what}: values differ (max ${maxAbsDiff(a, b)})`);
}
