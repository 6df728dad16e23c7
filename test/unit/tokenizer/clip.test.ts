import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import { writeTokenizerFolder } from './real-vocab';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/tokenizer/clip-reference.json');

interface ReferenceCase {
  text: string;
  ids: number[];
}
// Ids from openai/CLIP's simple_tokenizer.py with ftfy 6.3.1 (see the fixture's "source" and
// tools/reference/clip_reference_ids.py).
const reference = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: ReferenceCase[]; fuzz: ReferenceCase[] };

describe('ClipTokenizer with the real CLIP vocabulary', () => {
  let folder: ReturnType<typeof writeTokenizerFolder>;
  let tokenizer: ClipTokenizer;

  before(() => {
    folder = writeTokenizerFolder();
    const loaded = ClipTokenizer.fromFolder(folder.dir);
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    tokenizer = loaded.value;
  });
  after(() => folder.remove());

  it('has SD 1.x special tokens: BOS 49406, EOS 49407, pad = EOS, 77 tokens', () => {
    assert.deepEqual(
      [tokenizer.bosId, tokenizer.eosId, tokenizer.padId, tokenizer.unkId, tokenizer.maxLength],
      [49406, 49407, 49407, 49407, 77],
    );
  });

  it('encodes the known sequences', () => {
    assert.deepEqual([tokenizer.bosId, ...tokenizer.encode('a photo of a cat'), tokenizer.eosId], [49406, 320, 1125, 539, 320, 2368, 49407]);
    assert.deepEqual([tokenizer.bosId, ...tokenizer.encode('Hello World'), tokenizer.eosId], [49406, 3306, 1002, 49407]);
  });

  it(`matches openai/CLIP on ${reference.cases.length} chosen texts`, () => {
    assert.ok(reference.cases.length >= 50);
    for (const { text, ids } of reference.cases) {
      assert.deepEqual(tokenizer.encode(text), ids, `text ${JSON.stringify(text)}`);
    }
  });

  it(`matches openai/CLIP on ${reference.fuzz.length} random texts`, () => {
    assert.ok(reference.fuzz.length >= 300);
    for (const { text, ids } of reference.fuzz) {
      assert.deepEqual(tokenizer.encode(text), ids, `text ${JSON.stringify(text)}`);
    }
  });

  it('gives the same ids from its word cache as on first sight', () => {
    const fresh = writeTokenizerFolder();
    try {
      const loaded = ClipTokenizer.fromFolder(fresh.dir);
      assert.ok(loaded.ok);
      for (const { text, ids } of reference.cases) {
        assert.deepEqual(loaded.value.encode(text), ids, `first time: ${JSON.stringify(text)}`);
        assert.deepEqual(loaded.value.encode(text), ids, `second time: ${JSON.stringify(text)}`);
      }
    } finally {
      fresh.remove();
    }
  });
});

describe('ClipTokenizer special tokens from the folder', () => {
  it('pads with "!" (id 0) for an SD 2.x special_tokens_map.json', () => {
    const folder = writeTokenizerFolder({
      specialTokensMap: {
        bos_token: { content: '<|startoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
        eos_token: { content: '<|endoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
        pad_token: '!',
        unk_token: { content: '<|endoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false },
      },
    });
    try {
      const loaded = ClipTokenizer.fromFolder(folder.dir);
      assert.ok(loaded.ok);
      assert.deepEqual([loaded.value.bosId, loaded.value.eosId, loaded.value.padId], [49406, 49407, 0]);
    } finally {
      folder.remove();
    }
  });

  it('reads tokenizer_config.json when there is no special_tokens_map.json, and its model_max_length', () => {
    const folder = writeTokenizerFolder({
      specialTokensMap: null,
      tokenizerConfig: { bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: { content: '!' }, model_max_length: 77 },
    });
    try {
      const loaded = ClipTokenizer.fromFolder(folder.dir);
      assert.ok(loaded.ok);
      assert.deepEqual([loaded.value.padId, loaded.value.maxLength], [0, 77]);
    } finally {
      folder.remove();
    }
  });

  it('lets special_tokens_map.json override tokenizer_config.json', () => {
    const folder = writeTokenizerFolder({
      specialTokensMap: { pad_token: '!' },
      tokenizerConfig: { pad_token: '<|endoftext|>', model_max_length: 1000000000000000019884624838656 },
    });
    try {
      const loaded = ClipTokenizer.fromFolder(folder.dir);
      assert.ok(loaded.ok);
      assert.deepEqual([loaded.value.bosId, loaded.value.eosId, loaded.value.padId, loaded.value.maxLength], [49406, 49407, 0, 77]);
    } finally {
      folder.remove();
    }
  });

  it('pads with EOS when no file names a pad token', () => {
    const folder = writeTokenizerFolder({ specialTokensMap: null });
    try {
      const loaded = ClipTokenizer.fromFolder(folder.dir);
      assert.ok(loaded.ok);
      assert.deepEqual([loaded.value.bosId, loaded.value.eosId, loaded.value.padId], [49406, 49407, 49407]);
    } finally {
      folder.remove();
    }
  });
});

describe('ClipTokenizer.fromData', () => {
  // A toy vocabulary: merges apply lowest rank first, `</w>` marks the last symbol.
  const vocab: Record<string, number> = {
    a: 0, b: 1, c: 2, 'a</w>': 3, 'b</w>': 4, 'c</w>': 5, ab: 6, 'bc</w>': 7, 'abc</w>': 8,
    '<|startoftext|>': 9, '<|endoftext|>': 10, '<unk>': 11,
  };

  it('applies the lowest-ranked merge first', () => {
    // "ab" outranks "b c</w>": a b c</w> → ab c</w> → (no "ab c</w>" merge) → [ab, c</w>]
    const abFirst = ClipTokenizer.fromData({ vocab, merges: ['a b', 'b c</w>', 'a bc</w>'] });
    assert.deepEqual(abFirst.encode('abc'), [6, 5]);
    // "b c</w>" outranks "a b": a b c</w> → a bc</w> → abc</w>
    const bcFirst = ClipTokenizer.fromData({ vocab, merges: ['b c</w>', 'a b', 'a bc</w>'] });
    assert.deepEqual(bcFirst.encode('abc'), [8]);
  });

  it('merges every occurrence of the pair, left to right', () => {
    const tokenizer = ClipTokenizer.fromData({ vocab, merges: ['a b'] });
    assert.deepEqual(tokenizer.encode('ababa'), [6, 6, 3]);
  });

  it('maps symbols missing from the vocabulary to the unk token (default: <|endoftext|>)', () => {
    assert.deepEqual(ClipTokenizer.fromData({ vocab, merges: ['a b'] }).encode('abd a'), [6, 10, 3]);
    assert.deepEqual(ClipTokenizer.fromData({ vocab, merges: ['a b'], unk: '<unk>' }).encode('abd'), [6, 11]);
  });

  it('throws for a special token missing from the vocabulary (a caller bug)', () => {
    assert.throws(() => ClipTokenizer.fromData({ vocab, merges: [], pad: '!' }), /pad token "!"/);
  });
});
