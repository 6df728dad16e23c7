// The GPU code path on this CPU-only machine: onnxruntime-node's WebGPU provider (Dawn over Vulkan)
// on Mesa's software Vulkan driver, which test/gpu/setup.sh installs. Every family's tiny model and
// the fp16 ones run on WebGPU and on the CPU with the same inputs, and must agree; the CLI's
// image on WebGPU (the demo model, and SDXL's whole pipeline) must match the CPU's, with Dawn's and ORT's warnings in the log, not the
// terminal. Slow (shaders compile on the CPU): `npm run test:gpu`, never part of `npm test`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { FAMILY_MODEL_VARIANTS, TEST_MODEL_VARIANTS } from '../../tools/test-models/generate';
import { testModelDir } from '../../tools/test-models/test-dir';

const ROOT = path.resolve(__dirname, '../../..');
const temp = mkdtempSync(path.join(tmpdir(), 'sdprompt-webgpu-'));
const LOG = path.join(temp, 'runtime.log');
after(() => rmSync(temp, { recursive: true, force: true }));

/** The child's environment: Mesa's window-system code warns without XDG_RUNTIME_DIR; nothing here draws to a window. */
const ENV = { ...process.env, XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? temp };

describe('WebGPU computes what the CPU computes', () => {
  for (const variant of [...TEST_MODEL_VARIANTS, ...FAMILY_MODEL_VARIANTS]) {
    it(variant, (t) => {
      // In a child whose stderr (Dawn's and ORT's warnings) goes to a log file.
      const log = openSync(LOG, 'a');
      const r = spawnSync(process.execPath, [path.join(__dirname, 'compare.js'), variant], { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', log] });
      closeSync(log);
      const result = JSON.parse(r.stdout) as { diffs?: Record<string, number>; error?: string };
      assert.ok(result.diffs, result.error);
      // fp16 models compute in float16 on WebGPU (in float32 between the CPU's casts).
      const tolerance = variant.includes('fp16') ? 2e-2 : 1e-4;
      t.diagnostic(`webgpu vs cpu, ${variant}: ${Object.entries(result.diffs).map(([n, d]) => `${n} ${d.toExponential(1)}`).join(', ')}`);
      for (const [name, d] of Object.entries(result.diffs)) assert.ok(d <= tolerance, `${variant} ${name}: max difference ${d} > ${tolerance}`);
    });
  }
});

function generate(provider: string, out: string, model?: string): { code: number; stderr: string } {
  const log = path.join(temp, `${provider}.log`);
  const r = spawnSync(
    process.execPath,
    [
      ...[path.join(ROOT, 'dist/cli.js'), 'generate', '--prompt', 'a red circle on a (blue:1.2) background', '--negative', 'green', '--seed', '1', '--steps', '4'],
      ...(model ? ['--model', model, '--size', '64x64'] : []),
      ...['--provider', provider, '--out', out, '--log', log],
    ],
    { cwd: ROOT, encoding: 'utf8', env: ENV },
  );
  return { code: r.status ?? -1, stderr: r.stderr };
}

describe('the CLI on WebGPU', () => {
  it('makes the CPU image of the demo model, says webgpu in the recipe, and logs the runtime warnings instead of printing them', async (t) => {
    const cpuDir = path.join(temp, 'cpu');
    const gpuDir = path.join(temp, 'webgpu');
    assert.equal(generate('cpu', cpuDir).code, 0);
    const gpu = generate('webgpu', gpuDir);
    assert.equal(gpu.code, 0, gpu.stderr);
    const name = 'a-red-circle-on-a-blue-background-1';
    const recipe = JSON.parse(readFileSync(path.join(gpuDir, `${name}.json`), 'utf8')) as { runtime: { executionProvider: string } };
    assert.equal(recipe.runtime.executionProvider, 'webgpu');
    const [a, b] = await Promise.all([cpuDir, gpuDir].map((d) => sharp(path.join(d, `${name}.png`)).raw().toBuffer()));
    let worst = 0;
    for (let i = 0; i < a!.length; i++) worst = Math.max(worst, Math.abs(a![i]! - b![i]!));
    t.diagnostic(`webgpu vs cpu, demo model, 64x64, 4 steps through the CLI: largest pixel difference ${worst}`);
    assert.ok(worst <= 1, `pixels differ by up to ${worst}`);
    assert.doesNotMatch(gpu.stderr, /Warning|onnxruntime|VerifyEachNodeIsAssignedToAnEp/);
    assert.match(gpu.stderr, /loaded demo \(SD 1\.x.*\) on webgpu/);
    assert.match(readFileSync(path.join(temp, 'webgpu.log'), 'utf8'), /VerifyEachNodeIsAssignedToAnEp|Warning/);
  });

  for (const variant of ['sdxl', 'sdxl-fp16'] as const) {
    it(`makes the CPU image of the ${variant} test model through the whole pipeline (two text encoders, text_embeds, time_ids)`, async (t) => {
      const dirs = ['cpu', 'webgpu'].map((p) => path.join(temp, `${variant}-${p}`));
      for (const [k, provider] of ['cpu', 'webgpu'].entries()) {
        const r = generate(provider, dirs[k]!, testModelDir(variant));
        assert.equal(r.code, 0, r.stderr);
      }
      const name = 'a-red-circle-on-a-blue-background-1';
      const [a, b] = await Promise.all(dirs.map((d) => sharp(path.join(d, `${name}.png`)).raw().toBuffer()));
      let worst = 0;
      for (let i = 0; i < a!.length; i++) worst = Math.max(worst, Math.abs(a![i]! - b![i]!));
      t.diagnostic(`webgpu vs cpu, ${variant}, 64x64, 4 steps through the CLI: largest pixel difference ${worst}`);
      assert.ok(worst <= (variant === 'sdxl' ? 1 : 4), `pixels differ by up to ${worst}`);
    });
  }
});
