// Prompt text to the UNet's conditioning, as A1111 does it: emphasis runs, 75-token chunks each
// wrapped to 77 and encoded on their own, every token's state scaled by its weight and each
// chunk rescaled to its original mean, the chunks joined along the sequence.

import { tokenizePrompt, type TokenChunk } from '../prompt/chunks';
import { applyTokenWeights } from '../prompt/weighting';
import type { ClipTokenizer } from '../tokenizer/clip';
import type { Tensor } from '../tensor';
import type { TextEncoder } from '../models';

/**
 * The conditioning for a batch of prompts: [prompts.length, 77 · chunks, width]. Prompts with
 * fewer chunks than the longest are padded with the empty prompt's chunk, as A1111 pads the
 * shorter of the positive and negative prompts.
 */
export async function encodePrompts(
  textEncoder: TextEncoder,
  tokenizer: ClipTokenizer,
  prompts: readonly string[],
): Promise<Tensor> {
  const chunked = prompts.map((p) => tokenizePrompt(p, tokenizer).chunks);
  const chunkCount = Math.max(...chunked.map((c) => c.length));
  const empty = tokenizePrompt('', tokenizer).chunks[0]!;
  const all: TokenChunk[] = chunked.flatMap((chunks) => [...chunks, ...Array<TokenChunk>(chunkCount - chunks.length).fill(empty)]);

  const length = tokenizer.maxLength;
  const ids = new Int32Array(all.length * length);
  all.forEach((chunk, i) => ids.set(chunk.ids, i * length));
  const { hidden } = await textEncoder.encode(ids, all.length);
  const width = hidden.shape[2]!;
  const chunkSize = length * width;

  const out = new Float32Array(all.length * chunkSize);
  all.forEach((chunk, i) => {
    const states = hidden.data.subarray(i * chunkSize, (i + 1) * chunkSize);
    const weighted = chunk.weights.every((w) => w === 1) ? states : applyTokenWeights(states, width, chunk.weights);
    // Chunks of one prompt are consecutive, so the flat layout already joins them along the sequence.
    out.set(weighted, i * chunkSize);
  });
  return { data: out, shape: [prompts.length, chunkCount * length, width] };
}
