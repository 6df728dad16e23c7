// The CPU-side parts of `npm run bench:gpu`, which has not run on a GPU here: the provider probe,
// the SD 1.5-shaped UNet generated at a small width, timed on the CPU, and the report files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { SD15_UNET, writeSdUNet } from '../../../tools/test-models/sd-unet';

const ROOT = path.resolve(__dirname, '../../../..');
const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-gpu-bench-'));
after(() => rmSync(temp, { recursive: true, force: true }));

describe('the SD 1.5-shaped UNet', () => {
  it('runs, keeps the latents shape, and its output depends on each input', async () => {
    const unet = writeSdUNet(path.join(temp, 'small'), { ...SD15_UNET, baseChannels: 32, groups: 8, io: 'float32' });
    assert.equal(unet.parameters, 10_366_048);
    const session = await ort.InferenceSession.create(unet.file, { intraOpNumThreads: 1 });
    const run = async (t: bigint, shift: number, contextShift: number) => {
      const sample = new ort.Tensor('float32', Float32Array.from({ length: 2 * 4 * 8 * 16 }, (_, i) => Math.sin(i + shift)), [2, 4, 8, 16]);
      const context = new ort.Tensor('float32', Float32Array.from({ length: 2 * 77 * 768 }, (_, i) => Math.cos(i + contextShift) * 0.5), [2, 77, 768]);
      const out = await session.run({ sample, timestep: new ort.Tensor('int64', BigInt64Array.of(t, t), [2]), encoder_hidden_states: context });
      return out['out_sample']!;
    };
    const base = await run(500n, 0, 0);
    assert.deepEqual(base.dims, [2, 4, 8, 16]);
    const data = base.data as Float32Array;
    assert.ok(data.every(Number.isFinite));
    const differs = (other: ort.Tensor) => (other.data as Float32Array).some((v, i) => Math.abs(v - data[i]!) > 1e-4);
    assert.ok(differs(await run(100n, 0, 0)), 'timestep');
    assert.ok(differs(await run(500n, 1, 0)), 'sample');
    assert.ok(differs(await run(500n, 0, 1)), 'encoder_hidden_states');
    await session.release();
  });
});

describe('npm run bench:gpu on the CPU', () => {
  it('probes the providers, times the UNet and writes the report beside the published figures', () => {
    const out = path.join(temp, 'results');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'out/bench/gpu.js'), '--width', '16', '--latent', '8', '--steps', '2', '--fp32', '--providers', 'cpu', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    });
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(path.join(out, 'gpu-latest.json'), 'utf8')) as {
      providers: { provider: string; loads: boolean; reason?: string }[];
      unet: { parameters: number; precision: string; batch: number };
      timings: { provider: string; secondsPerStep: number; secondsPer50Steps: number; error?: string }[];
      published: { gpu: string; secondsPerImage: number }[];
    };
    assert.deepEqual(report.providers.map((p) => p.provider), ['cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    for (const p of report.providers) assert.ok(p.loads || p.reason, `${p.provider} says why it does not start`);
    assert.deepEqual([report.unet.precision, report.unet.batch], ['fp32', 2]);
    assert.ok(report.unet.parameters > 1e6);
    const [cpu] = report.timings;
    assert.equal(cpu?.provider, 'cpu');
    assert.equal(cpu.error, undefined);
    assert.ok(cpu.secondsPerStep > 0 && Math.abs(cpu.secondsPer50Steps - 50 * cpu.secondsPerStep) < 1e-9);
    assert.deepEqual(report.published.map((p) => p.gpu), ['H100', 'A100', 'T4']);
    const md = readFileSync(path.join(out, 'gpu-latest.md'), 'utf8');
    assert.match(md, /\| cpu \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    assert.match(md, /\| H100 \| fp16 \| 0\.57 \| 0\.0114 \|/);
  });
});
