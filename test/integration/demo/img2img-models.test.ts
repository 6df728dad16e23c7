// The shipped image-to-image demo models (models/demo-inpainting, models/demo-depth): a real
// export's layout, the demo's own tokenizer, text encoder and VAE, and UNets (9 and 5 input
// channels) and a depth estimator that compute what their torch modules computed; the pipeline's
// mask channel and masked image, and its depth channel from the estimator or a given map, are
// what the UNets were trained on; the example that
// uses them is valid.
// Reference values: test/fixtures/demo-<kind>/reference-outputs.json, written by
// tools/demo-model/finetune.py alongside the models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { blockDiagnostics, parseSdprompt } from '../../../src/core/format/parse';
import { depthConditioning, depthFromImage } from '../../../src/core/image/depth';
import { conditioningMask } from '../../../src/core/image/mask';
import { planBlockJobs } from '../../../src/core/jobs/plan';
import { estimateDepth } from '../../../src/core/pipelines/depth';
import { loadStableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { demoModelDir, shippedModelDir } from '../../../src/core/models/demo';
import { createRaster } from '../../../src/core/image/raster';
import { rasterToTensor } from '../../../src/core/image/to-tensor';
import { assertClose, readJson, repoRoot, squareImage, squareRaster } from './reference-inputs';

interface Reference {
  kind: 'inpainting' | 'depth';
  inputs: { input_ids: number[]; timestep: number };
  unet: { sample_shape: number[]; sample: number[]; out_sample: number[] };
  scaling_factor: number;
  default_sampler: string;
  inpainting?: { mask_latent: number[]; masked_image_latent_parameters: number[] };
  depth?: {
    predicted_depth_shape: number[];
    predicted_depth_every_13th: number[];
    depth_latent_8x8: number[];
    depth_latent_16x12: number[];
    given_map_latent_8x8: number[];
  };
}

const demoDir = path.join(repoRoot, 'models', 'demo');
const models = [
  { kind: 'inpainting', channels: 9, pipeline: 'OnnxStableDiffusionInpaintPipeline' },
  { kind: 'depth', channels: 5, pipeline: 'StableDiffusionDepth2ImgPipeline' },
] as const;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]);
}

const open = (dir: string, sub: string) => ort.InferenceSession.create(path.join(dir, sub, 'model.onnx'));

