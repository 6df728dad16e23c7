// Messages between the extension host and the engine process (Node IPC). Both sides import
// this one module, so neither guesses at the other's shapes.

import type { UserError } from '../core/errors';
import { MAX_IMAGES_PER_RUN } from '../core/format/limits';
import { checkJob, isRecord, showValue } from '../core/jobs/check';
import type { Job } from '../core/jobs/plan';
import { EXECUTION_PROVIDER_NAMES, isExecutionProviderName, MAX_DEVICE_ID, MAX_THREADS, type ExecutionProviderName } from '../core/models/providers';

export interface EngineOptions {
  executionProvider: ExecutionProviderName;
  /** Intra-op threads; 0 lets ONNX Runtime choose. */
  threads: number;
  /** The GPU for CUDA and DirectML (0 the first); absent: the first. */
  deviceId?: number;
  /** Release the loaded model after this many milliseconds without a run; 0 keeps it. */
  idleMs: number;
  /** Close the text encoders (and the VAE encoder) between uses on every provider (`--low-memory`); absent: only on the memory-tight ones. */
  lowMemory?: boolean;
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
  /** Sampler steps done of `total`, and UNet calls done of `calls` (more than steps for two-call samplers). */
  | { type: 'progress'; runId: string; index: number; step: number; total: number; call: number; calls: number; preview?: PreviewImage }
  | { type: 'image'; runId: string; index: number; path: string; recipePath: string; seed: number; ms: number }
  | { type: 'grid'; runId: string; index: number; path: string }
  | { type: 'job-error'; runId: string; index: number; error: UserError }
  | { type: 'run-done'; runId: string; images: number; errors: number; cancelled: boolean }
  | { type: 'log'; level: 'info' | 'warning' | 'error'; message: string }
  /**
   * A request the engine could not take (malformed, unknown, a run id already in use, a cancel
   * of no run). `runId` is there when a run request was refused: that run ends here, no
   * `run-done` follows.
   */
  | { type: 'invalid-request'; message: string; runId?: string };

export function isEngineEvent(value: unknown): value is EngineEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Node's timers take at most 2³¹−1 ms (24.8 days); a longer idle time would fire at once. */
export const MAX_IDLE_MS = 2 ** 31 - 1;

export type ParsedRequest = { ok: true; value: EngineRequest } | { ok: false; message: string; runId?: string };

const isRunId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

function parseOptions(v: unknown): EngineOptions | string {
  if (!isRecord(v)) return `options must be an object, not ${showValue(v)}`;
  const { executionProvider, threads, deviceId, idleMs, lowMemory } = v;
  if (typeof executionProvider !== 'string' || !isExecutionProviderName(executionProvider)) {
    return `options.executionProvider must be one of ${EXECUTION_PROVIDER_NAMES.join(', ')}, not ${showValue(executionProvider)}`;
  }
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0 || threads > MAX_THREADS) {
    return `options.threads must be a whole number from 0 to ${MAX_THREADS}, not ${showValue(threads)}`;
  }
  if (typeof idleMs !== 'number' || !Number.isInteger(idleMs) || idleMs < 0 || idleMs > MAX_IDLE_MS) {
    return `options.idleMs must be a whole number of milliseconds from 0 to ${MAX_IDLE_MS}, not ${showValue(idleMs)}`;
  }
  if (deviceId !== undefined && (typeof deviceId !== 'number' || !Number.isInteger(deviceId) || deviceId < 0 || deviceId > MAX_DEVICE_ID)) {
    return `options.deviceId must be a whole number from 0 to ${MAX_DEVICE_ID}, not ${showValue(deviceId)}`;
  }
  if (lowMemory !== undefined && typeof lowMemory !== 'boolean') return `options.lowMemory must be true or false, not ${showValue(lowMemory)}`;
  return { executionProvider, threads, ...(deviceId !== undefined ? { deviceId } : {}), idleMs, ...(lowMemory === true ? { lowMemory } : {}) };
}

function parseRun(data: Record<string, unknown>): ParsedRequest {
  const { runId, jobs, previews } = data;
  if (!isRunId(runId)) return { ok: false, message: `run: runId must be text of 1 to 200 characters, not ${showValue(runId)}` };
  const refuse = (message: string): ParsedRequest => ({ ok: false, message: `run ${runId}: ${message}`, runId });
  if (typeof previews !== 'boolean') return refuse(`previews must be true or false, not ${showValue(previews)}`);
  if (!Array.isArray(jobs) || jobs.length === 0 || jobs.length > MAX_IMAGES_PER_RUN) {
    return refuse(`jobs must be a list of 1 to ${MAX_IMAGES_PER_RUN} jobs, not ${showValue(jobs)}`);
  }
  const checked: Job[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const job = checkJob(jobs[i]);
    if (!job.ok) return refuse(`jobs[${i}]: ${job.problem}`);
    checked.push(job.value);
  }
  return { ok: true, value: { type: 'run', runId, jobs: checked, previews } };
}

/**
 * The request the host sent, checked field by field (as the host checks the webview's
 * messages), or what is wrong with it. Never throws, whatever `data` is.
 */
export function parseEngineRequest(data: unknown): ParsedRequest {
  if (!isRecord(data)) return { ok: false, message: `a request must be an object, not ${showValue(data)}` };
  switch (data['type']) {
    case 'configure': {
      const options = parseOptions(data['options']);
      return typeof options === 'string' ? { ok: false, message: `configure: ${options}` } : { ok: true, value: { type: 'configure', options } };
    }
    case 'run':
      return parseRun(data);
    case 'cancel':
      return isRunId(data['runId'])
        ? { ok: true, value: { type: 'cancel', runId: data['runId'] } }
        : { ok: false, message: `cancel: runId must be text of 1 to 200 characters, not ${showValue(data['runId'])}` };
    case 'shutdown':
      return { ok: true, value: { type: 'shutdown' } };
    default:
      return { ok: false, message: `unknown request type ${showValue(data['type'])}` };
  }
}
