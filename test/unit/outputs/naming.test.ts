import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { isInside, isSafeStem, outputDirFor, outputStem, promptStem } from '../../../src/core/outputs/naming';

describe('output names', () => {
  test('the output folder is a new name inside the prompt file\'s folder, whatever the file is called', () => {
    const dir = path.resolve('/work/sub');
    const cases: [string, string][] = [
      ['shapes.sdprompt', 'shapes'],
      ['...sdprompt', '...sdprompt-outputs'],
      ['..sdprompt', '..sdprompt-outputs'],
      ['.sdprompt', '.sdprompt-outputs'],
      ['notes.txt', 'notes.txt-outputs'],
      ['a.b.sdprompt', 'a.b'],
    ];
    for (const [file, folder] of cases) {
      const out = outputDirFor(path.join(dir, file));
      assert.equal(out, path.join(dir, folder), file);
      assert.equal(path.dirname(out), dir, `${file}: the folder is inside ${dir}`);
      assert.notEqual(out, dir);
    }
  });

  test('stems the planner and the CLI make are safe; names that could leave the folder are not', () => {
    for (const stem of [outputStem({ index: 3 }, 42), outputStem({ index: 1, name: 'Ünïcode / ../name!' }, 4294967295), promptStem('a (red:1.3) square', 7), promptStem('((()))', 0)]) {
      assert.ok(isSafeStem(stem), stem);
    }
    for (const stem of ['', '.', '..', '../x', 'a/b', 'a\\b', '.hidden', 'A', 'x\u0000', 'x'.repeat(101)]) assert.ok(!isSafeStem(stem), stem);
  });

  test('isInside: the folder itself and what is under it, not a sibling with the same prefix nor a .. escape', () => {
    assert.equal(isInside('/w', '/w'), true);
    assert.equal(isInside('/w', '/w/shapes/a.png'), true);
    assert.equal(isInside('/w/', '/w/x/../a.png'), true);
    assert.equal(isInside('/w', '/w2/a.png'), false);
    assert.equal(isInside('/w', '/w/../etc/passwd'), false);
    assert.equal(isInside('/w/shapes', '/w/a.png'), false);
  });
});