for (const { kind, channels, pipeline } of models) {
  const modelDir = path.join(repoRoot, 'models', `demo-${kind}`);
  const reference = readJson<Reference>(repoRoot, 'test', 'fixtures', `demo-${kind}`, 'reference-outputs.json');

  test(`demo-${kind}: a real export's layout, under 10 MB, the demo's own text encoder, tokenizer and VAE`, () => {
    const files = filesUnder(modelDir);
    const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(modelDir, f)).size, 0);
    assert.ok(bytes < 10 * 1024 * 1024, `${bytes} bytes`);
    const copied = filesUnder(demoDir).filter((f) => /^(tokenizer|text_encoder|vae_encoder|vae_decoder)\//.test(f));
    assert.equal(copied.length, 10);
    for (const f of copied) {
      assert.ok(fs.readFileSync(path.join(modelDir, f)).equals(fs.readFileSync(path.join(demoDir, f))), `${f} is the demo's`);
    }
    assert.deepEqual(readJson(modelDir, 'sdprompt_world.json'), readJson(repoRoot, 'tools', 'demo-model', 'world.json'));
    const index = readJson<Record<string, unknown>>(modelDir, 'model_index.json');
    assert.equal(index._class_name, pipeline);
    assert.deepEqual(index.unet, ['diffusers', 'OnnxRuntimeModel']);
    const unet = readJson<Record<string, unknown>>(modelDir, 'unet', 'config.json');
    const demoUnet = readJson<Record<string, unknown>>(demoDir, 'unet', 'config.json');
    assert.deepEqual({ ...unet, in_channels: 4, _note: '' }, { ...demoUnet, _note: '' });
    assert.equal(unet.in_channels, channels);
    const scheduler = readJson<Record<string, unknown>>(modelDir, 'scheduler', 'scheduler_config.json');
    const demoScheduler = readJson<Record<string, unknown>>(demoDir, 'scheduler', 'scheduler_config.json');
    assert.deepEqual({ ...scheduler, _class_name: '' }, { ...demoScheduler, _class_name: '' });
    assert.deepEqual(index.scheduler, ['diffusers', scheduler._class_name]);
  });

  test(`demo-${kind}: the UNet takes ${channels} channels and computes the torch reference; sizes are dynamic`, async () => {
    const te = await open(modelDir, 'text_encoder');
    const unet = await open(modelDir, 'unet');
    assert.deepEqual(unet.inputNames, ['sample', 'timestep', 'encoder_hidden_states']);
    assert.deepEqual(unet.outputNames, ['out_sample']);
    const sampleMeta = unet.inputMetadata[0];
    assert.ok(sampleMeta.isTensor && sampleMeta.type === 'float32');
    assert.deepEqual(sampleMeta.isTensor && sampleMeta.shape, ['batch_size', channels, 'height', 'width']);
    assert.deepEqual(reference.unet.sample_shape, [1, channels, 8, 8]);

    const ids = BigInt64Array.from(reference.inputs.input_ids.map((i) => BigInt(i)));
    const hidden = (await te.run({ input_ids: new ort.Tensor('int64', ids, [1, 77]) })).last_hidden_state;
    const u = await unet.run({
      sample: new ort.Tensor('float32', Float32Array.from(reference.unet.sample), reference.unet.sample_shape),
      timestep: new ort.Tensor('float32', Float32Array.from([reference.inputs.timestep]), [1]),
      encoder_hidden_states: hidden,
    });
    assert.deepEqual(u.out_sample.dims, [1, 4, 8, 8]);
    assertClose(u.out_sample.data as Float32Array, reference.unet.out_sample, 'out_sample');

    const dim = hidden.dims[2];
    const big = await unet.run({
      sample: new ort.Tensor('float32', new Float32Array(3 * channels * 16 * 12).fill(0.5), [3, channels, 16, 12]),
      timestep: new ort.Tensor('float32', Float32Array.from([1, 500, 999]), [3]),
      encoder_hidden_states: new ort.Tensor('float32', new Float32Array(3 * 154 * dim).fill(0.1), [3, 154, dim]),
    });
    assert.deepEqual(big.out_sample.dims, [3, 4, 16, 12]);
  });
}

