import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectModelFolder } from '../../../src/core/models/folder';
import { parsePythonJson } from '../../../src/core/python-json';
import { checkedContentHashes, modelFilesKey, unetContentHash } from '../../../src/core/models/hash';
import { testModelDir } from '../../../tools/test-models/test-dir';

describe('parsePythonJson', () => {
  it('reads the bare Infinity, -Infinity and NaN Python writes, and leaves strings alone', () => {
    const value = parsePythonJson('{"a": -Infinity, "b": [Infinity, NaN, 1], "c": "NaN -Infinity", "d": "x\\"Infinity"}') as Record<string, unknown>;
    assert.equal(value['a'], -Infinity);
    assert.deepEqual(value['b'], [Infinity, NaN, 1]);
    assert.equal(value['c'], 'NaN -Infinity');
    assert.equal(value['d'], 'x"Infinity');
  });
  it('still rejects what is not JSON', () => {
    assert.throws(() => parsePythonJson('{"a": Inf}'));
  });
});

describe('inspectModelFolder', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sdprompt-inspect-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads the configs and lists the component files of an optimum export', () => {
    const dir = testModelDir('optimum');
    const r = inspectModelFolder(dir);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const info = r.value;
    assert.equal(info.name, 'optimum');
    assert.equal(info.vaeScalingFactor, 0.18215);
    assert.deepEqual(info.unetConfig, { inChannels: 4, outChannels: 4, sampleSize: 8, crossAttentionDim: 32 });
    assert.deepEqual(info.nativeSize, { width: 64, height: 64 });
    assert.equal(info.schedulerConfig['steps_offset'], 1);
    assert.equal(info.components.unet.onnx, path.join(dir, 'unet/model.onnx'));
    assert.equal(info.components.unet.externalData, undefined);
    assert.ok(info.components.vae_encoder.present);
    assert.deepEqual(info.notes, []);
  });

  it('lists external data files beside the model and reads v-prediction', () => {
    const legacy = inspectModelFolder(testModelDir('legacy'));
    assert.ok(legacy.ok);
    assert.deepEqual(legacy.value.components.unet.externalData, [path.join(legacy.value.dir, 'unet/weights.pb')]);
    const v = inspectModelFolder(testModelDir('v-prediction'));
    assert.ok(v.ok);
    assert.equal(v.value.schedulerConfig['prediction_type'], 'v_prediction');
    assert.deepEqual(v.value.nativeSize, { width: 96, height: 96 });
  });

  it('accepts -Infinity in the scheduler config, and defaults (with notes) what the old exporter left out', () => {
    const dir = path.join(root, 'old');
    cpSync(testModelDir('optimum'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'scheduler/scheduler_config.json'), '{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity}');
    rmSync(path.join(dir, 'unet/config.json'));
    rmSync(path.join(dir, 'vae_decoder/config.json'));
    rmSync(path.join(dir, 'vae_encoder'), { recursive: true });
    const r = inspectModelFolder(dir);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.equal(r.value.schedulerConfig['lambda_min_clipped'], -Infinity);
    assert.equal(r.value.vaeScalingFactor, 0.18215);
    assert.equal(r.value.nativeSize, undefined);
    assert.ok(!r.value.components.vae_encoder.present);
    assert.deepEqual(r.value.notes, [
      'unet/config.json is absent: assuming 4 latent channels in and out',
      "no VAE config gives a scaling_factor: using SD 1.x's 0.18215",
      'no vae_encoder/: text-to-image only',
    ]);
  });

  it('names the file and what was expected when something is missing or wrong', () => {
    const base = testModelDir('optimum');
    const broken = (name: string, change: (dir: string) => void) => {
      const dir = path.join(root, name);
      cpSync(base, dir, { recursive: true });
      change(dir);
      const r = inspectModelFolder(dir);
      assert.ok(!r.ok, `${name} should fail`);
      return r.error;
    };
    let e = broken('no-unet', (d) => rmSync(path.join(d, 'unet'), { recursive: true }));
    assert.equal(e.code, 'model-missing');
    assert.equal(e.file, path.join(root, 'no-unet/unet/model.onnx'));
    assert.match(e.message, /^unet\/model\.onnx is missing: a Stable Diffusion ONNX folder needs text_encoder\/, unet\/ and vae_decoder\//);
    e = broken('no-merges', (d) => rmSync(path.join(d, 'tokenizer/merges.txt')));
    assert.equal(e.code, 'model-missing');
    assert.match(e.message, /^tokenizer\/merges\.txt is missing/);
    e = broken('no-scheduler', (d) => rmSync(path.join(d, 'scheduler/scheduler_config.json')));
    assert.equal(e.code, 'model-missing');
    assert.match(e.message, /^scheduler\/scheduler_config\.json is missing: it should hold the scheduler's training configuration/);
    e = broken('bad-json', (d) => writeFileSync(path.join(d, 'unet/config.json'), '{"in_channels": 4,'));
    assert.equal(e.code, 'model-invalid');
    assert.equal(e.file, path.join(root, 'bad-json/unet/config.json'));
    assert.match(e.message, /^unet\/config\.json is not valid JSON/);
    e = broken('bad-channels', (d) => writeFileSync(path.join(d, 'unet/config.json'), '{"in_channels": "four"}'));
    assert.equal(e.message, 'unet/config.json: in_channels should be a positive integer, found "four"');
    e = broken('bad-prediction', (d) => writeFileSync(path.join(d, 'scheduler/scheduler_config.json'), '{"prediction_type": "noise"}'));
    assert.equal(e.message, 'scheduler/scheduler_config.json: prediction_type should be one of epsilon, v_prediction, sample, found "noise"');
    const none = inspectModelFolder(path.join(root, 'nowhere'));
    assert.ok(!none.ok);
    assert.equal(none.error.code, 'model-missing');
    assert.match(none.error.message, /does not exist/);
  });

  it('does not load onnxruntime-node', () => {
    const folderModule = path.resolve(__dirname, '../../../src/core/models/folder.js');
    const hashModule = path.resolve(__dirname, '../../../src/core/models/hash.js');
    const script = `require(${JSON.stringify(folderModule)}); require(${JSON.stringify(hashModule)});
      const loaded = Object.keys(require.cache).filter((k) => k.includes('onnxruntime'));
      process.stdout.write(JSON.stringify(loaded));`;
    assert.equal(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }), '[]');
  });
});

