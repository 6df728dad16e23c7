import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chunkPrompt, tokenizePrompt } from '../../../src/core/prompt/chunks';
import { parseEmphasis } from '../../../src/core/prompt/emphasis';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import { writeTokenizerFolder } from '../tokenizer/real-vocab';

// Ids of the real CLIP vocabulary, as openai/CLIP's tokenizer gives them
// (test/fixtures/tokenizer/clip-reference.json).
const BOS = 49406;
const EOS = 49407;
const A = 320;
const PHOTO = 1125;
const OF = 539;
const CAT = 2368;
const COMMA = 267;

const repeat = <T>(value: T, count: number): T[] => new Array<T>(count).fill(value);
const words = (word: string, count: number): string => repeat(word, count).join(' ');

describe('chunkPrompt with the real CLIP vocabulary', () => {
  let sd1: ClipTokenizer;
  let sd2: ClipTokenizer;
  const folders: { remove(): void }[] = [];

  before(() => {
    const sd1Folder = writeTokenizerFolder();
    const sd2Folder = writeTokenizerFolder({ specialTokensMap: { pad_token: '!' } });
    folders.push(sd1Folder, sd2Folder);
    const loaded1 = ClipTokenizer.fromFolder(sd1Folder.dir);
    const loaded2 = ClipTokenizer.fromFolder(sd2Folder.dir);
    assert.ok(loaded1.ok && loaded2.ok);
    sd1 = loaded1.value;
    sd2 = loaded2.value;
  });
  after(() => folders.forEach((f) => f.remove()));

  it('lays a short prompt out as BOS, content, EOS, then EOS padding (SD 1.x)', () => {
    const prompt = tokenizePrompt('a photo of a cat', sd1);
    assert.equal(prompt.chunks.length, 1);
    assert.deepEqual(prompt.chunks[0]!.ids, [BOS, A, PHOTO, OF, A, CAT, EOS, ...repeat(EOS, 70)]);
    assert.deepEqual(prompt.chunks[0]!.weights, repeat(1, 77));
    assert.deepEqual([prompt.tokenCount, prompt.chunkTokenCounts], [5, [5]]);
  });

  it('pads with "!" (id 0) after the EOS for an SD 2.x tokenizer', () => {
    const prompt = tokenizePrompt('a photo of a cat', sd2);
    assert.deepEqual(prompt.chunks[0]!.ids, [BOS, A, PHOTO, OF, A, CAT, EOS, ...repeat(0, 70)]);
  });

  it('gives one chunk for an empty prompt', () => {
    assert.deepEqual(tokenizePrompt('', sd1), {
      chunks: [{ ids: [BOS, ...repeat(EOS, 76)], weights: repeat(1, 77) }],
      tokenCount: 0,
      chunkTokenCounts: [0],
    });
    assert.deepEqual(tokenizePrompt('', sd2).chunks[0]!.ids, [BOS, EOS, ...repeat(0, 75)]);
  });

  it('fills a chunk with 75 content tokens and starts another for the 76th', () => {
    const exactly75 = tokenizePrompt(words('cat', 75), sd1);
    assert.deepEqual(exactly75.chunks.map((c) => c.ids), [[BOS, ...repeat(CAT, 75), EOS]]);
    const prompt = tokenizePrompt(words('cat', 80), sd1);
    assert.deepEqual(prompt.chunks.map((c) => c.ids), [
      [BOS, ...repeat(CAT, 75), EOS],
      [BOS, ...repeat(CAT, 5), EOS, ...repeat(EOS, 70)],
    ]);
    assert.deepEqual([prompt.tokenCount, prompt.chunkTokenCounts], [80, [75, 5]]);
  });

  it('starts a new chunk at BREAK', () => {
    const prompt = tokenizePrompt('a photo BREAK of a cat', sd1);
    assert.deepEqual(prompt.chunks.map((c) => c.ids), [
      [BOS, A, PHOTO, EOS, ...repeat(EOS, 73)],
      [BOS, OF, A, CAT, EOS, ...repeat(EOS, 72)],
    ]);
    assert.deepEqual(prompt.chunkTokenCounts, [2, 3]);
  });

  it('moves the words after a comma to the next chunk when the comma is within 20 tokens of the end', () => {
    // 70 × cat, a comma at index 70, 10 × a. When the 5th "a" arrives the chunk is full and
    // the last comma is 5 tokens back: the 4 "a" after it move to the next chunk.
    const text = `${words('cat', 70)}, ${words('a', 10)}`;
    const prompt = tokenizePrompt(text, sd1);
    assert.deepEqual(prompt.chunks.map((c) => c.ids), [
      [BOS, ...repeat(CAT, 70), COMMA, EOS, ...repeat(EOS, 4)],
      [BOS, ...repeat(A, 10), EOS, ...repeat(EOS, 65)],
    ]);
    assert.deepEqual([prompt.tokenCount, prompt.chunkTokenCounts], [81, [71, 10]]);

    const off = tokenizePrompt(text, sd1, { commaPaddingBacktrack: 0 });
    assert.deepEqual(off.chunkTokenCounts, [75, 6]);
    assert.deepEqual(off.chunks[0]!.ids, [BOS, ...repeat(CAT, 70), COMMA, ...repeat(A, 4), EOS]);
  });

  it('does not move words when the last comma is more than 20 tokens back', () => {
    const prompt = tokenizePrompt(`${words('cat', 50)}, ${words('a', 30)}`, sd1);
    assert.deepEqual(prompt.chunkTokenCounts, [75, 6]);
    assert.deepEqual(prompt.chunks[0]!.ids, [BOS, ...repeat(CAT, 50), COMMA, ...repeat(A, 24), EOS]);
    // The boundary: a comma at index 54 is 21 back from the end (stays), at index 55 exactly 20 (moves).
    assert.deepEqual(tokenizePrompt(`${words('cat', 54)}, ${words('a', 30)}`, sd1).chunkTokenCounts, [75, 10]);
    assert.deepEqual(tokenizePrompt(`${words('cat', 55)}, ${words('a', 30)}`, sd1).chunkTokenCounts, [56, 30]);
  });

  it('carries each run weight to its tokens, across chunk boundaries', () => {
    const prompt = tokenizePrompt('a (photo:1.5) of [cat]', sd1);
    assert.deepEqual(prompt.chunks[0]!.ids.slice(0, 6), [BOS, A, PHOTO, OF, CAT, EOS]);
    assert.deepEqual(prompt.chunks[0]!.weights.slice(0, 6), [1, 1, 1.5, 1, 1 / 1.1, 1]);

    const long = tokenizePrompt(`a (${words('cat', 80)}:1.2)`, sd1);
    assert.deepEqual(long.chunks[0]!.weights, [1, 1, ...repeat(1.2, 74), 1]);
    assert.deepEqual(long.chunks[1]!.weights, [1, ...repeat(1.2, 6), ...repeat(1, 70)]);
  });

  it('keeps every token of a long real prompt, in order, ending the first chunk at a comma', () => {
    const fixture = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../../../test/fixtures/tokenizer/clip-reference.json'), 'utf8'),
    ) as { cases: { text: string; ids: number[] }[] };
    const long = fixture.cases.find((c) => c.text.startsWith('masterpiece, best quality, ultra-detailed'))!;
    assert.ok(long.ids.length > 75);
    const prompt = tokenizePrompt(long.text, sd1);
    const content = prompt.chunks.flatMap((c, i) => c.ids.slice(1, 1 + prompt.chunkTokenCounts[i]!));
    assert.deepEqual(content, long.ids);
    assert.equal(prompt.chunks.length, 2);
    assert.equal(prompt.chunks[0]!.ids[prompt.chunkTokenCounts[0]!], COMMA);
    for (const chunk of prompt.chunks) assert.deepEqual([chunk.ids.length, chunk.weights.length], [77, 77]);
  });

  it('tokenizePrompt is parseEmphasis then chunkPrompt', () => {
    const text = '(masterpiece:1.2), [blurry] BREAK a photo of a cat';
    assert.deepEqual(tokenizePrompt(text, sd1), chunkPrompt(parseEmphasis(text), sd1));
  });
});
