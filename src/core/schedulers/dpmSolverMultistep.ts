// DPMSolverMultistepScheduler as DPM++ 2M (Lu et al. 2022, "DPM-Solver++", multistep, order 2,
// data prediction) and DPM++ 2M SDE (`algorithm_type: sde-dpmsolver++`, its stochastic form):
// each step extrapolates x̂₀ from the last two predictions in λ = log(α/σ). The first step is first
// order (nothing to extrapolate from), and so is the last when `lower_order_final` applies (always
// with final sigma 0, where the step lands on x̂₀). The SDE form keeps e^(−h) less of the sample,
// and adds σ_t·√(1 − e^(−2h)) of fresh noise, drawn from the run's noise source once every step
// (diffusers' `randn_tensor` with the pipeline's generator).

import type { NoiseSource } from '../noise';
import { initArgs } from './config';
import { MultistepSampler, readVpSetup, type MultistepOptions } from './multistep';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';
import type { VpScales } from './vpSampler';

export interface DpmSolverOptions extends MultistepOptions {
  solverType: 'midpoint' | 'heun';
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  finalSigmaZero: boolean;
  /** `sde-dpmsolver++` rather than `dpmsolver++`. */
  sde: boolean;
}

/** The coefficients of x and x̂₀ in a step from s to t, and of the noise in the SDE form. */
interface StepScales {
  sampleScale: number;
  /** Multiplies x̂₀ (D0), added. */
  x0Scale: number;
  noiseScale: number;
  h: number;
}

export class DpmSolverMultistepScheduler extends MultistepSampler<DpmSolverOptions> {
  protected multistep(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    const { options } = this;
    const last = index === this.timesteps.length - 1;
    const lowerOrderFinal =
      last && (options.eulerAtFinal || (options.lowerOrderFinal && this.timesteps.length < 15) || options.finalSigmaZero);
    this.dataPrediction(modelOutput, sample, index, this.history.claim(sample.length));
    const fresh = options.sde ? noise.randn(sample.length) : undefined;
    return this.warmOrder === 1 || lowerOrderFinal ? this.firstOrder(index, sample, fresh) : this.secondOrder(index, sample, fresh);
  }

  /** The step's scales in float32 as diffusers computes them for each algorithm. */
  private scales(t: VpScales, s: VpScales): StepScales {
    const h = f32(t.lambda - s.lambda);
    if (!this.options.sde) {
      return { h, sampleScale: f32(t.sigmaT / s.sigmaT), x0Scale: -f32(t.alpha * f32(f32(Math.exp(-h)) - 1)), noiseScale: 0 };
    }
    const decay = f32(1 - f32(Math.exp(f32(-2 * h))));
    return {
      h,
      sampleScale: f32(f32(t.sigmaT / s.sigmaT) * f32(Math.exp(-h))),
      x0Scale: f32(t.alpha * decay),
      noiseScale: f32(t.sigmaT * f32(Math.sqrt(decay))),
    };
  }

  /** DPM-Solver++(1), i.e. DDIM (with noise in the SDE form). */
  private firstOrder(index: number, sample: Float32Array, fresh: Float32Array | undefined): Float32Array {
    const { sampleScale, x0Scale, noiseScale } = this.scales(this.scalesAt(index + 1), this.scalesAt(index));
    const x0 = this.history.get(0);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const deterministic = f32(f32(sampleScale * sample[i]!) + f32(x0Scale * x0[i]!));
      out[i] = fresh ? deterministic + f32(noiseScale * fresh[i]!) : deterministic;
    }
    return out;
  }

  /** DPM-Solver++(2M) with the last two x̂₀: D0 = x̂₀, D1 = (x̂₀ − x̂₀_prev)/r0. */
  private secondOrder(index: number, sample: Float32Array, fresh: Float32Array | undefined): Float32Array {
    const t = this.scalesAt(index + 1);
    const s0 = this.scalesAt(index);
    const { h, sampleScale, x0Scale, noiseScale } = this.scales(t, s0);
    const h0 = f32(s0.lambda - this.scalesAt(index - 1).lambda);
    const invR0 = f32(1 / f32(h0 / h));
    const d1Scale = this.d1Scale(t, h, x0Scale);
    const m0 = this.history.get(0);
    const m1 = this.history.get(1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d1 = f32(invR0 * f32(m0[i]! - m1[i]!));
      const deterministic = f32(f32(f32(sampleScale * sample[i]!) + f32(x0Scale * m0[i]!)) + f32(d1Scale * d1));
      out[i] = fresh ? deterministic + f32(noiseScale * fresh[i]!) : deterministic;
    }
    return out;
  }

  /** D1's coefficient, added: half of D0's (midpoint), or the Heun one of each algorithm. */
  private d1Scale(t: VpScales, h: number, x0Scale: number): number {
    if (this.options.solverType === 'midpoint') return f32(0.5 * x0Scale);
    if (this.options.sde) return f32(t.alpha * f32(f32(f32(1 - f32(Math.exp(f32(-2 * h)))) / f32(-2 * h)) + 1));
    return f32(t.alpha * f32(f32(f32(f32(Math.exp(-h)) - 1) / h) + 1));
  }
}

/** Reads the config as `DPMSolverMultistepScheduler.from_config(config, algorithm_type=..., solver_order=2, <schedule>)`. */
function dpmSetup(config: SchedulerConfig, steps: number, schedule: ScheduleType, sde: boolean): DpmSolverMultistepScheduler {
  const args = initArgs('DPMSolverMultistepScheduler', config, {
    algorithm_type: sde ? 'sde-dpmsolver++' : 'dpmsolver++',
    solver_order: 2,
    ...scheduleOverrides(schedule),
  });
  args.unsupportedUnless('variance_type', null);
  args.unsupportedUnless('use_lu_lambdas', false);
  const finalSigma = args.choice('final_sigmas_type', ['zero', 'sigma_min']);
  const { schedule: calls, predictionType } = readVpSetup(args, steps, {
    lambdaMinClipped: args.number('lambda_min_clipped'),
    truncateCosineKarras: true,
    finalSigma,
    finalFromRamp: false,
  });
  return new DpmSolverMultistepScheduler(calls.timesteps, calls.sigmas, {
    predictionType,
    solverOrder: 2,
    // diffusers turns the solver types of other multistep classes into midpoint.
    solverType: args.choice('solver_type', ['midpoint', 'heun', 'logrho', 'bh1', 'bh2']) === 'heun' ? 'heun' : 'midpoint',
    lowerOrderFinal: args.flag('lower_order_final'),
    eulerAtFinal: args.flag('euler_at_final'),
    finalSigmaZero: finalSigma === 'zero',
    sde,
  });
}

export function createDpmSolverMultistep(config: SchedulerConfig, steps: number, schedule: ScheduleType): DpmSolverMultistepScheduler {
  return dpmSetup(config, steps, schedule, false);
}

export function createDpmSolverMultistepSde(config: SchedulerConfig, steps: number, schedule: ScheduleType): DpmSolverMultistepScheduler {
  return dpmSetup(config, steps, schedule, true);
}
