// The engine process: runs the pipeline for the extension, out of the editor's process, so a
// native crash or an out-of-memory in ONNX Runtime ends only this process. It takes requests
// over Node IPC and answers with events (src/protocol/engine.ts); runs queue one after another.

import { env as ortEnv, listSupportedBackends } from 'onnxruntime-node';
import { originPrefix } from '../core/image/check';
import { runJobs, type RunEvent } from '../core/jobs/run';
import { ModelCache } from '../core/pipelines/model-cache';
import { parseEngineRequest, type EngineEvent, type EngineOptions, type EngineRequest } from '../protocol/engine';
import { PreviewRenderer } from './preview';

/** How long a stop waits for the running step before the process exits anyway. */
const STOP_GRACE_MS = 10_000;
const DEFAULT_OPTIONS: EngineOptions = { executionProvider: 'auto', threads: 0, idleMs: 5 * 60_000 };

export class Engine {
  private options = DEFAULT_OPTIONS;
  private models: ModelCache;
  private readonly queue: { runId: string; request: Extract<EngineRequest, { type: 'run' }>; abort: AbortController }[] = [];
  private running: (typeof this.queue)[number] | undefined;
  private draining: Promise<void> | undefined;
  /** Options that change the sessions wait for the running run to end: its model is in use. */
  private pendingOptions: EngineOptions | undefined;
  private readonly preview = new PreviewRenderer();

  constructor(private readonly send: (event: EngineEvent) => void) {
    this.models = this.modelCache(DEFAULT_OPTIONS);
  }

  /** Takes one message from the host: checked first, and answered with `invalid-request` when it cannot be taken. */
  async receive(message: unknown): Promise<void> {
    const parsed = parseEngineRequest(message);
    if (!parsed.ok) {
      const live = parsed.runId !== undefined && this.isLive(parsed.runId);
      this.send({ type: 'invalid-request', message: parsed.message, ...(parsed.runId !== undefined && !live ? { runId: parsed.runId } : {}) });
      return;
    }
    await this.handle(parsed.value);
  }

  private isLive(runId: string): boolean {
    return this.running?.runId === runId || this.queue.some((q) => q.runId === runId);
  }

  async handle(request: EngineRequest): Promise<void> {
    switch (request.type) {
      case 'configure':
        await this.configure(request.options);
        return;
      case 'run':
        if (this.isLive(request.runId)) {
          this.send({ type: 'invalid-request', message: `run ${request.runId}: that run id is already queued or running` });
          return;
        }
        this.queue.push({ runId: request.runId, request, abort: new AbortController() });
        this.draining ??= this.drain()
          .catch((e: unknown) => this.send({ type: 'log', level: 'error', message: `engine queue failed: ${describeException(e)}` }))
          .finally(() => {
            this.draining = undefined;
          });
        return;
      case 'cancel': {
        const target = this.running?.runId === request.runId ? this.running : this.queue.find((q) => q.runId === request.runId);
        if (!target) {
          // Usually a cancel that crossed the run's end on the way; the host ignores it then.
          this.send({ type: 'invalid-request', message: `cancel: no run ${request.runId} is queued or running` });
          return;
        }
        target.abort.abort();
        if (target !== this.running) {
          this.queue.splice(this.queue.indexOf(target), 1);
          this.send({ type: 'run-done', runId: target.runId, images: 0, errors: 0, cancelled: true });
        }
        return;
      }
      case 'shutdown':
        await this.stop();
        return;
    }
  }

  /**
   * Cancels every run, waits for the running one to stop after its current step (it removes
   * its temporary files), and releases the model: what shutdown, SIGTERM and a lost host do.
   */
  async stop(): Promise<void> {
    for (const q of this.queue) q.abort.abort();
    this.running?.abort.abort();
    await this.draining;
    await this.models.release();
  }

  private async configure(options: EngineOptions): Promise<void> {
    if (this.running) {
      this.pendingOptions = options;
      return;
    }
    await this.apply(options);
  }

  private async apply(options: EngineOptions): Promise<void> {
    const sessionChanged =
      options.executionProvider !== this.options.executionProvider || options.threads !== this.options.threads || options.deviceId !== this.options.deviceId ||
      options.lowMemory !== this.options.lowMemory;
    const idleChanged = options.idleMs !== this.options.idleMs;
    this.options = options;
    if (sessionChanged || idleChanged) {
      // The new cache first: a run that arrives while the old one is being released uses the new
      // options, instead of loading into the old cache, which then nobody would release.
      const old = this.models;
      this.models = this.modelCache(options);
      await old.release();
    }
  }

