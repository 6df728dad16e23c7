// Runs: each Ctrl+Enter queues one run (a block's images, one per seed). Runs go to the engine,
// which works through them in order; this side tracks their state for the CodeLens, the
// status bar, the progress notification and the panel, and turns failures into messages.

import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDiagnostic } from '../core/diagnostics';
import { formatUserError, isModelError, type UserError } from '../core/errors';
import { describeBlock, type ParsedFile } from '../core/format/parse';
import { blockErrors } from '../core/format/resolve';
import { DEFAULTS } from '../core/jobs/image-settings';
import { planBlockJobs, type Job } from '../core/jobs/plan';
import { isDemoModel } from '../core/models/demo';
import { inspectModelFolder } from '../core/models/folder';
import type { EngineEvent } from '../protocol/engine';
import type { EngineClient, EngineExit } from './engine-client';
import { logFailure } from './failures';

export interface RunState {
  runId: string;
  uri: vscode.Uri;
  blockIndex: number;
  blockLabel: string;
  jobs: Job[];
  /** 1-based image being made; 0 while queued. */
  image: number;
  images: number;
  step?: number;
  total?: number;
  written: string[];
  errors: string[];
  /** performance.now() when the run was asked for, and when its first preview arrived (for the log). */
  requestedAt: number;
  firstPreviewAt?: number;
}

export interface RunQueueHost {
  engine: EngineClient;
  log: vscode.LogOutputChannel;
  defaultModel(): string;
  previews(): boolean;
}

export class RunQueue implements vscode.Disposable {
  private readonly runs = new Map<string, RunState>();
  private readonly progressDone = new Map<string, () => void>();
  private readonly changes = new vscode.EventEmitter<void>();
  private readonly engineEvents = new vscode.EventEmitter<{ run: RunState; event: EngineEvent }>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires when any run's state changes (CodeLens, status bar). */
  readonly onDidChange = this.changes.event;
  /** Every engine event about a run, with the run (the panel listens). */
  readonly onRunEvent = this.engineEvents.event;

  constructor(private readonly host: RunQueueHost) {
    this.subscriptions = [host.engine.onEvent((e) => this.onEngineEvent(e)), host.engine.onExit((e) => this.onEngineExit(e))];
  }

  get active(): RunState[] {
    return [...this.runs.values()];
  }

  stateOf(uri: vscode.Uri, blockIndex: number): RunState | undefined {
    return this.active.find((r) => r.blockIndex === blockIndex && r.uri.toString() === uri.toString());
  }

  /**
   * Queues the given blocks of a document, one run each. Blocks with errors are refused with
   * a message and nothing runs; a missing model folder offers to choose one. `seeds` runs them
   * with other seeds than the file's ("Generate with a new seed"), without editing it.
   */
  async enqueue(document: vscode.TextDocument, parsed: ParsedFile, blockIndices: number[], seeds?: number[]): Promise<RunState[]> {
    if (document.isUntitled || document.uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Save the prompt file first: its images are written beside it.');
      return [];
    }
    const blocks = blockIndices.map((i) => parsed.blocks.find((b) => b.index === i)).filter((b) => b !== undefined);
    const broken = blocks.filter((b) => blockErrors(parsed, b).length > 0);
    if (broken.length > 0) {
      const first = blockErrors(parsed, broken[0]!)[0]!;
      const choice = await vscode.window.showErrorMessage(
        `Not generated: ${describeBlock(broken[0]!)} has errors. ${formatDiagnostic(first)}`,
        'Show Problems',
      );
      if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      return [];
    }
    const planned: { block: (typeof blocks)[number]; jobs: Job[] }[] = [];
    for (const block of blocks) {
      const overrides = seeds ? { overrides: { values: { seed: seeds }, baseDir: path.dirname(document.uri.fsPath) } } : {};
      const jobs = planBlockJobs(parsed, block, { promptFile: document.uri.fsPath, defaultModel: this.host.defaultModel(), ...overrides });
      if (!jobs.ok) {
        void vscode.window.showErrorMessage(formatUserError(jobs.error));
        return [];
      }
      planned.push({ block, jobs: jobs.value });
    }
    for (const dir of new Set(planned.flatMap((p) => p.jobs.map((j) => j.model.dir)))) {
      const inspected = inspectModelFolder(dir);
      if (!inspected.ok) {
        const buttons = isDemoModel(dir) ? ['Choose Model Folder…'] : ['Choose Model Folder…', 'Use the Demo Model'];
        const choice = await vscode.window.showErrorMessage(`Model folder problem: ${formatUserError(inspected.error)}`, ...buttons);
        if (choice === 'Choose Model Folder…') void vscode.commands.executeCommand('sdprompt.chooseModel');
        if (choice === 'Use the Demo Model') void vscode.commands.executeCommand('sdprompt.useDemoModel');
        return [];
      }
    }
    const started: RunState[] = [];
    for (const { block, jobs } of planned) {
      const run: RunState = {
        runId: randomUUID(),
        uri: document.uri,
        blockIndex: block.index,
        blockLabel: block.name ?? `block ${block.index}`,
        jobs,
        image: 0,
        images: jobs.length,
        written: [],
        errors: [],
        requestedAt: performance.now(),
      };
      this.runs.set(run.runId, run);
      started.push(run);
      try {
        await this.host.engine.send({ type: 'run', runId: run.runId, jobs, previews: this.host.previews() });
      } catch (e) {
        this.finish(run);
        void vscode.window.showErrorMessage(`The sdprompt engine could not start: ${(e as Error).message}`, 'Show Log').then((c) => {
          if (c) this.host.log.show();
        });
        break;
      }
    }
    this.changes.fire();
    return started;
  }

