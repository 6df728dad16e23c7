// Runs one test model's components on the CPU and on WebGPU with the same inputs and prints, as
// JSON on stdout, the largest difference of each output. test/gpu/webgpu.test.ts runs it in a
// child process whose stderr (Dawn's and ORT's warnings) goes to a log file.
//
//   node out/test/gpu/compare.js VARIANT

import { type LoadedModel, loadModel } from '../../src/core/models';
import type { UNetAddedInputs } from '../../src/core/models/components';
import { type Tensor, tensor } from '../../src/core/tensor';
import type { TestModelVariant } from '../../tools/test-models/generate';
import { testModelDir } from '../../tools/test-models/test-dir';

/** Deterministic values in [-scale, scale). */
function values(shape: number[], seed: number, scale = 1): Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return tensor(data, shape);
}

function maxDiff(a: Tensor, b: Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: ${a.shape} and ${b.shape}`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

async function open(variant: TestModelVariant, provider: 'cpu' | 'webgpu'): Promise<LoadedModel> {
  const r = await loadModel(testModelDir(variant), { executionProvider: provider, threads: 1 });
  if (!r.ok) throw new Error(r.error.message);
  if (r.value.executionProvider !== provider) throw new Error(`${variant} runs on ${r.value.executionProvider}, not ${provider}: ${r.value.notes.join('; ')}`);
  return r.value;
}

/** Every component of one model on the same inputs: the outputs, by name. */
async function outputs(m: LoadedModel): Promise<Record<string, Tensor>> {
  const ids = Int32Array.from({ length: 154 }, (_, i) => (i % 77 === 0 ? 1 : (i * 13) % 500));
  const out: Record<string, Tensor> = {};
  out['text_encoder'] = (await m.textEncoder.encode(ids, 2)).hidden;
  const second = m.textEncoder2 && (await m.textEncoder2.encode(ids, 2));
  if (second) {
    out['text_encoder_2'] = second.hidden;
    out['text_embeds'] = second.pooled!;
  }
  const width = m.textEncoder.hiddenSize + (m.textEncoder2?.hiddenSize ?? 0);
  const added: UNetAddedInputs = {};
  if (m.unet.added.textEmbeds) added.textEmbeds = values([2, m.unet.added.textEmbeds], 3);
  if (m.unet.added.timeIds) added.timeIds = tensor(Float32Array.of(512, 512, 0, 0, 512, 512, 1024, 768, 0, 0, 1024, 768), [2, 6]);
  if (m.unet.added.timestepCond) added.timestepCond = values([2, m.unet.added.timestepCond], 4);
  out['unet'] = await m.unet.predict(values([2, 4, 8, 12], 1), 501, values([2, 77, width], 2, 0.8), added);
  out['vae_decoder'] = await m.vaeDecoder.decode(values([1, 4, 8, 12], 5));
  if (m.vaeEncoder) out['vae_encoder'] = (await m.vaeEncoder.encode(values([1, 3, 64, 96], 6))).mean;
  return out;
}

async function main(variant: TestModelVariant): Promise<void> {
  const cpu = await open(variant, 'cpu');
  const gpu = await open(variant, 'webgpu');
  const expected = await outputs(cpu);
  const actual = await outputs(gpu);
  await cpu.release();
  await gpu.release();
  const diffs = Object.fromEntries(Object.keys(expected).map((name) => [name, maxDiff(actual[name]!, expected[name]!)]));
  process.stdout.write(`${JSON.stringify({ variant, diffs })}\n`);
}

main(process.argv[2] as TestModelVariant).catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
  process.exitCode = 1;
});
