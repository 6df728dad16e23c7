// A loaded Stable Diffusion model: its ONNX sessions and its tokenizer, from one folder.

import * as path from 'node:path';
import { ok, type Result } from '../errors';
import { loadModel, type LoadedModel, type ModelLoadOptions } from '../models';
import { inspectModelFolder } from '../models/folder';
import { ClipTokenizer } from '../tokenizer/clip';

export interface StableDiffusion {
  model: LoadedModel;
  tokenizer: ClipTokenizer;
}

export async function loadStableDiffusion(dir: string, options: ModelLoadOptions = {}): Promise<Result<StableDiffusion>> {
  // The folder's own problems (missing, not a model) first: they say more than a missing tokenizer.
  const inspected = inspectModelFolder(dir);
  if (!inspected.ok) return inspected;
  const tokenizer = ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
  if (!tokenizer.ok) return tokenizer;
  const model = await loadModel(dir, options);
  if (!model.ok) return model;
  return ok({ model: model.value, tokenizer: tokenizer.value });
}
