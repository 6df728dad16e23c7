// EulerDiscreteScheduler: Euler's method on the probability-flow ODE in sigma form (Karras et
// al. 2022, algorithm 2 without churn): x ← x + (σ_next − σ)·(x − x̂₀)/σ.

import type { NoiseSource } from '../noise';
import {
  initArgs,
  readBetaOptions,
  PREDICTION_TYPES,
  readPredictionType,
  readSpacing,
  type PredictionType,
} from './config';
import { f32 } from './numerics';
import type { Scheduler, SchedulerConfig } from './scheduler';
import { StepOrder } from './scheduler';
import { sigmaSchedule, type SigmaSchedule } from './sigmas';
import { alphasCumprod } from './training';

export interface SigmaSamplerSetup {
  schedule: SigmaSchedule;
  predictionType: PredictionType;
}

/** Reads the config as `EulerDiscreteScheduler.from_config(config, use_karras_sigmas=karras)` and makes its schedule. */
export function eulerSchedule(config: SchedulerConfig, steps: number, karras: boolean): SigmaSamplerSetup {
  const args = initArgs('EulerDiscreteScheduler', config, { use_karras_sigmas: karras });
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, PREDICTION_TYPES);
  args.unsupportedUnless('interpolation_type', 'linear');
  args.unsupportedUnless('use_exponential_sigmas', false);
  args.unsupportedUnless('use_beta_sigmas', false);
  if (args.choice('timestep_type', ['discrete', 'continuous']) === 'continuous' && predictionType === 'v_prediction') {
    args.unsupportedUnless('timestep_type', 'discrete');
  }
  const schedule = sigmaSchedule(
    alphasCumprod(betas, true),
    { spacing, steps, numTrainTimesteps: betas.numTrainTimesteps, stepsOffset },
    {
      karras,
      karrasSigmaMin: args.optionalNumber('sigma_min'),
      karrasSigmaMax: args.optionalNumber('sigma_max'),
      finalSigma: args.choice('final_sigmas_type', ['zero', 'sigma_min']),
    },
  );
  return { schedule, predictionType };
}

/** The model input x/√(σ² + 1) of the sigma samplers. */
export function scaleBySigma(sample: Float32Array, sigma: number): Float32Array {
  const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i]! / scale;
  return out;
}

/**
 * x̂₀, the denoised sample the model's output implies at noise level σ (written into `out`), in
 * float32 operations in diffusers' order.
 */
export function predictOriginal(
  predictionType: PredictionType,
  modelOutput: Float32Array,
  sample: Float32Array,
  sigma: number,
  out: Float32Array,
): Float32Array {
  const n = sample.length;
  if (predictionType === 'epsilon') {
    for (let i = 0; i < n; i++) out[i] = sample[i]! - f32(sigma * modelOutput[i]!);
  } else if (predictionType === 'v_prediction') {
    const variance = f32(f32(sigma * sigma) + 1);
    const outputScale = f32(-sigma / f32(Math.sqrt(variance)));
    for (let i = 0; i < n; i++) out[i] = f32(modelOutput[i]! * outputScale) + f32(sample[i]! / variance);
  } else {
    out.set(modelOutput);
  }
  return out;
}

export class EulerScheduler implements Scheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;
  private readonly predictionType: PredictionType;
  private readonly order: StepOrder;
  private predicted: Float32Array | undefined;

  constructor(setup: SigmaSamplerSetup) {
    this.timesteps = setup.schedule.timesteps;
    this.sigmas = setup.schedule.sigmas;
    this.initNoiseSigma = setup.schedule.initNoiseSigma;
    this.predictionType = setup.predictionType;
    this.order = new StepOrder(this.timesteps.length);
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[index]!);
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    this.order.check(index);
    const sigma = this.sigmas[index]!;
    const dt = f32(this.sigmas[index + 1]! - sigma);
    const n = sample.length;
    this.predicted ??= new Float32Array(n);
    const predicted = predictOriginal(this.predictionType, modelOutput, sample, sigma, this.predicted);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const derivative = f32(f32(sample[i]! - predicted[i]!) / sigma);
      out[i] = sample[i]! + f32(derivative * dt);
    }
    return out;
  }
}

export function createEuler(config: SchedulerConfig, steps: number, karras: boolean): EulerScheduler {
  return new EulerScheduler(eulerSchedule(config, steps, karras));
}
