// A picture to the latents the denoiser starts from: the VAE encoder's latent distribution, a
// sample of it (drawn from the run's noise stream when the model gives mean and log-variance,
// inside the model when it gives latent_sample), times the VAE's scaling factor, as diffusers'
// retrieve_latents and prepare_latents do.

import type { VaeEncoder } from '../models';
import type { NoiseSource } from '../noise';
import type { Tensor } from '../tensor';

export async function encodeImage(encoder: VaeEncoder, image: Tensor, scalingFactor: number, noise: NoiseSource): Promise<Tensor> {
  const { mean, logvar } = await encoder.encode(image);
  const n = mean.data.length;
  const latents = new Float32Array(n);
  const epsilon = logvar ? noise.randn(n) : undefined;
  for (let i = 0; i < n; i++) {
    const sample = epsilon ? mean.data[i]! + Math.fround(Math.exp(0.5 * logvar!.data[i]!)) * epsilon[i]! : mean.data[i]!;
    latents[i] = Math.fround(sample) * scalingFactor;
  }
  return { data: latents, shape: mean.shape };
}
