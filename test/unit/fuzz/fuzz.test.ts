// A seeded, time-bounded fuzz test of the format parser, the emphasis parser and the engine's
// message checking (issue 11): each target gets about a second and a half of generated inputs
// (generators.ts) in a worker thread with a memory limit; an input that throws, breaks a
// property (targets.ts) or runs longer than the watchdog allows fails the test with the seed and
// index that make it again. FUZZ_SEED and FUZZ_MS change the seed and the time per target.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { fuzzInput, TARGETS } from './targets';
import type { FuzzJob, FuzzReport } from './worker';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
const BUDGET_MS = Number(process.env['FUZZ_MS'] ?? 1500);
/** An input still running after this long hangs (the slowest legitimate input takes milliseconds). */
const HANG_MS = 10_000;

function showInput(input: unknown): string {
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 400 ? `${text.slice(0, 400)}… (${text.length} characters)` : text;
}

async function runTarget(target: (typeof TARGETS)[number]): Promise<FuzzReport> {
  const progress = new SharedArrayBuffer(4);
  const job: FuzzJob = { target, seed: SEED, budgetMs: BUDGET_MS, progress };
  const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 512 } });
  const index = new Int32Array(progress);
  let last = -1;
  let lastChange = performance.now();
  return new Promise<FuzzReport>((resolve, reject) => {
    const watchdog = setInterval(() => {
      const now = Atomics.load(index, 0);
      if (now !== last) {
        last = now;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > HANG_MS) {
        clearInterval(watchdog);
        // Rejects after the worker stops, whether or not stopping it goes well.
        const fail = () => reject(new Error(`${target}: input ${now} (FUZZ_SEED=${SEED}) ran longer than ${HANG_MS / 1000} s: ${showInput(fuzzInput(target, SEED, now))}`));
        worker.terminate().then(fail, fail);
      }
    }, 250);
    worker.once('message', (report: FuzzReport) => {
      clearInterval(watchdog);
      resolve(report);
    });
    worker.once('error', (e) => {
      clearInterval(watchdog);
      reject(new Error(`${target}: the worker died at input ${Atomics.load(index, 0)} (FUZZ_SEED=${SEED}): ${e.message}: ${showInput(fuzzInput(target, SEED, Atomics.load(index, 0)))}`));
    });
  });
}

describe('fuzz', () => {
  for (const target of TARGETS) {
    test(`${target}: never throws, never hangs, positions stay inside the text`, async (t) => {
      const report = await runTarget(target);
      t.diagnostic(`${target}: ${report.ran} inputs in ${BUDGET_MS} ms (FUZZ_SEED=${SEED})`);
      if ('failedAt' in report) {
        assert.fail(`${target}: input ${report.failedAt} (FUZZ_SEED=${SEED}) failed: ${report.error}\ninput: ${showInput(fuzzInput(target, SEED, report.failedAt))}`);
      }
      assert.ok(report.ran >= 50, `only ${report.ran} inputs ran: the budget is too small to mean anything`);
    });
  }
});
