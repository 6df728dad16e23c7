import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { UserError } from '../../../src/core/errors';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';

// A small but complete folder; each test breaks one thing in it.
function writeFolder(files: Record<string, string | null>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-tok-'));
  const all: Record<string, string | null> = {
    'vocab.json': JSON.stringify({ a: 0, b: 1, 'a</w>': 2, 'b</w>': 3, ab: 4, '<|startoftext|>': 5, '<|endoftext|>': 6 }),
    'merges.txt': '#version: 0.2\na b\n',
    'special_tokens_map.json': JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>' }),
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    if (content !== null) writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function loadError(dir: string): UserError {
  try {
    const result = ClipTokenizer.fromFolder(dir);
    assert.ok(!result.ok, 'expected an error');
    return result.error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ClipTokenizer.fromFolder errors', () => {
  it('loads the intact small folder (the baseline the other tests break)', () => {
    const dir = writeFolder({});
    try {
      const result = ClipTokenizer.fromFolder(dir);
      assert.ok(result.ok);
      assert.deepEqual(result.value.encode('aba b'), [4, 2, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing vocab.json', () => {
    const dir = writeFolder({ 'vocab.json': null });
    const error = loadError(dir);
    assert.equal(error.code, 'tokenizer-invalid');
    assert.equal(error.file, path.join(dir, 'vocab.json'));
    assert.match(error.message, /missing vocab\.json/);
  });

  it('names a missing merges.txt', () => {
    const dir = writeFolder({ 'merges.txt': null });
    const error = loadError(dir);
    assert.equal(error.file, path.join(dir, 'merges.txt'));
    assert.match(error.message, /missing merges\.txt/);
  });

  it('names a folder that does not exist', () => {
    const dir = path.join(tmpdir(), 'sdprompt-no-such-tokenizer-folder');
    const error = ClipTokenizer.fromFolder(dir);
    assert.ok(!error.ok);
    assert.equal(error.error.file, path.join(dir, 'vocab.json'));
  });

  it('gives the line and column of bad JSON in vocab.json', () => {
    const dir = writeFolder({ 'vocab.json': '{\n  "a": 0,\n  "b" 1\n}' });
    const error = loadError(dir);
    assert.equal(error.file, path.join(dir, 'vocab.json'));
    assert.match(error.message, /vocab\.json is not valid JSON/);
    assert.deepEqual([error.line, error.column], [3, 7]);
  });

  it('rejects a vocab.json that is not an object of integer ids', () => {
    assert.match(loadError(writeFolder({ 'vocab.json': '["a", "b"]' })).message, /should be a JSON object.*found an array/);
    assert.match(loadError(writeFolder({ 'vocab.json': '{"a": "0"}' })).message, /id of "a" should be a non-negative integer, found "0"/);
    assert.match(loadError(writeFolder({ 'vocab.json': '{"a": 1.5}' })).message, /id of "a" should be a non-negative integer, found number 1.5/);
  });

  it('names the line of a malformed merge', () => {
    const dir = writeFolder({ 'merges.txt': '#version: 0.2\na b\nab\n' });
    const error = loadError(dir);
    assert.equal(error.file, path.join(dir, 'merges.txt'));
    assert.equal(error.line, 3);
    assert.match(error.message, /line 3 should hold two symbols/);
  });

  it('reports a vocabulary lacking the eos token', () => {
    const dir = writeFolder({ 'vocab.json': JSON.stringify({ a: 0, '<|startoftext|>': 1 }) });
    const error = loadError(dir);
    assert.equal(error.file, path.join(dir, 'vocab.json'));
    assert.match(error.message, /no id for the eos token named in special_tokens_map\.json, "<\|endoftext\|>"/);
  });

  it('reports a pad token missing from the vocabulary, and the file that named it', () => {
    const dir = writeFolder({ 'special_tokens_map.json': JSON.stringify({ pad_token: { content: '!' } }) });
    assert.match(loadError(dir).message, /no id for the pad token named in special_tokens_map\.json, "!"/);
  });

  it('reports default special tokens missing when no file names any', () => {
    const dir = writeFolder({ 'special_tokens_map.json': null, 'vocab.json': JSON.stringify({ a: 0 }) });
    assert.match(loadError(dir).message, /no id for the default bos token, "<\|startoftext\|>"/);
  });

  it('rejects special tokens of the wrong type and bad JSON in the optional files', () => {
    const wrongType = writeFolder({ 'special_tokens_map.json': JSON.stringify({ eos_token: 7 }) });
    const wrongTypeError = loadError(wrongType);
    assert.equal(wrongTypeError.file, path.join(wrongType, 'special_tokens_map.json'));
    assert.match(wrongTypeError.message, /eos_token should be a string or an object with a "content" string, found number 7/);

    const badJson = writeFolder({ 'tokenizer_config.json': '{"eos_token": }' });
    const badJsonError = loadError(badJson);
    assert.equal(badJsonError.file, path.join(badJson, 'tokenizer_config.json'));
    assert.match(badJsonError.message, /tokenizer_config\.json is not valid JSON/);
  });

  it('does not throw for a vocab.json that is a directory', () => {
    const dir = writeFolder({});
    unlinkSync(path.join(dir, 'vocab.json'));
    mkdirSync(path.join(dir, 'vocab.json'));
    const error = loadError(dir);
    assert.match(error.message, /cannot read vocab\.json/);
  });
});
