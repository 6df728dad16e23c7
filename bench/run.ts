// `npm run bench`: speed figures, written to bench/results/latest.json (and .md). Targets are
// checked and printed here, never asserted in tests.
//
//   1. pipeline overhead: per-step time of the denoising loop against the sum of the UNet's
//      raw session.run times of the same calls (target: the loop adds under 5%)
//   2. the demo model: one 64x64 image at 20 steps through the CLI (target: under 1 s), in a
//      fresh process and warm in one process; and the size of each ONNX file
//   3. the tokenizer on a 300-word prompt
//   4. image to image on the demo model: img2img at strength 0.5 against text to image (the
//      same 20 steps asked, about half the UNet calls run), and the VAE encoder's time
//   5. noise sources (ratios to numpy's), the variation seed's slerp, the watermark (bench/noise.ts)
//   6. memory (bench/memory.ts): the demo model's peak memory per image next to its weights'
//      size, alone and four seeds in one UNet call (`batch: 4`), decoding in tiles against whole,
//      and the text encoder released after encoding (`--low-memory`, as on a GPU) against kept open
//   7. every sampler's time per step (and per UNet call) over Euler's on the demo model
//   8. the extension in a real VS Code (activation, Ctrl+Enter to first preview and to the
//      image), when the end-to-end tier is installed (npm run test:e2e installs it)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { demoModelDir } from '../src/core/models/demo';
import { ModelCache } from '../src/core/pipelines/model-cache';
import { loadStableDiffusion } from '../src/core/pipelines/stable-diffusion';
import { generateImage } from '../src/core/pipelines/generate';
import { modelContext, resolveImageSettings } from '../src/core/jobs/image-settings';
import { resolveSampler } from '../src/core/schedulers';
import { ClipTokenizer } from '../src/core/tokenizer/clip';
import { testModelDir } from '../tools/test-models/test-dir';
import { runJobs } from '../src/core/jobs/run';
import { runExtensionBench } from './extension';
import { noiseBench } from './noise';
import { memoryFigures, releaseFigure } from './memory';
import { samplerTimes } from './samplers';

const ROOT = path.resolve(__dirname, '../..');
const RESULTS = path.join(ROOT, 'bench', 'results');

interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

const figures: Figure[] = [];
function record(f: Figure): void {
  figures.push(f);
  const verdict = f.met === undefined ? '' : f.met ? '  (target met)' : '  (TARGET MISSED)';
  console.log(`${f.name}: ${f.value.toFixed(f.unit === 'bytes' ? 0 : 3)} ${f.unit}${f.target ? `, target ${f.target}` : ''}${verdict}${f.note ? ` — ${f.note}` : ''}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function pipelineOverhead(): Promise<void> {
  // The test model's UNet is one 1x1 convolution (~0.2 ms a call), so its ratio is the worst
  // case: nearly all of the step is the pipeline's own work. The demo model at 512x512 has a
  // real UNet's shape of work (convolutions and attention at 64x64 latents).
  for (const [label, dir, size, steps, runs] of [
    ['test model (optimum layout, a 1x1-convolution UNet), 512x512', testModelDir('optimum'), 512, 20, 5],
    ['demo model, 64x64', demoModelDir(), 64, 20, 5],
    ['demo model, 512x512', demoModelDir(), 512, 8, 2],
  ] as const) {
    if (!existsSync(dir)) continue;
    const sd = await loadStableDiffusion(dir);
    if (!sd.ok) throw new Error(sd.error.message);
    const resolved = resolveImageSettings({ prompt: 'a red circle on a blue background', seed: 1, steps, sampler: resolveSampler('euler_a')!, size: { width: size, height: size } }, modelContext(sd.value.model));
    if (!resolved.ok) throw new Error(resolved.error.message);
    const request = resolved.value;
    await generateImage(sd.value, request); // warm-up
    const ratios: number[] = [];
    const perStep: number[] = [];
    for (let i = 0; i < runs; i++) {
      sd.value.model.stats.reset();
      const result = await generateImage(sd.value, { ...request, seed: i + 2 });
      if (!result.ok) throw new Error(result.error.message);
      const unet = sd.value.model.stats.unet;
      ratios.push(result.value.timings.denoiseMs / unet.ms);
      perStep.push(result.value.timings.denoiseMs / unet.calls);
    }
    await sd.value.model.release();
    const overhead = (median(ratios) - 1) * 100;
    record({ name: `denoise loop per step, ${label}`, value: median(perStep), unit: 'ms' });
    record({ name: `pipeline's own time per step, ${label}`, value: median(perStep) * (1 - 1 / median(ratios)), unit: 'ms' });
    record({ name: `pipeline overhead over raw UNet session.run, ${label}`, value: overhead, unit: '%', target: '< 5%', met: overhead < 5 });
  }
}

