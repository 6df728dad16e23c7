// Opening ONNX Runtime sessions on an execution provider: the candidates `auto` or the setting
// name (provider-choice.ts), each refusal noted with its reason, the CPU as the fallback when a
// provider cannot start or fails while running, and ORT's exceptions turned into UserErrors
// that name the file.

import * as ort from 'onnxruntime-node';
import { type UserError, raise } from '../errors';
import { ortMessage } from './io';
import { type Candidate, type ConcreteProvider, candidatesFor, machineFacts } from './provider-choice';
import type { ExecutionProviderName } from './providers';

export type { ConcreteProvider } from './provider-choice';

export interface ModelLoadOptions {
  executionProvider?: ExecutionProviderName;
  /** Intra-op threads; 0 or absent leaves ORT's default. */
  threads?: number;
  /** The GPU to use (CUDA, DirectML); absent: the first. */
  deviceId?: number;
  /**
   * Close the text encoders after encoding and the VAE encoder after encoding the init on every
   * provider, not only on the memory-tight ones (releasable.ts): less memory, a reload each run.
   */
  lowMemory?: boolean;
}

/** The provider 'auto' stands for on this machine (the first candidate not refused), or the one asked for. */
export function resolveProvider(requested: ExecutionProviderName | undefined): ConcreteProvider {
  const candidates = candidatesFor(requested, machineFacts(ort.listSupportedBackends().map((b) => b.name)));
  return candidates.find((c) => c.refusal === undefined)?.provider ?? 'cpu';
}

function sessionOptions(provider: ConcreteProvider, options: ModelLoadOptions): ort.InferenceSession.SessionOptions {
  const ep: ort.InferenceSession.ExecutionProviderConfig =
    options.deviceId !== undefined && (provider === 'cuda' || provider === 'dml') ? { name: provider, deviceId: options.deviceId } : provider;
  const session: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    // ORT's worker threads spin after each run by default, taking the core the JS thread needs
    // for the sampler step between runs; off, the step between two UNet calls is not slowed.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
    // ORT's own log lines (coloured, on stderr) repeat the errors it throws, which we report;
    // only a fatal one, which ends the process before it can throw, is worth its line.
    logSeverityLevel: 4,
  };
  if (options.threads !== undefined && options.threads > 0) session.intraOpNumThreads = options.threads;
  return session;
}

function loadFailed(file: string, relative: string, e: unknown): UserError {
  return { code: 'model-invalid', message: `${relative}: ONNX Runtime cannot load it: ${ortMessage(e)}`, file };
}

/** One open session and the provider it runs on. */
export interface OpenedSession {
  session: ort.InferenceSession;
  provider: ConcreteProvider;
}

/** Opens sessions for one model, sharing one provider choice and its fallback. */
export class SessionOpener {
  /** The provider the next component is opened on: the first that started, once one has. */
  private candidates: Candidate[];
  /** Refusals and fallbacks, for the log. */
  readonly log: string[] = [];
  /** What the user should know: a provider they asked for that did not start. */
  readonly notes: string[] = [];

  constructor(private readonly options: ModelLoadOptions) {
    const requested = options.executionProvider ?? 'auto';
    this.candidates = candidatesFor(requested, machineFacts(ort.listSupportedBackends().map((b) => b.name)));
    for (const c of this.candidates) {
      if (c.refusal === undefined) continue;
      const line = `execution provider ${c.provider} not used: ${c.refusal}`;
      (requested === c.provider ? this.notes : this.log).push(line);
    }
    this.candidates = this.candidates.filter((c) => c.refusal === undefined);
  }

  /** The provider sessions are being opened on. */
  get provider(): ConcreteProvider {
    return this.candidates[0]?.provider ?? 'cpu';
  }

  async open(file: string, relative: string): Promise<OpenedSession> {
    for (;;) {
      const provider = this.provider;
      try {
        return { session: await ort.InferenceSession.create(file, sessionOptions(provider, this.options)), provider };
      } catch (e) {
        if (provider === 'cpu') raise(loadFailed(file, relative, e));
        // Either the provider cannot start here or the model is bad; the next candidate (at last the CPU) tells which.
        const line = `execution provider ${provider} failed to start for ${relative} (${ortMessage(e)}); trying ${this.candidates[1]?.provider ?? 'cpu'}`;
        (this.options.executionProvider === provider ? this.notes : this.log).push(line);
        this.candidates.shift();
      }
    }
  }

  /** The same file on the CPU, for a component whose provider failed while running. */
  openOnCpu(file: string, relative: string): Promise<ort.InferenceSession> {
    return this.openOn('cpu', file, relative);
  }

  /** The file on the provider it already runs on, with no fallback: a component opened again after a release between uses. */
  async openOn(provider: ConcreteProvider, file: string, relative: string): Promise<ort.InferenceSession> {
    try {
      return await ort.InferenceSession.create(file, sessionOptions(provider, this.options));
    } catch (e) {
      raise(loadFailed(file, relative, e));
    }
  }
}
