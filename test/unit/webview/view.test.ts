// The painter's zoom and pan (src/webview/painter/view.ts) and its keyboard table (keys.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionForKey, type KeyPress } from '../../../src/webview/painter/keys';
import { fitView, MAX_ZOOM, nextBrushSize, panBy, toImage, toScreen, zoomAt } from '../../../src/webview/painter/view';

describe('painter view', () => {
  it('maps screen to image and back', () => {
    const view = { zoom: 2, panX: 10, panY: -4 };
    assert.deepEqual(toImage(view, 30, 16), { x: 10, y: 10 });
    assert.deepEqual(toScreen(view, 10, 10), { x: 30, y: 16 });
  });

  it('zooming keeps the image point under the pointer fixed, within limits', () => {
    const view = { zoom: 1, panX: 0, panY: 0 };
    const zoomed = zoomAt(view, 4, 100, 50);
    assert.deepEqual(toImage(zoomed, 100, 50), { x: 100, y: 50 });
    assert.equal(zoomed.zoom, 4);
    assert.equal(zoomAt(view, 1000, 0, 0).zoom, MAX_ZOOM);
  });

  it('fits the image centred, scaling small images up to at most 8x', () => {
    assert.deepEqual(fitView(512, 256, 256, 256), { zoom: 0.5, panX: 0, panY: 64 });
    assert.deepEqual(fitView(16, 16, 400, 300), { zoom: 8, panX: 136, panY: 86 });
    assert.deepEqual(panBy({ zoom: 1, panX: 1, panY: 2 }, 3, -2), { zoom: 1, panX: 4, panY: 0 });
  });

  it('brush sizes step by about a fifth, at least a pixel, within 1..max', () => {
    assert.equal(nextBrushSize(1, 1, 100), 2);
    assert.equal(nextBrushSize(50, 1, 100), 60);
    assert.equal(nextBrushSize(60, -1, 100), 50);
    assert.equal(nextBrushSize(1, -1, 100), 1);
    assert.equal(nextBrushSize(95, 1, 100), 100);
  });
});

describe('painter keys', () => {
  const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

  it('maps the documented shortcuts', () => {
    assert.equal(actionForKey(press('['), false), 'smaller');
    assert.equal(actionForKey(press(']'), false), 'larger');
    assert.equal(actionForKey(press('e'), false), 'toggleEraser');
    assert.equal(actionForKey(press('E', { shiftKey: true }), false), 'toggleEraser');
    assert.equal(actionForKey(press('z', { ctrlKey: true }), false), 'undo');
    assert.equal(actionForKey(press('Z', { ctrlKey: true, shiftKey: true }), false), 'redo');
    assert.equal(actionForKey(press('z', { metaKey: true, shiftKey: true }), false), 'redo');
    assert.equal(actionForKey(press('y', { ctrlKey: true }), false), 'redo');
    assert.equal(actionForKey(press('Escape'), false), 'close');
    assert.equal(actionForKey(press('0'), false), 'fit');
  });

  it('leaves typing and unknown keys to the page', () => {
    assert.equal(actionForKey(press('e'), true), undefined);
    assert.equal(actionForKey(press('z', { ctrlKey: true }), true), undefined);
    assert.equal(actionForKey(press('Escape'), true), 'close');
    assert.equal(actionForKey(press('q'), false), undefined);
    assert.equal(actionForKey(press('e', { altKey: true }), false), undefined);
    assert.equal(actionForKey(press('Tab'), false), undefined);
  });
});
