// A loaded Stable Diffusion model: its ONNX sessions and its tokenizers (SDXL has one for each
// text encoder), from one folder.

import { ok, type Result } from '../errors';
import { loadModel, type LoadedModel, type ModelLoadOptions } from '../models';
import { inspectModelFolder } from '../models/folder';
import { ClipTokenizer } from '../tokenizer/clip';

export interface StableDiffusion {
  model: LoadedModel;
  tokenizer: ClipTokenizer;
  /** SDXL: tokenizer_2/, for text_encoder_2 (it pads with `!`). */
  tokenizer2?: ClipTokenizer;
}

/** The model of `dir`, with the VAE of the folder `vae` in place of its own when given. */
export async function loadStableDiffusion(dir: string, options: ModelLoadOptions = {}, vae?: string): Promise<Result<StableDiffusion>> {
  // The folder's own problems (missing, not a model) first: they say more than a missing tokenizer.
  const inspected = inspectModelFolder(dir);
  if (!inspected.ok) return inspected;
  const tokenizers: ClipTokenizer[] = [];
  for (const folder of inspected.value.tokenizers) {
    const tokenizer = ClipTokenizer.fromFolder(folder);
    if (!tokenizer.ok) return tokenizer;
    tokenizers.push(tokenizer.value);
  }
  const model = await loadModel(dir, options, vae);
  if (!model.ok) return model;
  const [tokenizer, tokenizer2] = tokenizers as [ClipTokenizer, ClipTokenizer?];
  return ok({ model: model.value, tokenizer, ...(tokenizer2 ? { tokenizer2 } : {}) });
}
