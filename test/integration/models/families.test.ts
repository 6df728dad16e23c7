// Each family's tiny model through the real loader: the family read from its folder, the ports
// its interface has (SDXL's two encoders and their hidden states, text_embeds and time_ids; LCM's
// timestep_cond), and folders that mix families refused with the file that disagrees.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { type LoadedModel, inspectModelFolder, loadModel } from '../../../src/core/models';
import { tensor } from '../../../src/core/tensor';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import { type TestModelVariant, buildTestModelFiles, variantOptions, writeModelFiles } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { ids, load, maxAbsDiff, values } from './helpers';

const loaded: LoadedModel[] = [];
const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-families-'));
after(async () => {
  for (const m of loaded) await m.release();
  rmSync(temp, { recursive: true, force: true });
});

async function model(variant: TestModelVariant): Promise<LoadedModel> {
  const m = await load(testModelDir(variant));
  loaded.push(m);
  return m;
}

const FAMILIES: { variant: TestModelVariant; label: string; widths: [number, number?]; added: Record<string, number> }[] = [
  { variant: 'sd2', label: 'SD 2.x', widths: [1024], added: {} },
  { variant: 'sd2-v', label: 'SD 2.x (768, v-prediction)', widths: [1024], added: {} },
  { variant: 'sd-turbo', label: 'SD-Turbo', widths: [1024], added: {} },
  { variant: 'sdxl', label: 'SDXL', widths: [768, 1280], added: { textEmbeds: 1280, timeIds: 6 } },
  { variant: 'sdxl-fp16', label: 'SDXL', widths: [768, 1280], added: { textEmbeds: 1280, timeIds: 6 } },
  { variant: 'sdxl-turbo', label: 'SDXL Turbo', widths: [768, 1280], added: { textEmbeds: 1280, timeIds: 6 } },
  { variant: 'lcm', label: 'LCM (SD 1.x)', widths: [768], added: { timestepCond: 256 } },
];

describe('each family is read from its folder and loads with its interface', () => {
  for (const f of FAMILIES) {
    it(f.variant, async () => {
      const info = inspectModelFolder(testModelDir(f.variant));
      assert.ok(info.ok, info.ok ? '' : info.error.message);
      assert.equal(info.value.family.label, f.label);
      const m = await model(f.variant);
      assert.equal(m.textEncoder.hiddenSize, f.widths[0]);
      assert.equal(m.textEncoder2?.hiddenSize, f.widths[1]);
      assert.deepEqual(m.unet.added, f.added);
      assert.equal(info.value.tokenizers.length, f.widths[1] ? 2 : 1);
      assert.equal(info.value.forceZerosForEmptyPrompt, f.widths[1] !== undefined);
      assert.equal(info.value.vaeScalingFactor, f.widths[1] ? 0.13025 : 0.18215);
    });
  }
});

