// What `sdprompt doctor` finds: each execution provider, whether it starts here and computes what
// the CPU computes (on a probe model: the demo model's text encoder, small and shipped), and the
// model folder's check: its family, its files, and whether it loads on the provider auto picks.

import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { UserError } from '../errors';
import { demoModelDir } from './demo';
import type { ModelFamily } from './family';
import { inspectModelFolder, MODEL_FILE } from './folder';
import { ortMessage } from './io';
import { loadModel } from './load';
import { type ConcreteProvider, autoCandidates, gpuDevices, machineFacts, type ProviderFacts } from './provider-choice';
import type { ModelLoadOptions } from './session';

export interface ProviderProbe {
  provider: ConcreteProvider;
  /** Started and ran the probe. */
  loads: boolean;
  /** Why it did not (not tried here, or the error it gave). */
  reason?: string;
  /** The probe's largest difference from the CPU's output. */
  maxDifference?: number;
  ms?: number;
  /** Why auto passes over a provider that loads (WebGPU on a software adapter). */
  autoSkips?: string;
}

export interface ModelCheck {
  dir: string;
  family?: ModelFamily;
  components: string[];
  notes: string[];
  /** The folder loads on `provider`; or the error that stops it. */
  load: { ok: true; provider: string; ms: number; notes: string[]; log: string[] } | { ok: false; error: UserError };
}

export interface DoctorReport {
  platform: string;
  node: string;
  cpus: number;
  memoryBytes: number;
  onnxruntime: string;
  backends: string[];
  gpuDevices: string[];
  providers: ProviderProbe[];
  /** What auto picks here. */
  auto: ConcreteProvider;
  model: ModelCheck;
}

const PROBE_IDS = Int32Array.from({ length: 77 }, (_, i) => (i * 7) % 40);

async function runProbe(file: string, provider: ConcreteProvider): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { executionProviders: [provider], graphOptimizationLevel: 'all' });
  try {
    const input = session.inputMetadata[0]!;
    const type = input.isTensor && input.type === 'int64' ? 'int64' : 'int32';
    const ids = type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(PROBE_IDS, BigInt), [1, 77]) : new ort.Tensor('int32', PROBE_IDS, [1, 77]);
    const out = await session.run({ [input.name]: ids });
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Starts each provider the platform has on the probe model and compares its output with the CPU's. */
export async function probeProviders(facts: ProviderFacts): Promise<ProviderProbe[]> {
  const file = path.join(demoModelDir(), 'text_encoder', MODEL_FILE);
  const cpu = await runProbe(file, 'cpu');
  const probes: ProviderProbe[] = [];
  for (const candidate of autoCandidates(facts)) {
    const { provider } = candidate;
    // A refusal for a missing GPU device is auto's choice: the provider may still start, on a software adapter.
    const platformRefusal = candidate.refusal !== undefined && !(provider === 'webgpu' && !facts.gpuDevice && facts.backends.includes('webgpu'));
    if (platformRefusal) {
      probes.push({ provider, loads: false, reason: candidate.refusal! });
      continue;
    }
    const start = performance.now();
    try {
      const out = provider === 'cpu' ? cpu : await runProbe(file, provider);
      let maxDifference = 0;
      for (let i = 0; i < out.length; i++) maxDifference = Math.max(maxDifference, Math.abs(out[i]! - cpu[i]!));
      const probe: ProviderProbe = { provider, loads: true, maxDifference, ms: Math.round(performance.now() - start) };
      if (candidate.refusal !== undefined) probe.autoSkips = candidate.refusal;
      probes.push(probe);
    } catch (e) {
      probes.push({ provider, loads: false, reason: ortMessage(e) });
    }
  }
  return probes;
}

/** The folder's family and files, and whether it loads with `options` (auto unless a provider is named). */
export async function checkModel(dir: string, options: ModelLoadOptions): Promise<ModelCheck> {
  const inspected = inspectModelFolder(dir);
  if (!inspected.ok) return { dir, components: [], notes: [], load: { ok: false, error: inspected.error } };
  const info = inspected.value;
  const check: ModelCheck = {
    dir: info.dir,
    family: info.family,
    components: Object.entries(info.components).filter(([, c]) => c.present).map(([name]) => name),
    notes: info.notes,
    load: { ok: false, error: { code: 'internal', message: 'not loaded' } },
  };
  const start = performance.now();
  const loaded = await loadModel(dir, options);
  if (!loaded.ok) {
    check.load = { ok: false, error: loaded.error };
    return check;
  }
  const m = loaded.value;
  check.load = { ok: true, provider: m.executionProvider, ms: Math.round(performance.now() - start), notes: m.notes.filter((n) => !info.notes.includes(n)), log: m.log };
  await m.release();
  return check;
}

export async function doctor(modelDir: string, options: ModelLoadOptions): Promise<DoctorReport> {
  const backends = ort.listSupportedBackends().map((b) => b.name);
  const facts = machineFacts(backends);
  const providers = await probeProviders(facts);
  const auto = providers.find((p) => p.loads && p.autoSkips === undefined)?.provider ?? 'cpu';
  return {
    platform: `${process.platform} ${process.arch}`,
    node: process.version,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
    backends,
    gpuDevices: gpuDevices(),
    providers,
    auto,
    model: await checkModel(modelDir, options),
  };
}
