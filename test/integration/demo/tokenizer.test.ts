// The project's CLIP tokenizer on the demo model's own vocabulary gives the ids the training
// recipe's Python tokenizer gave (test/fixtures/demo/tokenizer-samples.json, written by
// tools/demo-model/train.py alongside the model): the model was trained on exactly these ids,
// so a tokenizer that drifted from them would still run but mean other words.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { demoModelDir } from '../../../src/core/models/demo';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';

const ROOT = path.resolve(__dirname, '../../../..');

interface Samples {
  vocab_size: number;
  bos: number;
  eos: number;
  pad: number;
  context_length: number;
  samples: { text: string; content_ids: number[]; input_ids: number[] }[];
}

const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'demo', 'tokenizer-samples.json'), 'utf8')) as Samples;

test('the demo tokenizer reads the special tokens the recipe wrote', () => {
  const loaded = ClipTokenizer.fromFolder(path.join(demoModelDir(), 'tokenizer'));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  assert.deepEqual([loaded.value.bosId, loaded.value.eosId, loaded.value.padId, loaded.value.maxLength], [fixture.bos, fixture.eos, fixture.pad, fixture.context_length]);
});

test(`the demo tokenizer gives the recipe's ids for all ${fixture.samples.length} samples`, () => {
  const loaded = ClipTokenizer.fromFolder(path.join(demoModelDir(), 'tokenizer'));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  const tokenizer = loaded.value;
  assert.ok(fixture.samples.length >= 30);
  for (const sample of fixture.samples) {
    const ids = tokenizer.encode(sample.text);
    assert.deepEqual(ids, sample.content_ids, JSON.stringify(sample.text));
    const content = ids.slice(0, fixture.context_length - 2);
    const input = [tokenizer.bosId, ...content, tokenizer.eosId];
    while (input.length < fixture.context_length) input.push(tokenizer.padId);
    assert.deepEqual(input, sample.input_ids, JSON.stringify(sample.text));
  }
});
