// The grammar's sampler names against the registry, the one source of truth: every accepted
// spelling is coloured as a sampler after `sampler:`, near misses are not, and the committed
// grammar is what tools/grammar/samplerPattern.ts writes. Tokenizes with vscode-textmate and
// vscode-oniguruma, the engine VS Code uses (both come with vscode-tmgrammar-test).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { samplerNames } from '../../../src/core/schedulers/registry';
import { GRAMMAR_PATH, grammarWithSamplers } from '../../../tools/grammar/samplerPattern';

const root = join(__dirname, '..', '..', '..', '..');
const SAMPLER_SCOPE = 'constant.language.sampler.sdprompt';

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.sdprompt'
        ? textmate.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
        : null,
  });
  const loaded = await registry.loadGrammar('source.sdprompt');
  assert.ok(loaded, 'the grammar loads');
  grammar = loaded;
});

/** The text of each token on a line that carries `scope`. */
function scopedText(line: string, scope: string): string[] {
  const { tokens } = grammar.tokenizeLine(line, textmate.INITIAL);
  return tokens.filter((t) => t.scopes.includes(scope)).map((t) => line.slice(t.startIndex, t.endIndex));
}

describe('grammar sampler names', () => {
  it('the committed grammar is up to date with the registry', () => {
    const committed = readFileSync(GRAMMAR_PATH, 'utf8');
    assert.equal(committed, grammarWithSamplers(committed), 'run: npx tsc -p . && node out/tools/grammar/samplerPattern.js');
  });

  it('colours every accepted spelling, in any case, as a sampler', () => {
    const names = samplerNames();
    assert.ok(names.length >= 17, `the registry lists ${names.length} names`);
    for (const name of names) {
      for (const spelling of [name, name.toUpperCase(), name.toLowerCase()]) {
        assert.deepEqual(scopedText(`sampler: ${spelling}`, SAMPLER_SCOPE), [spelling], `sampler: ${spelling}`);
        assert.deepEqual(scopedText(`Sampler:${spelling}  `, SAMPLER_SCOPE), [spelling], `Sampler:${spelling} + spaces`);
      }
    }
  });

  it('does not colour misspelt or partial names', () => {
    const misses = ['eulr', 'euler_ancestral', 'euler_a_karras_x', 'DPM++', 'DPM++ 2M  Karras', 'pndm_karras x', 'ddim2', ''];
    for (const miss of misses) {
      assert.deepEqual(scopedText(`sampler: ${miss}`, SAMPLER_SCOPE), [], `sampler: ${miss}`);
    }
    // A sampler name elsewhere is prompt text.
    assert.deepEqual(scopedText('euler_a', SAMPLER_SCOPE), []);
    assert.deepEqual(scopedText('steps: euler', SAMPLER_SCOPE), []);
  });
});
