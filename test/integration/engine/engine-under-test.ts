// The engine process under test: forked dist/engine.js, spoken to over IPC as the extension
// speaks to it, with every event it sends kept and waitable.

import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import type { EngineEvent, EngineRequest } from '../../../src/protocol/engine';
import { testModelDir } from '../../../tools/test-models/test-dir';

const ENGINE = path.resolve(__dirname, '../../../../dist/engine.js');

export class EngineUnderTest {
  readonly events: EngineEvent[] = [];
  private waiters: { match: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor() {
    assert.ok(existsSync(ENGINE), `${ENGINE} is missing: build with 'node esbuild.mjs' first (npm test does)`);
    this.child = fork(ENGINE, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.on('message', (e: EngineEvent) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.match(e) ? (w.resolve(e), false) : true));
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  send(request: EngineRequest): void {
    this.child.send(request);
  }

  next<T extends EngineEvent['type']>(type: T, match: (e: Extract<EngineEvent, { type: T }>) => boolean = () => true): Promise<Extract<EngineEvent, { type: T }>> {
    const done = this.events.find((e) => e.type === type && match(e as Extract<EngineEvent, { type: T }>));
    if (done) return Promise.resolve(done as Extract<EngineEvent, { type: T }>);
    return new Promise((resolve) => {
      this.waiters.push({ match: (e) => e.type === type && match(e as Extract<EngineEvent, { type: T }>), resolve: resolve as (e: EngineEvent) => void });
    });
  }

  /** Resident memory of the engine process in bytes (Linux /proc), or undefined elsewhere. */
  residentBytes(): number | undefined {
    try {
      const pages = Number(readFileSync(`/proc/${this.child.pid}/statm`, 'utf8').split(' ')[1]);
      return pages * 4096;
    } catch {
      return undefined;
    }
  }
}

/** The jobs of the first block of `text`, written as `name` in a new folder (or `dir`). */
export function jobs(text: string, options: { dir?: string; name?: string; model?: string } = {}): Job[] {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'sdprompt-engine-'));
  const file = path.join(dir, options.name ?? 'e.sdprompt');
  writeFileSync(file, text);
  const parsed = parseSdprompt(text, file);
  const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: options.model ?? testModelDir('optimum') });
  assert.ok(planned.ok);
  return planned.value;
}

const engines: EngineUnderTest[] = [];
after(() => engines.forEach((e) => e.child.kill('SIGKILL')));

/** A new engine, killed when the test file ends. */
export function startEngine(): EngineUnderTest {
  const engine = new EngineUnderTest();
  engines.push(engine);
  return engine;
}
