import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import {
  TEST_MODEL_VARIANTS,
  buildTestModelFiles,
  generateTestModel,
  variantOptions,
} from '../../../tools/test-models/generate';
import { DataType, encodeModel } from '../../../tools/test-models/onnx-writer';

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe('test model generator', () => {
  it('gives identical bytes for the same options, different ones for another seed', () => {
    for (const variant of TEST_MODEL_VARIANTS) {
      const a = buildTestModelFiles(variantOptions(variant));
      const b = buildTestModelFiles(variantOptions(variant));
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
      for (const [name, bytes] of a) assert.ok(Buffer.from(bytes).equals(Buffer.from(b.get(name)!)), `${variant}/${name}`);
    }
    const other = buildTestModelFiles({ ...variantOptions('optimum'), seed: 2 });
    const base = buildTestModelFiles(variantOptions('optimum'));
    assert.ok(!Buffer.from(other.get('unet/model.onnx')!).equals(Buffer.from(base.get('unet/model.onnx')!)));
  });

  it('writes the same folder twice byte for byte, in the real layout', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sdprompt-gen-'));
    try {
      generateTestModel(path.join(root, 'a'), 'legacy');
      generateTestModel(path.join(root, 'b'), 'legacy');
      const files = listFiles(path.join(root, 'a'));
      assert.deepEqual(files, listFiles(path.join(root, 'b')));
      for (const f of files) assert.ok(readFileSync(path.join(root, 'a', f)).equals(readFileSync(path.join(root, 'b', f))), f);
      assert.deepEqual(files, [
        'model_index.json',
        'scheduler/scheduler_config.json',
        'text_encoder/config.json',
        'text_encoder/model.onnx',
        'tokenizer/merges.txt',
        'tokenizer/special_tokens_map.json',
        'tokenizer/tokenizer_config.json',
        'tokenizer/vocab.json',
        'unet/config.json',
        'unet/model.onnx',
        'unet/weights.pb',
        'vae_decoder/config.json',
        'vae_decoder/model.onnx',
        'vae_encoder/config.json',
        'vae_encoder/model.onnx',
      ]);
      const scheduler = JSON.parse(readFileSync(path.join(root, 'a/scheduler/scheduler_config.json'), 'utf8'));
      assert.equal(scheduler._class_name, 'PNDMScheduler');
      assert.equal(scheduler.beta_schedule, 'scaled_linear');
      assert.equal(scheduler.prediction_type, 'epsilon');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('writes tokenizers that ClipTokenizer loads, padding with EOS (SD 1.x) or "!" (SD 2.x)', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sdprompt-gen-'));
    try {
      generateTestModel(path.join(root, 'sd1'), 'optimum');
      generateTestModel(path.join(root, 'sd2'), 'v-prediction');
      const sd1 = ClipTokenizer.fromFolder(path.join(root, 'sd1/tokenizer'));
      const sd2 = ClipTokenizer.fromFolder(path.join(root, 'sd2/tokenizer'));
      assert.ok(sd1.ok && sd2.ok);
      assert.equal(sd1.value.padId, sd1.value.eosId);
      assert.equal(sd2.value.padId, 0);
      // 256 byte characters, 256 with </w>, 9 merges, then BOS and EOS.
      assert.equal(sd1.value.bosId, 521);
      assert.equal(sd1.value.eosId, 522);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('ONNX writer', () => {
  it('encodes the protobuf wire format field by field', () => {
    const bytes = encodeModel({
      graph: {
        name: 'g',
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'], name: 'n' }],
        initializers: [],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['b', 3] }],
        outputs: [{ name: 'y', elemType: DataType.FLOAT, shape: ['b', 3] }],
      },
      producerName: 'p',
    });
    // ir_version (field 1, varint) = 8; producer_name (field 2, bytes) = "p"; producer_version "1".
    assert.deepEqual([...bytes.subarray(0, 8)], [0x08, 8, 0x12, 1, 0x70, 0x1a, 1, 0x31]);
    // The graph (field 7) starts with a node (field 1) holding input "x" (field 1).
    assert.deepEqual([...bytes.subarray(8, 9)], [0x3a]);
    // The opset import (field 8) ends the model: domain "" and version 17.
    assert.deepEqual([...bytes.subarray(bytes.length - 6)], [0x42, 4, 0x0a, 0, 0x10, 17]);
    // The dim_param "b" (TensorShapeProto.Dimension field 2) appears as 0x12 0x01 'b'.
    assert.ok(Buffer.from(bytes).includes(Buffer.from([0x12, 1, 0x62])));
  });
});
