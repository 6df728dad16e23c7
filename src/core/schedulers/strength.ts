// Where an image-to-image run starts on a schedule, as diffusers' img2img, inpainting and depth
// pipelines do it (get_timesteps): `int(steps · strength)` of the steps run, the last ones, so the
// run begins at call `(steps − that) · order` of the full schedule. A1111 runs one step more
// (t_enc + 1 sigmas); the README's format reference says so.

export interface Img2ImgStart {
  /** The first UNet call of the full schedule that runs (diffusers' begin index). */
  startIndex: number;
  /** Denoising steps that run (UNet calls are this times the sampler's order, plus PNDM's extra). */
  steps: number;
}

/** diffusers' get_timesteps: init_timestep = min(int(steps·strength), steps), t_start = steps − init_timestep. */
export function img2imgStart(steps: number, strength: number, order: number): Img2ImgStart {
  const run = Math.min(Math.trunc(steps * strength), steps);
  const tStart = Math.max(steps - run, 0);
  return { startIndex: tStart * order, steps: run };
}
