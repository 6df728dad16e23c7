// CLIP's byte-level BPE tokenizer, as openai/CLIP's simple_tokenizer.py and Hugging Face's
// (slow) CLIPTokenizer run it: clean and lowercase the text (clean.ts), split it into words
// with CLIP's pattern, write each word's UTF-8 bytes as GPT-2's byte characters, then merge
// adjacent symbols, lowest merge rank first, with `</w>` marking the word's last symbol.

import { type Result, catchUserErrorSync } from '../errors';
import { toByteChars } from './byte-chars';
import { PY_REGEX_WHITESPACE, cleanText } from './clean';
import { readTokenizerFolder } from './hf-folder';

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';

/** Stable Diffusion's CLIP text encoders take 77 tokens: BOS, 75 of content, EOS. */
export const CLIP_MAX_LENGTH = 77;

/** What a tokenizer is made of; token strings are as vocab.json writes them. */
export interface ClipTokenizerData {
  vocab: Readonly<Record<string, number>>;
  /** Merge rules in rank order, each two symbols separated by one space ("t h</w>"). */
  merges: readonly string[];
  /** Defaults to `<|startoftext|>`. */
  bos?: string;
  /** Defaults to `<|endoftext|>`. */
  eos?: string;
  /** Defaults to the eos token (SD 1.x); SD 2.x pads with `!`. */
  pad?: string;
  /** Stands for symbols the vocabulary lacks; defaults to `<|endoftext|>` as in Hugging Face's CLIPTokenizer. */
  unk?: string;
  /** Defaults to 77. */
  maxLength?: number;
}

// CLIP's pattern, case-insensitive as CLIP compiles it. `\s` is spelled out as Python's `regex`
// module reads it, which differs from JavaScript's.
const WORD = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${PY_REGEX_WHITESPACE}\\p{L}\\p{N}]+`,
  'giu',
);

const END_OF_WORD = '</w>';

/**
 * The longest entry of CLIP's vocabulary, in UTF-8 bytes (an emoji eight times over): every
 * BPE token covers at most this many bytes of a word. SD 1.x, 2.x and XL share the vocabulary.
 */
export const LONGEST_CLIP_TOKEN_BYTES = 32;

/**
 * At least how many tokens `text` encodes to, with any CLIP vocabulary, without running BPE:
 * each word takes one token per `LONGEST_CLIP_TOKEN_BYTES` bytes or part of it. For checking
 * limits before tokenizing (BPE takes time quadratic in a word's length).
 */
export function minimumTokenCount(text: string): number {
  let count = 0;
  const cleaned = cleanText(text);
  WORD.lastIndex = 0;
  for (let match = WORD.exec(cleaned); match !== null; match = WORD.exec(cleaned)) {
    count += Math.ceil(Buffer.byteLength(match[0], 'utf8') / LONGEST_CLIP_TOKEN_BYTES);
  }
  return count;
}

// Words seen are cached with their ids; an editor session sees a bounded vocabulary, but a
// long-lived process fed arbitrary text should not grow without end.
const MAX_CACHED_WORDS = 50_000;

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly unkId: number;
  readonly maxLength: number;

  private readonly vocab: ReadonlyMap<string, number>;
  private readonly ranks: ReadonlyMap<string, number>;
  private readonly cache = new Map<string, readonly number[]>();

  private constructor(data: ClipTokenizerData) {
    this.vocab = new Map(Object.entries(data.vocab));
    const ranks = new Map<string, number>();
    data.merges.forEach((merge, rank) => ranks.set(merge, rank));
    this.ranks = ranks;
    const idOf = (role: string, token: string): number => {
      const id = this.vocab.get(token);
      if (id === undefined) throw new Error(`the vocabulary has no id for the ${role} token ${JSON.stringify(token)}`);
      return id;
    };
    this.bosId = idOf('bos', data.bos ?? START_OF_TEXT);
    this.eosId = idOf('eos', data.eos ?? END_OF_TEXT);
    this.padId = idOf('pad', data.pad ?? data.eos ?? END_OF_TEXT);
    this.unkId = idOf('unk', data.unk ?? END_OF_TEXT);
    this.maxLength = data.maxLength ?? CLIP_MAX_LENGTH;
  }

  /**
   * Loads a Hugging Face `tokenizer/` folder: vocab.json, merges.txt, and the special tokens
   * from special_tokens_map.json and/or tokenizer_config.json (optional). Problems with the
   * files come back as a `tokenizer-invalid` error naming the file.
   */
  static fromFolder(dir: string): Result<ClipTokenizer> {
    return catchUserErrorSync(() => new ClipTokenizer(readTokenizerFolder(dir)));
  }

  /** Builds a tokenizer from data in memory. Throws if a special token is not in the vocabulary (a bug in the caller). */
  static fromData(data: ClipTokenizerData): ClipTokenizer {
    return new ClipTokenizer(data);
  }

  /** The id of one vocabulary entry, e.g. `",</w>"`. */
  tokenId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  /** The content ids of `text`, without BOS and EOS, never truncated. */
  encode(text: string): number[] {
    const ids: number[] = [];
    const cleaned = cleanText(text);
    WORD.lastIndex = 0;
    for (let match = WORD.exec(cleaned); match !== null; match = WORD.exec(cleaned)) {
      for (const id of this.encodeWord(match[0])) ids.push(id);
    }
    return ids;
  }

  private encodeWord(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    let ids: readonly number[];
    const special = word === START_OF_TEXT || word === END_OF_TEXT ? this.vocab.get(word) : undefined;
    if (special !== undefined) {
      ids = [special];
    } else {
      ids = this.bpe(toByteChars(word)).map((symbol) => this.vocab.get(symbol) ?? this.unkId);
    }
    if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** `word` is in byte characters, each one UTF-16 unit. */
  private bpe(word: string): string[] {
    let symbols = word.split('');
    symbols[symbols.length - 1] += END_OF_WORD;
    while (symbols.length > 1) {
      let bestRank = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(symbols[i] + ' ' + symbols[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      const first = symbols[bestAt]!;
      const second = symbols[bestAt + 1]!;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (symbols[i] === first && symbols[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(symbols[i]!);
          i += 1;
        }
      }
      symbols = merged;
    }
    return symbols;
  }
}
