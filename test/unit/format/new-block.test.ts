// New blocks written into a prompt file (src/core/format/new-block.ts): derived from a block, or
// appended; the result parses, with the new block where the cursor is sent.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTextEdits } from '../../../src/core/format/edit';
import { planAppendedBlock, planDerivedBlock, pathSpec, uniqueBlockName } from '../../../src/core/format/new-block';
import { parseSdprompt } from '../../../src/core/format/parse';

const FILE = ['steps: 20', '', '--- hero', 'a red circle', 'negative: blurry,', '  dark', 'seed: 1, 2', 'outpaint: right 64', 'init: old.png', '', '', '--- other', 'green', ''].join('\n');

function apply(text: string, plan: ReturnType<typeof planDerivedBlock>) {
  assert.ok(plan.ok, plan.ok ? '' : plan.error.message);
  const result = applyTextEdits(text, [plan.value.edit]);
  return { result, plan: plan.value, parsed: parseSdprompt(result) };
}

describe('planDerivedBlock', () => {
  it('copies the block below itself with the settings set and dropped, and says where its prompt is', () => {
    const parsed = parseSdprompt(FILE);
    const { result, plan, parsed: after } = apply(FILE, planDerivedBlock(parsed, parsed.blocks[0]!, 'hero inpaint', [['seed', '2'], ['init', 'hero/hero-2.png'], ['mask', 'hero/hero-2-mask.png'], ['strength', '0.75']], ['outpaint']));
    assert.equal(plan.text, ['--- hero inpaint', 'a red circle', 'negative: blurry,', '  dark', 'seed: 2', 'init: hero/hero-2.png', 'mask: hero/hero-2-mask.png', 'strength: 0.75'].join('\n'));
    assert.deepEqual(after.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(after.blocks.map((b) => b.name), ['hero', 'hero inpaint', 'other']);
    const block = after.blocks[1]!;
    assert.equal(result.split('\n')[plan.promptLine - 1], 'a red circle');
    assert.equal(block.prompt.segments[0]!.line, plan.promptLine);
    assert.equal(block.settings.negative?.text, 'blurry,\ndark');
    assert.deepEqual([block.settings.seed?.value, block.settings.init?.value, block.settings.mask?.value, block.settings.strength?.value], [[2], 'hero/hero-2.png', 'hero/hero-2-mask.png', 0.75]);
    assert.equal(block.settings.outpaint, undefined);
    // The source is untouched, and the blank lines before the next block stay.
    assert.ok(result.startsWith(FILE.split('\n').slice(0, 9).join('\n') + '\n\n--- hero inpaint\n'));
    assert.ok(result.includes('strength: 0.75\n\n\n--- other'));
  });

  it('names it uniquely, and refuses a value the format refuses without changing anything', () => {
    const parsed = parseSdprompt(`${FILE}--- hero inpaint\nx\n`);
    const plan = planDerivedBlock(parsed, parsed.blocks[0]!, 'hero inpaint', [['seed', '3']]);
    assert.ok(plan.ok && plan.value.name === 'hero inpaint 2');
    const bad = planDerivedBlock(parsed, parsed.blocks[0]!, 'x', [['strength', '1.5']]);
    assert.ok(!bad.ok && /strength: strength must be a number from 0 to 1/.test(bad.error.message));
  });

  it('in a file without --- lines, adds one above the old prompt in the same edit', () => {
    const text = 'a red circle\nseed: 4\n';
    const parsed = parseSdprompt(text);
    const { result, plan, parsed: after } = apply(text, planDerivedBlock(parsed, parsed.blocks[0]!, 'block 1 img2img', [['init', 'a.png']]));
    assert.equal(result, '---\na red circle\nseed: 4\n\n--- block 1 img2img\na red circle\nseed: 4\ninit: a.png\n');
    assert.deepEqual(after.blocks.map((b) => [b.name, b.prompt.text]), [[undefined, 'a red circle'], ['block 1 img2img', 'a red circle']]);
    assert.equal(result.split('\n')[plan.promptLine - 1], 'a red circle');
    assert.equal(plan.promptLine, 6);
  });
});

describe('planAppendedBlock', () => {
  it('appends a block, escaping prompt lines that would read as something else', () => {
    const parsed = parseSdprompt(FILE);
    const { result, plan, parsed: after } = apply(FILE, planAppendedBlock(parsed, 'photo', 'style: sketch\n# not a comment', [['init', 'photos/photo.png'], ['strength', '0.6']]));
    assert.ok(result.endsWith('green\n\n--- photo\n\\style: sketch\n\\# not a comment\ninit: photos/photo.png\nstrength: 0.6\n'), result);
    assert.deepEqual(after.blocks[2]!.prompt.text, 'style: sketch\n# not a comment');
    assert.equal(result.split('\n')[plan.promptLine - 1], '\\style: sketch');
  });

  it('into an empty file, the block is the file', () => {
    const { result, plan } = apply('', planAppendedBlock(parseSdprompt(''), 'photo', '', [['init', 'photo.png']]));
    assert.equal(result, '--- photo\n\ninit: photo.png', 'an empty line for the prompt, where the cursor goes');
    assert.equal(plan.promptLine, 2);
  });
});

describe('paths and names', () => {
  it('pathSpec is relative to the prompt file, with forward slashes', () => {
    assert.equal(pathSpec('/w/prompts/a.sdprompt', '/w/prompts/a/img-1.png'), 'a/img-1.png');
    assert.equal(pathSpec('/w/prompts/a.sdprompt', '/w/photos/p.png'), '../photos/p.png');
  });

  it('uniqueBlockName counts up from 2', () => {
    const parsed = parseSdprompt('--- a\nx\n--- a 2\ny\n');
    assert.deepEqual([uniqueBlockName(parsed, 'a'), uniqueBlockName(parsed, 'b')], ['a 3', 'b']);
  });
});
