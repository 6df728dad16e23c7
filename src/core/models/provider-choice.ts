// Which execution providers to try, in which order, and why one is not even tried: `auto` tries
// CUDA (Linux, Windows), DirectML (Windows), Core ML (macOS), WebGPU on a machine with a GPU,
// then the CPU. The facts come from the file system and the binding's backend list, so the
// choice is a pure function the tests run for every platform. No native code.

import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { ExecutionProviderName } from './providers';

export type ConcreteProvider = Exclude<ExecutionProviderName, 'auto'>;

export interface ProviderFacts {
  platform: NodeJS.Platform;
  /** The backends this onnxruntime-node build lists (ort.listSupportedBackends()). */
  backends: readonly string[];
  /** CUDA's provider library is installed beside the binding (the package's install script puts it there). */
  cudaLibrary: boolean;
  /** Linux: a GPU device node (/dev/dri/renderD*, /dev/nvidia*); without one WebGPU runs on a CPU emulation. */
  gpuDevice: boolean;
}

export interface Candidate {
  provider: ConcreteProvider;
  /** Why it is not tried here; absent for one to try. */
  refusal?: string;
}

const AUTO_ORDER: readonly ConcreteProvider[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export const CUDA_INSTALL_COMMAND = 'node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12';

/** Why `provider` cannot run on a machine with these facts, or undefined when it may. */
export function refusalOf(provider: ConcreteProvider, f: ProviderFacts): string | undefined {
  const listed = f.backends.includes(provider);
  switch (provider) {
    case 'cpu':
      return undefined;
    case 'cuda':
      if (f.platform !== 'linux' && f.platform !== 'win32') return 'CUDA runs on Linux and Windows only';
      if (!listed) return 'this onnxruntime-node build has no CUDA provider';
      if (!f.cudaLibrary) return `onnxruntime-node's CUDA provider is not installed (run \`${CUDA_INSTALL_COMMAND}\` once, with network; it needs CUDA 12 and cuDNN 9)`;
      return undefined;
    case 'dml':
      if (f.platform !== 'win32') return 'DirectML runs on Windows only';
      return listed ? undefined : 'this onnxruntime-node build has no DirectML provider';
    case 'coreml':
      if (f.platform !== 'darwin') return 'Core ML runs on macOS only';
      return listed ? undefined : 'this onnxruntime-node build has no Core ML provider';
    case 'webgpu':
      if (!listed) return 'this onnxruntime-node build has no WebGPU provider';
      return undefined;
  }
}

/** The providers `auto` tries, in order, each with the reason it is skipped when it is. */
export function autoCandidates(f: ProviderFacts): Candidate[] {
  return AUTO_ORDER.map((provider) => {
    let refusal = refusalOf(provider, f);
    // Without a GPU, WebGPU finds a software adapter (Mesa's llvmpipe) that is far slower than the CPU provider.
    if (refusal === undefined && provider === 'webgpu' && f.platform === 'linux' && !f.gpuDevice) {
      refusal = 'no GPU device (/dev/dri/renderD*, /dev/nvidia*): WebGPU would run on a software adapter, slower than the CPU';
    }
    return refusal === undefined ? { provider } : { provider, refusal };
  });
}

/** The providers a request tries: `auto`'s list, or the one named and then the CPU as the fallback. */
export function candidatesFor(requested: ExecutionProviderName | undefined, f: ProviderFacts): Candidate[] {
  if (requested === undefined || requested === 'auto') return autoCandidates(f);
  if (requested === 'cpu') return [{ provider: 'cpu' }];
  const refusal = refusalOf(requested, f);
  return [refusal === undefined ? { provider: requested } : { provider: requested, refusal }, { provider: 'cpu' }];
}

/** The folder of onnxruntime-node's native binding, where its install script puts the CUDA provider. */
function bindingDir(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

function cudaLibraryInstalled(): boolean {
  const dir = bindingDir();
  if (dir === undefined) return false;
  const name = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(dir, name));
}

/** Linux's GPU device nodes (render nodes, NVIDIA's devices); elsewhere the platform's APIs find GPUs and this is empty. */
export function gpuDevices(): string[] {
  if (process.platform !== 'linux') return [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return [
    ...list('/dev/dri').filter((n) => n.startsWith('renderD')).map((n) => `/dev/dri/${n}`),
    ...list('/dev').filter((n) => /^nvidia\d+$/.test(n)).map((n) => `/dev/${n}`),
  ];
}

/** This machine's facts, with the backends the loaded binding lists. */
export function machineFacts(backends: readonly string[]): ProviderFacts {
  return { platform: process.platform, backends, cudaLibrary: cudaLibraryInstalled(), gpuDevice: process.platform !== 'linux' || gpuDevices().length > 0 };
}

/**
 * Whether a request may end on a GPU provider here, judged without loading the binding (every
 * provider assumed built in): the CLI then keeps the GPU runtimes' messages out of the terminal.
 */
export function mayUseGpu(requested: ExecutionProviderName | undefined): boolean {
  const facts = machineFacts(AUTO_ORDER);
  return candidatesFor(requested, facts).some((c) => c.provider !== 'cpu' && c.refusal === undefined);
}
