import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { conditioningMask, invertMask, isEmptyMask, latentBlendMask, maskFromImage, overlayMaskWhole, prepareMask } from '../../../src/core/image/mask';
import { outpaintCanvas } from '../../../src/core/image/outpaint';
import { createRaster, type Raster } from '../../../src/core/image/raster';
import { rasterToTensor } from '../../../src/core/image/to-tensor';

function grey(width: number, height: number, values: number[]): Raster {
  return { data: Uint8Array.from(values), width, height, channels: 1 };
}

describe('masks', () => {
  test('an RGBA mask with real transparency is its alpha thresholded at > 128; otherwise luminance', () => {
    const painted: Raster = { data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 129, 9, 9, 9, 255]), width: 4, height: 1, channels: 4 };
    assert.deepEqual([...maskFromImage(painted).data], [0, 0, 255, 255]);
    const opaque: Raster = { data: Uint8Array.from([255, 255, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]), width: 4, height: 1, channels: 4 };
    // Pillow's L: (19595 R + 38470 G + 7471 B + 32768) >> 16.
    assert.deepEqual([...maskFromImage(opaque).data], [255, 76, 150, 29]);
  });

  test('prepareMask inverts before it blurs; σ 0 leaves the mask sharp', () => {
    const mask = grey(5, 1, [0, 0, 255, 255, 255]);
    assert.deepEqual([...prepareMask(mask, { invert: true, blur: 0 }).data], [255, 255, 0, 0, 0]);
    const blurred = prepareMask(mask, { invert: false, blur: 1 });
    assert.ok(blurred.data[1]! > 0 && blurred.data[1]! < 128 && blurred.data[2]! > 128 && blurred.data[2]! < 255, `${[...blurred.data]}`);
    assert.deepEqual([...invertMask(grey(2, 1, [3, 250])).data], [252, 5]);
  });

  test('the whole-picture overlay mask doubles and clips; empty masks are recognised', () => {
    assert.deepEqual([...overlayMaskWhole(grey(4, 1, [0, 1, 127, 200])).data], [0, 2, 254, 255]);
    assert.equal(isEmptyMask(createRaster(3, 3, 1)), true);
    assert.equal(isEmptyMask(grey(2, 1, [0, 1])), false);
  });

  test('the conditioning mask takes every 8th pixel, rounded at 128; the blend mask averages then rounds', () => {
    const mask = createRaster(16, 8, 1);
    mask.data[0] = 128; // pixel (0, 0): sampled, rounds up
    mask.data[8] = 127; // pixel (8, 0): sampled, rounds down
    for (let y = 0; y < 8; y++) mask.data.fill(255, y * 16 + 9, y * 16 + 16); // most of the right block
    assert.deepEqual([...conditioningMask(mask, 8)], [1, 0]);
    assert.deepEqual([...latentBlendMask(mask, 8)], [0, 1]);
  });
});

describe('outpainting canvas', () => {
  test('the picture sits at (left, top), its edges repeated outwards; the mask covers the new strips and the seam', () => {
    const image: Raster = { data: Uint8Array.from([10, 20, 30, 40, 50, 60]), width: 3, height: 2, channels: 1 };
    const { image: canvas, mask } = outpaintCanvas(image, { left: 2, right: 0, top: 0, bottom: 1 }, 1);
    assert.deepEqual([canvas.width, canvas.height], [5, 3]);
    assert.deepEqual([...canvas.data], [10, 10, 10, 20, 30, 40, 40, 40, 50, 60, 40, 40, 40, 50, 60]);
    // New columns 0-1 and row 2 are white; the seam takes one column (x 2) and one row (y 1) of the picture.
    assert.deepEqual([...mask.data], [255, 255, 255, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255]);
  });
});

describe('pictures to tensors', () => {
  test('pixels map to x / 255 · 2 − 1, planar; pixels under the mask become 0', () => {
    const image: Raster = { data: Uint8Array.from([0, 255, 51, 255, 0, 0]), width: 2, height: 1, channels: 3 };
    const t = rasterToTensor(image);
    assert.deepEqual(t.shape, [1, 3, 1, 2]);
    assert.deepEqual([...t.data].map((v) => Math.round(v * 1e6) / 1e6), [-1, 1, 1, -1, -0.6, -1]);
    const masked = rasterToTensor(image, grey(2, 1, [200, 10]));
    assert.deepEqual([...masked.data].map((v) => Math.round(v * 1e6) / 1e6), [0, 1, 0, -1, 0, -1]);
  });
});
