// numpy's legacy `RandomState`, reproduced draw for draw: the generator diffusers' ONNX pipelines
// use for the initial latents (`np.random.RandomState(seed).randn(...)`). numpy keeps this
// stream frozen across versions (NEP 19), so a seed means the same noise in numpy 1.x and 2.x.

import type { NoiseSource } from './index';
import { Mt19937 } from './mt19937';

/** MT19937 seeded the way numpy seeds it for a Python int (`mt19937_seed`, i.e. `init_genrand`). */
export class NumpyRandomState implements NoiseSource {
  private readonly mt: Mt19937;
  /** The second value of the last polar pair, handed out by the next draw (numpy's `has_gauss`). */
  private cachedGauss: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`numpy seeds are integers 0..4294967295, got ${seed}`);
    }
    this.mt = new Mt19937(seed);
  }

  /** `random_sample()`: a double in [0, 1) with 53 random bits, from two draws. */
  randomSample(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
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
}
