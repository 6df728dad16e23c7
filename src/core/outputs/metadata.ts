// What is written about each image: A1111's `parameters` text inside the PNG (so A1111 and the
// tools that read it show and reuse the settings) and a JSON recipe beside it with everything
// needed to make the same image again.

import { A1111_RNG } from '../parameters/a1111-keys';
import { formatParametersText } from '../parameters/a1111-text';
import type { Txt2ImgRequest } from '../pipelines/txt2img';
import { a1111Name } from '../schedulers/registry';
import { SDPROMPT_VERSION } from '../version';

/** Everything that decides an image, as the pipeline takes it. */
export type ImageSettings = Txt2ImgRequest;

export interface ModelIdentity {
  /** The model folder's name. */
  name: string;
  /** The folder as the prompt file or command named it. */
  path: string;
  /** sha256 of the UNet's ONNX file and its external weights. */
  unetSha256: string;
}

export interface RecipeSource {
  /** The prompt file, relative to the recipe's own folder. */
  promptFile: string;
  block: { index: number; name?: string; line: number };
}

export interface Timings {
  /** Milliseconds: loading the model (0 when it was already loaded). */
  loadMs: number;
  encodeMs: number;
  denoiseMs: number;
  decodeMs: number;
  totalMs: number;
}

export interface Recipe {
  format: 'sdprompt-recipe';
  version: 1;
  sdprompt: string;
  createdAt: string;
  source?: RecipeSource;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: { name: string; a1111: string; diffusersClass: string; karras: boolean };
  size: { width: number; height: number };
  rng: string;
  model: ModelIdentity;
  runtime: { onnxruntime: string; executionProvider: string };
  timings: Timings;
}

/**
 * The `parameters` text A1111 writes, its keys in the order of A1111's `create_infotext`: Steps,
 * Sampler, Schedule type, CFG scale, Seed, Size, Model hash, Model, …, RNG, …, Version. RNG is
 * written always (A1111 leaves out its default, GPU, which is none of ours).
 */
export function a1111Parameters(settings: ImageSettings, model: ModelIdentity): string {
  return formatParametersText(settings.prompt, settings.negativePrompt, [
    ['Steps', settings.steps],
    ['Sampler', settings.sampler.sampler.a1111[0]!],
    ['Schedule type', settings.sampler.karras ? 'Karras' : 'Automatic'],
    ['CFG scale', settings.cfg],
    ['Seed', settings.seed],
    ['Size', `${settings.width}x${settings.height}`],
    ['Model hash', model.unetSha256.slice(0, 10)],
    ['Model', model.name],
    ['RNG', A1111_RNG[settings.rng]],
    ['Version', `sdprompt ${SDPROMPT_VERSION}`],
  ]);
}

export function buildRecipe(args: {
  settings: ImageSettings;
  model: ModelIdentity;
  source?: RecipeSource;
  runtime: Recipe['runtime'];
  timings: Timings;
  createdAt?: Date;
}): Recipe {
  const { settings } = args;
  return {
    format: 'sdprompt-recipe',
    version: 1,
    sdprompt: SDPROMPT_VERSION,
    createdAt: (args.createdAt ?? new Date()).toISOString(),
    ...(args.source ? { source: args.source } : {}),
    prompt: settings.prompt,
    negativePrompt: settings.negativePrompt,
    seed: settings.seed,
    steps: settings.steps,
    cfg: settings.cfg,
    sampler: {
      name: settings.sampler.name,
      a1111: a1111Name(settings.sampler),
      diffusersClass: settings.sampler.sampler.diffusersClass,
      karras: settings.sampler.karras,
    },
    size: { width: settings.width, height: settings.height },
    rng: settings.rng,
    model: args.model,
    runtime: args.runtime,
    timings: args.timings,
  };
}
