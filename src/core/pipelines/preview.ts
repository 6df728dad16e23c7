// Live previews of a forming image: x₀ at latent resolution through a linear latent-to-RGB map,
// published for SD 1.x/2.x latents and fitted once per model otherwise.

import { fitLatentRgbMap, latentPreview, SD1_LATENT_RGB, type LatentRgbMap } from '../image/preview';
import type { RgbImage } from '../image/encode';
import { NumpyRandomState } from '../noise/numpy';
import type { Tensor } from '../tensor';
import type { StableDiffusion } from './stable-diffusion';

const SD1_SCALING_FACTOR = 0.18215;
const maps = new WeakMap<StableDiffusion, Promise<LatentRgbMap>>();

/** The latent-to-RGB map of a model: SD 1.x/2.x's published one, else fitted by decoding random latents once. */
export function previewMapFor(sd: StableDiffusion): Promise<LatentRgbMap> {
  let map = maps.get(sd);
  if (!map) {
    if (Math.abs(sd.model.info.vaeScalingFactor - SD1_SCALING_FACTOR) < 1e-6) {
      map = Promise.resolve(SD1_LATENT_RGB);
    } else {
      const shape = [2, 4, 8, 8];
      const latents = { data: new NumpyRandomState(0).randn(shape.reduce((a, b) => a * b)), shape };
      map = fitLatentRgbMap(latents, sd.model.info.vaeScalingFactor, (l) => sd.model.vaeDecoder.decode(l));
    }
    maps.set(sd, map);
  }
  return map;
}

export async function renderPreview(sd: StableDiffusion, denoised: Tensor): Promise<RgbImage> {
  return latentPreview(denoised, await previewMapFor(sd));
}
