// Messages between the extension host and the engine process (Node IPC). Both sides import
// this one module, so neither guesses at the other's shapes.

import type { UserError } from '../core/errors';
import type { Job } from '../core/jobs/plan';
import type { ExecutionProviderName } from '../core/models/providers';

export interface EngineOptions {
  executionProvider: ExecutionProviderName;
  /** Intra-op threads; 0 lets ONNX Runtime choose. */
  threads: number;
  /** The GPU for CUDA and DirectML (0 the first); absent: the first. */
  deviceId?: number;
  /** Release the loaded model after this many milliseconds without a run; 0 keeps it. */
  idleMs: number;
}

/** Host → engine. */
export type EngineRequest =
  | { type: 'configure'; options: EngineOptions }
  | { type: 'run'; runId: string; jobs: Job[]; previews: boolean }
  | { type: 'cancel'; runId: string }
  | { type: 'shutdown' };

export interface PreviewImage {
  width: number;
  height: number;
  /** A PNG data URL, small (latent resolution). */
  dataUrl: string;
}

/** Engine → host. Every message about a run carries its id. */
export type EngineEvent =
  | { type: 'ready'; pid: number; onnxruntime: string; backends: string[] }
  | { type: 'model-loaded'; runId: string; dir: string; ms: number; executionProvider: string; notes: string[] }
  | { type: 'job-start'; runId: string; index: number; count: number }
  | { type: 'progress'; runId: string; index: number; step: number; total: number; preview?: PreviewImage }
  | { type: 'image'; runId: string; index: number; path: string; recipePath: string; seed: number; ms: number }
  | { type: 'grid'; runId: string; index: number; path: string }
  | { type: 'job-error'; runId: string; index: number; error: UserError }
  | { type: 'run-done'; runId: string; images: number; errors: number; cancelled: boolean }
  | { type: 'log'; level: 'info' | 'warning' | 'error'; message: string };

export function isEngineEvent(value: unknown): value is EngineEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
