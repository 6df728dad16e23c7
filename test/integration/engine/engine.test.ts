// The engine process as the extension uses it: forked dist/engine.js, spoken to over IPC.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { EngineRequest } from '../../../src/protocol/engine';
import { jobs, startEngine as start } from './engine-under-test';

/** A ready engine, the number of times it has loaded a model, and a one-image run (which loads one if none is). */
async function countingLoads() {
  const engine = start();
  await engine.next('ready');
  return {
    engine,
    loads: () => engine.events.filter((e) => e.type === 'model-loaded').length,
    runOnce: async (runId: string) => {
      engine.send({ type: 'run', runId, jobs: jobs('red circle\nseed: 1\nsteps: 1\nsize: 16x16\n'), previews: false });
      await engine.next('run-done', (e) => e.runId === runId);
    },
  };
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

  test('answers every malformed or unknown message with invalid-request and takes the next run', async () => {
    const engine = start();
    await engine.next('ready');
    const good = jobs('red\nseed: 1\nsteps: 1\nsize: 16x16\n');
    const hostile: unknown[] = [
      null,
      42,
      'run',
      { type: 'frobnicate' },
      { type: 'run', runId: 'no-jobs', previews: false },
      { type: 'run', runId: 'string-jobs', jobs: 'nope', previews: false },
      { type: 'run', runId: 'null-job', jobs: [null], previews: false },
      { type: 'run', runId: 'null-cfg', jobs: [{ ...good[0], request: { ...good[0]!.request, cfg: null } }], previews: false },
      { type: 'run', runId: 'bad-sampler', jobs: [{ ...good[0], request: { ...good[0]!.request, sampler: { sampler: { id: 'bogus' }, karras: false, name: 'bogus' } } }], previews: false },
      { type: 'run', runId: 'string-size', jobs: [{ ...good[0], request: { ...good[0]!.request, size: '64' } }], previews: false },
      { type: 'run', runId: 'escaping-stem', jobs: [{ ...good[0], stem: '../../escape' }], previews: false },
      { type: 'cancel', runId: 'never-queued' },
      { type: 'configure', options: { executionProvider: 'cpu', threads: 1e9, idleMs: 0 } },
      { type: 'configure', options: { executionProvider: 'cpu', threads: 1, idleMs: 1e12 } },
    ];
    for (const message of hostile) engine.child.send(message as EngineRequest);
    engine.send({ type: 'run', runId: 'after', jobs: good, previews: false });
    const after = await engine.next('run-done', (e) => e.runId === 'after');
    assert.equal(after.images, 1, 'threads and idle time were left as they were');
    const answers = engine.events.filter((e) => e.type === 'invalid-request');
    assert.equal(answers.length, hostile.length, JSON.stringify(answers, null, 1));
    const byRun = new Map(answers.map((e) => [e.type === 'invalid-request' ? e.runId : undefined, e.type === 'invalid-request' ? e.message : '']));
    assert.match(byRun.get('null-cfg')!, /jobs\[0\]: request cfg must be a number from 0 to 100, not null/);
    assert.match(byRun.get('bad-sampler')!, /sampler must name a known sampler/);
    assert.match(byRun.get('string-size')!, /size must be \{ width, height \}, not "64"/);
    assert.match(byRun.get('escaping-stem')!, /stem must be a plain file name stem/);
    const messages = answers.map((e) => (e.type === 'invalid-request' ? e.message : ''));
    assert.ok(messages.some((m) => /^cancel: no run never-queued is queued or running$/.test(m)));
    assert.ok(messages.some((m) => /options.threads must be a whole number from 0 to 256, not 1000000000/.test(m)));
    assert.ok(messages.some((m) => /options.idleMs must be a whole number of milliseconds/.test(m)));
    assert.ok(messages.some((m) => /^a request must be an object, not null$/.test(m)));
    assert.ok(messages.some((m) => /^unknown request type "frobnicate"$/.test(m)));
    assert.ok(!engine.events.some((e) => e.type === 'run-done' && e.runId !== 'after'), 'refused runs get no run-done');
    assert.ok(!engine.events.some((e) => e.type === 'log' && e.level === 'error'), 'nothing reached the error log');
    assert.equal(engine.child.exitCode, null, 'the engine is still running');
  });

  test('a new device id (sdprompt.deviceId) reloads the model on it; the same options keep it loaded', async () => {
    const { engine, loads, runOnce } = await countingLoads();
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 0, idleMs: 0 } });
    await runOnce('a');
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 0, idleMs: 0 } });
    await runOnce('b');
    assert.equal(loads(), 1);
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, deviceId: 1, idleMs: 0 } });
    await runOnce('c');
    assert.equal(loads(), 2);
  });

  test('turning sdprompt.lowMemory on or off reloads the model with it', async () => {
    const { engine, loads, runOnce } = await countingLoads();
    const options = { executionProvider: 'cpu', threads: 1, idleMs: 0 } as const;
    engine.send({ type: 'configure', options });
    await runOnce('a');
    engine.send({ type: 'configure', options: { ...options, lowMemory: true } });
    await runOnce('b');
    engine.send({ type: 'configure', options: { ...options, lowMemory: true } });
    await runOnce('c');
    assert.equal(loads(), 2, 'on: loaded again; the same options: kept');
    engine.send({ type: 'configure', options });
    await runOnce('d');
    assert.equal(loads(), 3, 'off again: loaded again');
  });

  test('a warning about a picture reaches the log with the place of the setting that names it', async () => {
    const engine = start();
    await engine.next('ready');
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-engine-warn-'));
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#48c' } }).png().toFile(path.join(dir, 'init.png'));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toFile(path.join(dir, 'mask.png'));
    engine.send({ type: 'run', runId: 'w', jobs: jobs('red\nseed: 1\nsteps: 1\nsize: 16x16\ninit: init.png\nmask:  mask.png\n', { dir }), previews: false });
    await engine.next('run-done', (e) => e.runId === 'w');
    const warnings = engine.events.flatMap((e) => (e.type === 'log' && e.level === 'warning' ? [e.message] : []));
    const file = path.join(dir, 'e.sdprompt');
    assert.ok(
      warnings.some((m) => m.startsWith(`${file}:6:8: seed 1: `) && /mask/.test(m)),
      `a warning at mask:'s value (line 6, column 8) about the 8x8 mask; got ${JSON.stringify(warnings)}`,
    );
  });

  test('a run id already queued or running is refused, and the first run ends once', async () => {
    const engine = start();
    await engine.next('ready');
    const long = jobs('red\nseed: 1\nsteps: 30\nsize: 64x64\n');
    engine.send({ type: 'run', runId: 'same', jobs: long, previews: false });
    engine.send({ type: 'run', runId: 'same', jobs: long, previews: false });
    const refused = await engine.next('invalid-request');
    assert.deepEqual(refused, { type: 'invalid-request', message: 'run same: that run id is already queued or running' });
    await engine.next('run-done', (e) => e.runId === 'same');
    engine.send({ type: 'run', runId: 'later', jobs: jobs('red\nseed: 2\nsteps: 1\nsize: 16x16\n'), previews: false });
    await engine.next('run-done', (e) => e.runId === 'later');
    assert.equal(engine.events.filter((e) => e.type === 'run-done' && e.runId === 'same').length, 1);
    assert.equal(engine.events.filter((e) => e.type === 'image' && e.runId === 'same').length, 1);
  });

  test('SIGTERM stops the running image after its step, removes temporary files and exits 0', async () => {
    const engine = start();
    await engine.next('ready');
    const planned = jobs('red\nseed: 1, 2\nsteps: 300\nsize: 64x64\n');
    engine.send({ type: 'run', runId: 'long', jobs: planned, previews: false });
    await engine.next('progress', (e) => e.runId === 'long' && e.step === 3);
    engine.child.kill('SIGTERM');
    const exit = await engine.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    const steps = engine.events.filter((e) => e.type === 'progress').length;
    assert.ok(steps < 300, `stopped mid-image (${steps} steps)`);
    const outputDir = planned[0]!.outputDir;
    assert.deepEqual(existsSync(outputDir) ? readdirSync(outputDir) : [], [], 'no image, no temporary file');
  });

  test('exits with code 0 on shutdown', async () => {
    const engine = start();
    await engine.next('ready');
    engine.send({ type: 'shutdown' });
    const exit = await engine.exited;
    assert.equal(exit.code, 0);
  });
});
