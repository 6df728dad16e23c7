// The engine process: runs the pipeline for the extension, out of the editor's process, so a
// native crash or an out-of-memory in ONNX Runtime ends only this process. It takes requests
// over Node IPC and answers with events (src/protocol/engine.ts); runs queue one after another.

import { env as ortEnv, listSupportedBackends } from 'onnxruntime-node';
import { runJobs, type RunEvent } from '../core/jobs/run';
import { ModelCache } from '../core/pipelines/model-cache';
import type { EngineEvent, EngineOptions, EngineRequest } from '../protocol/engine';
import { PreviewRenderer } from './preview';

const DEFAULT_OPTIONS: EngineOptions = { executionProvider: 'auto', threads: 0, idleMs: 5 * 60_000 };

export class Engine {
  private options = DEFAULT_OPTIONS;
  private models: ModelCache;
  private readonly queue: { runId: string; request: Extract<EngineRequest, { type: 'run' }>; abort: AbortController }[] = [];
  private running: (typeof this.queue)[number] | undefined;
  private readonly preview = new PreviewRenderer();

  constructor(private readonly send: (event: EngineEvent) => void) {
    this.models = this.modelCache(DEFAULT_OPTIONS);
  }

  async handle(request: EngineRequest): Promise<void> {
    switch (request.type) {
      case 'configure':
        await this.configure(request.options);
        return;
      case 'run':
        this.queue.push({ runId: request.runId, request, abort: new AbortController() });
        this.drain().catch((e: unknown) => this.send({ type: 'log', level: 'error', message: `engine queue failed: ${describeException(e)}` }));
        return;
      case 'cancel': {
        const target = this.running?.runId === request.runId ? this.running : this.queue.find((q) => q.runId === request.runId);
        if (!target) return;
        target.abort.abort();
        if (target !== this.running) {
          this.queue.splice(this.queue.indexOf(target), 1);
          this.send({ type: 'run-done', runId: target.runId, images: 0, errors: 0, cancelled: true });
        }
        return;
      }
      case 'shutdown':
        for (const q of this.queue) q.abort.abort();
        this.running?.abort.abort();
        await this.models.release();
        return;
    }
  }

  private async configure(options: EngineOptions): Promise<void> {
    const sessionChanged =
      options.executionProvider !== this.options.executionProvider || options.threads !== this.options.threads || options.deviceId !== this.options.deviceId;
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
          this.send({ type: 'progress', runId, index: event.index, step: event.step, total: event.total, ...(preview ? { preview } : {}) });
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
          this.send({ type: 'log', level: 'warning', message: `seed ${event.job.request.seed}: ${event.message}` });
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

/** Handles one request; a failure is logged to the host, and `shutdown` ends the process after it. */
async function handleMessage(engine: Engine, message: EngineRequest, send: (event: EngineEvent) => void): Promise<void> {
  try {
    await engine.handle(message);
  } catch (e) {
    send({ type: 'log', level: 'error', message: `engine error: ${describeException(e)}` });
  }
  if (message.type === 'shutdown') process.exit(0);
}

function start(): void {
  if (!process.send) {
    process.stderr.write('sdprompt engine: start me with an IPC channel (child_process.fork)\n');
    process.exit(2);
  }
  const send = (event: EngineEvent) => process.send!(event);
  const engine = new Engine(send);
  process.on('message', (message: EngineRequest) => {
    // Only a broken IPC channel gets here; stderr reaches the host's log.
    handleMessage(engine, message, send).catch((e: unknown) => process.stderr.write(`sdprompt engine: ${describeException(e)}\n`));
  });
  // The host went away: nothing can read our results any more.
  process.on('disconnect', () => process.exit(0));
  send({
    type: 'ready',
    pid: process.pid,
    onnxruntime: ortEnv.versions.node ?? ortEnv.versions.common,
    backends: listSupportedBackends().map((b) => b.name),
  });
}

if (require.main === module) start();
