// Prompt text to the UNet's conditioning, as A1111 does it: emphasis runs, 75-token chunks each
// wrapped to 77 and encoded on their own, every token's state scaled by its weight and each
// chunk rescaled to its original mean, the chunks joined along the sequence. SDXL has two text
// encoders: each gets the prompt through its own tokenizer and its own emphasis (A1111's
// embedders each weight their own states), their states are set side by side (768 + 1280), and
// the second's pooled output of the first chunk, unweighted, is the UNet's text_embeds.

import { tokenizePrompt, type TokenChunk } from '../prompt/chunks';
import { applyTokenWeights } from '../prompt/weighting';
import type { ClipTokenizer } from '../tokenizer/clip';
import type { Tensor } from '../tensor';
import type { TextEncoder } from '../models';

/** One text encoder and the tokenizer that goes with it. */
export interface PromptEncoder {
  encoder: TextEncoder;
  tokenizer: ClipTokenizer;
}

export interface Conditioning {
  /** [prompts, 77 · chunks, width]: the encoders' states side by side. */
  hidden: Tensor;
  /** [prompts, width]: the last encoder's pooled output of each prompt's first chunk, when it gives one. */
  pooled?: Tensor;
}

/** Each prompt's chunks through one tokenizer, padded to `count` with the empty prompt's chunk, as A1111 pads the shorter prompt. */
function padded(chunked: TokenChunk[][], tokenizer: ClipTokenizer, count: number): TokenChunk[] {
  const empty = tokenizePrompt('', tokenizer).chunks[0]!;
  return chunked.flatMap((chunks) => [...chunks, ...Array<TokenChunk>(count - chunks.length).fill(empty)]);
}

/**
 * The conditioning for a batch of prompts. `zeroed[i]` makes prompt i all zeros, states and
 * pooled alike, without encoding it (SDXL's empty negative prompt, force_zeros_for_empty_prompt).
 */
export async function encodePrompts(encoders: readonly PromptEncoder[], prompts: readonly string[], zeroed: readonly boolean[] = []): Promise<Conditioning> {
  const chunkedBy = encoders.map(({ tokenizer }) => prompts.map((p) => tokenizePrompt(p, tokenizer).chunks));
  const chunkCount = Math.max(...chunkedBy.flatMap((byPrompt) => byPrompt.map((c) => c.length)));
  const length = encoders[0]!.tokenizer.maxLength;
  const widths = encoders.map((e) => e.encoder.hiddenSize);
  const width = widths.reduce((a, b) => a + b, 0);
  const encoded = prompts.map((_, p) => !zeroed[p]);
  const rows = encoded.filter(Boolean).length * chunkCount;

  const hidden = new Float32Array(prompts.length * chunkCount * length * width);
  let pooled: Tensor | undefined;
  let offset = 0;
  for (let e = 0; e < encoders.length; e++) {
    const { encoder, tokenizer } = encoders[e]!;
    const chunks = padded(chunkedBy[e]!.filter((_, p) => encoded[p]), tokenizer, chunkCount);
    const ids = new Int32Array(chunks.length * length);
    chunks.forEach((chunk, i) => ids.set(chunk.ids, i * length));
    const out = rows > 0 ? await encoder.encode(ids, rows) : undefined;
    const w = widths[e]!;
    let row = 0;
    for (let p = 0; p < prompts.length; p++) {
      if (!encoded[p]) continue;
      for (let c = 0; c < chunkCount; c++, row++) {
        const states = out!.hidden.data.subarray(row * length * w, (row + 1) * length * w);
        const weights = chunks[row]!.weights;
        const weighted = weights.every((x) => x === 1) ? states : applyTokenWeights(states, w, weights);
        // Chunks of one prompt are consecutive along the sequence; each token's states from every encoder side by side.
        const base = (p * chunkCount + c) * length;
        for (let t = 0; t < length; t++) hidden.set(weighted.subarray(t * w, (t + 1) * w), (base + t) * width + offset);
      }
    }
    if (e === encoders.length - 1 && out?.pooled) pooled = firstChunkPooled(out.pooled, encoded, chunkCount);
    offset += w;
  }
  return { hidden: { data: hidden, shape: [prompts.length, chunkCount * length, width] }, ...(pooled ? { pooled } : {}) };
}

/** The pooled output of each encoded prompt's first chunk, zeros for the zeroed prompts. */
function firstChunkPooled(pooled: Tensor, encoded: readonly boolean[], chunkCount: number): Tensor {
  const width = pooled.shape[1]!;
  const out = new Float32Array(encoded.length * width);
  let row = 0;
  encoded.forEach((isEncoded, p) => {
    if (!isEncoded) return;
    out.set(pooled.data.subarray(row * chunkCount * width, (row * chunkCount + 1) * width), p * width);
    row++;
  });
  return { data: out, shape: [encoded.length, width] };
}
