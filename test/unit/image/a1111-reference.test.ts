import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gaussianBlurPillow } from '../../../src/core/image/box-blur';
import { applyOverlay, overlayImage } from '../../../src/core/image/composite';
import { cropRegion, cropToModel, expandCropRegion, uncrop } from '../../../src/core/image/crop';
import { interpolateBicubic, normalizeDepth } from '../../../src/core/image/depth';
import { fillMasked } from '../../../src/core/image/fill';
import { a1111KernelSize, blurMaskA1111 } from '../../../src/core/image/gaussian';
import { overlayMaskWhole } from '../../../src/core/image/mask';
import { createRaster, flatten, toGray, toRgb, type Raster } from '../../../src/core/image/raster';
import { resample, type ResampleFilter } from '../../../src/core/image/resample';
import { RESIZE_MODES } from '../../../src/core/image/modes';
import { resizeImage } from '../../../src/core/image/resize';
import { difference, fixture, float32, raster } from './a1111-fixture';

/** The pictures are equal sample for sample; the message names the case. */
function assertSamePixels(actual: Raster, expected: Raster, what: string): void {
  const d = difference(actual, expected);
  assert.deepEqual(d, { differing: 0, max: 0 }, `${what}: ${d.differing} samples differ, by up to ${d.max}`);
}

describe('image operations against A1111, Pillow, OpenCV and torch (tools/reference/image_ops.py)', () => {
  test('resample equals Pillow’s Image.resize for LANCZOS, BICUBIC, BILINEAR, RGBA and zero-size boxes', () => {
    assert.ok(fixture.resample.length >= 10);
    for (const c of fixture.resample) {
      const out = resample(raster(c.input), c.width, c.height, c.filter as ResampleFilter, c.box ?? undefined);
      assertSamePixels(out, raster(c.output), `${c.input} → ${c.width}x${c.height} ${c.filter} box ${JSON.stringify(c.box)}`);
    }
  });

  test('resizeImage equals A1111’s resize_image in modes 0, 1, 2 for pictures and masks', () => {
    assert.equal(fixture.resize.length, 27);
    for (const c of fixture.resize) {
      let out = resizeImage(raster(c.input), c.width, c.height, RESIZE_MODES[c.mode]!);
      const expected = raster(c.output);
      // resize_image pastes crop and fill results onto an RGB canvas, even for an L mask.
      if (expected.channels === 3 && out.channels === 1) out = toRgb(out);
      assertSamePixels(out, expected, `${c.input} mode ${c.mode} → ${c.width}x${c.height}`);
    }
  });

  test('flatten equals images.flatten on white', () => {
    assertSamePixels(flatten(raster(fixture.flatten.input)), raster(fixture.flatten.output), 'flatten');
  });

  test('the mask blur equals A1111’s two cv2.GaussianBlur passes, kernels wider than the mask included', () => {
    for (const c of fixture.blur) {
      assert.equal(a1111KernelSize(c.sigma), c.kernel_size);
      assertSamePixels(blurMaskA1111(raster(c.input), c.sigma), raster(c.output), `${c.input} σ ${c.sigma}`);
    }
    // The widest kernel spans 321 pixels of a 40-pixel mask: reflected many times over.
    assert.equal(a1111KernelSize(64), 321);
  });

  test('gaussianBlurPillow equals ImageFilter.GaussianBlur on RGBa, radii beyond the picture included', () => {
    for (const c of fixture.box_blur) {
      assertSamePixels(gaussianBlurPillow(raster(c.input), c.radius), raster(c.output), `radius ${c.radius}`);
    }
  });

  test('fillMasked equals masking.fill, and changes only the masked pixels’ surroundings-weighted colours', () => {
    const image = raster(fixture.fill.image);
    const mask = toGray(raster(fixture.fill.mask));
    const out = fillMasked(image, mask);
    assertSamePixels(out, raster(fixture.fill.output), 'fill');
    for (let p = 0; p < mask.data.length; p++) {
      if (mask.data[p] === 0) assert.deepEqual([...out.data.subarray(p * 3, p * 3 + 3)], [...image.data.subarray(p * 3, p * 3 + 3)]);
    }
  });

  test('cropRegion and expandCropRegion equal get_crop_region_v2 and expand_crop_region', () => {
    const { cases, empty } = fixture.crop;
    assert.ok(cases.length > 60);
    for (const c of cases) {
      const mask = createRaster(c.width, c.height, 1);
      const [x1, y1, x2, y2] = c.box;
      for (let y = y1; y < y2; y++) mask.data.fill(200, y * c.width + x1, y * c.width + x2);
      const region = cropRegion(mask, c.pad);
      assert.deepEqual(region, c.region, `region of ${JSON.stringify(c.box)} pad ${c.pad}`);
      const [pw, ph] = c.processing;
      assert.deepEqual(expandCropRegion(region!, pw, ph, c.width, c.height), c.expanded, `expanded to ${pw}:${ph}`);
    }
    assert.equal(empty, null);
    assert.equal(cropRegion(createRaster(8, 8, 1), 4), undefined);
  });

  test('the whole-picture overlay equals A1111’s: original outside the mask, the blurred edge blended', () => {
    const c = fixture.overlay.find((o) => o.kind === 'whole')!;
    const mask = toGray(raster(c.mask));
    const overlayMask = overlayMaskWhole(mask);
    assertSamePixels(overlayMask, toGray(raster(c.overlay_mask!)), 'overlay mask');
    const overlay = overlayImage(raster(c.original), overlayMask);
    assertSamePixels(overlay, raster(c.overlay), 'overlay');
    assertSamePixels(applyOverlay(raster(c.generated), overlay), raster(c.output), 'composite');
  });

  test('only-masked: the crop, the uncrop and the overlay equal A1111’s', () => {
    const c = fixture.overlay.find((o) => o.kind === 'masked')!;
    const original = raster(c.original);
    const mask = toGray(raster(c.mask));
    const region = expandCropRegion(cropRegion(mask, 2)!, 16, 16, original.width, original.height);
    assert.deepEqual(region, c.region);
    assertSamePixels(cropToModel(original, region, 16, 16), raster(c.crop_input!), 'crop input');
    const pasted = uncrop(raster(c.generated), region, original.width, original.height);
    assertSamePixels(applyOverlay(pasted, overlayImage(original, mask)), raster(c.output), 'pasted back');
  });

  test('interpolateBicubic and normalizeDepth equal torch’s bicubic interpolate and prepare_depth_map’s scaling', () => {
    const { input, cases } = fixture.bicubic;
    const map = { data: float32(input.data), width: input.width, height: input.height };
    for (const c of cases) {
      const out = interpolateBicubic(map, c.width, c.height);
      const expected = float32(c.output);
      const normalized = normalizeDepth(out);
      const expectedNormalized = float32(c.normalized);
      for (let i = 0; i < expected.length; i++) {
        assert.ok(Math.abs(out.data[i]! - expected[i]!) < 1e-3, `${c.width}x${c.height} [${i}]: ${out.data[i]} vs ${expected[i]}`);
        assert.ok(Math.abs(normalized.data[i]! - expectedNormalized[i]!) < 1e-5);
      }
    }
  });
});