async function demoModel(): Promise<void> {
  const dir = demoModelDir();
  if (!existsSync(dir)) {
    console.log('demo model: not present, skipped');
    return;
  }
  for (const component of ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder']) {
    for (const file of readdirSync(path.join(dir, component)).filter((f) => f !== 'config.json')) {
      record({ name: `demo model file ${component}/${file}`, value: statSync(path.join(dir, component, file)).size, unit: 'bytes' });
    }
  }
  const out = mkdtempSync(path.join(tmpdir(), 'sdprompt-bench-'));
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, [cli, 'generate', '--prompt', 'a red circle on a blue background', '--seed', String(i), '--steps', '20', '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    cold.push(performance.now() - started);
  }
  record({ name: 'demo model: one 64x64 image, 20 steps, `sdprompt generate` in a fresh process', value: median(cold), unit: 'ms', target: '< 1000 ms', met: median(cold) < 1000 });

  const models = new ModelCache();
  const job = (seed: number) => ({
    request: { prompt: 'a red circle on a blue background', seed, steps: 20, cfg: 7 },
    model: { dir, spec: dir }, outputDir: out, stem: `warm-${seed}`,
  });
  await runJobs([job(100)], { models });
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await runJobs([job(101 + i)], { models });
    warm.push(performance.now() - started);
  }
  await models.release();
  record({ name: 'demo model: one 64x64 image, 20 steps, CLI code path with the model loaded (PNG and recipe written)', value: median(warm), unit: 'ms', target: '< 1000 ms', met: median(warm) < 1000 });
}

async function tokenizer(): Promise<void> {
  const loaded = ClipTokenizer.fromFolder(path.join(testModelDir('optimum'), 'tokenizer'));
  if (!loaded.ok) throw new Error(loaded.error.message);
  const words = 'masterpiece best quality a photo of an astronaut riding a horse on mars, highly detailed, dramatic lighting'.split(' ');
  const prompt = Array.from({ length: 300 }, (_, i) => words[i % words.length]).join(' ');
  loaded.value.encode(prompt);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    loaded.value.encode(prompt);
    times.push(performance.now() - started);
  }
  record({ name: 'tokenizer: 300-word prompt, warm', value: median(times), unit: 'ms', target: '< 1 ms (editor hovers)', met: median(times) < 1 });
}

