// Checks of one image's request against the loaded model, before the pipeline runs: the exact
// chunk count of its prompts (the parser checked a lower bound without the tokenizer) and the
// memory its size needs at least, so that a size this machine cannot hold is refused with the
// number instead of failing inside ONNX Runtime.

import * as os from 'node:os';
import type { UserError } from '../errors';
import { MAX_PROMPT_CHUNKS } from '../format/limits';
import type { ImageSettings } from './image-settings';
import type { StableDiffusion } from '../pipelines/stable-diffusion';
import { tokenizePrompt } from '../prompt/chunks';
import { atBlock, type Job } from './plan';

/** Bytes per value, at least: a float16 model's. */
const MIN_BYTES_PER_VALUE = 2;

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * The least memory one UNet call needs at this size: the attention scores of its first
 * attention layer alone, (latent pixels)² per head and batch item, when the config says where
 * that layer is; undefined when it does not.
 */
export function attentionBytes(sd: StableDiffusion, width: number, height: number, cfg: number): { bytes: number; detail: string } | undefined {
  const attention = sd.model.info.unetConfig.firstAttention;
  if (!attention) return undefined;
  const scale = 8 * 2 ** attention.level;
  const [w, h] = [Math.ceil(width / scale), Math.ceil(height / scale)];
  const tokens = w * h;
  const batch = cfg > 1 ? 2 : 1;
  return {
    bytes: tokens * tokens * attention.heads * batch * MIN_BYTES_PER_VALUE,
    detail: `the UNet's first attention layer works on ${w}x${h} latents: ${tokens}² scores × ${attention.heads} heads × ${batch}`,
  };
}

/** Why this image cannot be made with this model on this machine, or undefined. */
export function preflightError(job: Job, sd: StableDiffusion, settings: ImageSettings, totalMemory = os.totalmem()): UserError | undefined {
  for (const [text, what] of [[settings.prompt, 'prompt'], [settings.negativePrompt, 'negative prompt']] as const) {
    const chunks = tokenizePrompt(text, sd.tokenizer).chunks.length;
    if (chunks > MAX_PROMPT_CHUNKS) {
      return atBlock({ code: 'invalid-request', message: `the ${what} makes ${chunks} chunks of 75 tokens; it may make at most ${MAX_PROMPT_CHUNKS}` }, job);
    }
  }
  const needed = attentionBytes(sd, settings.width, settings.height, settings.cfg);
  if (needed && needed.bytes > totalMemory) {
    return atBlock(
      {
        code: 'invalid-request',
        message:
          `size ${settings.width}x${settings.height} needs at least ${formatBytes(needed.bytes)} of memory (${needed.detail}); ` +
          `this machine has ${formatBytes(totalMemory)}. Choose a smaller size`,
      },
      job,
    );
  }
  return undefined;
}
