// PNDMScheduler with `skip_prk_steps` (A1111's "PLMS"): pseudo linear multistep (Liu et al.
// 2022), Adams–Bashforth on ε with orders 1 to 4 and the transfer of their eq. 9. The first step
// is taken twice: once forward, once again from the same start with the mean of both ε (a
// Heun-like correction), so n steps make n+1 UNet calls. The Runge–Kutta warm-up that diffusers
// runs without `skip_prk_steps` is not implemented: this sampler always skips it.

import type { NoiseSource } from '../noise';
import { AlphaSampler, checkTimestepsInRange, readAlphaSchedule, type AlphaSchedule } from './alphaSampler';
import { initArgs } from './config';
import { History } from './history';
import { f32 } from './numerics';
import { noiseFromVelocity } from './prediction';
import type { SchedulerConfig } from './scheduler';

/** The PLMS call sequence from the descending step timesteps: the second one repeats. */
export function plmsTimesteps(descending: readonly number[]): number[] {
  if (descending.length < 2) return [...descending];
  return [descending[0]!, descending[1]!, ...descending.slice(1)];
}

export class PndmScheduler extends AlphaSampler {
  private readonly ets = new History(4);
  private counter = 0;
  private startSample: Float32Array | undefined;
  private combined: Float32Array | undefined;

  constructor(schedule: AlphaSchedule) {
    super(plmsTimesteps(schedule.timesteps), schedule);
  }

  /** The first step is taken twice. */
  override stepOfCall(index: number): number {
    return Math.max(0, index - 1);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    let timestep = this.timesteps[index]!;
    let prevTimestep = timestep - this.stride;
    if (this.counter !== 1) {
      this.ets.push(modelOutput);
    } else {
      prevTimestep = timestep;
      timestep = timestep + this.stride;
    }

    const n = sample.length;
    const ets = this.ets;
    let eps: Float32Array;
    let from = sample;
    if (ets.length === 1 && this.counter === 0) {
      eps = modelOutput;
      this.startSample = Float32Array.from(sample);
    } else if (ets.length === 1 && this.counter === 1) {
      eps = this.combinedBuffer(n);
      const e1 = ets.get(0);
      for (let i = 0; i < n; i++) eps[i] = f32(modelOutput[i]! + e1[i]!) / 2;
      from = this.startSample!;
      this.startSample = undefined;
    } else {
      eps = this.combinedBuffer(n);
      const e1 = ets.get(0);
      const e2 = ets.get(1);
      if (ets.length === 2) {
        for (let i = 0; i < n; i++) eps[i] = f32(f32(3 * e1[i]!) - e2[i]!) / 2;
      } else if (ets.length === 3) {
        const e3 = ets.get(2);
        for (let i = 0; i < n; i++) {
          eps[i] = f32(f32(f32(23 * e1[i]!) - f32(16 * e2[i]!)) + f32(5 * e3[i]!)) / 12;
        }
      } else {
        const e3 = ets.get(2);
        const e4 = ets.get(3);
        const sixth = f32(1 / 24);
        for (let i = 0; i < n; i++) {
          const sum = f32(f32(f32(f32(55 * e1[i]!) - f32(59 * e2[i]!)) + f32(37 * e3[i]!)) - f32(9 * e4[i]!));
          eps[i] = sixth * sum;
        }
      }
    }
    const prev = this.previousSample(from, timestep, prevTimestep, eps);
    this.counter++;
    return prev;
  }

  private combinedBuffer(n: number): Float32Array {
    if (!this.combined || this.combined.length !== n) this.combined = new Float32Array(n);
    return this.combined;
  }

  /** PNDM's eq. 9: x_{t−δ} from x_t and ε, in float32 operations in diffusers' order. */
  private previousSample(sample: Float32Array, timestep: number, prevTimestep: number, eps: Float32Array): Float32Array {
    const alphaProd = this.alphaAt(timestep);
    const alphaProdPrev = this.alphaAt(prevTimestep);
    const betaProd = f32(1 - alphaProd);
    const betaProdPrev = f32(1 - alphaProdPrev);
    const sampleCoeff = f32(Math.sqrt(f32(alphaProdPrev / alphaProd)));
    const denominator = f32(
      f32(alphaProd * f32(Math.sqrt(betaProdPrev))) + f32(Math.sqrt(f32(f32(alphaProd * betaProd) * alphaProdPrev))),
    );
    const difference = f32(alphaProdPrev - alphaProd);
    const n = sample.length;
    const out = new Float32Array(n);
    if (this.predictionType === 'v_prediction') {
      const sqrtAlpha = f32(Math.sqrt(alphaProd));
      const sqrtBeta = f32(Math.sqrt(betaProd));
      for (let i = 0; i < n; i++) {
        const e = noiseFromVelocity(eps[i]!, sample[i]!, sqrtAlpha, sqrtBeta);
        out[i] = f32(sampleCoeff * sample[i]!) - f32(f32(difference * e) / denominator);
      }
    } else {
      for (let i = 0; i < n; i++) {
        out[i] = f32(sampleCoeff * sample[i]!) - f32(f32(difference * eps[i]!) / denominator);
      }
    }
    return out;
  }
}

export function createPndm(config: SchedulerConfig, steps: number): PndmScheduler {
  const args = initArgs('PNDMScheduler', config, { skip_prk_steps: true });
  const schedule = readAlphaSchedule(args, steps, ['epsilon', 'v_prediction']);
  const scheduler = new PndmScheduler(schedule);
  const calls = scheduler.timesteps;
  // The repeated step looks one stride above its timestep.
  const looked = [...calls, ...(calls.length > 1 ? [calls[1]! + schedule.stride] : [])];
  checkTimestepsInRange(looked, schedule.numTrainTimesteps, `PLMS, ${steps} steps`);
  return scheduler;
}