  async cancel(runId?: string): Promise<void> {
    const targets = runId ? [this.runs.get(runId)].filter((r) => r !== undefined) : this.active;
    for (const run of targets) await this.host.engine.send({ type: 'cancel', runId: run.runId });
  }

  private onEngineEvent(event: EngineEvent): void {
    if (event.type === 'invalid-request') this.host.log.error(`the engine refused a request: ${event.message}`);
    if (!('runId' in event) || event.runId === undefined) return;
    const run = this.runs.get(event.runId);
    if (!run) return;
    switch (event.type) {
      case 'job-start':
        run.image = event.index + 1;
        run.step = 0;
        run.total = run.jobs[event.index]!.request.steps ?? DEFAULTS.steps;
        if (event.index === 0) this.showProgress(run);
        break;
      case 'progress':
        run.step = event.step;
        run.total = event.total;
        if (event.preview && run.firstPreviewAt === undefined) run.firstPreviewAt = performance.now();
        break;
      case 'image':
        run.written.push(event.path);
        break;
      case 'job-error':
        run.errors.push(formatUserError(event.error));
        this.host.log.error(`${run.blockLabel}, seed ${run.jobs[event.index]?.request.seed}: ${formatUserError(event.error)}`);
        this.reportJobError(event.error).catch(logFailure(this.host.log, 'reporting a job error'));
        break;
      case 'run-done': {
        const ms = (t: number | undefined) => (t === undefined ? 'none' : `${(t - run.requestedAt).toFixed(0)} ms`);
        this.host.log.info(`${run.blockLabel}: ${run.written.length} of ${run.images} images in ${ms(performance.now())}; first preview after ${ms(run.firstPreviewAt)}`);
        this.finish(run);
        break;
      }
      case 'model-loaded':
        for (const note of event.notes) this.host.log.warn(note);
        break;
      case 'invalid-request': {
        // The run was refused (a bug on this side) and ends here: finish it as a failed run.
        const { runId } = run;
        this.onEngineEvent({ type: 'job-error', runId, index: 0, error: { code: 'internal', message: `the engine refused the run: ${event.message}` } });
        this.onEngineEvent({ type: 'run-done', runId, images: 0, errors: 1, cancelled: false });
        return;
      }
    }
    this.engineEvents.fire({ run, event });
    this.changes.fire();
  }

  private async reportJobError(error: UserError): Promise<void> {
    const message = error.message;
    if (isModelError(error)) {
      const choice = await vscode.window.showErrorMessage(`sdprompt: ${message}`, 'Choose Model Folder…');
      if (choice) void vscode.commands.executeCommand('sdprompt.chooseModel');
    } else {
      void vscode.window.showErrorMessage(`sdprompt: ${message}`);
    }
  }

  private showProgress(run: RunState): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `sdprompt: ${run.blockLabel}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => this.cancel(run.runId).catch(logFailure(this.host.log, `cancelling ${run.blockLabel}`)));
          let lastFraction = 0;
          const listener = this.onRunEvent(({ run: r, event }) => {
            if (r !== run || event.type !== 'progress') return;
            const fraction = ((run.image - 1) + event.call / event.calls) / run.images;
            progress.report({ message: `image ${run.image}/${run.images}, step ${event.step}/${event.total}`, increment: (fraction - lastFraction) * 100 });
            lastFraction = fraction;
          });
          this.progressDone.set(run.runId, () => {
            listener.dispose();
            resolve();
          });
        }),
    );
  }

  private finish(run: RunState): void {
    this.runs.delete(run.runId);
    this.progressDone.get(run.runId)?.();
    this.progressDone.delete(run.runId);
  }

  private onEngineExit(exit: EngineExit): void {
    if (exit.expected) return;
    const lost = this.active;
    for (const run of lost) {
      this.finish(run);
      this.engineEvents.fire({ run, event: { type: 'run-done', runId: run.runId, images: run.written.length, errors: run.errors.length + 1, cancelled: false } });
    }
    this.changes.fire();
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const oom = /out of memory|bad_alloc|ENOMEM/i.test(exit.stderrTail) ? ' It ran out of memory: try a smaller size or fewer threads.' : '';
    void vscode.window
      .showErrorMessage(
        `The sdprompt engine stopped unexpectedly (it ${how}).${oom} Images already written are safe; ${lost.length > 0 ? `${lost.length} run(s) stopped. ` : ''}The next run starts a fresh engine.`,
        'Show Log',
      )
      .then((choice) => {
        if (choice) this.host.log.show();
      });
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.changes.dispose();
    this.engineEvents.dispose();
  }
}
