// The float32 logarithm, sine and cosine torch's CPU `randn` uses for tensors of 16 or more
// values on x86 (its AVX2 kernel: Cephes polynomials from avx_mathfun.h), operation for operation.
// GCC builds that kernel with -mfma and contracts each `a * b + c` it can into one fused
// multiply-add, which rounds once; which ones it fused was found by comparing with torch's output
// over 11.7 million values (tools/reference/noise_torch.py), and each is marked `fmaF32` below.
// Correctly rounded Math.log/Math.sin differ from these in about 1 value in 6 (by an ulp or two).

import { f32, fmaF32 } from '../schedulers/numerics';

const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f32);
const LOG_Q1 = f32(-2.1219444e-4);
const LOG_Q2 = f32(0.693359375);
const SQRT_HALF = f32(0.707106781186547524);
const MIN_NORMAL = 1.1754943508222875e-38;

const FOUR_OVER_PI = f32(1.27323954473516);
const MINUS_DP1 = f32(-0.78515625);
const MINUS_DP2 = f32(-2.4187564849853515625e-4);
const MINUS_DP3 = f32(-3.77489497744594108e-8);
const SIN_P = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)] as const;
const COS_P = [f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2)] as const;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** `log256_ps` for one lane; `x` is a positive float32. */
export function logAvx2(x: number): number {
  scratch[0] = Math.max(x, MIN_NORMAL);
  const exponent = scratchBits[0]! >>> 23;
  scratchBits[0] = (scratchBits[0]! & ~0x7f800000) | 0x3f000000; // the mantissa, as a value in [0.5, 1)
  let m = scratch[0]!;
  let e = exponent - 126;
  const small = m < SQRT_HALF;
  const tmp = small ? m : 0;
  m = f32(m - 1);
  if (small) e -= 1;
  m = f32(m + tmp);
  const z = f32(m * m);
  let y = LOG_P[0]!;
  for (let k = 1; k < LOG_P.length; k++) y = fmaF32(y, m, LOG_P[k]!);
  y = f32(y * m);
  y = fmaF32(y, z, f32(e * LOG_Q1));
  y = f32(y - f32(z * 0.5));
  return f32(f32(m + y) + f32(e * LOG_Q2));
}

/** `sincos256_ps` for one lane, for 0 ≤ x < 2π (all torch's Box-Muller asks of it). */
export function sinCosAvx2(x: number): { sin: number; cos: number } {
  let j = Math.trunc(f32(x * FOUR_OVER_PI));
  j = (j + 1) & ~1;
  const y = j;
  let r = fmaF32(y, MINUS_DP1, x);
  r = fmaF32(y, MINUS_DP2, r);
  r = fmaF32(y, MINUS_DP3, r);
  const z = f32(r * r);

  let c = fmaF32(COS_P[0], z, COS_P[1]);
  c = fmaF32(c, z, COS_P[2]);
  c = f32(c * z);
  c = fmaF32(c, z, -f32(z * 0.5));
  c = f32(c + 1);

  let s = fmaF32(SIN_P[0], z, SIN_P[1]);
  s = fmaF32(s, z, SIN_P[2]);
  s = f32(s * z);
  s = fmaF32(s, r, r);

  const swap = (j & 2) !== 0;
  const sin = swap ? c : s;
  const cos = swap ? s : c;
  const sinNegative = (j & 4) !== 0;
  const cosNegative = ((j - 2) & 4) === 0;
  return { sin: sinNegative ? -sin : sin, cos: cosNegative ? -cos : cos };
}
