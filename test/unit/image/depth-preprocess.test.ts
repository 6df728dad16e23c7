import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dptOutputSize, parseDepthPreprocessor, preprocessForDepth } from '../../../src/core/image/depth-preprocess';
import { depthConditioning, depthFromImage } from '../../../src/core/image/depth';
import type { Raster } from '../../../src/core/image/raster';
import { resample } from '../../../src/core/image/resample';

const FILE = '/models/demo-depth/feature_extractor/preprocessor_config.json';

describe('depth estimator preprocessing (DPTImageProcessor)', () => {
  test('unset keys take DPTImageProcessor’s defaults: 384x384 BICUBIC, /255, mean = std = 0.5', () => {
    const spec = parseDepthPreprocessor({}, FILE);
    assert.ok(spec.ok);
    assert.deepEqual(spec.value, {
      resize: { height: 384, width: 384, keepAspectRatio: false, multipleOf: 1, filter: 'bicubic' },
      rescale: 1 / 255,
      normalize: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    });
  });

  test('keep_aspect_ratio scales as little as possible and ensure_multiple_of rounds half to even, as transformers', () => {
    const resize = { height: 384, width: 384, keepAspectRatio: true, multipleOf: 32, filter: 'bicubic' as const };
    assert.deepEqual(dptOutputSize(480, 640, resize), { height: 384, width: 512 });
    assert.deepEqual(dptOutputSize(500, 300, resize), { height: 384, width: 224 });
    assert.deepEqual(dptOutputSize(384, 400, { ...resize, keepAspectRatio: false }), { height: 384, width: 384 });
    assert.deepEqual(dptOutputSize(300, 500, { ...resize, height: 400, width: 400, keepAspectRatio: false }), { height: 384, width: 384 });
  });

  test('pixel_values: resized, rescaled, normalised per channel, planar, padded to the divisor', () => {
    const image: Raster = { data: Uint8Array.from({ length: 4 * 2 * 4 }, (_, i) => (i * 37) % 256), width: 4, height: 2, channels: 4 };
    const spec = parseDepthPreprocessor(
      { size: { height: 2, width: 3 }, resample: 2, image_mean: [0.4, 0.5, 0.6], image_std: [0.2, 0.25, 0.5], do_pad: true, size_divisor: 4 },
      FILE,
    );
    assert.ok(spec.ok);
    const t = preprocessForDepth(image, spec.value);
    assert.deepEqual(t.shape, [1, 3, 4, 4]);
    const rgb: Raster = { data: Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => image.data[Math.floor(i / 3) * 4 + (i % 3)]!), width: 4, height: 2, channels: 3 };
    const small = resample(rgb, 3, 2, 'bilinear');
    const [mean, std] = [[0.4, 0.5, 0.6], [0.2, 0.25, 0.5]];
    // Padding of 1 row above, 1 below, 0 left, 1 right.
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 4; x++) {
          const inside = y >= 1 && y < 3 && x < 3;
          const expected = inside ? (small.data[((y - 1) * 3 + x) * 3 + c]! / 255 - mean[c]!) / std[c]! : 0;
          assert.ok(Math.abs(t.data[c * 16 + y * 4 + x]! - expected) < 1e-6, `c ${c} (${x}, ${y})`);
        }
      }
    }
  });

  test('configs it cannot honour are model-invalid errors naming the file', () => {
    for (const [config, message] of [
      [{ resample: 0 }, /resample 0 is not supported/],
      [{ size: { shortest_edge: 384 } }, /size should be a number or/],
      [{ do_pad: true }, /do_pad needs a positive integer size_divisor/],
      [{ image_std: [1, 0, 1] }, /image_mean and image_std/],
    ] as const) {
      const result = parseDepthPreprocessor(config, FILE);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'model-invalid');
      assert.equal(result.error.file, FILE);
      assert.match(result.error.message, message);
    }
  });
});

describe('depth maps', () => {
  test('a depth image’s luminance, resized and stretched to [-1, 1]: white (near) is 1, black (far) −1', () => {
    const image: Raster = { data: Uint8Array.from([0, 0, 255, 255, 0, 0, 255, 255]), width: 4, height: 2, channels: 1 };
    const depth = depthConditioning(depthFromImage(image), 4, 2);
    assert.deepEqual([...depth.data], [-1, -1, 1, 1, -1, -1, 1, 1]);
    const flat = depthConditioning(depthFromImage({ data: new Uint8Array(4).fill(9), width: 2, height: 2, channels: 1 }), 1, 1);
    assert.deepEqual([...flat.data], [0]);
  });
});
