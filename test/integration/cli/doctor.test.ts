// `sdprompt doctor` as users run it: the built dist/cli.js, its report as JSON and as text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DoctorReport } from '../../../src/core/models/doctor';
import { buildTestModelFiles, variantOptions, writeModelFiles } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-doctor-'));
const LOG = path.join(temp, 'sdprompt.log');
after(() => rmSync(temp, { recursive: true, force: true }));

function doctor(args: string[]): { code: number; stdout: string; stderr: string } {
  assert.ok(existsSync(CLI), `${CLI} is missing: build with 'node esbuild.mjs' first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, 'doctor', '--log', LOG, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('sdprompt doctor', () => {
  it('reports the platform, every provider with a reason for each that does not load, and the model check, as JSON', () => {
    const r = doctor(['--json', '--model', testModelDir('sdxl')]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as DoctorReport;
    assert.equal(report.platform, `${process.platform} ${process.arch}`);
    assert.equal(report.onnxruntime, '1.30.0');
    assert.deepEqual(report.providers.map((p) => p.provider), ['cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
    for (const p of report.providers) assert.ok(p.loads || (p.reason ?? '').length > 0, `${p.provider} says why it does not load`);
    const cpu = report.providers.find((p) => p.provider === 'cpu')!;
    assert.deepEqual([cpu.loads, cpu.maxDifference], [true, 0]);
    if (process.platform === 'linux') assert.equal(report.providers.find((p) => p.provider === 'dml')!.reason, 'DirectML runs on Windows only');
    // auto uses the first provider that loads and that auto does not pass over.
    assert.equal(report.auto, report.providers.find((p) => p.loads && !p.autoSkips)!.provider);
    assert.equal(report.model.family?.label, 'SDXL');
    assert.deepEqual(report.model.components, ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder']);
    assert.ok(report.model.load.ok && report.model.load.provider === report.auto);
  });

  it('prints the same as text, and exits 3 with the file and the fix when the folder cannot load', () => {
    const files = buildTestModelFiles(variantOptions('sdxl'));
    for (const name of [...files.keys()]) if (name.startsWith('text_encoder_2/')) files.delete(name);
    const broken = path.join(temp, 'sdxl-without-te2');
    writeModelFiles(broken, files);
    const r = doctor(['--model', broken]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /^platform {5}.*\nonnxruntime {2}1\.30\.0 \(onnxruntime-node\); backends in this build: /);
    assert.match(r.stdout, /\n {2}cpu {5}loads\nauto uses \w+\n/);
    assert.match(r.stdout, new RegExp(`\\ndoes not load: ${broken.replace(/[/\\]/g, '.')}.text_encoder_2.model\\.onnx: text_encoder_2/model\\.onnx is missing: an SDXL model needs its second text encoder`));
  });

  it("keeps the GPU runtimes' messages out of the terminal: they are in the log", () => {
    const r = doctor(['--json']);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /Warning|onnxruntime/);
    // Where WebGPU starts (a GPU, or Mesa's software Vulkan), Dawn's and ORT's warnings were written, to the log.
    const webgpu = (JSON.parse(r.stdout) as DoctorReport).providers.find((p) => p.provider === 'webgpu')!;
    if (webgpu.loads) assert.match(readFileSync(LOG, 'utf8'), /onnxruntime|Warning/);
  });
});
