// numpy's legacy `RandomState`, reproduced draw for draw: the generator diffusers' ONNX pipelines
// use for the initial latents (`np.random.RandomState(seed).randn(...)`). numpy keeps this
// stream frozen across versions (NEP 19), so a seed means the same noise in numpy 1.x and 2.x.

import type { NoiseSource } from './index';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** MT19937 seeded the way numpy seeds it for a Python int (`mt19937_seed`, i.e. `init_genrand`). */
export class NumpyRandomState implements NoiseSource {
  private readonly mt = new Uint32Array(N);
  private index = N;
  /** The second value of the last polar pair, handed out by the next draw (numpy's `has_gauss`). */
  private cachedGauss: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`numpy seeds are integers 0..4294967295, got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** The next 32-bit output of the generator. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random_sample()`: a double in [0, 1) with 53 random bits, from two draws. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** One standard normal double by numpy's legacy polar method (`legacy_gauss`). */
  gauss(): number {
    const cached = this.cachedGauss;
    if (cached !== undefined) {
      this.cachedGauss = undefined;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.cachedGauss = f * x1;
    return f * x2;
  }

  /** `randn(count)` cast to float32, as `RandomState.randn(...).astype(np.float32)`. */
  randn(count: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.gauss();
    return out;
  }

  private twist(): void {
    const mt = this.mt;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i]! & UPPER_MASK) | (mt[i + 1]! & LOWER_MASK);
      mt[i] = mt[i + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }
}
