// The base of the samplers that work in DPM-Solver's form, x = α_t·x̂₀ + σ_t·ε, on a schedule of
// k-diffusion sigmas (DPM++ 2M; DPM++ 2M SDE, UniPC and DEIS are of this family too): the
// model input is not scaled, the initial noise is unit, and each call's α_t, σ_t and
// λ_t = log(α_t/σ_t) follow from its σ.

import type { PredictionType } from './config';
import { f32 } from './numerics';
import { originalFromScaledForm } from './prediction';
import { SamplerBase } from './scheduler';

/** α_t, σ_t and λ_t at k-diffusion noise level σ (float32, diffusers' `_sigma_to_alpha_sigma_t` order). */
export interface VpScales {
  alpha: number;
  sigmaT: number;
  lambda: number;
}

export function vpScales(sigma: number): VpScales {
  const alpha = f32(1 / f32(Math.sqrt(f32(f32(sigma * sigma) + 1))));
  const sigmaT = f32(sigma * alpha);
  return { alpha, sigmaT, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigmaT))) };
}

export abstract class VpSampler extends SamplerBase {
  constructor(
    timesteps: readonly number[],
    /** One per call plus the final one. */
    readonly sigmas: readonly number[],
    protected readonly predictionType: PredictionType,
  ) {
    super(timesteps, 1);
  }

  /** α_t·x₀ + σ_t·ε at call `index`, in float32 (DPMSolverMultistepScheduler's add_noise). */
  addNoise(original: Float32Array, noise: Float32Array, index: number): Float32Array {
    const { alpha, sigmaT } = this.scalesAt(index);
    return original.map((x, i) => f32(alpha * x) + f32(sigmaT * noise[i]!));
  }

  /** The scales at call `index` (`sigmas.length - 1`: after the last call). */
  protected scalesAt(index: number): VpScales {
    return vpScales(this.sigmas[index]!);
  }

  /** x̂₀ at call `index` (diffusers' `convert_model_output` for data prediction), written into `out`. */
  protected dataPrediction(modelOutput: Float32Array, sample: Float32Array, index: number, out: Float32Array): Float32Array {
    const { alpha, sigmaT } = this.scalesAt(index);
    return originalFromScaledForm(this.predictionType, modelOutput, sample, alpha, sigmaT, out);
  }
}
