// The memory figures of `npm run bench` (bench/memory.ts) on a generated test model: the weights'
// size is the ONNX files' bytes, and each measurement, made in a process of its own, reports a
// peak that is at least what the loaded model holds.

import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { memoryFigures, releaseFigure, weightsSize } from '../../../bench/memory';
import { testModelDir } from '../../../tools/test-models/test-dir';

describe('bench memory figures', () => {
  it("weighs a folder's ONNX files and their external weights, nothing else", () => {
    const dir = testModelDir('optimum-scalar');
    const files = ['text_encoder/model.onnx', 'unet/model.onnx', 'unet/model.onnx_data', 'vae_decoder/model.onnx', 'vae_encoder/model.onnx'];
    assert.equal(weightsSize(dir), files.reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0));
  });

  it('measures a batch per image and tiled against whole decoding, each in its own process', () => {
    const figures = memoryFigures('test model', testModelDir('optimum'), [{ size: 64, batch: 2 }]);
    assert.deepEqual(
      figures.map((f) => [f.name, f.unit]),
      [
        ['test model: weights (ONNX files)', 'MB'],
        ['test model, 64x64, batch 2: peak memory above the loaded model, per image', 'MB'],
        ['test model: decoding 1536x1536 in tiles / whole, peak memory above the loaded model', '×'],
      ],
    );
    // Sizes and ratios, not targets: the test model's decoder is one convolution, so what tiling
    // saves on a real VAE's activations is the benchmark's to show (bench/results).
    assert.ok(figures[0]!.value > 0.01 && figures[0]!.value < 1, `weights ${figures[0]!.value} MB`);
    for (const f of figures.slice(1)) assert.ok(Number.isFinite(f.value) && f.value > 0, `${f.name}: ${f.value}`);
  });

  it('measures the peak with the text encoder released after encoding against kept open', () => {
    const f = releaseFigure('test model', testModelDir('optimum'), 64, 1);
    assert.equal(f.unit, '×');
    // A ratio near 1 on a model this small; what it shows on a real one is the benchmark's to say.
    assert.ok(f.value > 0.5 && f.value < 2, `${f.value}`);
    assert.match(f.note ?? '', /released, .* kept .*; the text encoder is \d+\.\d MB of the \d+\.\d MB of weights/);
  });
});
