// The shipped demo model (models/demo): a real SD ONNX folder's layout and interface, and
// graphs that still compute what the torch modules computed before export.
// Reference values: test/fixtures/demo/reference-outputs.json, written by
// tools/demo-model/train.py (torch 1.13 modules, before export) alongside the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { assertClose, readJson, repoRoot, sinLatent, squareImage } from './reference-inputs';

const modelDir = path.join(repoRoot, 'models', 'demo');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'demo');

interface Reference {
  inputs: { input_ids: number[]; timestep: number };
  text_encoder: { pooler_output: number[]; last_hidden_state_first_two_tokens: number[] };
  unet: { out_sample: number[] };
  vae_encoder: { latent_parameters: number[] };
  vae_decoder: { channel_means: number[]; every_97th: number[] };
  scaling_factor: number;
  default_sampler: string;
}

interface World {
  palette: { name: string; rgb: [number, number, number] }[];
  shapes: { name: string; plural: string }[];
  judge: { border_width: number; min_shape_share: number };
}

interface TokenizerSamples {
  vocab_size: number;
  bos: number;
  eos: number;
  pad: number;
  samples: { text: string; content_ids: number[]; input_ids: number[] }[];
}

const reference = readJson<Reference>(fixtures, 'reference-outputs.json');

/** GPT-2's bytes-to-unicode table as [byte, character] pairs, in CLIP's vocabulary order. */
function byteTable(): [number, string][] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  return bs.map((b, i) => [b, String.fromCodePoint(cs[i])]);
}

test('the folder has a real SD ONNX export layout, under 10 MB', () => {
  const files = [
    'model_index.json', 'sdprompt_world.json', 'scheduler/scheduler_config.json',
    'tokenizer/vocab.json', 'tokenizer/merges.txt', 'tokenizer/special_tokens_map.json', 'tokenizer/tokenizer_config.json',
    'text_encoder/model.onnx', 'text_encoder/config.json', 'unet/model.onnx', 'unet/config.json',
    'vae_encoder/model.onnx', 'vae_encoder/config.json', 'vae_decoder/model.onnx', 'vae_decoder/config.json',
  ];
  let bytes = 0;
  for (const f of files) {
    const p = path.join(modelDir, f);
    assert.ok(fs.existsSync(p), `${f} exists`);
    bytes += fs.statSync(p).size;
  }
  assert.ok(bytes < 10 * 1024 * 1024, `${bytes} bytes`);
  const index = readJson<Record<string, unknown>>(modelDir, 'model_index.json');
  assert.equal(index._class_name, 'OnnxStableDiffusionPipeline');
  assert.deepEqual(index.unet, ['diffusers', 'OnnxRuntimeModel']);
  assert.deepEqual(index.tokenizer, ['transformers', 'CLIPTokenizer']);
});

test('configs agree with each other and with SD 1.5 where the interface needs it', () => {
  const text = readJson<Record<string, number>>(modelDir, 'text_encoder', 'config.json');
  const unet = readJson<Record<string, number>>(modelDir, 'unet', 'config.json');
  const enc = readJson<Record<string, number>>(modelDir, 'vae_encoder', 'config.json');
  const dec = readJson<Record<string, number>>(modelDir, 'vae_decoder', 'config.json');
  const sched = readJson<Record<string, unknown>>(modelDir, 'scheduler', 'scheduler_config.json');
  const index = readJson<Record<string, unknown>>(modelDir, 'model_index.json');
  assert.equal(text.max_position_embeddings, 77);
  assert.equal(unet.in_channels, 4);
  assert.equal(unet.out_channels, 4);
  assert.equal(unet.sample_size, 8);
  assert.equal(unet.cross_attention_dim, text.hidden_size);
  assert.equal(enc.latent_channels, 4);
  assert.equal(enc.scaling_factor, dec.scaling_factor);
  assert.equal(dec.scaling_factor, reference.scaling_factor);
  assert.ok(dec.scaling_factor > 0.05 && dec.scaling_factor < 5, `scaling_factor ${dec.scaling_factor}`);
  assert.equal(sched.beta_schedule, 'scaled_linear');
  assert.equal(sched.beta_start, 0.00085);
  assert.equal(sched.beta_end, 0.012);
  assert.equal(sched.num_train_timesteps, 1000);
  assert.equal(sched.prediction_type, 'epsilon');
  assert.equal(sched.steps_offset, 1);
  assert.deepEqual(index.scheduler, ['diffusers', sched._class_name]);
});

