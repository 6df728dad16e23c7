import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseSdprompt } from '../../../src/core/format/parse';
import { blockErrors, blockModel, blockToRun, resolveModelFolder, resolveModelPath, selectBlocks } from '../../../src/core/format/resolve';
import { demoModelDir, shippedModelDir } from '../../../src/core/models/demo';

const FILE = '# defaults\nsteps: 5\n\n--- first\nred\nseed: 1\n--- second\nblue\nmodel: ../models/b\n';

describe('blockToRun (Ctrl+Enter)', () => {
  const parsed = parseSdprompt(FILE);

  test('runs the block under the cursor', () => {
    assert.deepEqual(
      [4, 5, 6, 7, 9].map((line) => blockToRun(parsed, line)).map((r) => r && [r.block.name, r.fromHeader]),
      [['first', false], ['first', false], ['first', false], ['second', false], ['second', false]],
    );
  });

  test('runs the first block from the header, and says it came from there', () => {
    for (const line of [1, 2, 3]) {
      const r = blockToRun(parsed, line);
      assert.equal(r?.block.name, 'first');
      assert.equal(r?.fromHeader, true);
    }
  });

  test('a file without separators has no header: every line is its one block', () => {
    const single = parseSdprompt('steps: 5\nred\n');
    assert.deepEqual([1, 2].map((line) => blockToRun(single, line)).map((r) => r && [r.block.index, r.fromHeader]), [[1, false], [1, false]]);
  });
});

describe('blockModel', () => {
  const parsed = parseSdprompt(FILE, '/p/prompts/a.sdprompt');
  const [first, second] = parsed.blocks as [NonNullable<(typeof parsed.blocks)[0]>, NonNullable<(typeof parsed.blocks)[0]>];
  const options = { promptFile: '/p/prompts/a.sdprompt', defaultModel: '/models/default' };

  test('takes the default for a block that names no model, and a relative model: from the file’s folder', () => {
    assert.deepEqual(blockModel(parsed, first, options), { dir: '/models/default', spec: '/models/default' });
    assert.deepEqual(blockModel(parsed, second, options), { dir: '/p/models/b', spec: '../models/b' });
  });

  test('inherits the header’s model:, and an override wins over everything', () => {
    const withHeader = parseSdprompt('model: ~/sd15\n--- a\nred\n', '/p/a.sdprompt');
    assert.deepEqual(blockModel(withHeader, withHeader.blocks[0]!, options), { dir: path.join(homedir(), 'sd15'), spec: '~/sd15' });
    assert.deepEqual(blockModel(parsed, second, { ...options, modelOverride: '/elsewhere/m' }), { dir: '/elsewhere/m', spec: '/elsewhere/m' });
  });

  test('a shipped demo model by its folder name, unless a folder of that name is there', () => {
    const named = parseSdprompt('model: demo-inpainting\n--- a\nred\n', '/p/a.sdprompt');
    assert.deepEqual(blockModel(named, named.blocks[0]!, options), { dir: path.join(path.dirname(demoModelDir()), 'demo-inpainting'), spec: 'demo-inpainting' });
    assert.equal(shippedModelDir('demo-depth'), path.join(path.dirname(demoModelDir()), 'demo-depth'));
    assert.equal(shippedModelDir('demo-other'), undefined);
    assert.equal(resolveModelFolder('demo', '/nowhere'), demoModelDir());
    assert.equal(resolveModelFolder('demo-other', '/nowhere'), '/nowhere/demo-other');
    // From the repository's root, models/ holds the shipped folders themselves: a path is a path.
    const root = path.dirname(path.dirname(demoModelDir()));
    assert.equal(resolveModelFolder('models/demo-depth', root), shippedModelDir('demo-depth'));
    assert.equal(resolveModelFolder('models', root), path.join(root, 'models'));
  });

  test('resolveModelPath: ~ is the home folder, relative paths start at the base', () => {
    assert.equal(resolveModelPath('~', '/base'), homedir());
    assert.equal(resolveModelPath('m', '/base'), '/base/m');
    assert.equal(resolveModelPath('/abs/m', '/base'), '/abs/m');
  });
});

describe('selectBlocks and blockErrors', () => {
  test('select by name, then by number; an unknown selector lists the blocks', () => {
    const parsed = parseSdprompt(FILE, 'a.sdprompt');
    const names = (selector?: string) => {
      const r = selectBlocks(parsed, selector);
      return r.ok ? r.value.map((b) => b.name) : r.error.message;
    };
    assert.deepEqual(names(), ['first', 'second']);
    assert.deepEqual(names('second'), ['second']);
    assert.deepEqual(names('1'), ['first']);
    assert.equal(names('third'), "no block 'third' in the file; blocks: 'first', 'second'");
  });

  test('a block’s errors include the header’s, not another block’s', () => {
    const parsed = parseSdprompt('steps: many\n--- a\nred\n--- b\nblue\ncfg: x\n');
    const [a, b] = parsed.blocks;
    assert.deepEqual(blockErrors(parsed, a!).map((d) => d.range.start.line), [1]);
    assert.deepEqual(blockErrors(parsed, b!).map((d) => d.range.start.line), [1, 6]);
  });
});
