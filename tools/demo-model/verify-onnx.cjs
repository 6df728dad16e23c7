// Runs an exported demo model's ONNX graphs (text encoder, UNet, VAE encoder and decoder, and
// the depth estimator where the model has one) in onnxruntime-node and compares them with the
// torch reference outputs the recipe wrote. The UNet's input is the reference's `unet.sample`
// where it has one (9- and 5-channel UNets), else the demo's latent.
// Usage: node verify-onnx.cjs <modelDir> <reference.json>
// Prints one JSON line of figures last; exits 1 on any mismatch.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');

const [modelDir, referencePath] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(referencePath, 'utf8'));
const failures = [];
const diffs = {};

function compare(name, actual, expected) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    worst = Math.max(worst, d);
    if (!(d <= 2e-4 + 2e-4 * Math.abs(expected[i]))) {
      failures.push(`${name}[${i}]: ${actual[i]} vs ${expected[i]}`);
      break;
    }
  }
  if (actual.length < expected.length) failures.push(`${name}: ${actual.length} values, expected ${expected.length}`);
  diffs[name] = worst;
}

function expectDims(name, dims, expected) {
  if (JSON.stringify(dims) !== JSON.stringify(expected)) failures.push(`${name}: dims ${dims} expected ${expected}`);
}

function expectIo(session, name, inputs, outputs) {
  const ins = session.inputNames, outs = session.outputNames;
  if (JSON.stringify(ins) !== JSON.stringify(inputs)) failures.push(`${name} inputs ${ins}`);
  if (JSON.stringify(outs) !== JSON.stringify(outputs)) failures.push(`${name} outputs ${outs}`);
  const meta = {};
  for (const m of session.inputMetadata ?? []) meta[m.name] = { type: m.type, shape: m.shape };
  return meta;
}

function latentInput() {
  const x = new Float32Array(256);
  for (let i = 0; i < 256; i++) x[i] = 1.3 * Math.sin(0.37 * i);
  return x;
}

function imageInput() {
  const x = new Float32Array(3 * 64 * 64);
  const blue = [35, 75, 225], red = [210, 25, 35];
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < 64; y++)
      for (let xx = 0; xx < 64; xx++) {
        const inside = y >= 16 && y < 48 && xx >= 16 && xx < 48;
        x[c * 4096 + y * 64 + xx] = (inside ? red : blue)[c] / 127.5 - 1;
      }
  return x;
}

async function verifyDepthEstimator(meta) {
  const est = await ort.InferenceSession.create(path.join(modelDir, 'depth_estimator', 'model.onnx'), { intraOpNumThreads: 2 });
  meta.depth_estimator = expectIo(est, 'depth_estimator', ['pixel_values'], ['predicted_depth']);
  const p = await est.run({ pixel_values: new ort.Tensor('float32', imageInput(), [1, 3, 64, 64]) });
  expectDims('depth_estimator 1x3x64x64', p.predicted_depth.dims, ref.depth.predicted_depth_shape);
  compare('depth_estimator every 13th', Array.from(p.predicted_depth.data).filter((_, i) => i % 13 === 0),
    ref.depth.predicted_depth_every_13th);
  const p2 = await est.run({ pixel_values: new ort.Tensor('float32', new Float32Array(2 * 3 * 128 * 96), [2, 3, 128, 96]) });
  expectDims('depth_estimator 2x3x128x96', p2.predicted_depth.dims, [2, 128, 96]);
}

