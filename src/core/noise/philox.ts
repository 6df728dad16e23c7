// A1111's "NV" noise source (modules/rng_philox.py): Philox 4x32-10 with a Box-Muller step,
// emulating `torch.randn(..., device='cuda')` so that images made on NVIDIA GPUs can be made
// again anywhere. Each `randn` call is one counter offset: value i of call k comes from the
// counter (k, 0, i, 0) under the key (seed low word, seed high word); only the first two words
// of each Philox output are used, for one normal value.

import type { NoiseSource } from './index';

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const ROUNDS = 10;

// A1111 writes 2⁻³² as the float32 nearest 2.3283064e-10 and 2π·2⁻³² as the float32 nearest the
// double product with 6.2831855; numpy then computes in float64.
const TWO_POW32_INV = Math.fround(2.3283064e-10);
const TWO_POW32_INV_2PI = Math.fround(2.3283064e-10 * 6.2831855);

/** The high 32 bits of the 64-bit product of two 32-bit words. */
function mulHigh(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const lowHigh = aLow * bHigh;
  const highLow = aHigh * bLow;
  const middle = (lowLow >>> 16) + (lowHigh & 0xffff) + (highLow & 0xffff);
  return (aHigh * bHigh + (lowHigh >>> 16) + (highLow >>> 16) + Math.floor(middle / 65536)) >>> 0;
}

export class PhiloxGenerator implements NoiseSource {
  private readonly keyLow: number;
  private readonly keyHigh: number;
  private offset = 0;

  /** `rng_philox.Generator(seed)`: the seed is a 64-bit key. */
  constructor(seed: number | bigint) {
    const key = BigInt.asUintN(64, BigInt(seed));
    this.keyLow = Number(key & 0xffffffffn);
    this.keyHigh = Number(key >> 32n);
  }

  /** One `Generator.randn(shape)` call: `count` values, as float32. */
  randn(count: number): Float32Array {
    const out = new Float32Array(count);
    const offset = this.offset;
    this.offset = (this.offset + 1) >>> 0;
    for (let i = 0; i < count; i++) {
      const [x, y] = philox4x32(offset, i >>> 0, this.keyLow, this.keyHigh);
      out[i] = boxMuller(x, y);
    }
    return out;
  }
}

/** Philox 4x32 with 10 rounds on the counter (c0, 0, c2, 0); returns its first two output words. */
function philox4x32(c0: number, c2: number, k0: number, k1: number): [number, number] {
  let x0 = c0;
  let x1 = 0;
  let x2 = c2;
  let x3 = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const high0 = mulHigh(x0, PHILOX_M0);
    const low0 = Math.imul(x0, PHILOX_M0) >>> 0;
    const high2 = mulHigh(x2, PHILOX_M1);
    const low2 = Math.imul(x2, PHILOX_M1) >>> 0;
    x0 = (high2 ^ x1 ^ k0) >>> 0;
    x1 = low2;
    x2 = (high0 ^ x3 ^ k1) >>> 0;
    x3 = low0;
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return [x0, x1];
}

/** The first output of Box-Muller on two words, in float64 as numpy computes it, then float32. */
function boxMuller(x: number, y: number): number {
  const u = x * TWO_POW32_INV + TWO_POW32_INV / 2;
  const v = y * TWO_POW32_INV_2PI + TWO_POW32_INV_2PI / 2;
  return Math.sqrt(-2 * Math.log(u)) * Math.sin(v);
}
