// The engine process as the extension uses it: forked dist/engine.js, spoken to over IPC.

import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import type { EngineEvent, EngineRequest } from '../../../src/protocol/engine';
import { testModelDir } from '../../../tools/test-models/test-dir';

const ENGINE = path.resolve(__dirname, '../../../../dist/engine.js');

class EngineUnderTest {
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
}

function jobs(text: string): Job[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-engine-'));
  const file = path.join(dir, 'e.sdprompt');
  writeFileSync(file, text);
  const parsed = parseSdprompt(text, file);
  const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: testModelDir('optimum') });
  assert.ok(planned.ok);
  return planned.value;
}

const engines: EngineUnderTest[] = [];
after(() => engines.forEach((e) => e.child.kill('SIGKILL')));

function start(): EngineUnderTest {
  const engine = new EngineUnderTest();
  engines.push(engine);
  return engine;
}

describe('engine process', () => {
  test('says ready, runs a block with progress and previews, writes the images, and reports done', async () => {
    const engine = start();
    const ready = await engine.next('ready');
    assert.ok(ready.backends.includes('cpu'));
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, idleMs: 0 } });
    engine.send({ type: 'run', runId: 'r1', jobs: jobs('red circle\nseed: 1, 2\nsteps: 3\nsize: 32x32\n'), previews: true });
    const done = await engine.next('run-done', (e) => e.runId === 'r1');
    assert.deepEqual(done, { type: 'run-done', runId: 'r1', images: 2, errors: 0, cancelled: false });
    const images = engine.events.filter((e) => e.type === 'image');
    assert.deepEqual(images.map((e) => e.type === 'image' && [path.basename(e.path), e.seed]), [['block-1-1.png', 1], ['block-1-2.png', 2]]);
    images.forEach((e) => e.type === 'image' && assert.ok(existsSync(e.path) && readFileSync(e.path).length > 0));
    const progress = engine.events.filter((e) => e.type === 'progress');
    assert.equal(progress.length, 2 * 4); // PNDM: 3 steps are 4 UNet calls
    const lastOfFirst = progress.find((e) => e.type === 'progress' && e.index === 0 && e.step === e.total);
    assert.ok(lastOfFirst?.type === 'progress' && lastOfFirst.preview, 'the last step always carries a preview');
    assert.match(lastOfFirst.preview.dataUrl, /^data:image\/png;base64,/);
    assert.deepEqual([lastOfFirst.preview.width, lastOfFirst.preview.height], [4, 4]);
    assert.ok(engine.events.some((e) => e.type === 'model-loaded' && e.executionProvider === 'cpu'));
  });

  test('queues runs in order and cancels the running one within a step, writing nothing for it', async () => {
    const engine = start();
    await engine.next('ready');
    engine.send({ type: 'run', runId: 'long', jobs: jobs('red circle\nseed: 1..5\nsteps: 200\nsize: 64x64\n'), previews: false });
    engine.send({ type: 'run', runId: 'short', jobs: jobs('blue square\nseed: 3\nsteps: 2\nsize: 16x16\n'), previews: false });
    await engine.next('progress', (e) => e.runId === 'long' && e.step === 5);
    engine.send({ type: 'cancel', runId: 'long' });
    const cancelled = await engine.next('run-done', (e) => e.runId === 'long');
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.images, 0);
    // The pipeline stops at the first step boundary after the cancel arrives (see the txt2img
    // unit test); here, over IPC, it must at least not finish the 200-step image.
    const steps = engine.events.filter((e) => e.type === 'progress' && e.runId === 'long').length;
    assert.ok(steps < 200, `stopped mid-image (${steps} steps)`);
    assert.ok(!engine.events.some((e) => e.type === 'image' && e.runId === 'long'));
    const short = await engine.next('run-done', (e) => e.runId === 'short');
    assert.equal(short.images, 1);
    const order = engine.events.filter((e) => e.type === 'run-done').map((e) => e.type === 'run-done' && e.runId);
    assert.deepEqual(order, ['long', 'short']);
  });

  test('a run on a missing model reports a job error per image and stays alive for the next run', async () => {
    const engine = start();
    await engine.next('ready');
    engine.send({ type: 'run', runId: 'bad', jobs: jobs('red\nseed: 1\nmodel: ./nope\n'), previews: false });
    const error = await engine.next('job-error', (e) => e.runId === 'bad');
    assert.equal(error.error.code, 'model-missing');
    await engine.next('run-done', (e) => e.runId === 'bad');
    engine.send({ type: 'run', runId: 'good', jobs: jobs('red\nseed: 1\nsteps: 1\nsize: 16x16\n'), previews: false });
    const good = await engine.next('run-done', (e) => e.runId === 'good');
    assert.equal(good.images, 1);
  });

  test('a malformed run request ends that run with an internal error, and the engine takes the next one', async () => {
    const engine = start();
    await engine.next('ready');
    engine.send({ type: 'run', runId: 'malformed', jobs: null as unknown as Job[], previews: false });
    const error = await engine.next('job-error', (e) => e.runId === 'malformed');
    assert.equal(error.error.code, 'internal');
    assert.match(error.error.message, /^the engine failed: TypeError/);
    const done = await engine.next('run-done', (e) => e.runId === 'malformed');
    assert.deepEqual(done, { type: 'run-done', runId: 'malformed', images: 0, errors: 1, cancelled: false });
    const log = await engine.next('log', (e) => e.message.includes('malformed'));
    assert.equal(log.level, 'error');
    engine.send({ type: 'run', runId: 'after', jobs: jobs('red\nseed: 1\nsteps: 1\nsize: 16x16\n'), previews: false });
    const after = await engine.next('run-done', (e) => e.runId === 'after');
    assert.equal(after.images, 1);
    assert.equal(engine.child.exitCode, null, 'the engine is still running');
  });

  test('a new device id (sdprompt.deviceId) reloads the model on it; the same options keep it loaded', async () => {
    const engine = start();
    await engine.next('ready');
    const loads = () => engine.events.filter((e) => e.type === 'model-loaded').length;
    const runOnce = async (runId: string) => {
      engine.send({ type: 'run', runId, jobs: jobs('red circle\nseed: 1\nsteps: 1\nsize: 16x16\n'), previews: false });
      await engine.next('run-done', (e) => e.runId === runId);
    };
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 0, idleMs: 0 } });
    await runOnce('a');
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 0, idleMs: 0 } });
    await runOnce('b');
    assert.equal(loads(), 1);
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 1, idleMs: 0 } });
    await runOnce('c');
    assert.equal(loads(), 2);
  });

  test('exits with code 0 on shutdown', async () => {
    const engine = start();
    await engine.next('ready');
    engine.send({ type: 'shutdown' });
    const exit = await engine.exited;
    assert.equal(exit.code, 0);
  });
});
