// The base of the samplers that step in k-diffusion's sigma form, x = x̂₀ + σ·ε (Euler, Euler a,
// LMS; Heun, DPM2, DPM2 a, DPM++ SDE and DPM++ 2S a are of this family too): the schedule of
// sigmas, one per UNet call plus a final one; the model input scaled by 1/√(σ²+1); and x̂₀ at each
// call, from which each sampler takes its own step.

import type { NoiseSource } from '../noise';
import { type ConfigArgs, type PredictionType, PREDICTION_TYPES, readBetaOptions, readPredictionType, readSpacing } from './config';
import { f32 } from './numerics';
import { originalFromSigmaForm } from './prediction';
import { SamplerBase } from './scheduler';
import { readSigmaSpacing, type SigmaSpacing } from './scheduleTypes';
import { sigmaSchedule, type SigmaSchedule, type SigmaScheduleOptions } from './sigmas';
import { alphasCumprod } from './training';

export interface SigmaSamplerSetup {
  schedule: SigmaSchedule;
  predictionType: PredictionType;
}

/** One call of a sigma sampler, as its step sees it. */
export interface SigmaStep {
  index: number;
  sample: Float32Array;
  /** x̂₀ at this call (a buffer the base reuses: read it before the next call). */
  denoised: Float32Array;
  /** σ at this call, and at the next (the final one after the last call). */
  sigma: number;
  sigmaNext: number;
  noise: NoiseSource;
}

/**
 * The setup most sigma samplers read from their class's arguments: the training schedule,
 * spacing and prediction type, and the sigmas made from them with `options`. `finiteLastSigma`:
 * whether the class keeps the last sigma finite under zero-SNR betas (see `alphasCumprod`).
 */
export function readSigmaSetup(
  args: ConfigArgs,
  steps: number,
  finiteLastSigma: boolean,
  options: SigmaScheduleOptions,
  predictionTypes: readonly PredictionType[] = PREDICTION_TYPES,
): SigmaSamplerSetup {
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, predictionTypes);
  const schedule = sigmaSchedule(
    alphasCumprod(betas, finiteLastSigma),
    { spacing, steps, numTrainTimesteps: betas.numTrainTimesteps, stepsOffset },
    options,
  );
  return { schedule, predictionType };
}

/**
 * The config's `sigma_min` / `sigma_max` as bounds of the Karras or exponential sigmas, where the
 * class reads them (`hasattr(self.config, ...)`). LMS and DPM++ SDE build their Karras ramp from
 * the interpolated schedule's ends alone: `karrasReadsConfig` false.
 */
export function configBounds(args: ConfigArgs, spacing: SigmaSpacing, karrasReadsConfig = true): { sigmaMin?: number; sigmaMax?: number } {
  if (spacing === 'interpolated' || (spacing === 'karras' && !karrasReadsConfig)) return {};
  const bounds: { sigmaMin?: number; sigmaMax?: number } = {};
  const min = args.configNumber('sigma_min');
  const max = args.configNumber('sigma_max');
  if (min !== undefined) bounds.sigmaMin = min;
  if (max !== undefined) bounds.sigmaMax = max;
  return bounds;
}

/** The spacing the class's arguments ask for, with the bounds it reads for it. */
export function spacingWithBounds(args: ConfigArgs, karrasReadsConfig = true): { spacing: SigmaSpacing; sigmaMin?: number; sigmaMax?: number } {
  const spacing = readSigmaSpacing(args);
  return { spacing, ...configBounds(args, spacing, karrasReadsConfig) };
}

/** The model input x/√(σ² + 1) of the sigma samplers. */
export function scaleBySigma(sample: Float32Array, sigma: number): Float32Array {
  const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i]! / scale;
  return out;
}

/** d = (x − x̂₀)/σ at element `i` (k-diffusion's `to_d`), in float32. */
export function derivativeAt(sample: Float32Array, denoised: Float32Array, sigma: number, i: number): number {
  return f32(f32(sample[i]! - denoised[i]!) / sigma);
}

/** Euler's step from σ to σ_to along d: x + (σ_to − σ)·d, a new array. */
export function eulerStep(sample: Float32Array, denoised: Float32Array, sigma: number, sigmaTo: number): Float32Array {
  const dt = f32(sigmaTo - sigma);
  const out = new Float32Array(sample.length);
  for (let i = 0; i < out.length; i++) out[i] = sample[i]! + f32(derivativeAt(sample, denoised, sigma, i) * dt);
  return out;
}

/**
 * An ancestral step's split of σ_to (k-diffusion's `get_ancestral_step`, η = 1): a deterministic
 * step down to σ_down, then fresh noise of size σ_up, with σ_up² + σ_down² = σ_to².
 */
export function ancestralSigmas(sigma: number, sigmaTo: number): { up: number; down: number } {
  const from2 = f32(sigma * sigma);
  const to2 = f32(sigmaTo * sigmaTo);
  const up = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
  return { up, down: f32(Math.sqrt(f32(to2 - f32(up * up)))) };
}

export abstract class SigmaSampler extends SamplerBase {
  readonly sigmas: readonly number[];
  protected readonly predictionType: PredictionType;
  private denoised: Float32Array | undefined;

  constructor(setup: SigmaSamplerSetup) {
    super(setup.schedule.timesteps, setup.schedule.initNoiseSigma);
    this.sigmas = setup.schedule.sigmas;
    this.predictionType = setup.predictionType;
  }

  override scaleModelInput(sample: Float32Array, index: number): Float32Array {
    return scaleBySigma(sample, this.sigmas[index]!);
  }

  /** x₀ + ε·σ at call `index`, in float32 (diffusers' add_noise of the sigma schedulers). */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const sigma = this.noiseLevel(index);
    return original.map((x, i) => x + f32(noise[i]! * sigma));
  }

  /** The sigma `addNoise` noises to at call `index`: the call's own, unless the sampler says otherwise. */
  protected noiseLevel(index: number): number {
    return this.sigmas[index]!;
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    const sigma = this.sigmas[index]!;
    if (this.denoised?.length !== sample.length) this.denoised = new Float32Array(sample.length);
    const denoised = originalFromSigmaForm(this.predictionType, modelOutput, sample, sigma, this.denoised);
    return this.stepFrom({ index, sample, denoised, sigma, sigmaNext: this.sigmas[index + 1]!, noise });
  }

  /** The sampler's step from x̂₀ at call `index`. */
  protected abstract stepFrom(step: SigmaStep): Float32Array;
}