test('the vocabulary is laid out as CLIP\'s and the world\'s words are single tokens', () => {
  const vocab = readJson<Record<string, number>>(modelDir, 'tokenizer', 'vocab.json');
  const merges = fs.readFileSync(path.join(modelDir, 'tokenizer', 'merges.txt'), 'utf8').split('\n');
  assert.equal(merges[0], '#version: 0.2');
  const rules = merges.slice(1).filter((l) => l.length > 0);
  const size = Object.keys(vocab).length;
  assert.equal(size, 512 + rules.length + 2);
  const chars = byteTable().map(([, c]) => c);
  chars.forEach((c, i) => {
    assert.equal(vocab[c], i);
    assert.equal(vocab[c + '</w>'], 256 + i);
  });
  rules.forEach((rule, rank) => assert.equal(vocab[rule.split(' ').join('')], 512 + rank, rule));
  assert.equal(vocab['<|startoftext|>'], size - 2);
  assert.equal(vocab['<|endoftext|>'], size - 1);
  const config = readJson<Record<string, unknown>>(modelDir, 'tokenizer', 'tokenizer_config.json');
  assert.equal(config.pad_token, '<|endoftext|>');

  const world = readJson<World>(modelDir, 'sdprompt_world.json');
  const words = ['a', 'an', 'two', 'on', 'background', 'shape', 'shapes',
    ...world.palette.map((c) => c.name), ...world.shapes.flatMap((s) => [s.name, s.plural])];
  for (const w of words) assert.ok(vocab[w + '</w>'] !== undefined, `${w}</w> is one token`);
});

test('the tokenizer samples decode back to their texts through the vocabulary', () => {
  const fixture = readJson<TokenizerSamples>(fixtures, 'tokenizer-samples.json');
  const vocab = readJson<Record<string, number>>(modelDir, 'tokenizer', 'vocab.json');
  const byId = new Map(Object.entries(vocab).map(([k, v]) => [v, k]));
  const byteOf = new Map(byteTable().map(([b, c]) => [c, b]));
  assert.ok(fixture.samples.length >= 30);
  assert.equal(fixture.vocab_size, Object.keys(vocab).length);
  for (const s of fixture.samples) {
    assert.equal(s.input_ids.length, 77, s.text);
    assert.equal(s.input_ids[0], fixture.bos);
    const content = s.input_ids.slice(1, 1 + Math.min(75, s.content_ids.length));
    assert.deepEqual(content, s.content_ids.slice(0, 75), s.text);
    assert.equal(s.input_ids[1 + content.length], fixture.eos);
    assert.ok(s.input_ids.slice(2 + content.length).every((id) => id === fixture.pad), s.text);
    if (s.content_ids.length > 75 || s.text.includes('<|')) continue;
    const symbols = s.content_ids.map((id) => byId.get(id)!.replace('</w>', ''));
    const bytes = Buffer.from(symbols.join('').split('').map((c) => byteOf.get(c)!));
    const expected = s.text.toLowerCase().replace(/\s+/g, '');
    assert.equal(bytes.toString('utf8'), expected, s.text);
  }
});

