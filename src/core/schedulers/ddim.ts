// DDIMScheduler with η = 0 (Song et al. 2020, eq. 12): predict x₀, then move it to the previous
// timestep along the predicted noise. Works on ᾱ directly: no sigmas, no input scaling.

import type { NoiseSource } from '../noise';
import { AlphaSampler, checkTimestepsInRange, readAlphaSchedule, type AlphaSchedule } from './alphaSampler';
import { initArgs } from './config';
import { f32 } from './numerics';
import { noiseFromVelocity, originalFromScaledForm } from './prediction';
import type { SchedulerConfig } from './scheduler';

export class DdimScheduler extends AlphaSampler {
  private predicted: Float32Array | undefined;

  constructor(schedule: AlphaSchedule) {
    super(schedule.timesteps, schedule);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    const t = this.timesteps[index]!;
    const alphaProd = this.alphaAt(t);
    const alphaProdPrev = this.alphaAt(t - this.stride);
    const sqrtAlpha = f32(Math.sqrt(alphaProd));
    const sqrtBeta = f32(Math.sqrt(f32(1 - alphaProd)));
    const sqrtAlphaPrev = f32(Math.sqrt(alphaProdPrev));
    // With η = 0 the variance term is 0: the direction keeps all of 1 − ᾱ_prev.
    const direction = f32(Math.sqrt(f32(1 - alphaProdPrev)));
    const clip = this.clipRange === undefined ? undefined : f32(this.clipRange);
    if (this.predicted?.length !== sample.length) this.predicted = new Float32Array(sample.length);
    const x0 = originalFromScaledForm(this.predictionType, modelOutput, sample, sqrtAlpha, sqrtBeta, this.predicted);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const s = sample[i]!;
      const m = modelOutput[i]!;
      // ε from the unclipped x̂₀, as diffusers computes it before clipping.
      const eps =
        this.predictionType === 'epsilon'
          ? m
          : this.predictionType === 'v_prediction'
            ? noiseFromVelocity(m, s, sqrtAlpha, sqrtBeta)
            : f32(f32(s - f32(sqrtAlpha * x0[i]!)) / sqrtBeta);
      const x = clip === undefined ? x0[i]! : Math.min(Math.max(x0[i]!, -clip), clip);
      out[i] = f32(sqrtAlphaPrev * x) + f32(direction * eps);
    }
    return out;
  }
}

export function createDdim(config: SchedulerConfig, steps: number): DdimScheduler {
  const args = initArgs('DDIMScheduler', config);
  const schedule = readAlphaSchedule(args, steps);
  args.unsupportedUnless('thresholding', false);
  checkTimestepsInRange(schedule.timesteps, schedule.numTrainTimesteps, `DDIM, ${steps} steps`);
  return new DdimScheduler(schedule);
}
