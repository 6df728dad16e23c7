// The painter's mask arithmetic (src/webview/painter/mask.ts), pixel by pixel.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  copyRect,
  coverage,
  createMask,
  floodFill,
  invertMask,
  paintedShare,
  paintSegment,
  pasteRect,
  setAll,
  unionRect,
  type Brush,
  type Mask,
} from '../../../src/webview/painter/mask';

const hard = (size: number, erase = false): Brush => ({ size, hardness: 1, erase });
const at = (x: number, y: number, pressure = 1) => ({ x, y, pressure });

/** The mask as rows of '#' (255), '.' (0) and '+' (in between), for readable expectations. */
function picture(mask: Mask): string[] {
  const rows: string[] = [];
  for (let y = 0; y < mask.height; y++) {
    let row = '';
    for (let x = 0; x < mask.width; x++) {
      const v = mask.data[y * mask.width + x]!;
      row += v === 255 ? '#' : v === 0 ? '.' : '+';
    }
    rows.push(row);
  }
  return rows;
}

describe('coverage', () => {
  it('is 1 inside the hard core, 0 at and beyond the radius, and falls smoothly between', () => {
    assert.equal(coverage(0, 10, 0.5), 1);
    assert.equal(coverage(5, 10, 0.5), 1);
    assert.equal(coverage(10, 10, 0.5), 0);
    assert.equal(coverage(12, 10, 0.5), 0);
    assert.equal(coverage(7.5, 10, 0.5), 0.5, 'half way through the fade, smoothstep gives one half');
    const fade = [5.5, 6.5, 7.5, 8.5, 9.5].map((d) => coverage(d, 10, 0.5));
    for (let i = 1; i < fade.length; i++) assert.ok(fade[i]! < fade[i - 1]!, `decreasing: ${fade.join(', ')}`);
  });

  it('hardness 1 is a hard edge; hardness 0 fades from the centre', () => {
    assert.equal(coverage(9.99, 10, 1), 1);
    assert.equal(coverage(10, 10, 1), 0);
    assert.ok(coverage(1, 10, 0) < 1 && coverage(1, 10, 0) > 0.9);
    assert.equal(coverage(0, 10, 0), 1);
  });
});

describe('paintSegment', () => {
  it('a hard dab of size 3 at a pixel centre paints the pixels whose centres are within 1.5', () => {
    const mask = createMask(5, 5);
    const changed = paintSegment(mask, at(2.5, 2.5), at(2.5, 2.5), hard(3));
    // Centres at distance 0 and 1 are in; the diagonal (√2 ≈ 1.41) too; 2 is out.
    assert.deepEqual(picture(mask), ['.....', '.###.', '.###.', '.###.', '.....']);
    assert.deepEqual(changed, { x: 1, y: 1, width: 3, height: 3 });
  });

  it('a size-1 dab paints exactly the pixel under it', () => {
    const mask = createMask(4, 3);
    paintSegment(mask, at(1.2, 2.7), at(1.2, 2.7), hard(1));
    assert.deepEqual(picture(mask), ['....', '....', '.#..']);
  });

  it('a segment paints the capsule between its ends, clipped to the mask', () => {
    const mask = createMask(8, 3);
    const changed = paintSegment(mask, at(-3, 1.5), at(5.5, 1.5), hard(1));
    assert.deepEqual(picture(mask), ['........', '######..', '........']);
    assert.deepEqual(changed, { x: 0, y: 1, width: 6, height: 1 });
  });

  it('soft brushes leave grey edges; painting again never lowers a value and never builds up', () => {
    const mask = createMask(21, 1);
    const soft: Brush = { size: 20, hardness: 0.5, erase: false };
    paintSegment(mask, at(10.5, 0.5), at(10.5, 0.5), soft);
    const once = [...mask.data];
    assert.equal(once[10], 255);
    assert.ok(once[2]! > 0 && once[2]! < 255, `edge is grey: ${once[2]}`);
    assert.equal(once[0], 0, 'the pixel at distance 10 is outside');
    // The same dab again, and a stroke sampled at many points: identical.
    paintSegment(mask, at(10.5, 0.5), at(10.5, 0.5), soft);
    for (let i = 0; i < 10; i++) paintSegment(mask, at(10.5, 0.5), at(10.5, 0.5), soft);
    assert.deepEqual([...mask.data], once);
  });

  it('the eraser lowers values by the brush and leaves the rest', () => {
    const mask = createMask(6, 1);
    setAll(mask, 255);
    paintSegment(mask, at(1, 0.5), at(3.2, 0.5), hard(1, true));
    assert.deepEqual(picture(mask), ['#...##']);
  });

  it('a pen\'s pressure scales the radius', () => {
    const full = createMask(9, 1);
    const light = createMask(9, 1);
    paintSegment(full, at(4.5, 0.5), at(4.5, 0.5), hard(7, false));
    paintSegment(light, at(4.5, 0.5, 0.3), at(4.5, 0.5, 0.3), hard(7, false));
    assert.deepEqual(picture(full), ['.#######.']);
    assert.deepEqual(picture(light), ['...###...']);
  });

  it('returns nothing for a stroke wholly outside the mask', () => {
    const mask = createMask(4, 4);
    assert.equal(paintSegment(mask, at(-10, -10), at(-8, -9), hard(2)), undefined);
    assert.equal(paintedShare(mask), 0);
  });
});

