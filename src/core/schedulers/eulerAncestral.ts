// EulerAncestralDiscreteScheduler: an Euler step down to σ_down, then fresh noise of size σ_up,
// with σ_up² + σ_down² = σ_next². The noise comes from the run's NoiseSource, continuing the
// stream that gave the initial latents: our documented choice (diffusers' ONNX pipelines draw it
// from an unseeded torch generator, so no seed reproduces their images exactly anyway).
//
// diffusers has no Karras option for this class; with `karras` the sampler steps over the
// schedule of EulerDiscreteScheduler(use_karras_sigmas=True) built from the same config.

import type { NoiseSource } from '../noise';
import { initArgs, readBetaOptions, readPredictionType, readSpacing } from './config';
import { eulerSchedule, predictOriginal, scaleBySigma, type SigmaSamplerSetup } from './euler';
import { f32 } from './numerics';
import type { Scheduler, SchedulerConfig } from './scheduler';
import { StepOrder } from './scheduler';
import { sigmaSchedule } from './sigmas';
import { alphasCumprod } from './training';

function ancestralSetup(config: SchedulerConfig, steps: number, karras: boolean): SigmaSamplerSetup {
  const args = initArgs('EulerAncestralDiscreteScheduler', config);
  const predictionType = readPredictionType(args, ['epsilon', 'v_prediction']);
  if (karras) return { schedule: eulerSchedule(config, steps, true).schedule, predictionType };
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const schedule = sigmaSchedule(
    alphasCumprod(betas, true),
    { spacing, steps, numTrainTimesteps: betas.numTrainTimesteps, stepsOffset },
    { karras: false, finalSigma: 'zero' },
  );
  return { schedule, predictionType };
}

export class EulerAncestralScheduler implements Scheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;
  private readonly predictionType: SigmaSamplerSetup['predictionType'];
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

  step(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    this.order.check(index);
    const sigma = this.sigmas[index]!;
    const sigmaTo = this.sigmas[index + 1]!;
    const from2 = f32(sigma * sigma);
    const to2 = f32(sigmaTo * sigmaTo);
    const sigmaUp = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
    const sigmaDown = f32(Math.sqrt(f32(to2 - f32(sigmaUp * sigmaUp))));
    const dt = f32(sigmaDown - sigma);
    const n = sample.length;
    this.predicted ??= new Float32Array(n);
    const predicted = predictOriginal(this.predictionType, modelOutput, sample, sigma, this.predicted);
    const fresh = noise.randn(n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const derivative = f32(f32(sample[i]! - predicted[i]!) / sigma);
      const stepped = f32(sample[i]! + f32(derivative * dt));
      out[i] = stepped + f32(fresh[i]! * sigmaUp);
    }
    return out;
  }
}

export function createEulerAncestral(config: SchedulerConfig, steps: number, karras: boolean): EulerAncestralScheduler {
  return new EulerAncestralScheduler(ancestralSetup(config, steps, karras));
}