describe('unetContentHash', () => {
  it('hashes model.onnx with its external data, and tells models apart', async () => {
    const legacy = inspectModelFolder(testModelDir('legacy'));
    const optimum = inspectModelFolder(testModelDir('optimum'));
    assert.ok(legacy.ok && optimum.ok);
    const { createHash } = await import('node:crypto');
    const { readFileSync } = await import('node:fs');
    const expected = createHash('sha256')
      .update(readFileSync(path.join(legacy.value.dir, 'unet/model.onnx')))
      .update(readFileSync(path.join(legacy.value.dir, 'unet/weights.pb')))
      .digest('hex');
    assert.equal(await unetContentHash(legacy.value), expected);
    assert.equal(await unetContentHash(legacy.value), expected);
    assert.notEqual(await unetContentHash(optimum.value), expected);
  });

  it('a UNet file deleted after the folder was read is a model-missing error naming it, not an exception', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-hash-'));
    cpSync(testModelDir('legacy'), dir, { recursive: true });
    const info = inspectModelFolder(dir);
    assert.ok(info.ok);
    const key = modelFilesKey(info.value);
    assert.ok(key.ok);
    assert.deepEqual(modelFilesKey(info.value), key, 'the same files give the same key');
    rmSync(path.join(dir, 'unet', 'weights.pb'));
    for (const result of [await checkedContentHashes(info.value), modelFilesKey(info.value)]) {
      assert.ok(!result.ok);
      assert.deepEqual(result.error, {
        code: 'model-missing',
        message: `${path.join('unet', 'weights.pb')} was moved or deleted while the model was in use`,
        file: path.join(dir, 'unet', 'weights.pb'),
      });
    }
  });
});