describe('floodFill, invert, clear', () => {
  it('fills the enclosed area inside an outline and stops at the outline', () => {
    const mask = createMask(7, 7);
    // A square outline from (1,1) to (5,5).
    for (const [a, b] of [[at(1.5, 1.5), at(5.5, 1.5)], [at(5.5, 1.5), at(5.5, 5.5)], [at(5.5, 5.5), at(1.5, 5.5)], [at(1.5, 5.5), at(1.5, 1.5)]] as const) {
      paintSegment(mask, a, b, hard(1));
    }
    const changed = floodFill(mask, 3.2, 3.9, 255);
    assert.deepEqual(picture(mask), ['.......', '.#####.', '.#####.', '.#####.', '.#####.', '.#####.', '.......']);
    assert.deepEqual(changed, { x: 2, y: 2, width: 3, height: 3 });
  });

  it('filling outside an outline fills everything but the enclosed area', () => {
    const mask = createMask(5, 5);
    for (const [a, b] of [[at(1.5, 1.5), at(3.5, 1.5)], [at(3.5, 1.5), at(3.5, 3.5)], [at(3.5, 3.5), at(1.5, 3.5)], [at(1.5, 3.5), at(1.5, 1.5)]] as const) {
      paintSegment(mask, a, b, hard(1));
    }
    floodFill(mask, 0, 0, 255);
    assert.deepEqual(picture(mask), ['#####', '#####', '##.##', '#####', '#####']);
  });

  it('a fill with 0 on a painted area clears that connected area only', () => {
    const mask = createMask(5, 1);
    mask.data.set([255, 255, 0, 255, 200]);
    floodFill(mask, 0.5, 0.5, 0);
    assert.deepEqual([...mask.data], [0, 0, 0, 255, 200]);
    assert.equal(floodFill(mask, 9, 0, 255), undefined, 'outside the mask: nothing');
  });

  it('invert maps v to 255 - v; setAll clears or fills', () => {
    const mask = createMask(3, 1);
    mask.data.set([0, 100, 255]);
    assert.deepEqual(invertMask(mask), { x: 0, y: 0, width: 3, height: 1 });
    assert.deepEqual([...mask.data], [255, 155, 0]);
    setAll(mask, 0);
    assert.deepEqual([...mask.data], [0, 0, 0]);
    setAll(mask, 255);
    assert.equal(paintedShare(mask), 1);
  });
});

describe('rectangles', () => {
  it('copyRect and pasteRect move the same bytes', () => {
    const mask = createMask(4, 3);
    mask.data.set([...Array(12).keys()]);
    const rect = { x: 1, y: 1, width: 2, height: 2 };
    assert.deepEqual([...copyRect(mask, rect)], [5, 6, 9, 10]);
    pasteRect(mask, rect, new Uint8Array([1, 2, 3, 4]));
    assert.deepEqual([...mask.data], [0, 1, 2, 3, 4, 1, 2, 7, 8, 3, 4, 11]);
  });

  it('unionRect covers both', () => {
    assert.deepEqual(unionRect({ x: 1, y: 2, width: 2, height: 2 }, { x: 4, y: 0, width: 1, height: 1 }), { x: 1, y: 0, width: 4, height: 4 });
    assert.deepEqual(unionRect(undefined, { x: 1, y: 1, width: 1, height: 1 }), { x: 1, y: 1, width: 1, height: 1 });
  });

  it('refuses a mask without a positive whole size', () => {
    assert.throws(() => createMask(0, 4), /positive whole size/);
    assert.throws(() => createMask(2.5, 4), /positive whole size/);
  });
});
