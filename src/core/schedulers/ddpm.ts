// DDPMScheduler (Ho et al. 2020): ancestral sampling of the trained Markov chain, skipping to the
// run's timesteps. Each step is the posterior mean of x_prev given x̂₀ and x, plus fresh noise of
// the posterior's standard deviation (`variance_type`), drawn from the run's noise source on every
// step but one at timestep 0, as diffusers draws it with the pipeline's generator.

import type { NoiseSource } from '../noise';
import { AlphaSampler, checkTimestepsInRange, readAlphaSchedule, type AlphaSchedule } from './alphaSampler';
import { initArgs } from './config';
import { f32 } from './numerics';
import { originalFromScaledForm } from './prediction';
import type { SchedulerConfig } from './scheduler';

type VarianceType = 'fixed_small' | 'fixed_small_log' | 'fixed_large';

export class DdpmScheduler extends AlphaSampler {
  constructor(
    schedule: AlphaSchedule,
    private readonly varianceType: VarianceType,
  ) {
    super(schedule.timesteps, schedule);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    const t = this.timesteps[index]!;
    const alphaProd = this.alphaAt(t);
    const alphaProdPrev = this.alphaAt(this.nextTimestep(index));
    const betaProd = f32(1 - alphaProd);
    const betaProdPrev = f32(1 - alphaProdPrev);
    const currentAlpha = f32(alphaProd / alphaProdPrev);
    const currentBeta = f32(1 - currentAlpha);
    const x0 = originalFromScaledForm(this.predictionType, modelOutput, sample, f32(Math.sqrt(alphaProd)), f32(Math.sqrt(betaProd)), new Float32Array(sample.length));
    this.clip(x0);
    const x0Coeff = f32(f32(f32(Math.sqrt(alphaProdPrev)) * currentBeta) / betaProd);
    const sampleCoeff = f32(f32(f32(Math.sqrt(currentAlpha)) * betaProdPrev) / betaProd);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = f32(x0Coeff * x0[i]!) + f32(sampleCoeff * sample[i]!);
    if (t > 0) {
      const std = this.deviation(betaProd, betaProdPrev, currentBeta);
      const fresh = noise.randn(out.length);
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + f32(std * fresh[i]!);
    }
    return out;
  }

  /** The posterior's standard deviation (`_get_variance`, then its root where diffusers takes it). */
  private deviation(betaProd: number, betaProdPrev: number, currentBeta: number): number {
    if (this.varianceType === 'fixed_large') return f32(Math.sqrt(currentBeta));
    const variance = Math.max(f32(f32(betaProdPrev / betaProd) * currentBeta), f32(1e-20));
    if (this.varianceType === 'fixed_small_log') return f32(Math.exp(f32(0.5 * f32(Math.log(variance)))));
    return f32(Math.sqrt(variance));
  }
}

export function createDdpm(config: SchedulerConfig, steps: number): DdpmScheduler {
  const args = initArgs('DDPMScheduler', config);
  const schedule = readAlphaSchedule(args, steps);
  args.unsupportedUnless('thresholding', false);
  const varianceType = args.choice('variance_type', ['fixed_small', 'fixed_small_log', 'fixed_large', 'fixed_large_log', 'learned', 'learned_range']);
  if (varianceType !== 'fixed_small' && varianceType !== 'fixed_small_log' && varianceType !== 'fixed_large') {
    args.unsupportedUnless('variance_type', 'fixed_small');
  }
  checkTimestepsInRange(schedule.timesteps, schedule.numTrainTimesteps, `DDPM, ${steps} steps`);
  return new DdpmScheduler(schedule, varianceType as VarianceType);
}