  private modelCache(options: EngineOptions): ModelCache {
    return new ModelCache(
      {
        executionProvider: options.executionProvider,
        ...(options.threads > 0 ? { threads: options.threads } : {}),
        ...(options.deviceId !== undefined ? { deviceId: options.deviceId } : {}),
        ...(options.lowMemory ? { lowMemory: true } : {}),
      },
      {
        ms: options.idleMs,
        onReleaseError: (e) => this.send({ type: 'log', level: 'error', message: `releasing the idle model failed: ${describeException(e)}` }),
      },
    );
  }

  /**
   * Runs the queue to its end. A run that throws (a bug, or a malformed request) ends with an
   * `internal` job error and its `run-done`, so the host finishes it, and the next run starts.
   */
  private async drain(): Promise<void> {
    if (this.running) return;
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.running = next;
      try {
        await this.run(next.runId, next.request, next.abort.signal);
      } catch (e) {
        const message = describeException(e);
        this.send({ type: 'log', level: 'error', message: `engine error in run ${next.runId}: ${message}` });
        this.send({ type: 'job-error', runId: next.runId, index: 0, error: { code: 'internal', message: `the engine failed: ${message.split('\n')[0]}` } });
        this.send({ type: 'run-done', runId: next.runId, images: 0, errors: 1, cancelled: false });
      } finally {
        this.running = undefined;
      }
      const pending = this.pendingOptions;
      this.pendingOptions = undefined;
      if (pending) await this.apply(pending);
    }
  }

  private async run(runId: string, request: Extract<EngineRequest, { type: 'run' }>, signal: AbortSignal): Promise<void> {
    const onEvent = async (event: RunEvent) => {
      switch (event.type) {
        case 'job-start':
          this.send({ type: 'job-start', runId, index: event.index, count: event.count });
          return;
        case 'model-loaded':
          for (const line of [`${event.dir}: ${event.family} on ${event.executionProvider}`, ...event.log]) this.send({ type: 'log', level: 'info', message: line });
          this.send({ type: 'model-loaded', runId, dir: event.dir, ms: event.ms, executionProvider: event.executionProvider, notes: event.notes });
          return;
        case 'step': {
          const preview = request.previews ? await this.preview.render(event) : undefined;
          const { step, total, call, calls } = event;
          this.send({ type: 'progress', runId, index: event.index, step, total, call, calls, ...(preview ? { preview } : {}) });
          return;
        }
        case 'image':
          this.send({ type: 'image', runId, index: event.index, path: event.path, recipePath: event.recipePath, seed: event.seed, ms: event.ms });
          return;
        case 'grid':
          this.send({ type: 'grid', runId, index: event.index, path: event.path });
          return;
        case 'job-error':
          this.send({ type: 'job-error', runId, index: event.index, error: event.error });
          return;
        case 'warning':
          this.send({ type: 'log', level: 'warning', message: `${originPrefix(event.origin)}seed ${event.job.request.seed}: ${event.message}` });
          return;
      }
    };
    const summary = await runJobs(request.jobs, { models: this.models, onEvent, signal });
    this.send({ type: 'run-done', runId, images: summary.images.length, errors: summary.errors.length, cancelled: summary.cancelled });
  }
}

function describeException(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Handles one message; a failure is logged to the host, and `shutdown` ends the process after it. */
async function handleMessage(engine: Engine, message: unknown, send: (event: EngineEvent) => void): Promise<void> {
  try {
    await engine.receive(message);
  } catch (e) {
    send({ type: 'log', level: 'error', message: `engine error: ${describeException(e)}` });
  }
  if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown') process.exit(0);
}

function start(): void {
  if (!process.send) {
    process.stderr.write('sdprompt engine: start me with an IPC channel (child_process.fork)\n');
    process.exit(2);
  }
  const send = (event: EngineEvent) => process.send!(event);
  const engine = new Engine(send);
  process.on('message', (message: unknown) => {
    // Only a broken IPC channel gets here; stderr reaches the host's log.
    handleMessage(engine, message, send).catch((e: unknown) => process.stderr.write(`sdprompt engine: ${describeException(e)}\n`));
  });
  // Stop as Ctrl+C stops the CLI: after the current step, temporary files removed. The host
  // going away is the same: nothing can read our results any more.
  const stopAndExit = () => {
    // A step of a large image can take long; a KILL's leftovers are cleaned by the next run.
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
    engine.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`sdprompt engine: stopping failed: ${describeException(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stopAndExit);
  process.on('disconnect', stopAndExit);
  send({
    type: 'ready',
    pid: process.pid,
    onnxruntime: ortEnv.versions.node ?? ortEnv.versions.common,
    backends: listSupportedBackends().map((b) => b.name),
  });
}

if (require.main === module) start();
