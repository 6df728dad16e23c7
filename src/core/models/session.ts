// Opening ONNX Runtime sessions: the execution provider to use, falling back to the CPU when a
// requested one cannot start, and ORT's exceptions turned into UserErrors that name the file.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { type UserError, raise } from '../errors';
import type { ExecutionProviderName } from './providers';


export interface ModelLoadOptions {
  executionProvider?: ExecutionProviderName;
  /** Intra-op threads; 0 or absent leaves ORT's default. */
  threads?: number;
}

export type ConcreteProvider = Exclude<ExecutionProviderName, 'auto'>;

/** Whether this onnxruntime-node build can run CUDA: listed, and bundled or installed beside the binding. */
function cudaAvailable(): boolean {
  const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
  if (cuda === undefined) return false;
  if (cuda.bundled) return true;
  // The install script downloads the CUDA provider next to the native binding.
  try {
    const bindingDir = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(path.join(bindingDir, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** The provider 'auto' stands for on this machine, or the one asked for. */
export function resolveProvider(requested: ExecutionProviderName | undefined): ConcreteProvider {
  if (requested === undefined || requested === 'auto') return cudaAvailable() ? 'cuda' : 'cpu';
  return requested;
}

function sessionOptions(provider: ConcreteProvider, threads: number | undefined): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // ORT's worker threads spin after each run by default, taking the core the JS thread needs
    // for the sampler step between runs; off, the step between two UNet calls is not slowed.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  if (threads !== undefined && threads > 0) options.intraOpNumThreads = threads;
  return options;
}

function loadFailed(file: string, relative: string, e: unknown): UserError {
  // ORT repeats the path ("Load model from /x/model.onnx failed:"); the message names the file already.
  const why = (e instanceof Error ? e.message : String(e))
    .replace(/\s+/g, ' ')
    .replace(/^Load model from .* failed:\s*/, '')
    .trim();
  return { code: 'model-invalid', message: `${relative}: ONNX Runtime cannot load it: ${why}`, file };
}

/** Opens sessions for one model, sharing one provider choice and its fallback. */
export class SessionOpener {
  provider: ConcreteProvider;
  readonly notes: string[] = [];

  constructor(private readonly options: ModelLoadOptions) {
    this.provider = resolveProvider(options.executionProvider);
  }

  async open(file: string, relative: string): Promise<ort.InferenceSession> {
    try {
      return await ort.InferenceSession.create(file, sessionOptions(this.provider, this.options.threads));
    } catch (e) {
      if (this.provider === 'cpu') raise(loadFailed(file, relative, e));
      // Either the provider cannot start here or the model is bad; the CPU tells which.
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(file, sessionOptions('cpu', this.options.threads));
      } catch (cpuError) {
        raise(loadFailed(file, relative, cpuError));
      }
      const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      this.notes.push(`execution provider ${this.provider} failed to start (${why}); using cpu`);
      this.provider = 'cpu';
      return session;
    }
  }
}
