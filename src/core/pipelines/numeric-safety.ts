// Numbers that are not numbers: a float16 model that overflows gives NaN or infinite values
// (the UNet's prediction, the latents) or a decode that is NaN or all black (SDXL's VAE in
// float16 is the known case). Each is named in plain words with the fix, instead of an image of
// noise or black.

import type { UserError } from '../errors';
import type { Tensor } from '../tensor';
import type { NonFinite } from './denoise';
import type { StableDiffusion } from './stable-diffusion';

const VAE_FIX =
  'use an fp32 VAE, or an fp16 VAE fixed not to overflow (SDXL: madebyollin/sdxl-vae-fp16-fix, exported to ONNX), with `vae: FOLDER`';

/** The error for a UNet prediction or latents that stopped being finite. */
export function nonFiniteError(sd: StableDiffusion, where: NonFinite, steps: number): UserError {
  const file = sd.model.info.components.unet.onnx;
  const what = where.where === 'prediction' ? `unet/model.onnx predicted` : 'the latents became';
  const when = where.step === 0 ? 'before the first step' : `at step ${where.step} of ${steps}`;
  return {
    code: 'inference-failed',
    message:
      `${what} NaN (not a number) or infinite values ${when}: the model's numbers overflowed, which float16 models do on some inputs and providers. ` +
      `Use the model's fp32 export, or another execution provider (--provider cpu)`,
    file,
  };
}

/** An error for a decode with NaN or infinite values; a warning for one that is all black. */
export function checkDecoded(sd: StableDiffusion, decoded: Tensor): { error?: UserError; warnings: string[] } {
  let finite = true;
  let brightest = -Infinity;
  for (const v of decoded.data) {
    if (!Number.isFinite(v)) {
      finite = false;
      break;
    }
    if (v > brightest) brightest = v;
  }
  if (!finite) {
    const message = `vae_decoder/model.onnx decoded NaN (not a number) or infinite values: the VAE overflowed, as SDXL's does in float16. Fix: ${VAE_FIX}`;
    return { error: { code: 'inference-failed', message, file: sd.model.info.components.vae_decoder.onnx }, warnings: [] };
  }
  // Every pixel at or under 1/255: black, which an overflowing VAE gives and few prompts ask for.
  if (brightest <= -1 + 2 / 255) return { warnings: [`the image is all black: the VAE probably overflowed (float16). If so: ${VAE_FIX}`] };
  return { warnings: [] };
}
