// Every generated variant through the real loader: shapes and values, and each I/O adapter
// proven against a twin model with the same weights that differs only in what is adapted.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type LoadedModel, inspectModelFolder } from '../../../src/core/models';
import { tensor } from '../../../src/core/tensor';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import { TEST_MODEL_VARIANTS, variantOptions } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { assertSame, ids, load, maxAbsDiff, meanAbs, values } from './helpers';

const loaded: LoadedModel[] = [];
async function model(dir: string): Promise<LoadedModel> {
  const m = await load(dir);
  loaded.push(m);
  return m;
}
after(async () => {
  for (const m of loaded) await m.release();
});

describe('every variant loads and runs', () => {
  for (const variant of TEST_MODEL_VARIANTS) {
    it(variant, async () => {
      const dir = testModelDir(variant);
      const info = inspectModelFolder(dir);
      assert.ok(info.ok);
      const m = await model(dir);
      const width = variant === 'v-prediction' ? 48 : 32;
      assert.equal(m.executionProvider, 'cpu');
      assert.equal(m.textEncoder.hiddenSize, width);
      assert.equal(m.unet.inChannels, 4);

      const tokenizer = ClipTokenizer.fromFolder(`${dir}/tokenizer`);
      assert.ok(tokenizer.ok);
      const prompt = tokenizer.value.encode('a photo of a cat');
      const promptIds = new Int32Array(154);
      promptIds.set(prompt, 0);
      promptIds.set(prompt, 77);
      const { hidden } = await m.textEncoder.encode(promptIds, 2);
      assert.deepEqual(hidden.shape, [2, 77, width]);
      // Same ids in both rows give the same rows.
      assert.deepEqual(hidden.data.subarray(0, 77 * width), hidden.data.subarray(77 * width));

      // Non-square latents and a long prompt (two 77-token chunks) both fit the symbolic dims.
      const sample = values([2, 4, 6, 10], 1);
      const longHidden = tensor(new Float32Array(2 * 154 * width).map((_, i) => hidden.data[i % hidden.data.length]!), [2, 154, width]);
      const eps = await m.unet.predict(sample, 981, longHidden);
      assert.deepEqual(eps.shape, [2, 4, 6, 10]);
      assert.ok(meanAbs(eps) > 0.05 && meanAbs(eps) < 5, `|out_sample| ~ 1, got ${meanAbs(eps)}`);
      // The output depends on each input.
      assert.ok(maxAbsDiff(eps, await m.unet.predict(sample, 1, longHidden)) > 1e-3, 'timestep');
      assert.ok(maxAbsDiff(eps, await m.unet.predict(values([2, 4, 6, 10], 2), 981, longHidden)) > 1e-3, 'sample');
      const { hidden: otherHidden } = await m.textEncoder.encode(ids(2, 3), 2);
      const eps77 = await m.unet.predict(sample, 981, hidden);
      assert.ok(maxAbsDiff(eps77, await m.unet.predict(sample, 981, otherHidden)) > 1e-3, 'encoder_hidden_states');

      const image = await m.vaeDecoder.decode(values([1, 4, 6, 10], 4));
      assert.deepEqual(image.shape, [1, 3, 48, 80]);
      assert.ok(image.data.every((v) => v >= -1 && v <= 1));
      assert.ok(meanAbs(image) > 0.05);

      assert.ok(m.vaeEncoder);
      const encoded = await m.vaeEncoder.encode(image);
      assert.deepEqual(encoded.mean.shape, [1, 4, 6, 10]);
      const parameters = variantOptions(variant).vaeEncoderOutput === 'latent_parameters';
      assert.deepEqual(encoded.logvar?.shape, parameters ? [1, 4, 6, 10] : undefined);

      assert.equal(m.stats.textEncoder.calls, 2);
      assert.equal(m.stats.unet.calls, 5);
      assert.equal(m.stats.vaeDecoder.calls, 1);
      assert.equal(m.stats.vaeEncoder.calls, 1);
      assert.ok(m.stats.unet.ms > 0);
      m.stats.reset();
      assert.deepEqual([m.stats.unet.calls, m.stats.unet.ms, m.stats.textEncoder.calls], [0, 0, 0]);
    });
  }
});

