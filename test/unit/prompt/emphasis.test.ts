import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { type PromptRun, parseEmphasis } from '../../../src/core/prompt/emphasis';

// AUTOMATIC1111's parse_prompt_attention output (modules/prompt_parser.py at the commit in the
// fixture's "source"), written by tools/reference/a1111_emphasis.py.
const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/prompt/a1111-emphasis.json');
type A1111Run = [string, number];
interface A1111Case {
  text: string;
  runs: A1111Run[];
}
const a1111 = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: A1111Case[]; fuzz: A1111Case[] };

/** Our runs in A1111's shape: [text, weight], a BREAK as ["BREAK", -1]. */
function asA1111(runs: readonly PromptRun[]): A1111Run[] {
  return runs.map((run) => ('break' in run ? ['BREAK', -1] : [run.text, run.weight]));
}

function textRuns(runs: readonly PromptRun[]): { text: string; weight: number }[] {
  return runs.map((run) => ('break' in run ? { text: 'BREAK', weight: -1 } : { text: run.text, weight: run.weight }));
}

describe('parseEmphasis', () => {
  it("gives A1111's documented example exactly", () => {
    // A1111's docstring: parse_prompt_attention('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).')
    const runs = parseEmphasis('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).');
    assert.deepEqual(textRuns(runs), [
      { text: 'a ', weight: 1.0 },
      { text: 'house', weight: 1.5730000000000004 },
      { text: ' ', weight: 1.1 },
      { text: 'on', weight: 1.0 },
      { text: ' a ', weight: 1.1 },
      { text: 'hill', weight: 0.55 },
      { text: ', sun, ', weight: 1.1 },
      { text: 'sky', weight: 1.4641000000000006 },
      { text: '.', weight: 1.1 },
    ]);
    assert.deepEqual(
      textRuns(runs).map((r) => Number(r.weight.toFixed(4))),
      [1, 1.573, 1.1, 1, 1.1, 0.55, 1.1, 1.4641, 1.1],
    );
  });

  it("gives A1111's other docstring examples", () => {
    assert.deepEqual(asA1111(parseEmphasis('normal text')), [['normal text', 1.0]]);
    assert.deepEqual(asA1111(parseEmphasis('an (important) word')), [['an ', 1.0], ['important', 1.1], [' word', 1.0]]);
    assert.deepEqual(asA1111(parseEmphasis('(unbalanced')), [['unbalanced', 1.1]]);
    assert.deepEqual(asA1111(parseEmphasis('\\(literal\\]')), [['(literal]', 1.0]]);
    assert.deepEqual(asA1111(parseEmphasis('(unnecessary)(parens)')), [['unnecessaryparens', 1.1]]);
  });

  it(`matches A1111 on ${a1111.cases.length} chosen prompts`, () => {
    for (const { text, runs } of a1111.cases) {
      assert.deepEqual(asA1111(parseEmphasis(text)), runs, `prompt ${JSON.stringify(text)}`);
    }
  });

  it(`matches A1111 on ${a1111.fuzz.length} random prompts`, () => {
    assert.ok(a1111.fuzz.length >= 300);
    for (const { text, runs } of a1111.fuzz) {
      assert.deepEqual(asA1111(parseEmphasis(text)), runs, `prompt ${JSON.stringify(text)}`);
    }
  });

  it('gives one empty run for an empty prompt', () => {
    assert.deepEqual(parseEmphasis(''), [{ text: '', weight: 1, start: 0, end: 0 }]);
  });

  it('multiplies by 1/1.1 for square brackets and applies brackets left open to the rest', () => {
    assert.deepEqual(asA1111(parseEmphasis('a [b')), [['a ', 1], ['b', 1 * (1 / 1.1)]]);
    assert.deepEqual(asA1111(parseEmphasis('((a) b')), [['a', 1.1 * 1.1], [' b', 1.1]]);
    assert.deepEqual(asA1111(parseEmphasis('(a [b')), [['a ', 1.1], ['b', 1 * 1.1 * (1 / 1.1)]]);
  });

  it('keeps escape backslashes out of the text', () => {
    assert.deepEqual(asA1111(parseEmphasis('\\(a\\) \\[b\\] c\\\\d')), [['(a) [b] c\\d', 1]]);
    assert.deepEqual(asA1111(parseEmphasis('(\\(x\\))')), [['(x)', 1.1]]);
  });

  it('splits at BREAK as a whole word only', () => {
    assert.deepEqual(asA1111(parseEmphasis('a BREAK b')), [['a', 1], ['BREAK', -1], ['b', 1]]);
    assert.deepEqual(asA1111(parseEmphasis('BREAKfast xBREAK')), [['BREAKfast xBREAK', 1]]);
  });

  it('treats BREAK inside brackets as a break (A1111 would weight the word BREAK by -1.1)', () => {
    assert.deepEqual(asA1111(parseEmphasis('(a BREAK b)')), [['a', 1.1], ['BREAK', -1], ['b', 1.1]]);
  });

  it('reads a weight that is not a number as text and closes the bracket (A1111 raises)', () => {
    assert.deepEqual(asA1111(parseEmphasis('(x:1.2.3) y')), [['x:1.2.3', 1.1], [' y', 1]]);
    assert.deepEqual(asA1111(parseEmphasis('(x:.)')), [['x:.', 1.1]]);
  });

  it('gives offsets that cover the source of each run', () => {
    const text = 'a (((house:1.3)) [on] a (hill:0.5), sun BREAK \\(sky\\).';
    const runs = parseEmphasis(text);
    const spans = runs.map((run) => [text.slice(run.start, run.end), 'break' in run ? 'BREAK' : run.weight]);
    assert.deepEqual(spans, [
      ['a ', 1],
      ['house', 1.5730000000000004],
      [' ', 1.1],
      ['on', 1],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun', 1.1],
      [' BREAK ', 'BREAK'],
      ['\\(sky\\).', 1.1],
    ]);
  });

  it('starts a run at its escape backslash and spans whole escapes', () => {
    const text = '(a)\\(b\\) [c]';
    const runs = parseEmphasis(text);
    assert.deepEqual(
      runs.map((run) => text.slice(run.start, run.end)),
      ['a', '\\(b\\) ', 'c'],
    );
    assert.deepEqual(asA1111(runs), [['a', 1.1], ['(b) ', 1], ['c', 1 / 1.1]]);
  });

  it('counts offsets in UTF-16 units', () => {
    const text = '🐱 (猫:1.2) x';
    const runs = parseEmphasis(text);
    assert.deepEqual(
      runs.map((run) => [run.start, run.end]),
      [[0, 3], [4, 5], [10, 12]],
    );
    assert.equal(text.slice(4, 5), '猫');
  });
});
