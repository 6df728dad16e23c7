import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../../src/core/diagnostics';
import {
  blockAtLine,
  classifyLine,
  effectiveSettings,
  parseSdprompt,
  sourcePosition,
  textOffset,
} from '../../../src/core/format/parse';

const EXAMPLE = [
  '# shapes.sdprompt',
  'steps: 20',
  'cfg: 7',
  'negative: blurry',
  '',
  '--- red circle',
  'a red circle on a blue background',
  'seed: 1, 2, 3',
  '',
  '--- emphasis',
  'a (yellow:1.3) square on a [black] background',
  'negative: red,',
  '  green',
  'seed: 100..103',
  'sampler: Euler a',
  'size: 64x64',
].join('\n');

function errors(text: string) {
  return parseSdprompt(text, 'f.sdprompt').diagnostics.filter((d) => d.severity === 'error');
}

describe('parseSdprompt', () => {
  test('reads the documented example: header defaults, named blocks, prompts and settings', () => {
    const parsed = parseSdprompt(EXAMPLE, 'shapes.sdprompt');
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.header.steps?.value, 20);
    assert.equal(parsed.header.cfg?.value, 7);
    assert.equal(parsed.header.negative?.value, 'blurry');
    assert.equal(parsed.blocks.length, 2);

    const [first, second] = parsed.blocks;
    assert.equal(first!.index, 1);
    assert.equal(first!.name, 'red circle');
    assert.deepEqual([first!.startLine, first!.endLine], [6, 9]);
    assert.equal(first!.prompt.text, 'a red circle on a blue background');
    assert.deepEqual(first!.settings.seed?.value, [1, 2, 3]);

    assert.equal(second!.name, 'emphasis');
    assert.equal(second!.prompt.text, 'a (yellow:1.3) square on a [black] background');
    assert.equal(second!.settings.negative?.value, 'red,\ngreen');
    assert.equal(second!.settings.negative?.endLine, 13);
    assert.deepEqual(second!.settings.seed?.value, [100, 101, 102, 103]);
    assert.equal(second!.settings.sampler?.value.name, 'euler_a');
    assert.deepEqual(second!.settings.size?.value, { width: 64, height: 64 });

    const { settings, inherited } = effectiveSettings(parsed, first!);
    assert.equal(settings.steps?.value, 20);
    assert.equal(settings.negative?.value, 'blurry');
    assert.deepEqual([...inherited].sort(), ['cfg', 'negative', 'steps']);
    const own = effectiveSettings(parsed, second!);
    assert.equal(own.settings.negative?.value, 'red,\ngreen');
    assert.ok(!own.inherited.has('negative'));
  });

  test('a file without separators is one block holding its settings', () => {
    const parsed = parseSdprompt('a cat\nin a hat\nseed: 5\n');
    assert.equal(parsed.blocks.length, 1);
    assert.equal(parsed.blocks[0]!.prompt.text, 'a cat\nin a hat');
    assert.deepEqual(parsed.blocks[0]!.settings.seed?.value, [5]);
    assert.deepEqual(parsed.header, {});
    assert.equal(parsed.blocks[0]!.hasSeparator, false);
  });

  test('an unknown key is an error at its position with a suggestion', () => {
    const [problem, ...rest] = errors('--- a\nred\nsed: 4');
    assert.equal(rest.length, 0);
    assert.equal(problem!.message, "unknown setting 'sed'; did you mean 'seed'?");
    assert.deepEqual(problem!.range, { start: { line: 3, column: 1 }, end: { line: 3, column: 4 } });
    assert.equal(formatDiagnostic(problem!), "f.sdprompt:3:1: error: unknown setting 'sed'; did you mean 'seed'?");
  });

  test('an unknown key with nothing close explains the backslash escape', () => {
    const [problem] = errors('style: watercolor');
    assert.match(problem!.message, /unknown setting 'style'\. Settings are seed, steps/);
    assert.match(problem!.message, /'\\style:'/);
  });

  test('every problem is reported at once, each at its line and column', () => {
    const text = ['--- a', 'red', 'steps: twenty', 'cfg: x', 'size: 512x500', 'sampler: eular', 'seed: 3..1', 'rng: cuda'].join('\n');
    const found = errors(text).map((d) => [d.range.start.line, d.range.start.column, d.message]);
    assert.deepEqual(found, [
      [3, 8, 'steps must be a whole number from 1 to 1000'],
      [4, 6, "cfg must be a number such as 7 or 7.5, not 'x'"],
      [5, 11, 'height 500 is not a multiple of 8 (try 496 or 504)'],
      [6, 10, "unknown sampler 'eular'; did you mean 'euler'?"],
      [7, 7, 'the range 3..1 runs backwards; write 1..3'],
      [8, 6, "unknown rng 'cuda'; known: numpy, torch, nv"],
    ]);
  });

  test('an unknown rng is named with the nearest source, or the source that makes A1111\'s noise of that name', () => {
    const message = (v: string) => errors(`x\nrng: ${v}`)[0]?.message;
    assert.equal(message('numpi'), "unknown rng 'numpi'; did you mean 'numpy'?");
    assert.equal(message('troch'), "unknown rng 'troch'; did you mean 'torch'?");
    assert.equal(message('CPU'), "unknown rng 'CPU'; A1111's CPU noise is 'torch' here");
    assert.equal(message('GPU'), "unknown rng 'GPU'; A1111's GPU noise is 'nv' here");
    assert.equal(message('NV'), undefined, 'names are not case-sensitive');
    assert.equal(errors('x\nrng: numpi')[0]!.range.start.column, 6);
  });

  test('seed lists, ranges and mixes; limits on value and count', () => {
    const seeds = (v: string) => parseSdprompt(`x\nseed: ${v}`).blocks[0]!.settings.seed?.value;
    assert.deepEqual(seeds('7'), [7]);
    assert.deepEqual(seeds('1, 5..7, 9'), [1, 5, 6, 7, 9]);
    assert.deepEqual(seeds('4294967295'), [4294967295]);
    assert.equal(errors('x\nseed: 4294967296')[0]!.message, 'seed 4294967296 is larger than 4294967295');
    assert.equal(errors('x\nseed: 1..1001')[0]!.message, 'more than 1000 seeds in one block');
    const bad = errors('x\nseed: 1, two, 3')[0]!;
    assert.equal(bad.range.start.column, 10);
    assert.match(bad.message, /'two' is not a seed/);
    const dup = parseSdprompt('x\nseed: 1, 1').diagnostics;
    assert.deepEqual(dup.map((d) => [d.severity, d.message]), [['warning', 'seed 1 is listed more than once']]);
  });

  test('a setting given twice in one block is an error naming the first line', () => {
    const [problem] = errors('x\nsteps: 3\nsteps: 4');
    assert.equal(problem!.message, "'steps' is already set on line 2");
    assert.equal(problem!.range.start.line, 3);
  });

  test('a value is required', () => {
    assert.equal(errors('x\nsteps:')[0]!.message, "'steps' needs a value, such as 'steps: 20'");
  });

  test('prompt text in the header of a file with blocks is an error', () => {
    const [problem] = errors('stray words\n--- a\nred');
    assert.equal(problem!.range.start.line, 1);
    assert.match(problem!.message, /prompt text before the first block/);
  });

  test('comments are whole lines; # inside a prompt is text', () => {
    const parsed = parseSdprompt('--- a\n  # a comment\na #ff0000 circle\n# another');
    assert.equal(parsed.blocks[0]!.prompt.text, 'a #ff0000 circle');
  });

  test('a leading backslash makes a setting-like line prompt text, and only then', () => {
    const parsed = parseSdprompt('--- a\n\\style: watercolor\n\\(literal) paren\n\\--- dashes');
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.blocks[0]!.prompt.text, 'style: watercolor\n\\(literal) paren\n--- dashes');
    assert.deepEqual(classifyLine('\\seed: 1'), { kind: 'prompt', text: 'seed: 1', column: 2 });
  });

  test('blank lines inside a prompt are kept, around it dropped; a blank line ends a negative prompt', () => {
    const parsed = parseSdprompt('--- a\n\nfirst\n\nsecond\n\nnegative: one\n  two\n\n  three\n');
    const block = parsed.blocks[0]!;
    assert.equal(block.settings.negative?.value, 'one\ntwo');
    assert.equal(block.prompt.text, 'first\n\nsecond\n\n\nthree');
  });

  test('prompt offsets map back to file positions and back', () => {
    const parsed = parseSdprompt('--- a\n  red circle\n\\seed: x\nnegative: dark\n  very dark');
    const block = parsed.blocks[0]!;
    assert.equal(block.prompt.text, 'red circle\nseed: x');
    assert.deepEqual(sourcePosition(block.prompt, 0), { line: 2, column: 3 });
    assert.deepEqual(sourcePosition(block.prompt, 11), { line: 3, column: 2 });
    assert.equal(textOffset(block.prompt, 3, 2), 11);
    const negative = block.settings.negative!.source!;
    assert.deepEqual(sourcePosition(negative, 5), { line: 5, column: 3 });
    assert.equal(textOffset(negative, 4, 11), 0);
  });

  test('blocks are found by line; header lines belong to no block', () => {
    const parsed = parseSdprompt(EXAMPLE);
    assert.equal(blockAtLine(parsed, 2), undefined);
    assert.equal(blockAtLine(parsed, 6)!.index, 1);
    assert.equal(blockAtLine(parsed, 9)!.index, 1);
    assert.equal(blockAtLine(parsed, 16)!.index, 2);
  });

  test('warnings for empty blocks and repeated names', () => {
    const parsed = parseSdprompt('--- a\nred\n--- a\nblue\n---\n');
    assert.deepEqual(
      parsed.diagnostics.map((d) => [d.severity, d.range.start.line, d.message]),
      [
        ['warning', 3, "another block is named 'a' (line 1)"],
        ['warning', 5, 'block 3 has no prompt text'],
      ],
    );
  });

  test('keys are case-insensitive and aliases work; CRLF line ends are fine', () => {
    const parsed = parseSdprompt('x\r\nSeed: 3\r\ncfg_scale: 4.5\r\nnegative_prompt: dark\r\n');
    assert.deepEqual(parsed.diagnostics, []);
    const s = parsed.blocks[0]!.settings;
    assert.deepEqual([s.seed?.value, s.cfg?.value, s.negative?.value], [[3], 4.5, 'dark']);
  });

  test('never throws, whatever the input', () => {
    let state = 12345;
    const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['-', '-', '-', ':', '#', '\\', '(', ')', '[', ']', '\n', '\n', ' ', '\t', 'seed', 'size', 'negative', '1', '..', ',', 'x', 'é', '\r', '💥'];
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 40);
      let text = '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const parsed = parseSdprompt(text);
      for (const d of parsed.diagnostics) {
        assert.ok(d.range.start.line >= 1 && d.range.start.column >= 1, `bad range for ${JSON.stringify(text)}`);
      }
    }
  });

  test('noise settings: subseed, subseed_strength and watermark parse, refuse what does not fit, and warn at a subseed without strength', () => {
    const good = parseSdprompt('--- a\nred\nvariation_seed: 42\nsubseed_strength: .25\nwatermark: OFF\n');
    assert.deepEqual(good.diagnostics, []);
    const s = good.blocks[0]!.settings;
    assert.deepEqual([s.subseed?.value, s.subseed_strength?.value, s.watermark?.value], [42, 0.25, false]);
    const found = (text: string) => parseSdprompt(text).diagnostics.map((d) => [d.severity, d.range.start.line, d.range.start.column, d.message]);
    assert.deepEqual(found('--- a\nred\nsubseed: 4294967296\nsubseed_strength: 1.5\nwatermark: maybe\n'), [
      ['error', 3, 10, 'subseed must be a whole number from 0 to 4294967295'],
      ['error', 4, 19, 'subseed_strength must be a number from 0 to 1, such as 0.3'],
      ['error', 5, 12, "watermark is on or off, not 'maybe'"],
    ]);
    assert.deepEqual(found('--- a\nred\nsubseed: 4\n'), [['warning', 3, 1, 'subseed has no effect without subseed_strength']]);
  });
});
