// The base of the samplers that work on the training table ᾱ at integer timesteps, with
// x = √ᾱ_t·x̂₀ + √(1−ᾱ_t)·ε (DDIM, PLMS, DDPM, LCM): no input scaling, unit initial noise, and ᾱ
// "before the first timestep" at the end.

import { raise } from '../errors';
import { type ConfigArgs, type PredictionType, PREDICTION_TYPES, readBetaOptions, readPredictionType, readSpacing } from './config';
import { f32 } from './numerics';
import { SamplerBase } from './scheduler';
import { discreteTimesteps } from './spacing';
import { alphasCumprod } from './training';

export interface AlphaSchedule {
  /** The training timesteps of the steps, descending (a sampler may call some twice). */
  timesteps: number[];
  alphasCumprod: Float32Array;
  /** ᾱ before the first training step: 1 with `set_alpha_to_one` (always for DDPM, which has no such option), else ᾱ_0. */
  finalAlphaCumprod: number;
  /** The training timesteps between two steps. */
  stride: number;
  numTrainTimesteps: number;
  predictionType: PredictionType;
  /** `clip_sample_range` where the class has `clip_sample` and it is on: x̂₀ is clamped to ±this. */
  clipRange: number | undefined;
}

/** The schedule as the class's `set_timesteps(steps)` makes it, from its arguments. */
export function readAlphaSchedule(args: ConfigArgs, steps: number, predictionTypes: readonly PredictionType[] = PREDICTION_TYPES): AlphaSchedule {
  const betas = readBetaOptions(args);
  const { spacing, stepsOffset } = readSpacing(args);
  const predictionType = readPredictionType(args, predictionTypes);
  const bar = alphasCumprod(betas, false);
  const T = betas.numTrainTimesteps;
  return {
    timesteps: discreteTimesteps({ spacing, steps, numTrainTimesteps: T, stepsOffset }),
    alphasCumprod: bar,
    finalAlphaCumprod: !args.has('set_alpha_to_one') || args.flag('set_alpha_to_one') ? 1 : bar[0]!,
    stride: Math.floor(T / steps),
    numTrainTimesteps: T,
    predictionType,
    clipRange: args.has('clip_sample') && args.flag('clip_sample') ? args.number('clip_sample_range') : undefined,
  };
}

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

export abstract class AlphaSampler extends SamplerBase {
  protected readonly stride: number;
  protected readonly predictionType: PredictionType;
  protected readonly clipRange: number | undefined;
  private readonly table: Float32Array;
  private readonly finalAlphaCumprod: number;

  /** `timesteps`: the calls, from `schedule.timesteps` (PLMS repeats one). */
  constructor(timesteps: readonly number[], schedule: AlphaSchedule) {
    super(timesteps, 1);
    this.table = schedule.alphasCumprod;
    this.finalAlphaCumprod = schedule.finalAlphaCumprod;
    this.stride = schedule.stride;
    this.predictionType = schedule.predictionType;
    this.clipRange = schedule.clipRange;
  }

  /** √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε at the timestep of call `index`, in float32 (DDIMScheduler's and PNDMScheduler's add_noise). */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const alphaProd = this.table[this.timesteps[index]!]!;
    const sqrtAlpha = f32(Math.sqrt(alphaProd));
    const sqrtOneMinus = f32(Math.sqrt(f32(1 - alphaProd)));
    return original.map((x, i) => f32(sqrtAlpha * x) + f32(sqrtOneMinus * noise[i]!));
  }

  /** ᾱ at training timestep `t`; before the first (t < 0), the final ᾱ. */
  protected alphaAt(t: number): number {
    return t >= 0 ? this.table[t]! : this.finalAlphaCumprod;
  }

  /** The timestep of the call after `index`, or −1 after the last (DDPM's and LCM's previous timestep). */
  protected nextTimestep(index: number): number {
    return index + 1 < this.timesteps.length ? this.timesteps[index + 1]! : -1;
  }

  /** x̂₀ clamped in place where `clip_sample` is on. */
  protected clip(x0: Float32Array): void {
    if (this.clipRange === undefined) return;
    const r = f32(this.clipRange);
    for (let i = 0; i < x0.length; i++) x0[i] = Math.min(Math.max(x0[i]!, -r), r);
  }
}
