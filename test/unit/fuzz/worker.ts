// The fuzz loop, in a worker thread so that the test can stop it if an input hangs it: it runs
// inputs of one target until its time is up, writing the index of the input it is on into
// shared memory for the watchdog, and posts how many it ran, or the first that failed.

import { parentPort, workerData } from 'node:worker_threads';
import { checkInput, fuzzInput, type Target } from './targets';

export interface FuzzJob {
  target: Target;
  seed: number;
  budgetMs: number;
  /** Int32Array over a SharedArrayBuffer: [0] is the index of the input being checked. */
  progress: SharedArrayBuffer;
}

export type FuzzReport = { ran: number } | { ran: number; failedAt: number; error: string };

function fuzz(job: FuzzJob): FuzzReport {
  const progress = new Int32Array(job.progress);
  const deadline = performance.now() + job.budgetMs;
  let index = 0;
  for (; performance.now() < deadline; index++) {
    Atomics.store(progress, 0, index);
    try {
      checkInput(job.target, fuzzInput(job.target, job.seed, index));
    } catch (e) {
      return { ran: index + 1, failedAt: index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }
  return { ran: index };
}

parentPort?.postMessage(fuzz(workerData as FuzzJob));
