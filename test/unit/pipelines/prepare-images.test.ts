import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRaster, type Raster } from '../../../src/core/image/raster';
import { compositeResult, prepareImages, type PrepareOptions } from '../../../src/core/pipelines/prepare-images';

/** A 40x30 picture with a horizontal colour ramp, and a mask with a white rectangle. */
function picture(width = 40, height = 30): Raster {
  const r = createRaster(width, height, 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) r.data.set([x * 6, y * 8, 100], (y * width + x) * 3);
  return r;
}
function maskWithRect(width: number, height: number, [x1, y1, x2, y2]: number[]): Raster {
  const m = createRaster(width, height, 1);
  for (let y = y1!; y < y2!; y++) m.data.fill(255, y * width + x1!, y * width + x2!);
  return m;
}
const BASE: PrepareOptions = { width: 32, height: 24, resize: 'stretch', maskedContent: 'original' };
const pixel = (r: Raster, x: number, y: number) => [...r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x + 1) * r.channels)];
const noise = (w: number, h: number) => ({ data: Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 97) % 256), width: w, height: h, channels: 3 as const });

describe('prepareImages and compositeResult', () => {
  test('img2img: the init resized to the model size, nothing to put back', () => {
    const p = prepareImages(picture(), BASE);
    assert.deepEqual([p.start.width, p.start.height, p.mask, p.overlay], [32, 24, undefined, undefined]);
    const generated = noise(32, 24);
    assert.equal(compositeResult(generated, p), generated);
  });

  test('whole-picture inpainting keeps every pixel the blurred mask leaves at 0', () => {
    const mask = maskWithRect(40, 30, [10, 8, 25, 20]);
    const p = prepareImages(picture(), { ...BASE, mask: { image: mask, invert: false, blur: 2, area: 'whole', padding: 0 } });
    assert.deepEqual([p.mask!.width, p.mask!.height], [32, 24]);
    const out = compositeResult(noise(32, 24), p);
    let kept = 0;
    let repainted = 0;
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 32; x++) {
        const m = p.mask!.data[y * 32 + x]!;
        if (m === 0) {
          assert.deepEqual(pixel(out, x, y), pixel(p.start, x, y), `(${x}, ${y})`);
          kept++;
        } else if (m >= 128) {
          assert.deepEqual(pixel(out, x, y), pixel(noise(32, 24), x, y), `(${x}, ${y}) repainted`);
          repainted++;
        }
      }
    }
    assert.ok(kept > 400 && repainted > 60, `${kept} kept, ${repainted} repainted`);
  });

  test('fill replaces what is under the mask with its surroundings; invert swaps the areas', () => {
    const mask = maskWithRect(40, 30, [10, 8, 25, 20]);
    const options = { ...BASE, maskedContent: 'fill' as const, mask: { image: mask, invert: false, blur: 0, area: 'whole' as const, padding: 0 } };
    const original = prepareImages(picture(), { ...options, maskedContent: 'original' });
    const filled = prepareImages(picture(), options);
    assert.notDeepEqual(pixel(filled.start, 14, 10), pixel(original.start, 14, 10));
    assert.deepEqual(pixel(filled.start, 2, 2), pixel(original.start, 2, 2));
    const inverted = prepareImages(picture(), { ...options, mask: { ...options.mask, invert: true } });
    assert.equal(inverted.mask!.data[2 * 32 + 2], 255);
    assert.equal(inverted.mask!.data[10 * 32 + 14], 0);
  });

  test('only masked: the region around the mask at the model size, pasted back into the full-size original', () => {
    const mask = maskWithRect(40, 30, [20, 10, 28, 18]);
    const p = prepareImages(picture(), { ...BASE, width: 16, height: 16, mask: { image: mask, invert: false, blur: 1, area: 'masked', padding: 2 } });
    assert.deepEqual([p.start.width, p.start.height], [16, 16]);
    assert.ok(p.overlay?.region);
    const [x1, y1, x2, y2] = p.overlay.region;
    assert.ok(x1 <= 18 && x2 >= 30 && y1 <= 8 && y2 >= 20 && x2 - x1 === y2 - y1, `region ${p.overlay.region}`);
    const out = compositeResult(noise(16, 16), p);
    assert.deepEqual([out.width, out.height], [40, 30]);
    assert.deepEqual(pixel(out, 2, 2), pixel(picture(), 2, 2));
    assert.deepEqual(pixel(out, 39, 29), pixel(picture(), 39, 29));
    assert.notDeepEqual(pixel(out, 24, 14), pixel(picture(), 24, 14));
  });

  test('a mask of another size is stretched with a warning; an empty mask for only-masked falls back to img2img', () => {
    const small = maskWithRect(20, 15, [5, 4, 12, 10]);
    const p = prepareImages(picture(), { ...BASE, mask: { image: small, invert: false, blur: 0, area: 'whole', padding: 0 } });
    assert.deepEqual(p.warnings, [{ picture: 'mask', message: 'the mask is 20x15 and the init 40x30: the mask was stretched to fit' }]);
    assert.equal(p.mask!.data[10 * 32 + 14], 255);
    const empty = prepareImages(picture(), { ...BASE, mask: { image: createRaster(40, 30, 1), invert: false, blur: 4, area: 'masked', padding: 0 } });
    assert.deepEqual(empty.warnings.map((w) => w.picture), ['mask']);
    assert.match(empty.warnings[0]!.message, /the mask is empty/);
    assert.equal(empty.overlay, undefined);
  });

  test('outpainting: a bigger canvas, the original kept away from the seam, the new strip repainted', () => {
    const p = prepareImages(picture(), { ...BASE, maskedContent: 'fill', outpaint: { extension: { left: 0, right: 16, top: 8, bottom: 0 }, blur: 2 } });
    assert.deepEqual([p.start.width, p.start.height, p.mask!.width, p.mask!.height], [48, 32, 48, 32]);
    const out = compositeResult(noise(48, 32), p);
    const resized = prepareImages(picture(), BASE).start;
    // Away from the seam (2·blur + the blur's reach) the original is untouched.
    assert.deepEqual(pixel(out, 3, 20), pixel(resized, 3, 12));
    assert.deepEqual(pixel(out, 44, 2), pixel(noise(48, 32), 44, 2));
    assert.equal(p.mask!.data[20 * 48 + 3], 0);
    assert.equal(p.mask!.data[2 * 48 + 44], 255);
  });
});