test('demo-depth: a DPT-style estimator, pixel_values -> predicted_depth, with a DPTImageProcessor config', async () => {
  const modelDir = path.join(repoRoot, 'models', 'demo-depth');
  const reference = readJson<Reference>(repoRoot, 'test', 'fixtures', 'demo-depth', 'reference-outputs.json');
  const index = readJson<Record<string, unknown>>(modelDir, 'model_index.json');
  assert.deepEqual(index.depth_estimator, ['transformers', 'DPTForDepthEstimation']);
  assert.deepEqual(index.feature_extractor, ['transformers', 'DPTImageProcessor']);
  const pre = readJson<Record<string, unknown>>(modelDir, 'feature_extractor', 'preprocessor_config.json');
  assert.equal(pre.image_processor_type, 'DPTImageProcessor');
  assert.deepEqual(pre.size, { height: 64, width: 64 });
  assert.equal(pre.resample, 3);
  assert.equal(pre.keep_aspect_ratio, false);
  assert.equal(pre.rescale_factor, 1 / 255);
  assert.deepEqual([pre.image_mean, pre.image_std], [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);

  const est = await open(modelDir, 'depth_estimator');
  assert.deepEqual(est.inputNames, ['pixel_values']);
  assert.deepEqual(est.outputNames, ['predicted_depth']);
  // (x / 255 - 0.5) / 0.5 of the reference image is the image's [-1, 1] values.
  const p = await est.run({ pixel_values: new ort.Tensor('float32', squareImage(), [1, 3, 64, 64]) });
  assert.deepEqual(p.predicted_depth.dims, reference.depth!.predicted_depth_shape);
  const depth = p.predicted_depth.data as Float32Array;
  assertClose(depth.filter((_, i) => i % 13 === 0), reference.depth!.predicted_depth_every_13th, 'predicted_depth');
  // Larger is nearer: the red square stands in front of the blue background.
  assert.ok(depth[32 * 64 + 32] > depth[4 * 64 + 4] + 0.5, `${depth[32 * 64 + 32]} vs ${depth[4 * 64 + 4]}`);
  const big = await est.run({ pixel_values: new ort.Tensor('float32', new Float32Array(2 * 3 * 128 * 96), [2, 3, 128, 96]) });
  assert.deepEqual(big.predicted_depth.dims, [2, 128, 96]);
});

test('demo-inpainting: the pipeline builds the mask channel and the masked image as the torch recipe did', async () => {
  const modelDir = path.join(repoRoot, 'models', 'demo-inpainting');
  const reference = readJson<Reference>(repoRoot, 'test', 'fixtures', 'demo-inpainting', 'reference-outputs.json');
  // The reference image as an 8-bit picture, and its mask: rows 10..41, columns 21..52 repaint.
  const planar = squareImage();
  const image = squareRaster();
  const mask = createRaster(64, 64, 1);
  for (let y = 10; y < 42; y++) mask.data.fill(255, y * 64 + 21, y * 64 + 53);

  // Latent cell (i, j) takes pixel (8i, 8j): rows 2..5 and columns 3..6, not 2..5 by the cells' centres.
  const latentMask = conditioningMask(mask, 8);
  assert.deepEqual(Array.from(latentMask), reference.inpainting!.mask_latent);
  assert.equal(latentMask.reduce((a, b) => a + b, 0), 16);

  const masked = rasterToTensor(image, mask);
  assert.equal(masked.data[10 * 64 + 21], 0, 'a repainted pixel is grey (0)');
  assertClose(masked.data, Array.from(planar).map((v, i) => (mask.data[i % 4096]! >= 128 ? 0 : v)), 'masked image');
  const vae = await open(modelDir, 'vae_encoder');
  const parameters = (await vae.run({ sample: new ort.Tensor('float32', masked.data, masked.shape) })).latent_parameters;
  assert.deepEqual(parameters.dims, [1, 8, 8, 8]);
  assertClose(parameters.data as Float32Array, reference.inpainting!.masked_image_latent_parameters, 'masked-image latent parameters');
});

test('demo-depth: the pipeline builds the depth channel as the torch recipe did, from the estimator and from a given map', async () => {
  const reference = readJson<Reference>(repoRoot, 'test', 'fixtures', 'demo-depth', 'reference-outputs.json').depth!;
  const loaded = await loadStableDiffusion(path.join(repoRoot, 'models', 'demo-depth'));
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  try {
    const estimated = await estimateDepth(loaded.value, squareRaster());
    assert.ok(estimated.ok, estimated.ok ? '' : estimated.error.message);
    assertClose(depthConditioning(estimated.value, 8, 8).data, reference.depth_latent_8x8, 'depth at 8x8');
    // A 128x96 picture's latents: 12 wide, 16 high.
    assertClose(depthConditioning(estimated.value, 12, 16).data, reference.depth_latent_16x12, 'depth at 12x16');
  } finally {
    await loaded.value.model.release();
  }
  // The given map: near (white) at rows and columns 16..47.
  const map = createRaster(64, 64, 1);
  for (let y = 16; y < 48; y++) map.data.fill(255, y * 64 + 16, y * 64 + 48);
  const given = depthConditioning(depthFromImage(map), 8, 8).data;
  assertClose(given, reference.given_map_latent_8x8, 'given map at 8x8');
});

test('examples/image-to-image.sdprompt: no problems, each block on a shipped demo model, its pictures there', () => {
  const file = path.join(repoRoot, 'examples', 'image-to-image.sdprompt');
  const parsed = parseSdprompt(fs.readFileSync(file, 'utf8'), file);
  assert.deepEqual(parsed.diagnostics, []);
  const models = parsed.blocks.map((block) => {
    assert.deepEqual(blockDiagnostics(parsed, block), [], block.name);
    const planned = planBlockJobs(parsed, block, { promptFile: file, defaultModel: demoModelDir() });
    assert.ok(planned.ok, planned.ok ? '' : planned.error.message);
    const { request, model } = planned.value[0]!;
    for (const picture of [request.init, request.mask, request.depth]) {
      if (picture !== undefined && picture !== 'auto') assert.ok(fs.existsSync(picture.path), picture.path);
    }
    return model.dir;
  });
  assert.deepEqual(models, [demoModelDir(), shippedModelDir('demo-inpainting'), shippedModelDir('demo-inpainting'), shippedModelDir('demo-depth')]);
});