describe('adapters match a twin with the same weights', () => {
  it('int32 and int64 input_ids give identical text encoder outputs', async () => {
    const int32 = await model(testModelDir('legacy'));
    const int64 = await model(testModelDir('optimum'));
    const tokens = ids(3, 5);
    assertSame((await int32.textEncoder.encode(tokens, 3)).hidden, (await int64.textEncoder.encode(tokens, 3)).hidden, 'last_hidden_state');
  });

  it('a scalar timestep gives what a [batch] timestep gives, and int64 truncates as numpy does', async () => {
    const scalar = await model(testModelDir('optimum-scalar'));
    const perBatch = await model(
      testModelDir('optimum-scalar', { ...variantOptions('optimum-scalar'), timestepScalar: false, unetExternalData: undefined }, 'optimum-batch-timestep'),
    );
    const int64 = await model(testModelDir('optimum'));
    const sample = values([2, 4, 8, 8], 6);
    const hidden = values([2, 77, 32], 7, 0.8);
    assertSame(await scalar.unet.predict(sample, 761, hidden), await perBatch.unet.predict(sample, 761, hidden), 'scalar vs [B]');
    assertSame(await scalar.unet.predict(sample, 761, hidden), await int64.unet.predict(sample, 761, hidden), 'float vs int64');
    assertSame(await int64.unet.predict(sample, 761.9, hidden), await scalar.unet.predict(sample, 761, hidden), 'int64 truncation');
    assert.ok(maxAbsDiff(await scalar.unet.predict(sample, 761.9, hidden), await scalar.unet.predict(sample, 761, hidden)) > 1e-5);
  });

  it('UNet weights in weights.pb or model.onnx_data give what inline weights give', async () => {
    const external = await model(testModelDir('legacy'));
    const inline = await model(testModelDir('legacy', { ...variantOptions('legacy'), unetExternalData: undefined }, 'legacy-inline'));
    const sample = values([2, 4, 8, 8], 8);
    const hidden = values([2, 77, 32], 9, 0.8);
    assertSame(await external.unet.predict(sample, 500, hidden), await inline.unet.predict(sample, 500, hidden), 'weights.pb');
    const onnxData = await model(testModelDir('optimum-scalar'));
    const inlineScalar = await model(
      testModelDir('optimum-scalar', { ...variantOptions('optimum-scalar'), unetExternalData: undefined }, 'optimum-scalar-inline'),
    );
    assertSame(await onnxData.unet.predict(sample, 500, hidden), await inlineScalar.unet.predict(sample, 500, hidden), 'model.onnx_data');
  });

  it('float16 I/O and weights stay close to a float32 twin with the fp16-rounded weights', async () => {
    const fp16 = await model(testModelDir('fp16'));
    const twin = await model(
      testModelDir('fp16', { ...variantOptions('fp16'), io: 'float32', roundWeightsToFp16: true, timestep: 'float32' }, 'fp16-twin-fp32'),
    );
    const tokens = ids(2, 11);
    const { hidden: h16 } = await fp16.textEncoder.encode(tokens, 2);
    const { hidden: h32 } = await twin.textEncoder.encode(tokens, 2);
    // float16 keeps 11 significant bits: values of size ~1 round by at most 2^-11 ≈ 5e-4 at the
    // outputs, plus what rounded inputs change inside.
    assert.ok(maxAbsDiff(h16, h32) < 2e-3, `last_hidden_state ${maxAbsDiff(h16, h32)}`);
    assert.ok(maxAbsDiff(h16, h32) > 0, 'the fp16 path rounds');
    const sample = values([2, 4, 8, 8], 12);
    const e16 = await fp16.unet.predict(sample, 999, h32);
    const e32 = await twin.unet.predict(sample, 999, h32);
    assert.ok(maxAbsDiff(e16, e32) < 5e-3, `out_sample ${maxAbsDiff(e16, e32)}`);
    const latents = values([1, 4, 8, 8], 13);
    const i16 = await fp16.vaeDecoder.decode(latents);
    const i32 = await twin.vaeDecoder.decode(latents);
    assert.ok(maxAbsDiff(i16, i32) < 3e-3, `vae sample ${maxAbsDiff(i16, i32)}`);
    const z16 = await fp16.vaeEncoder!.encode(i32);
    const z32 = await twin.vaeEncoder!.encode(i32);
    assert.ok(maxAbsDiff(z16.mean, z32.mean) < 1e-2, `latent_sample ${maxAbsDiff(z16.mean, z32.mean)}`);
  });

  it("latent_parameters split into latent_sample's mean and a log-variance clamped to [-30, 20]", async () => {
    const parameters = await model(testModelDir('optimum'));
    const sampleOnly = await model(
      testModelDir('optimum', { ...variantOptions('optimum'), vaeEncoderOutput: 'latent_sample' }, 'optimum-latent-sample'),
    );
    const image = values([2, 3, 16, 16], 14);
    const split = await parameters.vaeEncoder!.encode(image);
    assertSame(split.mean, (await sampleOnly.vaeEncoder!.encode(image)).mean, 'mean');
    // A wildly out-of-range image drives the log-variance past both clamps.
    const wild = await parameters.vaeEncoder!.encode(values([2, 3, 16, 16], 15, 1e4));
    const logvar = wild.logvar!;
    assert.ok(logvar.data.every((v) => v >= -30 && v <= 20));
    assert.ok(logvar.data.includes(20) && logvar.data.includes(-30));
    assert.ok(wild.mean.data.some((v) => Math.abs(v) > 30), 'the mean is not clamped');
  });

  it('reads v-prediction, the SD 2.x pad token and a wider hidden state', async () => {
    const m = await model(testModelDir('v-prediction'));
    assert.equal(m.info.schedulerConfig['prediction_type'], 'v_prediction');
    assert.equal(m.textEncoder.hiddenSize, 48);
    const tokenizer = ClipTokenizer.fromFolder(`${m.info.dir}/tokenizer`);
    assert.ok(tokenizer.ok);
    assert.equal(tokenizer.value.padId, 0);
  });
});