test('the ONNX graphs have SD\'s input and output names and compute the torch reference', async () => {
  const open = (sub: string) => ort.InferenceSession.create(path.join(modelDir, sub, 'model.onnx'));
  const te = await open('text_encoder');
  const unet = await open('unet');
  const enc = await open('vae_encoder');
  const dec = await open('vae_decoder');
  assert.deepEqual(te.inputNames, ['input_ids']);
  assert.deepEqual(te.outputNames, ['last_hidden_state', 'pooler_output']);
  assert.deepEqual(unet.inputNames, ['sample', 'timestep', 'encoder_hidden_states']);
  assert.deepEqual(unet.outputNames, ['out_sample']);
  assert.deepEqual(enc.inputNames, ['sample']);
  assert.deepEqual(enc.outputNames, ['latent_parameters']);
  assert.deepEqual(dec.inputNames, ['latent_sample']);
  assert.deepEqual(dec.outputNames, ['sample']);
  const types = (s: ort.InferenceSession) => s.inputMetadata.map((m) => (m.isTensor ? m.type : 'non-tensor'));
  assert.deepEqual(types(te), ['int64']);
  assert.deepEqual(types(unet), ['float32', 'float32', 'float32']);

  const ids = BigInt64Array.from(reference.inputs.input_ids.map((i) => BigInt(i)));
  const t = await te.run({ input_ids: new ort.Tensor('int64', ids, [1, 77]) });
  const hidden = t.last_hidden_state;
  const dim = hidden.dims[2];
  assertClose(t.pooler_output.data as Float32Array, reference.text_encoder.pooler_output, 'pooler_output');
  assertClose(hidden.data as Float32Array, reference.text_encoder.last_hidden_state_first_two_tokens, 'last_hidden_state');

  const u = await unet.run({
    sample: new ort.Tensor('float32', sinLatent(), [1, 4, 8, 8]),
    timestep: new ort.Tensor('float32', Float32Array.from([reference.inputs.timestep]), [1]),
    encoder_hidden_states: hidden,
  });
  assertClose(u.out_sample.data as Float32Array, reference.unet.out_sample, 'out_sample');

  const e = await enc.run({ sample: new ort.Tensor('float32', squareImage(), [1, 3, 64, 64]) });
  assert.deepEqual(e.latent_parameters.dims, [1, 8, 8, 8]);
  assertClose(e.latent_parameters.data as Float32Array, reference.vae_encoder.latent_parameters, 'latent_parameters');

  const d = await dec.run({ latent_sample: new ort.Tensor('float32', sinLatent(), [1, 4, 8, 8]) });
  assert.deepEqual(d.sample.dims, [1, 3, 64, 64]);
  const img = d.sample.data as Float32Array;
  assertClose(img.filter((_, i) => i % 97 === 0), reference.vae_decoder.every_97th, 'decoded sample');
  assert.ok(img.every((v) => v >= -1 && v <= 1), 'decoded sample in [-1, 1]');
  assert.equal(dim, readJson<Record<string, number>>(modelDir, 'text_encoder', 'config.json').hidden_size);
});

test('batch, image size and context length are dynamic, as in real exports', async () => {
  const unet = await ort.InferenceSession.create(path.join(modelDir, 'unet', 'model.onnx'));
  const dec = await ort.InferenceSession.create(path.join(modelDir, 'vae_decoder', 'model.onnx'));
  const dim = readJson<Record<string, number>>(modelDir, 'text_encoder', 'config.json').hidden_size;
  const u = await unet.run({
    sample: new ort.Tensor('float32', new Float32Array(3 * 4 * 16 * 12).fill(0.5), [3, 4, 16, 12]),
    timestep: new ort.Tensor('float32', Float32Array.from([1, 500, 999]), [3]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(3 * 154 * dim).fill(0.1), [3, 154, dim]),
  });
  assert.deepEqual(u.out_sample.dims, [3, 4, 16, 12]);
  const d = await dec.run({ latent_sample: new ort.Tensor('float32', new Float32Array(4 * 16 * 12), [1, 4, 16, 12]) });
  assert.deepEqual(d.sample.dims, [1, 3, 128, 96]);
});
