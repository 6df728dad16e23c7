// The few numpy and torch operations the schedulers are built from, reproduced to the bit where
// it is cheap: diffusers keeps its tables in float32 tensors, so we round where torch rounds
// (`f32` after each float32 operation) and compute where numpy computes in float64.

/** Rounds a double to the nearest float32, as every float32 tensor operation does. */
export const f32 = Math.fround;

const scratchF32 = new Float32Array(1);
const scratchBits = new Int32Array(scratchF32.buffer);

/** The float32 next to `x` (a float32) in the direction of `toward`. */
function nextFloat32(x: number, up: boolean): number {
  if (x === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  scratchF32[0] = x;
  scratchBits[0] = scratchBits[0]! + ((x > 0) === up ? 1 : -1);
  return scratchF32[0]!;
}

/**
 * `fmaf(a, b, c)`: a·b + c rounded once to float32 (a, b, c float32). GCC contracts
 * `start + step * i` into this in torch's vectorised linspace kernel. a·b is exact in a double;
 * the sum is corrected for the rare case where rounding it to double lands on a float32 tie.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  if (r === s) return r;
  const bp = s - c;
  const err = p - bp + (c - (s - bp));
  if (err === 0) return r;
  const other = nextFloat32(r, s > r);
  if ((r + other) / 2 !== s) return r;
  return err > 0 === other > r ? other : r;
}

/**
 * `torch.linspace(start, end, steps, dtype=torch.float32)` on the CPU, element for element as
 * torch's AVX2 kernel writes it: the first half counts up from `start`, the second down from
 * `end`; 16 values at a time in two 8-lane vectors whose first lane is `fmaf(step, i, base)` and
 * whose other lanes add `k·step`; the last `steps mod 16` values one by one. (Checked bit for
 * bit against torch 1.13; another vector width moves single values by one float32 ulp.)
 */
export function torchLinspaceF32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const head = (i: number): number => (i < halfway ? fmaF32(step, i, s) : fmaF32(-step, steps - i - 1, e));
  const lanes = 8;
  let i = 0;
  for (; i + 2 * lanes <= steps; i += 2 * lanes) {
    for (let v = i; v < i + 2 * lanes; v += lanes) {
      const base = head(v);
      for (let k = 0; k < lanes; k++) out[v + k] = f32(base + f32(k * step));
    }
  }
  for (; i < steps; i++) out[i] = head(i);
  return out;
}

/** `np.round` / `np.rint`: to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `np.linspace(start, stop, num)` in float64: `i·step + start`, the last value exactly `stop`. */
export function npLinspace(start: number, stop: number, num: number): number[] {
  const out: number[] = new Array<number>(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * `np.arange(start, stop, step)` for a float step: `ceil((stop − start) / step)` values, the
 * second `start + step` and the rest `start + i·delta` with `delta = (start + step) − start`,
 * as numpy's fill loop computes them.
 */
export function npArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const out: number[] = new Array<number>(length);
  if (length === 0) return out;
  out[0] = start;
  if (length === 1) return out;
  const next = start + step;
  out[1] = next;
  const delta = next - start;
  for (let i = 2; i < length; i++) out[i] = start + i * delta;
  return out;
}

/**
 * `np.interp(x, arange(len(fp)), fp)`: linear interpolation on integer abscissae, with numpy's
 * order of operations (`slope·(x − xj) + fj`) and its clamping outside the range.
 */
export function npInterpIndex(x: number, fp: ArrayLike<number>): number {
  const last = fp.length - 1;
  if (x <= 0) return fp[0]!;
  if (x >= last) return fp[last]!;
  const j = Math.floor(x);
  if (j === x) return fp[j]!;
  const slope = fp[j + 1]! - fp[j]!;
  return slope * (x - j) + fp[j]!;
}

/**
 * diffusers' `_sigma_to_t`: the fractional training timestep whose log-sigma is `log(sigma)`,
 * by linear interpolation in the float32 table `logSigmas` (ascending with t). Computed in
 * float64 throughout, as numpy 2 does; numpy 1.x rounds `log(sigma)` to float32 first, which
 * moves the result by up to a few 1e-5 of a timestep.
 */
export function sigmaToT(sigma: number, logSigmas: Float32Array): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  let low = 0;
  for (let i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i]! >= 0) low = i;
  low = Math.min(low, logSigmas.length - 2);
  const lowValue = logSigmas[low]!;
  const highValue = logSigmas[low + 1]!;
  let w = (lowValue - logSigma) / f32(lowValue - highValue);
  w = Math.min(Math.max(w, 0), 1);
  return (1 - w) * low + w * (low + 1);
}

/**
 * Karras et al.'s noise levels (ρ = 7) from `sigmaMax` down to `sigmaMin`, in float64, as
 * diffusers' `_convert_to_karras`.
 */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  const rho = 7.0;
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  return npLinspace(0, 1, steps).map((ramp) => (maxInvRho + ramp * (minInvRho - maxInvRho)) ** rho);
}

/**
 * Exponentially spaced noise levels from `sigmaMax` down to `sigmaMin`, in float64, as diffusers'
 * `_convert_to_exponential`: exp of numpy's linspace between the logs.
 */
export function exponentialSigmas(sigmaMin: number, sigmaMax: number, steps: number): number[] {
  return npLinspace(Math.log(sigmaMax), Math.log(sigmaMin), steps).map(Math.exp);
}