async function main() {
  const opts = { intraOpNumThreads: 2 };
  const open = (sub) => ort.InferenceSession.create(path.join(modelDir, sub, 'model.onnx'), opts);
  const [te, unet, enc, dec] = await Promise.all(['text_encoder', 'unet', 'vae_encoder', 'vae_decoder'].map(open));
  const meta = {
    text_encoder: expectIo(te, 'text_encoder', ['input_ids'], ['last_hidden_state', 'pooler_output']),
    unet: expectIo(unet, 'unet', ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']),
    vae_encoder: expectIo(enc, 'vae_encoder', ['sample'], ['latent_parameters']),
    vae_decoder: expectIo(dec, 'vae_decoder', ['latent_sample'], ['sample']),
  };

  const ids = BigInt64Array.from(ref.inputs.input_ids.map(BigInt));
  const t = await te.run({ input_ids: new ort.Tensor('int64', ids, [1, 77]) });
  const hidden = t.last_hidden_state;
  const dim = hidden.dims[2];
  compare('text_encoder.pooler_output', t.pooler_output.data, ref.text_encoder.pooler_output);
  compare('text_encoder.last_hidden_state[:2]', hidden.data.slice(0, 2 * dim), ref.text_encoder.last_hidden_state_first_two_tokens);
  const three = new BigInt64Array(3 * 77);
  for (let b = 0; b < 3; b++) three.set(ids, b * 77);
  const t3 = await te.run({ input_ids: new ort.Tensor('int64', three, [3, 77]) });
  expectDims('text_encoder batch 3', t3.last_hidden_state.dims, [3, 77, dim]);
  compare('text_encoder batch 3 row 2', t3.pooler_output.data.slice(2 * dim), ref.text_encoder.pooler_output);

  const latent = latentInput();
  const sampleDims = ref.unet.sample_shape ?? [1, 4, 8, 8];
  const channels = sampleDims[1];
  const sample = ref.unet.sample ? Float32Array.from(ref.unet.sample) : latent;
  const u = await unet.run({
    sample: new ort.Tensor('float32', sample, sampleDims),
    timestep: new ort.Tensor('float32', Float32Array.from([500]), [1]),
    encoder_hidden_states: hidden,
  });
  compare('unet.out_sample', u.out_sample.data, ref.unet.out_sample);
  // Dynamic sizes: batch 2, a 128x96 image's latents, two 77-token chunks of context.
  const ctx2 = new Float32Array(2 * 154 * dim);
  for (let b = 0; b < 2; b++) for (let k = 0; k < 2; k++) ctx2.set(hidden.data, (b * 2 + k) * 77 * dim);
  const u2 = await unet.run({
    sample: new ort.Tensor('float32', new Float32Array(2 * channels * 16 * 12).fill(0.1), [2, channels, 16, 12]),
    timestep: new ort.Tensor('float32', Float32Array.from([999, 999]), [2]),
    encoder_hidden_states: new ort.Tensor('float32', ctx2, [2, 154, dim]),
  });
  expectDims('unet 2x4x16x12', u2.out_sample.dims, [2, 4, 16, 12]);

  const e = await enc.run({ sample: new ort.Tensor('float32', imageInput(), [1, 3, 64, 64]) });
  compare('vae_encoder.latent_parameters', e.latent_parameters.data, ref.vae_encoder.latent_parameters);
  const e2 = await enc.run({ sample: new ort.Tensor('float32', new Float32Array(2 * 3 * 128 * 96), [2, 3, 128, 96]) });
  expectDims('vae_encoder 2x3x128x96', e2.latent_parameters.dims, [2, 8, 16, 12]);

  const d = await dec.run({ latent_sample: new ort.Tensor('float32', latent, [1, 4, 8, 8]) });
  const img = d.sample.data;
  const means = [0, 1, 2].map((c) => img.slice(c * 4096, (c + 1) * 4096).reduce((a, b) => a + b, 0) / 4096);
  compare('vae_decoder channel means', means, ref.vae_decoder.channel_means);
  compare('vae_decoder every 97th', Array.from(img).filter((_, i) => i % 97 === 0), ref.vae_decoder.every_97th);
  let lo = Infinity, hi = -Infinity;
  for (const v of img) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo < -1 || hi > 1) failures.push(`vae_decoder range ${lo}..${hi}`);
  const d2 = await dec.run({ latent_sample: new ort.Tensor('float32', new Float32Array(4 * 16 * 12), [1, 4, 16, 12]) });
  expectDims('vae_decoder 1x4x16x12', d2.sample.dims, [1, 3, 128, 96]);

  if (ref.depth) await verifyDepthEstimator(meta);

  // Session time of one guided UNet call (batch 2), the pipeline's inner loop.
  const feed = {
    sample: new ort.Tensor('float32', new Float32Array(2 * channels * 64).fill(0.1), [2, channels, 8, 8]),
    timestep: new ort.Tensor('float32', Float32Array.from([500, 500]), [2]),
    encoder_hidden_states: new ort.Tensor('float32', ctx2.slice(0, 2 * 77 * dim), [2, 77, dim]),
  };
  for (let i = 0; i < 5; i++) await unet.run(feed);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) await unet.run(feed);
  const unetMs = Number(process.hrtime.bigint() - t0) / 1e6 / 50;

  for (const f of failures) console.error('FAIL', f);
  console.log(JSON.stringify({ ok: failures.length === 0, max_abs_diff: diffs, input_metadata: meta, unet_batch2_ms: unetMs }));
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((err) => { console.error(err); process.exit(1); });
