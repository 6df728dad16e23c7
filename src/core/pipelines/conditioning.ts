// What each family's UNet is conditioned on beyond the latents: the prompts' states (SDXL: both
// text encoders side by side, an empty negative prompt as zeros when the model says
// force_zeros_for_empty_prompt), classifier-free guidance's batch or none (cfg ≤ 1, and LCM, whose
// UNet takes the guidance scale as an embedding instead), SDXL's pooled text_embeds and time_ids
// [H, W, crop top, crop left, H, W], LCM's timestep_cond; as diffusers' StableDiffusionXLPipeline
// and LatentConsistencyModelPipeline make them.

import type { UNetAddedInputs } from '../models/components';
import type { Tensor } from '../tensor';
import { encodePrompts, type PromptEncoder } from './encode-prompt';
import type { StableDiffusion } from './stable-diffusion';

export interface UNetConditioning {
  /** [uncond, cond] with guidance, [cond] without. */
  hidden: Tensor;
  added: UNetAddedInputs;
  /** The cfg the denoiser applies: 1 (none) when the UNet embeds the guidance scale. */
  cfg: number;
}

/** The model's text encoders, each with its tokenizer. */
export function promptEncoders(sd: StableDiffusion): PromptEncoder[] {
  const encoders: PromptEncoder[] = [{ encoder: sd.model.textEncoder, tokenizer: sd.tokenizer }];
  if (sd.model.textEncoder2 && sd.tokenizer2) encoders.push({ encoder: sd.model.textEncoder2, tokenizer: sd.tokenizer2 });
  return encoders;
}

/**
 * diffusers' get_guidance_scale_embedding: sin and cos of w·1000 times 10000^(−i/(d/2 − 1)), in
 * float32 as torch computes it; `w` is the guidance scale minus 1 (the LCM paper's w).
 */
export function guidanceEmbedding(w: number, dim: number): Float32Array {
  const half = Math.floor(dim / 2);
  const step = Math.fround(Math.log(10000) / (half - 1));
  const scaled = Math.fround(w * 1000);
  const out = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const angle = Math.fround(scaled * Math.fround(Math.exp(Math.fround(-i * step))));
    out[i] = Math.sin(angle);
    out[half + i] = Math.cos(angle);
  }
  return out;
}

/** SDXL's time ids for an image of this size: original size, crop (0, 0), target size, as diffusers' defaults and A1111. */
export function timeIds(width: number, height: number): Float32Array {
  return Float32Array.of(height, width, 0, 0, height, width);
}

function rows(row: Float32Array, count: number): Tensor {
  const out = new Float32Array(row.length * count);
  for (let r = 0; r < count; r++) out.set(row, r * row.length);
  return { data: out, shape: [count, row.length] };
}

/** Everything the UNet is conditioned on for one image's settings at a canvas of width × height. */
export async function conditionUNet(sd: StableDiffusion, prompt: string, negativePrompt: string, cfg: number, width: number, height: number): Promise<UNetConditioning> {
  const { info, unet } = sd.model;
  const embedded = info.family.guidanceEmbedDim !== undefined;
  const guided = !embedded && cfg > 1;
  const prompts = guided ? [negativePrompt, prompt] : [prompt];
  const zeroed = guided && info.forceZerosForEmptyPrompt && negativePrompt === '' ? [true, false] : [];
  const { hidden, pooled } = await encodePrompts(promptEncoders(sd), prompts, zeroed);
  const added: UNetAddedInputs = {};
  if (unet.added.textEmbeds !== undefined) {
    if (!pooled) throw new Error('the SDXL text encoders gave no pooled output');
    added.textEmbeds = pooled;
  }
  if (unet.added.timeIds !== undefined) added.timeIds = rows(timeIds(width, height), prompts.length);
  if (embedded) added.timestepCond = rows(guidanceEmbedding(cfg - 1, info.family.guidanceEmbedDim!), prompts.length);
  return { hidden, added, cfg: embedded ? 1 : cfg };
}
