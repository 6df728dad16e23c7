// Prompt runs to the 77-token chunks CLIP's text encoder takes, as AUTOMATIC1111's webui builds
// them (modules/sd_hijack_clip.py, FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line): each
// run is tokenized on its own; a chunk holds 75 content tokens; BREAK starts a new chunk; when
// a chunk fills up and its last comma is at most `commaPaddingBacktrack` tokens back, the
// tokens after that comma move to the next chunk so that a phrase is not cut in two.
// Each chunk is laid out as Hugging Face's tokenizer(padding="max_length") lays out one prompt:
// BOS, the content, EOS, then the pad token (EOS for SD 1.x, "!" for SD 2.x) to 77.

import { minimumTokenCount, type ClipTokenizer } from '../tokenizer/clip';
import { type PromptRun, parseEmphasis } from './emphasis';

export interface TokenChunk {
  /** `tokenizer.maxLength` (77) ids: BOS, content, EOS, padding. */
  ids: number[];
  /** One weight per id; 1 for BOS, EOS and padding. */
  weights: number[];
}

export interface ChunkedPrompt {
  chunks: TokenChunk[];
  /** Content tokens in all chunks together (BOS, EOS and padding not counted). */
  tokenCount: number;
  /** Content tokens of each chunk, for a "12/75" display. */
  chunkTokenCounts: number[];
}

export interface ChunkOptions {
  /** A1111's "comma_padding_backtrack" setting; 0 turns it off. Default 20. */
  commaPaddingBacktrack?: number;
}

export const DEFAULT_COMMA_PADDING_BACKTRACK = 20;

const COMMA = ',</w>';
/** Content tokens in a chunk of CLIP's 77: all but BOS and EOS. */
const CONTENT_LENGTH = 75;

interface Content {
  ids: number[];
  weights: number[];
}

/** Lays `runs` out in chunks of `tokenizer.maxLength` tokens. An empty prompt gives one chunk. */
export function chunkPrompt(runs: readonly PromptRun[], tokenizer: ClipTokenizer, options: ChunkOptions = {}): ChunkedPrompt {
  const backtrack = options.commaPaddingBacktrack ?? DEFAULT_COMMA_PADDING_BACKTRACK;
  const contentLength = tokenizer.maxLength - 2;
  const commaId = tokenizer.tokenId(COMMA);

  const filled: Content[] = [];
  let chunk: Content = { ids: [], weights: [] };
  let lastComma = -1;
  const nextChunk = (): void => {
    filled.push(chunk);
    chunk = { ids: [], weights: [] };
    lastComma = -1;
  };

  for (const run of runs) {
    if ('break' in run) {
      nextChunk();
      continue;
    }
    for (const id of tokenizer.encode(run.text)) {
      if (id === commaId) {
        lastComma = chunk.ids.length;
      } else if (backtrack !== 0 && chunk.ids.length === contentLength && lastComma !== -1 && chunk.ids.length - lastComma <= backtrack) {
        const cut = lastComma + 1;
        const moved: Content = { ids: chunk.ids.splice(cut), weights: chunk.weights.splice(cut) };
        nextChunk();
        chunk = moved;
      }
      if (chunk.ids.length === contentLength) nextChunk();
      chunk.ids.push(id);
      chunk.weights.push(run.weight);
    }
  }
  if (chunk.ids.length > 0 || filled.length === 0) nextChunk();

  const chunkTokenCounts = filled.map((c) => c.ids.length);
  return {
    chunks: filled.map((c) => layOut(c, tokenizer, contentLength)),
    tokenCount: chunkTokenCounts.reduce((a, b) => a + b, 0),
    chunkTokenCounts,
  };
}

/** `parseEmphasis` then `chunkPrompt`. */
export function tokenizePrompt(text: string, tokenizer: ClipTokenizer, options: ChunkOptions = {}): ChunkedPrompt {
  return chunkPrompt(parseEmphasis(text), tokenizer, options);
}

/**
 * At least how many chunks `chunkPrompt` makes of `runs`, with any CLIP vocabulary and without
 * tokenizing: each BREAK ends one, and none holds more than 75 tokens.
 */
export function minimumChunkCount(runs: readonly PromptRun[], contentLength = CONTENT_LENGTH): number {
  let breaks = 0;
  let tokens = 0;
  for (const run of runs) {
    if ('break' in run) breaks++;
    else tokens += minimumTokenCount(run.text);
  }
  return Math.max(1, breaks, Math.ceil(tokens / contentLength));
}

function layOut(content: Content, tokenizer: ClipTokenizer, contentLength: number): TokenChunk {
  const padding = contentLength - content.ids.length;
  return {
    ids: [tokenizer.bosId, ...content.ids, tokenizer.eosId, ...new Array<number>(padding).fill(tokenizer.padId)],
    weights: [1, ...content.weights, 1, ...new Array<number>(padding).fill(1)],
  };
}
