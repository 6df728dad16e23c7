// The limits on what a prompt file may ask for, checked before any model work so that a file
// too large, a prompt too long or a run too big gets a located message instead of exhausting
// memory. docs/format.md lists them.

import { minimumChunkCount } from '../prompt/chunks';
import { parseEmphasis } from '../prompt/emphasis';

/** A prompt file larger than this is refused unread (a real one is a few kilobytes). */
export const MAX_PROMPT_FILE_BYTES = 1024 * 1024;

/**
 * 75-token chunks per prompt (and per negative prompt). Each chunk is 77 more tokens of
 * context for every cross-attention layer of every step; 32 chunks are 2,400 tokens, far
 * beyond anything CLIP was trained on.
 */
export const MAX_PROMPT_CHUNKS = 32;

/** Images in one run (blocks × seeds): a run is planned in full before it starts. */
export const MAX_IMAGES_PER_RUN = 10_000;

/**
 * Characters in one prompt or negative prompt. Far above what 32 chunks hold; it bounds the
 * time the emphasis parser and BPE take (both grow faster than the text) before the chunk
 * count can be checked.
 */
export const MAX_PROMPT_CHARS = 20_000;

/** Why a prompt (or negative prompt) is too long to run, or undefined; no tokenizer needed. */
export function promptLengthProblem(text: string, what: 'prompt' | 'negative prompt'): string | undefined {
  if (text.length > MAX_PROMPT_CHARS) {
    return `the ${what} is ${text.length} characters long; it may be at most ${MAX_PROMPT_CHARS}`;
  }
  const chunks = minimumChunkCount(parseEmphasis(text));
  if (chunks > MAX_PROMPT_CHUNKS) {
    return `the ${what} makes at least ${chunks} chunks of 75 tokens (each BREAK starts one); it may make at most ${MAX_PROMPT_CHUNKS}`;
  }
  return undefined;
}
