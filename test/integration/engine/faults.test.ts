// Faults and load on the engine process (issue 11): killed mid-run, its model folder deleted
// during a run, and 200 images queued from several prompt files with cancels in the middle.
// The queue recovers, every finished image is whole, nothing half-written stays, and the
// engine's memory stays flat (measured, printed, and bounded).

import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import type { Job } from '../../../src/core/jobs/plan';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { jobs, startEngine } from './engine-under-test';

/** Every PNG of `paths` decodes to its full size and has its recipe beside it. */
async function assertWhole(paths: readonly string[], width: number, height: number): Promise<void> {
  for (const file of paths) {
    const pixels = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([pixels.info.width, pixels.info.height, pixels.data.length], [width, height, width * height * 3], file);
    const recipe = JSON.parse(readFileSync(file.replace(/\.png$/, '.json'), 'utf8')) as { seed: number };
    assert.equal(typeof recipe.seed, 'number');
  }
}

function partials(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.partial')) : [];
}

describe('engine faults and load', () => {
  test('killed mid-run: a new engine takes the next run into the same folder, and nothing half-written stays', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-killed-'));
    const first = startEngine();
    await first.next('ready');
    const planned = jobs('red\nseed: 1, 2, 3\nsteps: 200\nsize: 64x64\n', { dir });
    first.send({ type: 'run', runId: 'doomed', jobs: planned, previews: true });
    await first.next('progress', (e) => e.runId === 'doomed' && e.index === 0 && e.step === 10);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    const second = startEngine();
    await second.next('ready');
    const again = jobs('red\nseed: 1, 2\nsteps: 2\nsize: 32x32\n', { dir });
    second.send({ type: 'run', runId: 'after', jobs: again, previews: false });
    const done = await second.next('run-done', (e) => e.runId === 'after');
    assert.deepEqual([done.images, done.errors], [2, 0]);
    const written = second.events.flatMap((e) => (e.type === 'image' ? [e.path] : []));
    await assertWhole(written, 32, 32);
    assert.deepEqual(partials(planned[0]!.outputDir), []);
  });

  test('the model folder deleted during a run: the image in progress finishes, the rest fail, the engine lives on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-deleted-'));
    const model = path.join(dir, 'model');
    cpSync(testModelDir('optimum'), model, { recursive: true });
    const engine = startEngine();
    await engine.next('ready');
    const planned = jobs('red\nseed: 1, 2, 3\nsteps: 40\nsize: 64x64\n', { dir, model });
    engine.send({ type: 'run', runId: 'r', jobs: planned, previews: false });
    await engine.next('progress', (e) => e.runId === 'r' && e.index === 0 && e.step === 5);
    rmSync(model, { recursive: true });
    const done = await engine.next('run-done', (e) => e.runId === 'r');
    assert.deepEqual([done.images, done.errors, done.cancelled], [1, 2, false]);
    const errors = engine.events.flatMap((e) => (e.type === 'job-error' ? [e.error] : []));
    assert.deepEqual(errors.map((e) => [e.code, e.file]), [['model-missing', model], ['model-missing', model]]);
    await assertWhole(engine.events.flatMap((e) => (e.type === 'image' ? [e.path] : [])), 64, 64);

    engine.send({ type: 'run', runId: 'next', jobs: jobs('blue\nseed: 4\nsteps: 2\nsize: 16x16\n'), previews: false });
    assert.equal((await engine.next('run-done', (e) => e.runId === 'next')).images, 1);
    assert.ok(!engine.events.some((e) => e.type === 'log' && e.level === 'error'), 'nothing reached the error log');
  });

  test('200 images from five prompt files with cancels in the middle: the queue recovers, memory stays flat', async (t) => {
    const engine = startEngine();
    await engine.next('ready');
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 1, idleMs: 0 } });
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-load-'));
    // Five files, each two runs of 20 seeds: ten runs, 200 jobs.
    const runs: { runId: string; jobs: Job[] }[] = [];
    for (let file = 0; file < 5; file++) {
      for (let half = 0; half < 2; half++) {
        const first = file * 40 + half * 20;
        const text = `${['red', 'blue', 'green', 'cyan', 'white'][file]} circle\nseed: ${first}..${first + 19}\nsteps: 2\nsize: 16x16\nsampler: euler_a\n`;
        runs.push({ runId: `f${file}-${half}`, jobs: jobs(text, { dir, name: `file${file}.sdprompt` }) });
      }
    }
    assert.equal(runs.flatMap((r) => r.jobs).length, 200);
    for (const run of runs) engine.send({ type: 'run', runId: run.runId, jobs: run.jobs, previews: true });
    const memory: number[] = [];
    const sample = () => {
      const bytes = engine.residentBytes();
      if (bytes !== undefined) memory.push(bytes);
    };

    // Cancel one run while it runs, one while it waits, and change the options mid-run (applied after it).
    await engine.next('progress', (e) => e.runId === 'f1-0' && e.index === 5);
    engine.send({ type: 'cancel', runId: 'f1-0' });
    engine.send({ type: 'cancel', runId: 'f3-1' });
    engine.send({ type: 'configure', options: { executionProvider: 'cpu', threads: 2, idleMs: 0 } });
    for (const run of runs) {
      await engine.next('run-done', (e) => e.runId === run.runId);
      sample();
    }

    const done = new Map(engine.events.flatMap((e) => (e.type === 'run-done' ? [[e.runId, e] as const] : [])));
    assert.equal(done.size, 10, 'every run ended, once');
    assert.equal(done.get('f1-0')!.cancelled, true);
    assert.ok(done.get('f1-0')!.images >= 5 && done.get('f1-0')!.images < 20, `cancelled mid-run after ${done.get('f1-0')!.images} images`);
    assert.deepEqual([done.get('f3-1')!.cancelled, done.get('f3-1')!.images], [true, 0]);
    const completed = runs.filter((r) => r.runId !== 'f1-0' && r.runId !== 'f3-1');
    for (const run of completed) assert.deepEqual([done.get(run.runId)!.images, done.get(run.runId)!.errors], [20, 0], run.runId);

    const written = engine.events.flatMap((e) => (e.type === 'image' ? [e.path] : []));
    assert.equal(written.length, 160 + done.get('f1-0')!.images);
    assert.equal(new Set(written).size, written.length, 'no image written twice');
    await assertWhole(written, 16, 16);
    assert.deepEqual(partials(path.join(dir, 'file0')), []);
    assert.deepEqual(partials(path.join(dir, 'file1')), []);
    assert.ok(!engine.events.some((e) => e.type === 'invalid-request' || (e.type === 'log' && e.level === 'error')));

    // Memory: after the first two runs (the model loaded, the arenas grown) it must not keep growing.
    if (memory.length === 0) {
      t.diagnostic('resident memory not measured: no /proc on this system');
      return;
    }
    const mib = (b: number) => (b / 2 ** 20).toFixed(1);
    const settled = memory[2]!;
    const last = memory.at(-1)!;
    const peak = Math.max(...memory);
    t.diagnostic(`engine resident memory after each run (MiB): ${memory.map(mib).join(', ')}; from run 3 to run 10: ${mib(last - settled)} MiB`);
    assert.ok(last - settled < 64 * 2 ** 20, `the engine's memory grew by ${mib(last - settled)} MiB over 7 runs of 20 images`);
    assert.ok(peak - settled < 96 * 2 ** 20, `peak ${mib(peak)} MiB against ${mib(settled)} MiB after run 3`);
  });
});
