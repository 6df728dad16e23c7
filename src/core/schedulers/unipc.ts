// UniPCMultistepScheduler (Zhao et al. 2023, "UniPC"), data prediction, B(h) = h (bh1) or e^h − 1
// (bh2): each step predicts with UniP of the order its history allows, and from the second call
// on first corrects the previous prediction with UniC, using the new model output (no extra
// call). The corrector's order is the predictor's of the step before.

import type { NoiseSource } from '../noise';
import { initArgs } from './config';
import { MultistepSampler, readSolverOrder, readVpSetup, type MultistepOptions } from './multistep';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';

export interface UniPcOptions extends MultistepOptions {
  bh2: boolean;
  lowerOrderFinal: boolean;
  /** Steps after which the corrector is skipped. */
  disableCorrector: readonly number[];
}

/** Solves a·x = b for a small square system by Gaussian elimination with partial pivoting. */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row.slice(0, n), b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const factor = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c] = m[r]![c]! - factor * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let c = r + 1; c < n; c++) sum -= m[r]![c]! * x[c]!;
    x[r] = sum / m[r]![r]!;
  }
  return x.map(f32);
}

/** What UniP and UniC share for a step between two calls. */
interface UniTerms {
  h: number;
  sampleScale: number;
  /** α_t·hφ₁: multiplies m₀, subtracted. */
  m0Scale: number;
  /** α_t·B(h): multiplies the correction, subtracted. */
  correctionScale: number;
  /** D1_k = (m_k − m₀)/r_k for the older outputs. */
  differences: Float32Array[];
  rks: number[];
  b: number[];
}

export class UniPcScheduler extends MultistepSampler<UniPcOptions> {
  private lastSample: Float32Array | undefined;
  private lastOrder = 1;

  protected multistep(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    const { options } = this;
    const converted = this.dataPrediction(modelOutput, sample, index, new Float32Array(sample.length));
    let x = sample;
    if (index > 0 && this.lastSample && !options.disableCorrector.includes(index - 1)) {
      x = this.correct(converted, this.lastSample, index, this.lastOrder);
    }
    this.history.push(converted);
    const order = options.lowerOrderFinal ? Math.min(this.warmOrder, this.timesteps.length - index) : this.warmOrder;
    this.lastOrder = order;
    this.lastSample = x;
    return this.predict(x, index, order);
  }

  /**
   * The terms of a step from call `from` to call `to`: m₀ is the newest output in the history, the
   * older ones are at calls from − 1, from − 2, … (`olderAt(k)`).
   */
  private terms(from: number, to: number, order: number, olderAt: (k: number) => number): UniTerms {
    const t = this.scalesAt(to);
    const s0 = this.scalesAt(from);
    const h = f32(t.lambda - s0.lambda);
    const m0 = this.history.get(0);
    const rks: number[] = [];
    const differences: Float32Array[] = [];
    for (let k = 1; k < order; k++) {
      const rk = f32(f32(this.scalesAt(olderAt(k)).lambda - s0.lambda) / h);
      const mk = this.history.get(k);
      rks.push(rk);
      differences.push(mk.map((v, i) => f32(v - m0[i]!) / rk));
    }
    rks.push(1);
    const hh = -h;
    const hPhi1 = f32(Math.expm1(hh));
    const bh = this.options.bh2 ? hPhi1 : hh;
    let hPhiK = f32(f32(hPhi1 / hh) - 1);
    let factorial = 1;
    const b: number[] = [];
    for (let k = 1; k <= order; k++) {
      b.push(f32(f32(hPhiK * factorial) / bh));
      factorial *= k + 1;
      hPhiK = f32(f32(hPhiK / hh) - f32(1 / factorial));
    }
    return {
      h,
      sampleScale: f32(t.sigmaT / s0.sigmaT),
      m0Scale: f32(t.alpha * hPhi1),
      correctionScale: f32(t.alpha * bh),
      differences,
      rks,
      b,
    };
  }

  /** R[j][k] = r_k^j, the first `size` rows and columns. */
  private static powers(rks: readonly number[], size: number): number[][] {
    return Array.from({ length: size }, (_, j) => rks.slice(0, size).map((r) => (j === 0 ? 1 : f32(r ** j))));
  }

  /** σ_t/σ_s·x − α_t·hφ₁·m₀, the first-order part both updates start from. */
  private base(x: Float32Array, terms: UniTerms): Float32Array {
    const m0 = this.history.get(0);
    return x.map((v, i) => f32(terms.sampleScale * v) - f32(terms.m0Scale * m0[i]!));
  }

  /** UniP-p: the prediction for call index + 1. */
  private predict(x: Float32Array, index: number, order: number): Float32Array {
    const terms = this.terms(index, index + 1, order, (k) => index - k);
    const out = this.base(x, terms);
    if (terms.differences.length === 0) return out;
    const rhos = order === 2 ? [0.5] : solve(UniPcScheduler.powers(terms.rks, order - 1), terms.b.slice(0, order - 1));
    const residual = weightedSum(rhos, terms.differences);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - f32(terms.correctionScale * residual[i]!);
    return out;
  }

  /** UniC-p: the sample at call `index` corrected with its own model output. */
  private correct(modelT: Float32Array, last: Float32Array, index: number, order: number): Float32Array {
    const terms = this.terms(index - 1, index, order, (k) => index - (k + 1));
    const out = this.base(last, terms);
    const rhos = order === 1 ? [0.5] : solve(UniPcScheduler.powers(terms.rks, order), terms.b);
    const m0 = this.history.get(0);
    const residual = terms.differences.length > 0 ? weightedSum(rhos.slice(0, -1), terms.differences) : undefined;
    const rhoT = rhos[rhos.length - 1]!;
    for (let i = 0; i < out.length; i++) {
      const own = f32(rhoT * f32(modelT[i]! - m0[i]!));
      out[i] = out[i]! - f32(terms.correctionScale * (residual ? f32(residual[i]! + own) : own));
    }
    return out;
  }
}

/** Σ_k w_k·d_k in float32 (einsum over k). */
function weightedSum(weights: readonly number[], terms: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(terms[0]!.length);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let k = 0; k < terms.length; k++) sum = f32(sum + f32(weights[k]! * terms[k]![i]!));
    out[i] = sum;
  }
  return out;
}

export function createUniPc(config: SchedulerConfig, steps: number, schedule: ScheduleType): UniPcScheduler {
  const args = initArgs('UniPCMultistepScheduler', config, scheduleOverrides(schedule));
  args.unsupportedUnless('predict_x0', true);
  args.unsupportedUnless('solver_p', null);
  const { schedule: calls, predictionType } = readVpSetup(args, steps, {
    finalSigma: args.choice('final_sigmas_type', ['zero', 'sigma_min']),
    finalFromRamp: true,
  });
  return new UniPcScheduler(calls.timesteps, calls.sigmas, {
    predictionType,
    solverOrder: readSolverOrder(args),
    // diffusers turns the solver types of other multistep classes into bh2.
    bh2: args.choice('solver_type', ['bh1', 'bh2', 'midpoint', 'heun', 'logrho']) !== 'bh1',
    lowerOrderFinal: args.flag('lower_order_final'),
    disableCorrector: args.optionalNumbers('disable_corrector') ?? [],
  });
}
