// The engine process, seen from the extension host: started on first use with Node's fork (in
// VS Code, Electron's binary run as Node), spoken to through src/protocol/engine.ts, and
// started afresh after it dies.

import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import type { EngineEvent, EngineOptions, EngineRequest } from '../protocol/engine';
import { isEngineEvent } from '../protocol/engine';
import { logFailure } from './failures';

const READY_TIMEOUT_MS = 60_000;

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** We asked it to stop. */
  expected: boolean;
  /** The last lines it wrote to stderr, for the log. */
  stderrTail: string;
}

export class EngineClient implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private starting: Promise<ChildProcess> | undefined;
  private stopping = false;
  private stderrTail = '';
  private readonly events = new vscode.EventEmitter<EngineEvent>();
  private readonly exits = new vscode.EventEmitter<EngineExit>();
  readonly onEvent = this.events.event;
  readonly onExit = this.exits.event;

  constructor(
    private readonly enginePath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly options: () => EngineOptions,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends a request, starting the engine first if it is not running. */
  async send(request: EngineRequest): Promise<void> {
    const child = await this.start();
    child.send(request);
  }

  /** Sends new options to a running engine; a stopped one gets them when it starts. */
  configure(): void {
    this.child?.send({ type: 'configure', options: this.options() } satisfies EngineRequest);
  }

  private start(): Promise<ChildProcess> {
    if (this.child) return Promise.resolve(this.child);
    this.starting ??= this.spawn().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private spawn(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      this.stopping = false;
      this.stderrTail = '';
      this.log.info(`starting the engine: ${this.enginePath}`);
      const child = fork(this.enginePath, [], {
        // In VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const timer = setTimeout(() => {
        reject(new Error(`the engine did not start within ${READY_TIMEOUT_MS / 1000} s`));
        child.kill();
      }, READY_TIMEOUT_MS);
      child.stdout?.on('data', (d: Buffer) => this.log.info(`engine: ${d.toString().trimEnd()}`));
      child.stderr?.on('data', (d: Buffer) => {
        const text = d.toString();
        this.stderrTail = (this.stderrTail + text).slice(-4000);
        this.log.warn(`engine: ${text.trimEnd()}`);
      });
      child.on('message', (message: unknown) => {
        if (!isEngineEvent(message)) return;
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.log.info(`engine ready: pid ${message.pid}, onnxruntime ${message.onnxruntime}, backends ${message.backends.join(', ')}`);
          this.child = child;
          child.send({ type: 'configure', options: this.options() } satisfies EngineRequest);
          resolve(child);
        }
        if (message.type === 'log') this.log[message.level === 'error' ? 'error' : message.level === 'warning' ? 'warn' : 'info'](message.message);
        this.events.fire(message);
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        this.log.error(`engine process error: ${e.message}`);
        reject(e);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const expected = this.stopping;
        if (this.child === child) this.child = undefined;
        this.log[expected ? 'info' : 'error'](`engine exited: code ${code}, signal ${signal}`);
        reject(new Error(`the engine exited before it was ready (code ${code}, signal ${signal})`));
        this.exits.fire({ code, signal, expected, stderrTail: this.stderrTail });
      });
    });
  }

  /** Stops the engine; the next request starts a new one. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.send({ type: 'shutdown' } satisfies EngineRequest);
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  dispose(): void {
    this.stop().catch(logFailure(this.log, 'stopping the engine'));
    this.events.dispose();
    this.exits.dispose();
  }
}