describe('SDXL text encoders', () => {
  it('give the penultimate hidden states and the pooled output, as diffusers reads them', async () => {
    const m = await model('sdxl');
    const dir = testModelDir('sdxl');
    const tokens = ids(2, 4);
    for (const [component, encoder, pooledName] of [
      ['text_encoder', m.textEncoder, 'pooler_output'],
      ['text_encoder_2', m.textEncoder2!, 'text_embeds'],
    ] as const) {
      const session = await ort.InferenceSession.create(path.join(dir, component, 'model.onnx'));
      const raw = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [2, 77]) });
      await session.release();
      // Two layers: hidden_states.0 (embeddings), .1, .2; diffusers' hidden_states[-2] is .1.
      const { hidden, pooled } = await encoder.encode(tokens, 2);
      assert.deepEqual(hidden.shape, [2, 77, encoder.hiddenSize]);
      assert.deepEqual([...hidden.data], [...(raw['hidden_states.1']!.data as Float32Array)], `${component}: hidden_states.1`);
      assert.ok(maxAbsDiff(hidden, tensor(raw['last_hidden_state']!.data as Float32Array, [2, 77, encoder.hiddenSize])) > 0.01);
      assert.deepEqual([...pooled!.data], [...(raw[pooledName]!.data as Float32Array)], `${component}: ${pooledName}`);
    }
  });

  it('tokenizer_2 pads with ! and tokenizer with its end token, as SDXL exports them', () => {
    const info = inspectModelFolder(testModelDir('sdxl'));
    assert.ok(info.ok);
    const [first, second] = info.value.tokenizers.map((dir) => ClipTokenizer.fromFolder(dir));
    assert.ok(first?.ok && second?.ok);
    assert.equal(first.value.padId, first.value.eosId);
    assert.equal(second.value.padId, second.value.tokenId('!'));
  });

  it('the UNet takes text_embeds and time_ids, and each changes its output', async () => {
    const m = await model('sdxl');
    const sample = values([2, 4, 8, 8], 1);
    const hidden = values([2, 77, 2048], 2, 0.5);
    const textEmbeds = values([2, 1280], 3);
    const timeIds = tensor(Float32Array.of(1024, 1024, 0, 0, 1024, 1024, 512, 768, 0, 0, 512, 768), [2, 6]);
    const eps = await m.unet.predict(sample, 500, hidden, { textEmbeds, timeIds });
    assert.deepEqual(eps.shape, [2, 4, 8, 8]);
    assert.ok(maxAbsDiff(eps, await m.unet.predict(sample, 500, hidden, { textEmbeds: values([2, 1280], 4), timeIds })) > 1e-3, 'text_embeds');
    const otherIds = tensor(Float32Array.of(512, 512, 0, 0, 512, 512, 512, 768, 0, 0, 512, 768), [2, 6]);
    assert.ok(maxAbsDiff(eps, await m.unet.predict(sample, 500, hidden, { textEmbeds, timeIds: otherIds })) > 1e-3, 'time_ids');
    await assert.rejects(m.unet.predict(sample, 500, hidden, { textEmbeds }), /the pipeline gave no time_ids/);
  });
});

describe('LCM', () => {
  it('the UNet takes timestep_cond, and it changes the output', async () => {
    const m = await model('lcm');
    const sample = values([1, 4, 8, 8], 1);
    const hidden = values([1, 77, 768], 2, 0.5);
    const eps = await m.unet.predict(sample, 759, hidden, { timestepCond: values([1, 256], 3) });
    assert.ok(maxAbsDiff(eps, await m.unet.predict(sample, 759, hidden, { timestepCond: values([1, 256], 4) })) > 1e-3);
  });
});

/** A folder of `base`'s files with some of `other`'s laid over them, or edited. */
function mixedFolder(name: string, base: TestModelVariant, overlay: { from?: TestModelVariant; prefixes?: string[]; omit?: string[]; edit?: Record<string, (json: Record<string, unknown>) => void> }): string {
  const files = buildTestModelFiles(variantOptions(base));
  if (overlay.from) {
    for (const [file, bytes] of buildTestModelFiles(variantOptions(overlay.from))) {
      if (overlay.prefixes?.some((p) => file.startsWith(p))) files.set(file, bytes);
    }
  }
  for (const file of [...files.keys()]) if (overlay.omit?.some((p) => file.startsWith(p))) files.delete(file);
  const dir = path.join(temp, name);
  writeModelFiles(dir, files);
  for (const [file, edit] of Object.entries(overlay.edit ?? {})) {
    const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(path.join(dir, file), JSON.stringify(json));
  }
  return dir;
}

async function loadFails(dir: string): Promise<{ code: string; message: string; file?: string }> {
  const r = await loadModel(dir, { threads: 1 });
  if (r.ok) {
    await r.value.release();
    assert.fail(`${dir} should not load`);
  }
  return r.error;
}

