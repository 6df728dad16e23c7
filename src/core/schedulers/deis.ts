// DEISMultistepScheduler (Zhang & Chen 2022, "DEIS", log-ρ multistep): the model output is turned
// into ε, and each step integrates it exactly against the Lagrange polynomial through the last one
// to three ε in log ρ, ρ = σ_t/α_t. The first steps are of lower order while history builds up,
// and so are the last ones under `lower_order_final` with fewer than 15 steps.

import type { NoiseSource } from '../noise';
import { initArgs } from './config';
import { MultistepSampler, readSolverOrder, readVpSetup, type MultistepOptions } from './multistep';
import { f32 } from './numerics';
import type { SchedulerConfig } from './scheduler';
import { scheduleOverrides, type ScheduleType } from './scheduleTypes';

const log = (x: number): number => f32(Math.log(x));

/** ∫ of the second-order basis polynomial (numpy float32 logs, as diffusers' `ind_fn`). */
function indSecond(t: number, b: number, c: number): number {
  return f32(f32(t * f32(f32(-log(c) + log(t)) - 1)) / f32(log(b) - log(c)));
}

/** ∫ of the third-order basis polynomial. */
function indThird(t: number, b: number, c: number, d: number): number {
  const [lt, lc, ld] = [log(t), log(c), log(d)];
  let inner = f32(lc * f32(f32(ld - lt) + 1));
  inner = f32(f32(f32(f32(f32(inner - f32(ld * lt)) + ld) + f32(lt * lt)) - f32(2 * lt)) + 2);
  return f32(f32(t * inner) / f32(f32(log(b) - lc) * f32(log(b) - ld)));
}

export interface DeisOptions extends MultistepOptions {
  lowerOrderFinal: boolean;
}

/** DEIS keeps ε, not x̂₀, in its history. */
export class DeisScheduler extends MultistepSampler<DeisOptions> {
  protected multistep(modelOutput: Float32Array, index: number, sample: Float32Array, _noise: NoiseSource): Float32Array {
    const { options } = this;
    const calls = this.timesteps.length;
    const lowerFinal = options.lowerOrderFinal && calls < 15;
    const { alpha, sigmaT } = this.scalesAt(index);
    const x0 = this.dataPrediction(modelOutput, sample, index, new Float32Array(sample.length));
    this.history.push(x0.map((v, i) => f32(sample[i]! - f32(alpha * v)) / sigmaT));
    let order = this.warmOrder;
    if (lowerFinal && index === calls - 1) order = 1;
    else if (lowerFinal && index === calls - 2) order = Math.min(order, 2);
    return order === 1 ? this.firstOrder(index, sample) : this.higherOrder(index, sample, order);
  }

  private firstOrder(index: number, sample: Float32Array): Float32Array {
    const t = this.scalesAt(index + 1);
    const s = this.scalesAt(index);
    const h = f32(t.lambda - s.lambda);
    const sampleScale = f32(t.alpha / s.alpha);
    const epsScale = f32(t.sigmaT * f32(f32(Math.exp(h)) - 1));
    const eps = this.history.get(0);
    return sample.map((v, i) => f32(sampleScale * v) - f32(epsScale * eps[i]!));
  }

  /** α_t·(x/α_s0 + Σ coef_k·ε_k), the coefficients from the integrals in ρ. */
  private higherOrder(index: number, sample: Float32Array, order: number): Float32Array {
    const t = this.scalesAt(index + 1);
    const rho = (k: number): number => {
      const s = this.scalesAt(k);
      return f32(s.sigmaT / s.alpha);
    };
    const rhoT = f32(t.sigmaT / t.alpha);
    const r = [rho(index), rho(index - 1), rho(index - 2)];
    const coefs =
      order === 2
        ? [
            f32(indSecond(rhoT, r[0]!, r[1]!) - indSecond(r[0]!, r[0]!, r[1]!)),
            f32(indSecond(rhoT, r[1]!, r[0]!) - indSecond(r[0]!, r[1]!, r[0]!)),
          ]
        : [
            f32(indThird(rhoT, r[0]!, r[1]!, r[2]!) - indThird(r[0]!, r[0]!, r[1]!, r[2]!)),
            f32(indThird(rhoT, r[1]!, r[2]!, r[0]!) - indThird(r[0]!, r[1]!, r[2]!, r[0]!)),
            f32(indThird(rhoT, r[2]!, r[0]!, r[1]!) - indThird(r[0]!, r[2]!, r[0]!, r[1]!)),
          ];
    const alphaS0 = this.scalesAt(index).alpha;
    const eps = coefs.map((_, k) => this.history.get(k));
    return sample.map((v, i) => {
      let sum = f32(v / alphaS0);
      coefs.forEach((c, k) => (sum = f32(sum + f32(c * eps[k]![i]!))));
      return f32(t.alpha * sum);
    });
  }
}

export function createDeis(config: SchedulerConfig, steps: number, schedule: ScheduleType): DeisScheduler {
  const args = initArgs('DEISMultistepScheduler', config, scheduleOverrides(schedule));
  const { schedule: calls, predictionType } = readVpSetup(args, steps, { finalSigma: 'sigma_min', finalFromRamp: true });
  return new DeisScheduler(calls.timesteps, calls.sigmas, { predictionType, solverOrder: readSolverOrder(args), lowerOrderFinal: args.flag('lower_order_final') });
}
