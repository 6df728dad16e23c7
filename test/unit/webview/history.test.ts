// Undo and redo of mask edits (src/webview/painter/history.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaskHistory } from '../../../src/webview/painter/history';
import { createMask, invertMask, paintSegment, type Mask, type Rect } from '../../../src/webview/painter/mask';

function edit(history: MaskHistory, mask: Mask, change: () => Rect | undefined): boolean {
  history.begin(mask);
  return history.commit(mask, change());
}

const dab = (mask: Mask, x: number) => paintSegment(mask, { x, y: 0.5, pressure: 1 }, { x, y: 0.5, pressure: 1 }, { size: 1, hardness: 1, erase: false });

describe('MaskHistory', () => {
  it('undoes and redoes steps in order, restoring the exact bytes', () => {
    const mask = createMask(4, 1);
    const history = new MaskHistory();
    assert.equal(history.dirty, false);
    edit(history, mask, () => dab(mask, 0.5));
    edit(history, mask, () => dab(mask, 2.5));
    edit(history, mask, () => invertMask(mask));
    assert.deepEqual([...mask.data], [0, 255, 0, 255]);
    assert.equal(history.dirty, true);
    assert.deepEqual(history.undo(mask), { x: 0, y: 0, width: 4, height: 1 });
    assert.deepEqual([...mask.data], [255, 0, 255, 0]);
    history.undo(mask);
    assert.deepEqual([...mask.data], [255, 0, 0, 0]);
    history.redo(mask);
    history.redo(mask);
    assert.deepEqual([...mask.data], [0, 255, 0, 255]);
    assert.equal(history.canRedo, false);
    assert.equal(history.redo(mask), undefined);
  });

  it('a new step after an undo drops the undone steps', () => {
    const mask = createMask(3, 1);
    const history = new MaskHistory();
    edit(history, mask, () => dab(mask, 0.5));
    history.undo(mask);
    edit(history, mask, () => dab(mask, 2.5));
    assert.equal(history.canRedo, false);
    history.undo(mask);
    assert.deepEqual([...mask.data], [0, 0, 0]);
    assert.equal(history.canUndo, false);
    assert.equal(history.undo(mask), undefined);
  });

  it('records nothing for an operation that changed no pixel', () => {
    const mask = createMask(2, 1);
    const history = new MaskHistory();
    edit(history, mask, () => dab(mask, 0.5));
    assert.equal(edit(history, mask, () => dab(mask, 0.5)), false, 'painting the same pixel again');
    history.undo(mask);
    assert.equal(history.canUndo, false);
  });

  it('dirty follows the saved position through undo and redo', () => {
    const mask = createMask(2, 1);
    const history = new MaskHistory();
    edit(history, mask, () => dab(mask, 0.5));
    history.markSaved();
    assert.equal(history.dirty, false);
    history.undo(mask);
    assert.equal(history.dirty, true);
    history.redo(mask);
    assert.equal(history.dirty, false);
    history.undo(mask);
    edit(history, mask, () => dab(mask, 1.5));
    assert.equal(history.dirty, true);
    history.undo(mask);
    assert.equal(history.dirty, true, 'the saved state was replaced and cannot come back');
  });

  it('drops the oldest steps past its byte budget and keeps the newest undoable', () => {
    const mask = createMask(10, 10);
    const history = new MaskHistory(450); // each full-mask step keeps 2 x 100 bytes
    for (let i = 0; i < 5; i++) edit(history, mask, () => invertMask(mask));
    let undone = 0;
    while (history.undo(mask)) undone++;
    assert.equal(undone, 2);
    assert.equal(mask.data[0], 255, 'five inverts, two undone: three remain applied');
    assert.equal(history.dirty, true, 'the opened state is gone');
  });
});
