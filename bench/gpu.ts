// `npm run bench:gpu`: for a machine with a GPU. First which execution providers start there
// (CUDA, WebGPU, and why not), then, on each GPU provider that does: a UNet of Stable Diffusion
// 1.5's architecture and size (860 M parameters, random weights, generated here by
// tools/test-models/sd-unet.ts: it is gigabytes, so it is made on the machine, never copied), at
// batch 2 (classifier-free guidance) on 64x64 latents, i.e. one step of a 512x512 image; seconds
// per step, and per image as 50 steps, next to ONNX Runtime's published SD 1.5 figures. Writes
// bench/results/gpu-latest.json and .md. The options make a small model for a test on the CPU:
//
//   node out/bench/gpu.js [--width 320] [--latent 64] [--steps 20] [--fp32] [--providers cuda,webgpu,cpu] [--out DIR] [--keep DIR]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { type ProviderProbe, probeProviders } from '../src/core/models/doctor';
import { gpuDevices, machineFacts } from '../src/core/models/provider-choice';
import { SD15_UNET, writeSdUNet } from '../tools/test-models/sd-unet';

const ROOT = path.resolve(__dirname, '../..');

/** ONNX Runtime's own Stable Diffusion 1.5 benchmarks (512x512, 50 steps, whole pipeline; shared/notes/sd-onnx-facts.md). */
export const PUBLISHED = [
  { gpu: 'H100', precision: 'fp16', secondsPerImage: 0.57, note: 'ORT CUDA with I/O binding (Python)' },
  { gpu: 'A100', precision: 'fp16', secondsPerImage: 1.1, note: 'ORT CUDA' },
  { gpu: 'T4', precision: 'fp16', secondsPerImage: 5.5, note: 'ORT CUDA' },
] as const;
const STEPS_PER_IMAGE = 50;

interface UNetTiming {
  provider: string;
  precision: string;
  /** Session creation, seconds (first load: shader or kernel compilation included). */
  loadSeconds: number;
  /** The first call, which compiles what the provider compiles lazily. */
  firstCallSeconds: number;
  /** Median of the timed calls. */
  secondsPerStep: number;
  /** 50 steps: the UNet's share of a 512x512 image (text encoder and VAE not included). */
  secondsPer50Steps: number;
  /** Largest resident set of this process so far. */
  peakRssBytes: number;
  /** nvidia-smi's memory.used after the runs, when there is nvidia-smi. */
  gpuMemoryUsedMiB?: number;
  error?: string;
}

interface Report {
  date: string;
  machine: { platform: string; node: string; cpus: number; memoryBytes: number; gpus: string[]; vulkanDrivers: string[]; gpuDevices: string[] };
  onnxruntime: string;
  providers: ProviderProbe[];
  unet: { architecture: string; parameters: number; bytes: number; precision: string; latent: number; batch: number; generationSeconds: number };
  timings: UNetTiming[];
  published: typeof PUBLISHED;
}

