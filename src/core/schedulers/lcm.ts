// LCMScheduler (Luo et al. 2023, latent consistency models): the model's x̂₀ through the
// consistency boundary condition (c_skip·x + c_out·x̂₀) is the step's result; every step but the
// last then noises it to the next timestep with fresh noise from the run's noise source. The
// timesteps are picked from the model's distillation schedule (`original_inference_steps`, 50 by
// default), so a run has at most that many steps; `timestep_spacing` does not apply.

import type { NoiseSource } from '../noise';
import { raise } from '../errors';
import { AlphaSampler, readAlphaSchedule, type AlphaSchedule } from './alphaSampler';
import { initArgs } from './config';
import { f32 } from './numerics';
import { originalFromScaledForm } from './prediction';
import type { SchedulerConfig } from './scheduler';

/** LCMScheduler.set_timesteps(steps): every (orig / steps)-th of the distillation timesteps, from the noisiest. */
export function lcmTimesteps(steps: number, originalSteps: number, numTrainTimesteps: number): number[] {
  const k = Math.floor(numTrainTimesteps / originalSteps);
  const origin = Array.from({ length: originalSteps }, (_, i) => (originalSteps - i) * k - 1);
  const step = originalSteps / steps;
  return Array.from({ length: steps }, (_, i) => origin[Math.floor(i * step)]!);
}

export class LcmScheduler extends AlphaSampler {
  constructor(
    schedule: AlphaSchedule,
    private readonly timestepScaling: number,
  ) {
    super(schedule.timesteps, schedule);
  }

  protected advance(modelOutput: Float32Array, index: number, sample: Float32Array, noise: NoiseSource): Float32Array {
    const t = this.timesteps[index]!;
    const last = index === this.timesteps.length - 1;
    const alphaProd = this.alphaAt(t);
    const alphaProdPrev = last ? alphaProd : this.alphaAt(this.nextTimestep(index));
    const x0 = originalFromScaledForm(
      this.predictionType,
      modelOutput,
      sample,
      f32(Math.sqrt(alphaProd)),
      f32(Math.sqrt(f32(1 - alphaProd))),
      new Float32Array(sample.length),
    );
    this.clip(x0);
    // The boundary condition's scalings with σ_data = 0.5 (get_scalings_for_boundary_condition_discrete).
    const scaled = f32(t * this.timestepScaling);
    const spread = f32(f32(scaled * scaled) + 0.25);
    const cSkip = f32(0.25 / spread);
    const cOut = f32(scaled / f32(Math.sqrt(spread)));
    const denoised = x0.map((v, i) => f32(cOut * v) + f32(cSkip * sample[i]!));
    if (last) return denoised;
    const fresh = noise.randn(denoised.length);
    const keep = f32(Math.sqrt(alphaProdPrev));
    const add = f32(Math.sqrt(f32(1 - alphaProdPrev)));
    return denoised.map((v, i) => f32(keep * v) + f32(add * fresh[i]!));
  }
}

export function createLcm(config: SchedulerConfig, steps: number): LcmScheduler {
  const args = initArgs('LCMScheduler', config);
  const schedule = readAlphaSchedule(args, 1);
  args.unsupportedUnless('thresholding', false);
  const originalSteps = args.integer('original_inference_steps', 1);
  if (originalSteps > schedule.numTrainTimesteps) {
    raise({ code: 'model-invalid', message: `scheduler config: \`original_inference_steps\` ${originalSteps} is more than the ${schedule.numTrainTimesteps} training timesteps` });
  }
  if (steps > originalSteps) {
    raise({ code: 'invalid-request', message: `LCM takes at most ${originalSteps} steps with this model (its original_inference_steps), not ${steps}` });
  }
  const timesteps = lcmTimesteps(steps, originalSteps, schedule.numTrainTimesteps);
  return new LcmScheduler({ ...schedule, timesteps }, args.number('timestep_scaling'));
}
