// DDIMScheduler with η = 0 (Song et al. 2020, eq. 12): predict x₀, then move it to the previous
// timestep along the predicted noise. Works on ᾱ directly: no sigmas, no input scaling.

import type { NoiseSource } from '../noise';
import { raise } from '../errors';
import { initArgs, readBetaOptions, PREDICTION_TYPES, readPredictionType, readSpacing, type PredictionType } from './config';
import { f32 } from './numerics';
import type { Scheduler, SchedulerConfig } from './scheduler';
import { StepOrder } from './scheduler';
import { discreteTimesteps } from './spacing';
import { alphasCumprod } from './training';

/**
 * Every timestep must index the training table. A large `steps_offset` can push one past the end,
 * and `trailing` spacing ends in −1 for some step counts (61, 103, …: numpy's float `arange`
 * yields one value too many), where diffusers would index from the end of the table and spoil
 * the last step. The sigma samplers clamp such timesteps and need no check.
 */
export function checkTimestepsInRange(timesteps: readonly number[], numTrainTimesteps: number, what: string): void {
  const bad = timesteps.find((t) => t < 0 || t >= numTrainTimesteps);
  if (bad !== undefined) {
    raise({
      code: 'invalid-request',
      message:
        `${what}: the model's scheduler config gives timestep ${bad}, outside its ${numTrainTimesteps} ` +
        `training steps; choose another number of steps${bad >= 0 ? ' (or check steps_offset)' : ''}`,
    });
  }
}

export class DdimScheduler implements Scheduler {
  readonly initNoiseSigma = 1;
  private readonly order: StepOrder;

  constructor(
    readonly timesteps: readonly number[],
    private readonly alphasCumprod: Float32Array,
    /** ᾱ before the first training step: 1 with `set_alpha_to_one`, else ᾱ_0. */
    private readonly finalAlphaCumprod: number,
    private readonly stride: number,
    private readonly predictionType: PredictionType,
    /** `clip_sample_range` when `clip_sample` is on. */
    private readonly clipRange: number | undefined,
  ) {
    this.order = new StepOrder(timesteps.length);
  }

  scaleModelInput(sample: Float32Array, _index: number): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    this.order.check(index);
    const t = this.timesteps[index]!;
    const prevT = t - this.stride;
    const alphaProd = this.alphasCumprod[t]!;
    const alphaProdPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod;
    const betaProd = f32(1 - alphaProd);
    const sqrtAlpha = f32(Math.sqrt(alphaProd));
    const sqrtBeta = f32(Math.sqrt(betaProd));
    const sqrtAlphaPrev = f32(Math.sqrt(alphaProdPrev));
    // With η = 0 the variance term is 0: the direction keeps all of 1 − ᾱ_prev.
    const direction = f32(Math.sqrt(f32(1 - alphaProdPrev)));
    const clip = this.clipRange === undefined ? undefined : f32(this.clipRange);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const s = sample[i]!;
      const m = modelOutput[i]!;
      let x0: number;
      let eps: number;
      if (this.predictionType === 'epsilon') {
        x0 = f32(f32(s - f32(sqrtBeta * m)) / sqrtAlpha);
        eps = m;
      } else if (this.predictionType === 'v_prediction') {
        x0 = f32(f32(sqrtAlpha * s) - f32(sqrtBeta * m));
        eps = f32(f32(sqrtAlpha * m) + f32(sqrtBeta * s));
      } else {
        x0 = m;
        eps = f32(f32(s - f32(sqrtAlpha * x0)) / sqrtBeta);
      }
      if (clip !== undefined) x0 = Math.min(Math.max(x0, -clip), clip);
      out[i] = f32(sqrtAlphaPrev * x0) + f32(direction * eps);
    }
    return out;
  }
}

export function createDdim(config: SchedulerConfig, steps: number): DdimScheduler {
  const args = initArgs('DDIMScheduler', config);
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, PREDICTION_TYPES);
  args.unsupportedUnless('thresholding', false);
  const bar = alphasCumprod(betas, false);
  const T = betas.numTrainTimesteps;
  const timesteps = discreteTimesteps({ spacing, steps, numTrainTimesteps: T, stepsOffset });
  checkTimestepsInRange(timesteps, T, `DDIM, ${steps} steps`);
  return new DdimScheduler(
    timesteps,
    bar,
    args.flag('set_alpha_to_one') ? 1 : bar[0]!,
    Math.floor(T / steps),
    predictionType,
    args.flag('clip_sample') ? args.number('clip_sample_range') : undefined,
  );
}