function nvidiaSmi(query: string): string[] {
  try {
    return execFileSync('nvidia-smi', [`--query-gpu=${query}`, '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n');
  } catch {
    return [];
  }
}

function vulkanDrivers(): string[] {
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  return dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => path.join(d, f)) : []));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function inputs(latent: number, fp16: boolean): Record<string, ort.Tensor> {
  const batch = 2;
  const sample = Float32Array.from({ length: batch * 4 * latent * latent }, (_, i) => Math.sin(i * 0.37));
  const context = Float32Array.from({ length: batch * 77 * 768 }, (_, i) => Math.cos(i * 0.11) * 0.5);
  const float = (data: Float32Array, dims: number[]) =>
    fp16 ? new ort.Tensor('float16', Uint16Array.from(data, (v) => float16Bits(v)), dims) : new ort.Tensor('float32', data, dims);
  return {
    sample: float(sample, [batch, 4, latent, latent]),
    timestep: new ort.Tensor('int64', BigInt64Array.of(500n, 500n), [batch]),
    encoder_hidden_states: float(context, [batch, 77, 768]),
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** float16 bits of a value well inside float16's range (truncated: inputs only need to be some values). */
function float16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const e = ((x >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return (x >>> 16) & 0x8000;
  return ((x >>> 16) & 0x8000) | (e << 10) | ((x >>> 13) & 0x3ff);
}

async function timeUNet(file: string, provider: string, precision: string, latent: number, steps: number): Promise<UNetTiming> {
  const timing: UNetTiming = { provider, precision, loadSeconds: 0, firstCallSeconds: 0, secondsPerStep: 0, secondsPer50Steps: 0, peakRssBytes: 0 };
  let session: ort.InferenceSession | undefined;
  try {
    let start = performance.now();
    session = await ort.InferenceSession.create(file, { executionProviders: [provider], graphOptimizationLevel: 'all' });
    timing.loadSeconds = (performance.now() - start) / 1000;
    const feeds = inputs(latent, precision === 'fp16');
    start = performance.now();
    await session.run(feeds);
    timing.firstCallSeconds = (performance.now() - start) / 1000;
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      start = performance.now();
      await session.run(feeds);
      times.push((performance.now() - start) / 1000);
    }
    timing.secondsPerStep = median(times);
    timing.secondsPer50Steps = timing.secondsPerStep * STEPS_PER_IMAGE;
    const used = nvidiaSmi('memory.used').map(Number).filter(Number.isFinite);
    if (used.length > 0) timing.gpuMemoryUsedMiB = Math.max(...used);
  } catch (e) {
    timing.error = (e as Error).message.split('\n')[0]!;
  } finally {
    await session?.release();
    timing.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  }
  return timing;
}

function markdown(r: Report): string {
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  const lines = [
    `# GPU benchmark ${r.date}`,
    '',
    `${r.machine.platform}, Node ${r.machine.node}, ${r.machine.cpus} CPUs, ${gib(r.machine.memoryBytes)}; GPUs: ${r.machine.gpus.join('; ') || 'none found by nvidia-smi'}; ONNX Runtime ${r.onnxruntime}`,
    '',
    '| provider | starts here | why not / note |',
    '| --- | --- | --- |',
    ...r.providers.map((p) => `| ${p.provider} | ${p.loads ? 'yes' : 'no'} | ${p.reason ?? p.autoSkips ?? ''} |`),
    '',
    `UNet: ${r.unet.architecture}, ${(r.unet.parameters / 1e6).toFixed(0)} M parameters, ${r.unet.precision}, ${gib(r.unet.bytes)}, batch ${r.unet.batch} on ${r.unet.latent}x${r.unet.latent} latents (generated in ${r.unet.generationSeconds.toFixed(0)} s)`,
    '',
    '| provider | load s | first call s | s per step | s per 50 steps | peak RSS | GPU memory |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.timings.map((t) =>
      t.error
        ? `| ${t.provider} | failed: ${t.error} | | | | | |`
        : `| ${t.provider} | ${t.loadSeconds.toFixed(1)} | ${t.firstCallSeconds.toFixed(2)} | ${t.secondsPerStep.toFixed(4)} | ${t.secondsPer50Steps.toFixed(2)} | ${gib(t.peakRssBytes)} | ${t.gpuMemoryUsedMiB !== undefined ? `${t.gpuMemoryUsedMiB} MiB` : ''} |`,
    ),
    '',
    "ONNX Runtime's published SD 1.5 figures (512x512, 50 steps, the whole pipeline):",
    '',
    '| GPU | precision | s per image | s per step | note |',
    '| --- | --- | --- | --- | --- |',
    ...r.published.map((p) => `| ${p.gpu} | ${p.precision} | ${p.secondsPerImage} | ${(p.secondsPerImage / STEPS_PER_IMAGE).toFixed(4)} | ${p.note} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      width: { type: 'string', default: String(SD15_UNET.baseChannels) },
      latent: { type: 'string', default: '64' },
      steps: { type: 'string', default: '20' },
      fp32: { type: 'boolean', default: false },
      providers: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
      keep: { type: 'string' },
    },
  });
  const width = Number(values.width);
  const latent = Number(values.latent);
  const steps = Number(values.steps);
  const precision = values.fp32 ? 'fp32' : 'fp16';

  const backends = ort.listSupportedBackends().map((b) => b.name);
  const probes = await probeProviders(machineFacts(backends));
  for (const p of probes) console.log(`${p.provider.padEnd(7)} ${p.loads ? 'starts' : `no: ${p.reason}`}${p.autoSkips ? ` (auto passes it over: ${p.autoSkips})` : ''}`);
  const wanted = values.providers?.split(',') ?? probes.filter((p) => p.loads && p.provider !== 'cpu').map((p) => p.provider);
  if (wanted.length === 0) console.log('no GPU provider starts here: nothing to time on a GPU (--providers cpu times the CPU)');

  const dir = values.keep ?? mkdtempSync(path.join(os.tmpdir(), 'sdprompt-sd-unet-'));
  let start = performance.now();
  const unet = writeSdUNet(dir, { ...SD15_UNET, baseChannels: width, groups: Math.min(SD15_UNET.groups, width / 4), io: values.fp32 ? 'float32' : 'float16' });
  const generationSeconds = (performance.now() - start) / 1000;
  console.log(`SD 1.5-shaped UNet: ${(unet.parameters / 1e6).toFixed(1)} M parameters, ${precision}, ${(unet.bytes / 1e9).toFixed(2)} GB, generated in ${generationSeconds.toFixed(0)} s`);

  const timings: UNetTiming[] = [];
  for (const provider of wanted) {
    start = performance.now();
    const t = await timeUNet(unet.file, provider, precision, latent, steps);
    timings.push(t);
    console.log(t.error ? `${provider}: failed: ${t.error}` : `${provider}: ${(t.secondsPerStep * 1000).toFixed(1)} ms a step, ${t.secondsPer50Steps.toFixed(2)} s for 50 steps (load ${t.loadSeconds.toFixed(1)} s, first call ${t.firstCallSeconds.toFixed(1)} s)`);
  }
  if (!values.keep) rmSync(dir, { recursive: true, force: true });

  const report: Report = {
    date: new Date().toISOString(),
    machine: {
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
      gpus: nvidiaSmi('name,driver_version,memory.total'),
      vulkanDrivers: vulkanDrivers(),
      gpuDevices: gpuDevices(),
    },
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    providers: probes,
    unet: { architecture: width === SD15_UNET.baseChannels ? 'SD 1.5 (UNet2DConditionModel, 320/640/1280/1280)' : `SD 1.5's at width ${width}`, parameters: unet.parameters, bytes: unet.bytes, precision, latent, batch: 2, generationSeconds },
    timings,
    published: PUBLISHED,
  };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(path.join(values.out, 'gpu-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(values.out, 'gpu-latest.md'), markdown(report));
  console.log(`written: ${path.join(values.out, 'gpu-latest.json')} and gpu-latest.md`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
