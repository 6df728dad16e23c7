// torch's CPU generator and its `randn`, value for value: `torch.Generator().manual_seed(seed)`
// then `torch.randn(shape, generator=g)`, what ComfyUI draws its initial noise with and what
// diffusers uses with a CPU generator (and A1111 with its RNG setting on CPU).
//
// torch fills a float32 tensor in two ways (aten/src/ATen/native/cpu/DistributionTemplates.h):
// - 16 values or more: every value gets a 24-bit uniform first, then each run of 16 is turned
//   into normals by Box-Muller in float32 (values j and j+8 of the run share a pair); when the
//   count is not a multiple of 16 the last 16 values are drawn afresh and recomputed.
// - fewer than 16: one double normal at a time from two 53-bit uniforms, the pair's second value
//   kept in the generator for the next such draw (DistributionsHelper.h `normal_distribution`).
// The two ways share the MT19937 stream, so a generator's results depend on the sizes of the
// calls made on it, as in torch.

import type { NoiseSource } from './index';
import { Mt19937 } from './mt19937';
import { logAvx2, sinCosAvx2 } from './torch-avx2-math';
import { f32 } from '../schedulers/numerics';

const TWO_PI_F32 = f32(2 * Math.PI);
const TWO_POW_24 = 16777216;
const TWO_POW_53 = 9007199254740992;

export class TorchCpuGenerator implements NoiseSource {
  private readonly engine: Mt19937;
  /** The sine half of the last double Box-Muller pair (torch's `next_double_normal_sample`). */
  private cachedNormal: number | undefined;

  /** `manual_seed(seed)`: torch's MT19937 keeps only the low 32 bits of a 64-bit seed. */
  constructor(seed: number | bigint) {
    this.engine = new Mt19937(Number(BigInt.asUintN(32, BigInt(seed))));
  }

  /** One `torch.randn(count)` call on this generator, as float32. */
  randn(count: number): Float32Array {
    const out = new Float32Array(count);
    if (count >= 16) this.fillBoxMuller16(out);
    else for (let i = 0; i < count; i++) out[i] = this.normalDouble();
    return out;
  }

  /** `uniform_real_distribution<float>`: the low 24 bits of one word over 2²⁴. */
  private uniformFloat(): number {
    return (this.engine.nextUint32() & 0xffffff) / TWO_POW_24;
  }

  /** `uniform_real_distribution<double>`: the low 53 bits of `random64()` (first word high) over 2⁵³. */
  private uniformDouble(): number {
    const high = this.engine.nextUint32() & 0x1fffff;
    const low = this.engine.nextUint32();
    return (high * 4294967296 + low) / TWO_POW_53;
  }

  private normalDouble(): number {
    const cached = this.cachedNormal;
    if (cached !== undefined) {
      this.cachedNormal = undefined;
      return cached;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  private fillBoxMuller16(data: Float32Array): void {
    const size = data.length;
    for (let i = 0; i < size; i++) data[i] = this.uniformFloat();
    for (let i = 0; i + 16 <= size; i += 16) boxMuller16(data, i);
    if (size % 16 !== 0) {
      const start = size - 16;
      for (let i = 0; i < 16; i++) data[start + i] = this.uniformFloat();
      boxMuller16(data, start);
    }
  }
}

/** `normal_fill_16_AVX2`: uniforms at j (radius) and j+8 (angle) become the normals at j and j+8. */
function boxMuller16(data: Float32Array, start: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = f32(1 - data[j]!);
    const u2 = data[j + 8]!;
    const radius = f32(Math.sqrt(f32(-2 * logAvx2(u1))));
    const { sin, cos } = sinCosAvx2(f32(TWO_PI_F32 * u2));
    data[j] = f32(radius * cos);
    data[j + 8] = f32(radius * sin);
  }
}
