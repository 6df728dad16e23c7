// Broken model folders: each gives one UserError naming the file and what was expected.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../../src/core/models';
import type { UserError } from '../../../src/core/errors';
import { type TestModelOptions, type TestModelVariant, variantOptions } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';

async function loadError(variant: TestModelVariant, overrides: Partial<TestModelOptions>, name: string): Promise<UserError & { dir: string }> {
  const dir = testModelDir(variant, { ...variantOptions(variant), ...overrides }, name);
  const r = await loadModel(dir, { threads: 1 });
  if (r.ok) {
    await r.value.release();
    assert.fail(`${name} should not load`);
  }
  return { ...r.error, dir };
}

describe('loadModel on broken folders', () => {
  it('a missing component', async () => {
    const e = await loadError('optimum', { omitFiles: ['vae_decoder'] }, 'broken-no-vae-decoder');
    assert.equal(e.code, 'model-missing');
    assert.equal(e.file, path.join(e.dir, 'vae_decoder/model.onnx'));
    assert.match(e.message, /^vae_decoder\/model\.onnx is missing: a Stable Diffusion ONNX folder needs text_encoder\/, unet\/ and vae_decoder\/, each with model\.onnx$/);
  });

  it('a missing scheduler config', async () => {
    const e = await loadError('optimum', { omitFiles: ['scheduler/scheduler_config.json'] }, 'broken-no-scheduler-config');
    assert.equal(e.code, 'model-missing');
    assert.equal(e.file, path.join(e.dir, 'scheduler/scheduler_config.json'));
    assert.match(e.message, /^scheduler\/scheduler_config\.json is missing/);
  });

  it('a UNet whose encoder_hidden_states width differs from the text encoder (no configs to say it first)', async () => {
    const e = await loadError('optimum', { unetHiddenSize: 40, omitFiles: ['unet/config.json', 'text_encoder/config.json'] }, 'broken-hidden-width');
    assert.equal(e.code, 'model-invalid');
    assert.equal(e.file, path.join(e.dir, 'unet/model.onnx'));
    assert.equal(e.message, 'unet/model.onnx: input encoder_hidden_states has width 40, but text_encoder/model.onnx outputs 32');
  });

  it('a corrupt model.onnx', async () => {
    const e = await loadError('optimum', { corruptFiles: ['unet/model.onnx'] }, 'broken-corrupt-unet');
    assert.equal(e.code, 'model-invalid');
    assert.equal(e.file, path.join(e.dir, 'unet/model.onnx'));
    assert.match(e.message, /^unet\/model\.onnx: ONNX Runtime cannot load it: \S/);
  });

  it('missing external weights', async () => {
    const e = await loadError('legacy', { omitFiles: ['unet/weights.pb'] }, 'broken-no-weights-pb');
    assert.equal(e.code, 'model-invalid');
    assert.equal(e.file, path.join(e.dir, 'unet/model.onnx'));
    assert.match(e.message, /^unet\/model\.onnx: ONNX Runtime cannot load it: .*weights\.pb/);
  });

  for (const type of ['string', 'bool'] as const) {
    it(`a timestep of type ${type}`, async () => {
      const e = await loadError('optimum', { timestep: type }, `broken-timestep-${type}`);
      assert.equal(e.code, 'model-invalid');
      assert.equal(e.file, path.join(e.dir, 'unet/model.onnx'));
      assert.equal(e.message, `unet/model.onnx: input timestep has type ${type === 'bool' ? 'bool' : 'string'}, expected int64, float32 or float16`);
    });
  }

  it('a missing folder', async () => {
    const r = await loadModel(path.join(testModelDir('optimum'), 'nothing-here'));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'model-missing');
  });
});

describe('loadModel on folders that lack optional parts', () => {
  it('loads without vae_encoder/ or component configs, saying what it assumed', async () => {
    const dir = testModelDir(
      'legacy',
      { ...variantOptions('legacy'), omitFiles: ['vae_encoder', 'unet/config.json', 'vae_decoder/config.json'] },
      'legacy-bare',
    );
    const r = await loadModel(dir, { threads: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    try {
      assert.equal(r.value.vaeEncoder, undefined);
      assert.equal(r.value.info.vaeScalingFactor, 0.18215);
      assert.deepEqual(r.value.notes, [
        'unet/config.json is absent: assuming 4 latent channels in and out',
        "no VAE config gives a scaling_factor: using SD 1.x's 0.18215",
        'no vae_encoder/: text-to-image only',
      ]);
    } finally {
      await r.value.release();
    }
  });

  it('falls back to the CPU when a requested provider cannot start, and says why', async () => {
    // No Vulkan driver for Dawn to find, whatever this machine has installed.
    process.env['VK_ICD_FILENAMES'] = '/nonexistent/icd.json';
    const r = await loadModel(testModelDir('optimum'), { executionProvider: 'webgpu', threads: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    try {
      assert.equal(r.value.executionProvider, 'cpu');
      assert.deepEqual(r.value.notes, [
        'execution provider webgpu failed to start for text_encoder/model.onnx (Failed to get a WebGPU adapter: No supported adapters); trying cpu',
      ]);
    } finally {
      await r.value.release();
    }
  });

  it('does not try a provider this platform lacks, and says why', async () => {
    const r = await loadModel(testModelDir('optimum'), { executionProvider: 'dml', threads: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    try {
      assert.equal(r.value.executionProvider, 'cpu');
      assert.deepEqual(r.value.notes, [process.platform === 'win32' ? r.value.notes[0] : 'execution provider dml not used: DirectML runs on Windows only']);
    } finally {
      await r.value.release();
    }
  });
});
