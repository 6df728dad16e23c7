// DPMSolverSDEScheduler (k-diffusion's DPM++ SDE, r = ½): each step goes to the log-midpoint of
// σ and σ_next and then across the whole step, both times as an ancestral DPM-Solver++ step: a
// deterministic move down to σ_down and noise of size σ_up. The noise is a Brownian motion over
// the run's noise levels (torchsde's Brownian interval, noise/brownian.ts): each stage takes the
// increment over its own interval of σ, scaled to unit variance, so the two stages' noise is
// correlated the way the SDE's is. The tree is seeded with the image's seed and draws from the
// block's noise source (see docs/format.md); a generator that stands for no seed gives plain
// per-stage draws instead (k-diffusion's default noise sampler).

import { BrownianTree } from '../noise/brownian';
import { createNoiseSource, type NoiseSource } from '../noise';
import { initArgs } from './config';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';
import { readSigmaSetup, type SigmaStep, spacingWithBounds } from './sigmaSampler';
import { TwoStageSampler, twoStageSetup } from './twoStage';

/** k-diffusion's t = −log σ and back, in float32. */
const tOf = (sigma: number): number => -f32(Math.log(sigma));
const sigmaOf = (t: number): number => f32(Math.exp(-t));

/** The log-midpoint of σ and σ_next as a time: t + (t_next − t)/2. */
function midpointT(sigma: number, sigmaNext: number): number {
  const t = tOf(sigma);
  return f32(t + f32(f32(tOf(sigmaNext) - t) * 0.5));
}

export class DpmSolverSdeScheduler extends TwoStageSampler {
  private tree: BrownianTree | undefined;

  protected firstStage({ sample, denoised, sigma, index, noise }: SigmaStep): Float32Array {
    return this.ancestral(sample, denoised, tOf(sigma), midpointT(sigma, this.sigmas[index + 2]!), noise);
  }

  protected secondStage(step: SigmaStep, start: Float32Array, sigmaStart: number): Float32Array {
    return this.ancestral(start, step.denoised, tOf(sigmaStart), tOf(step.sigmaNext), step.noise);
  }

  /** An ancestral DPM-Solver++(1) step from `x` at t to t_to, with the Brownian increment over [σ(t_to), σ(t)]. */
  private ancestral(x: Float32Array, denoised: Float32Array, t: number, tTo: number, noise: NoiseSource): Float32Array {
    const from = sigmaOf(t);
    const to = sigmaOf(tTo);
    const from2 = f32(from * from);
    const to2 = f32(to * to);
    const upRaw = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
    const up = upRaw < to ? upRaw : to;
    const down = f32(Math.sqrt(f32(to2 - f32(up * up))));
    const ancestralT = tOf(down);
    const sampleScale = f32(sigmaOf(ancestralT) / from);
    const x0Scale = f32(Math.expm1(f32(t - ancestralT)));
    const fresh = this.noiseBetween(from, to, x.length, noise);
    const out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = f32(f32(sampleScale * x[i]!) - f32(x0Scale * denoised[i]!)) + f32(fresh[i]! * up);
    }
    return out;
  }

  /** Unit-variance noise for the interval from σ down to σ_next: −W(σ_next, σ)/√(σ − σ_next). */
  private noiseBetween(sigma: number, sigmaNext: number, size: number, noise: NoiseSource): Float32Array {
    const origin = noise.origin;
    if (!origin) return noise.randn(size);
    if (!this.tree) {
      const positive = this.sigmas.filter((s) => s > 0);
      this.tree = new BrownianTree({
        t0: Math.min(...positive),
        t1: Math.max(...positive),
        entropy: origin.seed,
        size,
        randn: (seed) => createNoiseSource(origin.rng, seed).randn(size),
      });
    }
    const w = this.tree.increment(sigmaNext, sigma);
    const scale = f32(Math.sqrt(f32(Math.abs(f32(sigmaNext - sigma)))));
    return w.map((v) => -v / scale);
  }
}

export function createDpmSolverSde(config: SchedulerConfig, steps: number, schedule: ScheduleType): DpmSolverSdeScheduler {
  const args = initArgs('DPMSolverSDEScheduler', config, scheduleOverrides(schedule));
  const setup = readSigmaSetup(
    args,
    steps,
    false,
    { ...spacingWithBounds(args, false), finalSigma: 'zero', float64Timesteps: true },
    ['epsilon', 'v_prediction'],
  );
  const { sigmas, timestepOf } = setup.schedule;
  return new DpmSolverSdeScheduler(
    twoStageSetup(setup, (k) => {
      const sigma = sigmaOf(midpointT(sigmas[k]!, sigmas[k + 1]!));
      // diffusers maps the midpoint to a timestep in float64 (`_second_order_timesteps`).
      const t = -Math.log(sigmas[k]!);
      return { sigma, timestep: timestepOf(Math.exp(-(t + (-Math.log(sigmas[k + 1]!) - t) * 0.5))) };
    }),
  );
}
