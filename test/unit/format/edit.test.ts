import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyTextEdits, planBlockInsertion, planKeepSeed, planSettingEdit, uniqueBlockName } from '../../../src/core/format/edit';
import { parseSdprompt } from '../../../src/core/format/parse';

function edited(text: string, block: number, key: Parameters<typeof planSettingEdit>[2], value: string): string {
  const plan = planSettingEdit(parseSdprompt(text), block, key, value);
  assert.ok(plan.ok, plan.ok ? '' : plan.message);
  return applyTextEdits(text, [plan.edit]);
}

describe('planSettingEdit', () => {
  test('replaces a value the block sets, touching nothing else', () => {
    const text = '--- a\nred\ncfg: 7\nseed: 1\n--- b\nblue\ncfg: 3\n';
    assert.equal(edited(text, 1, 'cfg', '8.5'), '--- a\nred\ncfg: 8.5\nseed: 1\n--- b\nblue\ncfg: 3\n');
    assert.equal(edited(text, 2, 'cfg', '2'), '--- a\nred\ncfg: 7\nseed: 1\n--- b\nblue\ncfg: 2\n');
  });

  test('adds the setting after the last setting of the block when it is inherited or absent', () => {
    const text = 'cfg: 7\n--- a\nred\nseed: 1\n\n--- b\nblue\n';
    assert.equal(edited(text, 1, 'cfg', '9'), 'cfg: 7\n--- a\nred\nseed: 1\ncfg: 9\n\n--- b\nblue\n');
    assert.equal(edited(text, 2, 'steps', '30'), 'cfg: 7\n--- a\nred\nseed: 1\n\n--- b\nblue\nsteps: 30\n');
  });

  test('adds after the separator of a block with no lines, and to a file without separators', () => {
    assert.equal(edited('--- a\n--- b\nx', 1, 'seed', '4'), '--- a\nseed: 4\n--- b\nx');
    assert.equal(edited('a cat\n', 1, 'seed', '4'), 'a cat\nseed: 4\n');
  });

  test('replaces a multi-line negative prompt whole', () => {
    const text = '--- a\nred\nnegative: one\n  two\nseed: 1';
    assert.equal(edited(text, 1, 'negative', 'none'), '--- a\nred\nnegative: none\nseed: 1');
  });

  test('the result parses back to the value set', () => {
    const text = '--- a\nred\nseed: 1, 2\n';
    const after = parseSdprompt(edited(text, 1, 'seed', '42'));
    assert.deepEqual(after.diagnostics, []);
    assert.deepEqual(after.blocks[0]!.settings.seed?.value, [42]);
  });

  test('refuses a value the parser would reject, and an unknown block', () => {
    const parsed = parseSdprompt('--- a\nred\n');
    assert.deepEqual(planSettingEdit(parsed, 1, 'size', '500x512'), {
      ok: false,
      message: 'width 500 is not a multiple of 8 (try 496 or 504)',
    });
    assert.deepEqual(planSettingEdit(parsed, 3, 'cfg', '7'), { ok: false, message: 'there is no block 3' });
  });
});

describe('planBlockInsertion', () => {
  const inserted = (text: string, block: string, after?: number) => applyTextEdits(text, planBlockInsertion(parseSdprompt(text), block, after));
  const NEW = '--- new\na dog\nseed: 3';

  test('adds a block at the end, a blank line apart, into empty and ending-in-newline files alike', () => {
    assert.equal(inserted('', NEW), `${NEW}\n`);
    assert.equal(inserted('--- a\nred\n', NEW), `--- a\nred\n\n${NEW}\n`);
    assert.equal(inserted('--- a\nred', NEW), `--- a\nred\n\n${NEW}\n`);
    assert.equal(inserted('--- a\nred\n\n', NEW), `--- a\nred\n\n${NEW}\n`);
  });

  test('adds after a given block, before the next one', () => {
    assert.equal(inserted('--- a\nred\n\n--- b\nblue\n', NEW, 1), `--- a\nred\n\n${NEW}\n\n--- b\nblue\n`);
  });

  test('a file without separators keeps its prompt a block; a settings-only file becomes the header', () => {
    const single = inserted('a cat\nseed: 1\n', NEW);
    assert.equal(single, `---\na cat\nseed: 1\n\n${NEW}\n`);
    const parsed = parseSdprompt(single);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.blocks.map((b) => b.prompt.text), ['a cat', 'a dog']);
    const defaults = inserted('steps: 30\n', NEW);
    assert.equal(defaults, `steps: 30\n\n${NEW}\n`);
    assert.equal(parseSdprompt(defaults).header.steps?.value, 30);
  });

  test('uniqueBlockName numbers a taken name', () => {
    const taken = new Set(parseSdprompt('--- cat\na\n--- cat-2\nb\n').blocks.map((b) => b.name));
    assert.equal(uniqueBlockName(taken, 'cat'), 'cat-3');
    assert.equal(uniqueBlockName(taken, 'dog'), 'dog');
  });
});

describe('planKeepSeed', () => {
  const kept = (text: string, block: number, seed: number): string => {
    const plan = planKeepSeed(parseSdprompt(text), block, seed);
    assert.ok(plan.ok, plan.ok ? '' : plan.message);
    return applyTextEdits(text, [plan.edit]);
  };

  test('adds the seed after the block’s list, ranges and all, as one edit', () => {
    assert.equal(kept('--- a\nred\nseed: 1, 5..7\ncfg: 3\n', 1, 42), '--- a\nred\nseed: 1, 5..7, 42\ncfg: 3\n');
    assert.equal(kept('--- a\nred\n--- b\nblue\nseed: 2\n', 2, 9), '--- a\nred\n--- b\nblue\nseed: 2, 9\n');
  });

  test('a block without seeds gets seed: N; one with the header’s seeds sets them with the new one', () => {
    assert.equal(kept('--- a\nred\ncfg: 3\n', 1, 123456789), '--- a\nred\ncfg: 3\nseed: 123456789\n');
    assert.equal(kept('seed: 1, 2\n--- a\nred\n', 1, 8), 'seed: 1, 2\n--- a\nred\nseed: 1, 2, 8\n');
  });

  test('a seed the list has already, or a block that is not there: no edit, and why', () => {
    assert.deepEqual(planKeepSeed(parseSdprompt('--- a\nred\nseed: 4..6\n'), 1, 5), { ok: false, message: "the block's seeds have 5 already" });
    assert.deepEqual(planKeepSeed(parseSdprompt('--- a\nred\n'), 3, 5), { ok: false, message: 'there is no block 3' });
  });
});
