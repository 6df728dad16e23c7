// Builds a real CLIP tokenizer folder (Hugging Face layout) in a temporary directory from the
// OpenAI CLIP merge list kept beside the repository in shared/data/clip (never copied into
// the repository), as shared/data/clip/README.md describes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BYTE_CHARS } from '../../../src/core/tokenizer/byte-chars';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** `<repo root>/../shared`, or $SDPROMPT_SHARED for a checkout that has no shared/ beside it (a git worktree). */
export function sharedDir(): string {
  return process.env['SDPROMPT_SHARED'] ?? path.resolve(REPO_ROOT, '..', 'shared');
}

const MERGE_COUNT = 48894;

export interface RealVocabulary {
  vocab: Record<string, number>;
  merges: string[];
}

let loaded: RealVocabulary | undefined;

/** CLIP ViT-L/14's vocabulary and merges, read from shared/data/clip/bpe_simple_vocab_16e6.txt.gz. */
export function realVocabulary(): RealVocabulary {
  if (loaded) return loaded;
  const file = path.join(sharedDir(), 'data', 'clip', 'bpe_simple_vocab_16e6.txt.gz');
  let gz: Buffer;
  try {
    gz = readFileSync(file);
  } catch {
    throw new Error(
      `The real CLIP vocabulary is missing: ${file} cannot be read. These tests need shared/data/clip beside ` +
        `the repository (set SDPROMPT_SHARED to the shared folder when the checkout has none beside it).`,
    );
  }
  const lines = gunzipSync(gz).toString('utf8').split('\n');
  const merges = lines.slice(1, 1 + MERGE_COUNT);
  const tokens = [...BYTE_CHARS].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  const vocabList = [...tokens, ...tokens.map((t) => t + '</w>'), ...merges.map((m) => m.replace(' ', '')), '<|startoftext|>', '<|endoftext|>'];
  const vocab: Record<string, number> = {};
  vocabList.forEach((token, id) => (vocab[token] = id));
  loaded = { vocab, merges };
  return loaded;
}

export interface TokenizerFolderOptions {
  /** special_tokens_map.json's content; omitted: SD 1.x's. null: no such file. */
  specialTokensMap?: unknown;
  /** tokenizer_config.json's content; null or omitted: no such file. */
  tokenizerConfig?: unknown;
}

export const SD1_SPECIAL_TOKENS_MAP = {
  bos_token: { content: '<|startoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
  eos_token: { content: '<|endoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
  pad_token: '<|endoftext|>',
  unk_token: { content: '<|endoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
};

/** Writes vocab.json, merges.txt and the special-token files into a new temporary folder. */
export function writeTokenizerFolder(options: TokenizerFolderOptions = {}): { dir: string; remove(): void } {
  const { vocab, merges } = realVocabulary();
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-clip-'));
  writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(path.join(dir, 'merges.txt'), '#version: 0.2\n' + merges.join('\n') + '\n');
  const map = options.specialTokensMap === undefined ? SD1_SPECIAL_TOKENS_MAP : options.specialTokensMap;
  if (map !== null) writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(map, null, 2));
  if (options.tokenizerConfig !== undefined && options.tokenizerConfig !== null) {
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(options.tokenizerConfig, null, 2));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
