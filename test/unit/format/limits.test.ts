// The hostile-input defects of the format (issue 11): byte order marks, seed lists with empty
// items, out-of-range numbers echoed as written, control characters in messages, and the
// limits on file and prompt size, each located.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../../src/core/diagnostics';
import { MAX_PROMPT_CHARS, MAX_PROMPT_CHUNKS, MAX_PROMPT_FILE_BYTES, promptLengthProblem } from '../../../src/core/format/limits';
import { parseSdprompt } from '../../../src/core/format/parse';
import { minimumChunkCount, tokenizePrompt } from '../../../src/core/prompt/chunks';
import { parseEmphasis } from '../../../src/core/prompt/emphasis';
import { ClipTokenizer, minimumTokenCount } from '../../../src/core/tokenizer/clip';
import { quote } from '../../../src/core/quote';
import { realVocabulary } from '../tokenizer/real-vocab';

/** [line, column, message] of each diagnostic. */
function problems(text: string): [number, number, string][] {
  return parseSdprompt(text).diagnostics.map((d) => [d.range.start.line, d.range.start.column, d.message]);
}

describe('format limits and hostile input', () => {
  test('a UTF-8 byte order mark is not text: the first line keeps its meaning', () => {
    const settingFirst = parseSdprompt('\ufeffseed: 1\nred\n');
    assert.deepEqual(settingFirst.diagnostics, []);
    assert.deepEqual(settingFirst.blocks[0]!.settings.seed?.value, [1]);
    assert.equal(settingFirst.blocks[0]!.prompt.text, 'red');
    const separatorFirst = parseSdprompt('\ufeff--- first\nred\n');
    assert.equal(separatorFirst.blocks[0]!.name, 'first');
    assert.deepEqual(separatorFirst.blocks[0]!.nameRange?.start, { line: 1, column: 5 }, 'columns as an editor shows them, without the mark');
  });

  test('an empty item in a seed list is an error wherever it is: 1,,2 and 5, as 1, ,2', () => {
    assert.deepEqual(problems('red\nseed: 1,,2\n'), [[2, 9, 'empty seed in the list']]);
    assert.deepEqual(problems('red\nseed: 5,\n'), [[2, 9, 'empty seed in the list']]);
    assert.deepEqual(problems('red\nseed: 1, ,2\n'), [[2, 9, 'empty seed in the list']]);
    assert.deepEqual(problems('red\nseed: ,3\n'), [[2, 7, 'empty seed in the list']]);
    assert.deepEqual(problems('red\nseed: 1, 2 , 3\n'), []);
  });

  test('numbers out of range are echoed as written', () => {
    assert.deepEqual(problems('red\nseed: 12345678901234567890123456\n'), [[2, 7, 'seed 12345678901234567890123456 is larger than 4294967295']]);
    assert.deepEqual(problems('red\nseed: 1..99999999999999999999\n'), [[2, 7, 'seed 99999999999999999999 is larger than 4294967295']]);
    assert.deepEqual(problems('red\nsteps: 000000000000000000000002000\n'), [[2, 8, 'steps must be from 1 to 1000, not 2000']]);
    assert.deepEqual(problems('red\ncfg: -3\n'), [[2, 6, 'cfg must be from 0 to 100, not -3']]);
    assert.deepEqual(problems('red\ncfg: 1e30\n'), [[2, 6, 'cfg 1e30 is beyond any useful guidance (at most 100)']]);
    assert.deepEqual(problems('red\ncfg: 7.5.1\n'), [[2, 6, "cfg must be a number such as 7 or 7.5, not '7.5.1'"]]);
    assert.equal(parseSdprompt('red\ncfg: 0.5e1\n').blocks[0]!.settings.cfg?.value, 5);
  });

  test('control characters in echoed text are escaped; long echoes are cut', () => {
    const parsed = parseSdprompt('red\nsampler: eu\u0000ler\nrng: \u001b[31mred\n--- \u001b]0;title\u0007\nx\n--- \u001b]0;title\u0007\ny\n', 'f.sdprompt');
    const printed = parsed.diagnostics.map(formatDiagnostic).join('\n');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(printed), printed);
    assert.match(printed, /unknown sampler 'eu\\x00ler'/);
    assert.match(printed, /unknown rng '\\x1b\[31mred'/);
    assert.match(printed, /another block is named '\\x1b\]0;title\\x07'/);
    assert.equal(quote('x'.repeat(500)).length, 62);
  });

  test('a text larger than the file limit is not parsed: one error at 1:1, no blocks', () => {
    const parsed = parseSdprompt('a'.repeat(MAX_PROMPT_FILE_BYTES + 1), 'big.sdprompt');
    assert.deepEqual(parsed.blocks, []);
    assert.deepEqual(
      parsed.diagnostics.map((d) => [d.range.start.line, d.range.start.column, d.code, d.message]),
      [[1, 1, 'file-too-large', `the file is ${MAX_PROMPT_FILE_BYTES + 1} characters long; a prompt file may be at most ${MAX_PROMPT_FILE_BYTES} (1 MiB)`]],
    );
  });

  test('a prompt over the character limit, or surely over the chunk limit, is an error at its first line', () => {
    assert.deepEqual(problems(`--- a\nfine\n--- b\nseed: 1\n${'x '.repeat(MAX_PROMPT_CHARS)}\n`), [
      [5, 1, `the prompt is ${2 * MAX_PROMPT_CHARS - 1} characters long; it may be at most ${MAX_PROMPT_CHARS}`],
    ]);
    assert.deepEqual(problems(`red\nnegative: ${'a BREAK '.repeat(40)}\n`), [
      [2, 11, `the negative prompt makes at least 40 chunks of 75 tokens (each BREAK starts one); it may make at most ${MAX_PROMPT_CHUNKS}`],
    ]);
    assert.deepEqual(problems(`${'word '.repeat(75 * MAX_PROMPT_CHUNKS + 1)}\n`), [
      [1, 1, `the prompt makes at least ${MAX_PROMPT_CHUNKS + 1} chunks of 75 tokens (each BREAK starts one); it may make at most ${MAX_PROMPT_CHUNKS}`],
    ]);
    // The most a file may ask for is allowed.
    assert.deepEqual(problems(`${'word '.repeat(75 * MAX_PROMPT_CHUNKS)}\n`), []);
    assert.deepEqual(problems(`${'a BREAK '.repeat(MAX_PROMPT_CHUNKS - 1)}a\n`), []);
  });

  test('the chunk lower bound never exceeds the real count (real CLIP vocabulary)', () => {
    const tokenizer = ClipTokenizer.fromData(realVocabulary());
    const samples = [
      '',
      'a red circle, (blue:1.3) square BREAK green',
      'BREAK BREAK BREAK',
      '😂'.repeat(300),
      'x'.repeat(3000),
      '&amp;&lt;&gt; '.repeat(200),
      'supercalifragilisticexpialidocious '.repeat(150),
      Array.from({ length: 4000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join(''),
    ];
    for (const text of samples) {
      const real = tokenizePrompt(text, tokenizer);
      assert.ok(minimumChunkCount(parseEmphasis(text)) <= real.chunks.length, text.slice(0, 30));
      assert.ok(minimumTokenCount(text) <= tokenizer.encode(text).length, text.slice(0, 30));
    }
    assert.equal(promptLengthProblem('a red circle', 'prompt'), undefined);
  });
});
