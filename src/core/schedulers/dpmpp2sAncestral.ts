// DPM++ 2S a: k-diffusion's `sample_dpmpp_2s_ancestral` as A1111 runs it (no diffusers class).
// Each step is an ancestral step to σ_next: a DPM-Solver++(2S) step down to σ_down, through the
// log-midpoint of σ and σ_down (a second UNet call), then fresh noise of size σ_up from the run's
// noise source (A1111's `ImageRNG.next()`). The last step, to 0, is an Euler step. The noise
// levels are A1111's for the model (kDiffusionSchedule.ts); its "Automatic" for this sampler is
// Karras, and so is ours.

import { initArgs, readBetaOptions, readPredictionType } from './config';
import { kDiffusionSchedule } from './kDiffusionSchedule';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, readSigmaSpacing, type ScheduleType } from './scheduleTypes';
import type { NoiseSource } from '../noise';
import { eulerStep, type SigmaSamplerSetup, type SigmaStep } from './sigmaSampler';
import { alphasCumprod, sigmaTable } from './training';
import { TwoStageSampler, twoStageSetup } from './twoStage';

const tOf = (sigma: number): number => -f32(Math.log(sigma));
const sigmaOf = (t: number): number => f32(Math.exp(-t));

/** k-diffusion's `get_ancestral_step` (η = 1), with its `min`. */
function ancestralStep(from: number, to: number): { down: number; up: number } {
  const to2 = f32(to * to);
  const raw = f32(Math.sqrt(f32(f32(to2 * f32(f32(from * from) - to2)) / f32(from * from))));
  const up = raw < to ? raw : to;
  return { up, down: f32(Math.sqrt(f32(to2 - f32(up * up)))) };
}

/** t, t_next = t(σ_down), h = t_next − t and the midpoint time s = t + h/2 of a step from σ to σ_next. */
function stepTimes(sigma: number, sigmaNext: number): { t: number; tNext: number; h: number; s: number } {
  const t = tOf(sigma);
  const tNext = tOf(ancestralStep(sigma, sigmaNext).down);
  const h = f32(tNext - t);
  return { t, tNext, h, s: f32(t + f32(0.5 * h)) };
}

export class Dpmpp2sAncestralScheduler extends TwoStageSampler {
  /** A step whose σ_down is 0 (always the last): Euler's down to 0, then the noise of σ_next. */
  protected override singleStage({ sample, denoised, sigma, sigmaNext, noise }: SigmaStep): Float32Array {
    const out = eulerStep(sample, denoised, sigma, 0);
    if (sigmaNext > 0) addNoise(out, noise, ancestralStep(sigma, sigmaNext).up);
    return out;
  }

  protected firstStage({ sample, denoised, sigma, index }: SigmaStep): Float32Array {
    const { t, h, s } = stepTimes(sigma, this.sigmas[index + 2]!);
    return combine(sample, f32(sigmaOf(s) / sigmaOf(t)), denoised, f32(Math.expm1(f32(-h * 0.5))));
  }

  protected secondStage(step: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array {
    const { t, tNext, h } = stepTimes(sigmaStart, step.sigmaNext);
    const out = combine(start, f32(sigmaOf(tNext) / sigmaOf(t)), step.denoised, f32(Math.expm1(-h)));
    addNoise(out, step.noise, ancestralStep(sigmaStart, step.sigmaNext).up);
    return out;
  }
}

/** x + noise·σ_up in place, the noise one draw of the sample's size (A1111's `ImageRNG.next()`). */
function addNoise(x: Float32Array, noise: NoiseSource, up: number): void {
  const fresh = noise.randn(x.length);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + f32(fresh[i]! * up);
}

/** a·x − b·x̂₀, in float32. */
function combine(x: Float32Array, a: number, denoised: Float32Array, b: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = f32(a * x[i]!) - f32(b * denoised[i]!);
  return out;
}

export function createDpmpp2sAncestral(config: SchedulerConfig, steps: number, schedule: ScheduleType): Dpmpp2sAncestralScheduler {
  const args = initArgs('EulerDiscreteScheduler', config, scheduleOverrides(schedule === 'automatic' ? 'karras' : schedule));
  const table = sigmaTable(alphasCumprod(readBetaOptions(args), true));
  const { sigmas, timestepOf } = kDiffusionSchedule(table, steps, readSigmaSpacing(args));
  const setup: SigmaSamplerSetup = {
    schedule: { timesteps: sigmas.slice(0, steps).map(timestepOf), sigmas, initNoiseSigma: sigmas[0]!, timestepOf },
    predictionType: readPredictionType(args, ['epsilon', 'v_prediction']),
  };
  return new Dpmpp2sAncestralScheduler(
    twoStageSetup(setup, (k) => {
      if (ancestralStep(sigmas[k]!, sigmas[k + 1]!).down === 0) return undefined;
      const sigma = sigmaOf(stepTimes(sigmas[k]!, sigmas[k + 1]!).s);
      return { sigma, timestep: timestepOf(sigma) };
    }),
  );
}