describe('folders that mix families', () => {
  it('an SDXL folder with an SD 2.x UNet', async () => {
    const dir = mixedFolder('xl-with-sd2-unet', 'sdxl', { from: 'sd2', prefixes: ['unet/'] });
    const e = await loadFails(dir);
    assert.equal(e.code, 'model-invalid');
    assert.equal(e.file, path.join(dir, 'unet/config.json'));
    assert.match(e.message, /^model_index\.json names StableDiffusionXLPipeline, but unet\/config\.json describes an SD 1\.x\/2\.x UNet \(cross_attention_dim 1024/);
  });

  it('an SDXL folder whose UNet (without a config) is SD 2.x\'s: the session tells', async () => {
    const dir = mixedFolder('xl-with-bare-sd2-unet', 'sdxl', { from: 'sd2', prefixes: ['unet/'], omit: ['unet/config.json'] });
    const e = await loadFails(dir);
    assert.equal(e.file, path.join(dir, 'unet/model.onnx'));
    assert.match(e.message, /^unet\/model\.onnx: takes no text_embeds input, but the folder's configs describe SDXL: an SDXL UNet takes text_embeds and time_ids; the folder mixes families$/);
  });

  it('an SDXL folder without text_encoder_2/', async () => {
    const dir = mixedFolder('xl-without-te2', 'sdxl', { omit: ['text_encoder_2/'] });
    const e = await loadFails(dir);
    assert.equal(e.code, 'model-missing');
    assert.equal(e.file, path.join(dir, 'text_encoder_2/model.onnx'));
    assert.match(e.message, /^text_encoder_2\/model\.onnx is missing: an SDXL model needs its second text encoder \(text_encoder_2\/ and tokenizer_2\/, as optimum-cli exports them\)$/);
  });

  it('an SDXL folder without tokenizer_2/', async () => {
    const dir = mixedFolder('xl-without-tokenizer2', 'sdxl', { omit: ['tokenizer_2/'] });
    const e = await loadFails(dir);
    assert.equal(e.code, 'model-missing');
    assert.equal(e.file, path.join(dir, 'tokenizer_2/vocab.json'));
  });

  it('an SD 2.x folder with SD 1.x\'s text encoder', async () => {
    const dir = mixedFolder('sd2-with-sd1-te', 'sd2', { from: 'lcm', prefixes: ['text_encoder/'] });
    const e = await loadFails(dir);
    assert.equal(e.file, path.join(dir, 'text_encoder/config.json'));
    assert.match(e.message, /^the text encoders give states 768 wide, but unet\/config\.json's cross_attention_dim is 1024: the folder mixes parts of different model families/);
  });

  it('an SD 2.x folder with a stray text_encoder_2/', async () => {
    const dir = mixedFolder('sd2-with-te2', 'sd2', { from: 'sdxl', prefixes: ['text_encoder_2/'] });
    const e = await loadFails(dir);
    assert.equal(e.file, path.join(dir, 'text_encoder_2/model.onnx'));
    assert.match(e.message, /^text_encoder_2\/ is there/);
  });

  it('an LCM UNet whose config lost time_cond_proj_dim, and the other way round', async () => {
    const lost = mixedFolder('lcm-without-proj-dim', 'lcm', { edit: { 'unet/config.json': (c) => (c['time_cond_proj_dim'] = null) } });
    const e = await loadFails(lost);
    assert.equal(e.file, path.join(lost, 'unet/model.onnx'));
    assert.match(e.message, /takes timestep_cond \(an LCM UNet's guidance embedding\), but unet\/config\.json gives no time_cond_proj_dim$/);
    const claimed = mixedFolder('sd2-claiming-lcm', 'sd2', { edit: { 'unet/config.json': (c) => (c['time_cond_proj_dim'] = 256) } });
    const e2 = await loadFails(claimed);
    assert.match(e2.message, /takes no timestep_cond, but unet\/config\.json's time_cond_proj_dim 256 says it is an LCM UNet$/);
  });

  it("SDXL's refiner is named and refused", async () => {
    const dir = mixedFolder('xl-refiner', 'sdxl', {
      omit: ['text_encoder/', 'tokenizer/'],
      edit: { 'model_index.json': (c) => (c['requires_aesthetics_score'] = true), 'unet/config.json': (c) => (c['cross_attention_dim'] = 1280) },
    });
    const e = await loadFails(dir);
    assert.equal(e.file, path.join(dir, 'model_index.json'));
    assert.match(e.message, /^this is SDXL's refiner/);
  });
});
