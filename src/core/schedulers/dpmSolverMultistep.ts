// DPMSolverMultistepScheduler as DPM++ 2M (Lu et al. 2022, "DPM-Solver++", multistep, order 2,
// data prediction): each step extrapolates x̂₀ from the last two predictions in λ = log(α/σ).
// The first step is first order (nothing to extrapolate from), and so is the last when
// `lower_order_final` applies (always with final sigma 0, where the step lands on x̂₀).

import type { NoiseSource } from '../noise';
import { initArgs, readBetaOptions, PREDICTION_TYPES, readPredictionType, readSpacing, type PredictionType } from './config';
import { History } from './history';
import { f32, karrasSigmas, roundHalfEven, sigmaToT } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { dpmSolverTimesteps } from './spacing';
import { alphasCumprod, logSigmaTable, sigmaTable } from './training';
import { VpSampler } from './vpSampler';

export interface DpmSolverOptions {
  predictionType: PredictionType;
  solverType: 'midpoint' | 'heun';
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  finalSigmaZero: boolean;
}

export class DpmSolverMultistepScheduler extends VpSampler {
  private readonly predictions = new History(2);
  private lowerOrderSteps = 0;

  constructor(
    timesteps: readonly number[],
    sigmas: readonly number[],
    private readonly options: DpmSolverOptions,
  ) {
    super(timesteps, sigmas, options.predictionType);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    const { options } = this;
    const last = index === this.timesteps.length - 1;
    const lowerOrderFinal =
      last && (options.eulerAtFinal || (options.lowerOrderFinal && this.timesteps.length < 15) || options.finalSigmaZero);
    this.dataPrediction(modelOutput, sample, index, this.predictions.claim(sample.length));
    const out =
      this.lowerOrderSteps < 1 || lowerOrderFinal
        ? this.firstOrder(index, sample)
        : this.secondOrder(index, sample);
    if (this.lowerOrderSteps < 2) this.lowerOrderSteps++;
    return out;
  }

  /** DPM-Solver++(1), i.e. DDIM: x_t = (σ_t/σ_s)·x − α_t(e^(−h) − 1)·x̂₀. */
  private firstOrder(index: number, sample: Float32Array): Float32Array {
    const t = this.scalesAt(index + 1);
    const s = this.scalesAt(index);
    const h = f32(t.lambda - s.lambda);
    const sampleScale = f32(t.sigmaT / s.sigmaT);
    const x0Scale = f32(t.alpha * f32(f32(Math.exp(-h)) - 1));
    const x0 = this.predictions.get(0);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f32(sampleScale * sample[i]!) - f32(x0Scale * x0[i]!);
    return out;
  }

  /** DPM-Solver++(2M) with the last two x̂₀. */
  private secondOrder(index: number, sample: Float32Array): Float32Array {
    const t = this.scalesAt(index + 1);
    const s0 = this.scalesAt(index);
    const s1 = this.scalesAt(index - 1);
    const h = f32(t.lambda - s0.lambda);
    const h0 = f32(s0.lambda - s1.lambda);
    const r0 = f32(h0 / h);
    const invR0 = f32(1 / r0);
    const expMinusOne = f32(f32(Math.exp(-h)) - 1);
    const sampleScale = f32(t.sigmaT / s0.sigmaT);
    const d0Scale = f32(t.alpha * expMinusOne);
    const heun = this.options.solverType === 'heun';
    const d1Scale = heun ? f32(t.alpha * f32(f32(expMinusOne / h) + 1)) : f32(0.5 * d0Scale);
    const m0 = this.predictions.get(0);
    const m1 = this.predictions.get(1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const d1 = f32(invR0 * f32(m0[i]! - m1[i]!));
      const first = f32(f32(sampleScale * sample[i]!) - f32(d0Scale * m0[i]!));
      out[i] = heun ? first + f32(d1Scale * d1) : first - f32(d1Scale * d1);
    }
    return out;
  }
}

/** Timesteps and sigmas of `DPMSolverMultistepScheduler.set_timesteps(steps)`. */
function dpmSchedule(
  config: SchedulerConfig,
  steps: number,
  karras: boolean,
): { timesteps: number[]; sigmas: number[]; options: DpmSolverOptions } {
  const args = initArgs('DPMSolverMultistepScheduler', config, {
    algorithm_type: 'dpmsolver++',
    solver_order: 2,
    use_karras_sigmas: karras,
  });
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, PREDICTION_TYPES);
  args.unsupportedUnless('thresholding', false);
  args.unsupportedUnless('variance_type', null);
  args.unsupportedUnless('use_exponential_sigmas', false);
  args.unsupportedUnless('use_beta_sigmas', false);
  args.unsupportedUnless('use_lu_lambdas', false);
  args.unsupportedUnless('use_flow_sigmas', false);
  const finalSigma = args.choice('final_sigmas_type', ['zero', 'sigma_min']);
  const T = betas.numTrainTimesteps;

  const bar = alphasCumprod(betas, true);
  // λ_t in float32, then how many of the noisiest steps `lambda_min_clipped` removes.
  const lambdaMin = args.number('lambda_min_clipped');
  let clipped = 0;
  for (let t = T - 1; t >= 0; t--) {
    const a = bar[t]!;
    const lambda = f32(f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a))))));
    if (lambda < lambdaMin) clipped++;
  }
  let timesteps = dpmSolverTimesteps({ spacing, steps, numTrainTimesteps: T, stepsOffset }, T - clipped);

  const table = sigmaTable(bar);
  let sigmas: number[];
  if (karras) {
    sigmas = karrasSigmas(args.hiddenNumber('sigma_min') ?? table[0]!, args.hiddenNumber('sigma_max') ?? table[T - 1]!, steps);
    const logSigmas = logSigmaTable(table);
    const cosine = betas.betaSchedule === 'squaredcos_cap_v2';
    timesteps = sigmas.map((sigma) => Math.trunc(cosine ? sigmaToT(sigma, logSigmas) : roundHalfEven(sigmaToT(sigma, logSigmas))));
  } else {
    sigmas = timesteps.map((t) => table[Math.min(Math.max(t, 0), T - 1)]!);
  }
  sigmas.push(finalSigma === 'zero' ? 0 : table[0]!);
  return {
    timesteps,
    sigmas: sigmas.map(f32),
    options: {
      predictionType,
      // diffusers turns the solver types of other multistep classes into midpoint.
      solverType: args.choice('solver_type', ['midpoint', 'heun', 'logrho', 'bh1', 'bh2']) === 'heun' ? 'heun' : 'midpoint',
      lowerOrderFinal: args.flag('lower_order_final'),
      eulerAtFinal: args.flag('euler_at_final'),
      finalSigmaZero: finalSigma === 'zero',
    },
  };
}

export function createDpmSolverMultistep(config: SchedulerConfig, steps: number, karras: boolean): DpmSolverMultistepScheduler {
  const { timesteps, sigmas, options } = dpmSchedule(config, steps, karras);
  return new DpmSolverMultistepScheduler(timesteps, sigmas, options);
}