async function imageToImage(): Promise<void> {
  const dir = demoModelDir();
  if (!existsSync(dir)) return;
  for (const size of [64, 512]) {
    const sd = await loadStableDiffusion(dir);
    if (!sd.ok) throw new Error(sd.error.message);
    const init = { data: new Uint8Array(size * size * 3).map((_, i) => (i * 37) % 256), width: size, height: size, channels: 3 as const };
    const request = { prompt: 'a red circle on a blue background', seed: 1, steps: 20, sampler: resolveSampler('euler_a')!, size: { width: size, height: size } };
    const txt = resolveImageSettings(request, modelContext(sd.value.model));
    const img = resolveImageSettings({ ...request, init: { path: 'bench.png', spec: 'bench.png' }, strength: 0.5 }, modelContext(sd.value.model));
    if (!txt.ok || !img.ok) throw new Error('bench settings');
    const runs = size === 64 ? 7 : 3;
    const measured = { txt: { total: [] as number[], denoise: [] as number[], calls: 0 }, img: { total: [] as number[], denoise: [] as number[], calls: 0 } };
    const encoder: number[] = [];
    for (let i = 0; i <= runs; i++) {
      // Alternating, so that the machine's load falls on both alike; the first of each warms up.
      for (const kind of ['txt', 'img'] as const) {
        sd.value.model.stats.reset();
        const started = performance.now();
        const result = await generateImage(sd.value, { ...(kind === 'txt' ? txt.value : img.value), seed: i + 2 }, kind === 'img' ? { init } : {});
        if (!result.ok) throw new Error(result.error.message);
        if (i === 0) continue;
        measured[kind].total.push(performance.now() - started);
        measured[kind].denoise.push(result.value.timings.denoiseMs);
        measured[kind].calls = sd.value.model.stats.unet.calls;
        if (kind === 'img') encoder.push(sd.value.model.stats.vaeEncoder.ms);
      }
    }
    await sd.value.model.release();
    const { txt: t, img: m } = measured;
    const denoiseRatio = median(m.denoise) / median(t.denoise);
    record({ name: `demo model, ${size}x${size}, 20 steps (Euler a): img2img at strength 0.5 / text to image, denoising`, value: denoiseRatio, unit: '×', target: '≈ 0.5 (half the steps)', met: Math.abs(denoiseRatio - 0.5) < 0.1, note: `${m.calls} UNet calls vs ${t.calls}; ${median(m.denoise).toFixed(0)} ms vs ${median(t.denoise).toFixed(0)} ms` });
    record({ name: `demo model, ${size}x${size}: the same, the whole image (prompt, VAE encoder, denoising, decoder)`, value: median(m.total) / median(t.total), unit: '×', note: `${median(m.total).toFixed(0)} ms vs ${median(t.total).toFixed(0)} ms` });
    record({ name: `demo model, ${size}x${size}: the VAE encoder, one init`, value: median(encoder), unit: 'ms', note: `${((median(encoder) / median(m.total)) * 100).toFixed(1)}% of the img2img image` });
  }
}

// 512x512 is the demo model's largest figure (its attention over 4096 latent positions); 256x256
// alone and in a batch of four.
const MEMORY_RUNS = [
  { size: 256, batch: 1 },
  { size: 256, batch: 4 },
  { size: 512, batch: 1 },
];

// The smallest size: there the text encoder's share of the peak is the largest.
const RELEASE_SIZE = 64;

async function main(): Promise<void> {
  const started = new Date();
  await pipelineOverhead();
  await demoModel();
  await tokenizer();
  await imageToImage();
  for (const f of noiseBench()) record(f);
  if (existsSync(demoModelDir())) {
    for (const f of memoryFigures('demo model', demoModelDir(), MEMORY_RUNS)) record(f);
    record(releaseFigure('demo model', demoModelDir(), RELEASE_SIZE));
  }
  for (const f of await samplerTimes()) record(f);
  for (const f of runExtensionBench(ROOT)) record(f);
  mkdirSync(RESULTS, { recursive: true });
  const machine = { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: (await import('node:os')).cpus().length };
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify({ date: started.toISOString(), machine, figures }, null, 2)}\n`);
  const md = [`# Benchmark ${started.toISOString()}`, '', `Node ${machine.node}, ${machine.platform}, ${machine.cpus} CPUs`, '', '| figure | value | target |', '| --- | --- | --- |',
    ...figures.map((f) => `| ${f.name} | ${f.value.toFixed(f.unit === 'bytes' ? 0 : 2)} ${f.unit} | ${f.target ?? ''}${f.met === undefined ? '' : f.met ? ' ✓' : ' ✗'} |`)];
  writeFileSync(path.join(RESULTS, 'latest.md'), `${md.join('\n')}\n`);
  console.log(`\nwritten: ${path.relative(ROOT, path.join(RESULTS, 'latest.json'))} and latest.md`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
