// Progress as the runs report it: sampler steps as `steps:` counts them, and UNet calls beside
// them, for samplers of one call a step, two (Heun), and PLMS's doubled first step, from the start
// of a run or part of the way down (image to image).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressAt } from '../../../src/core/pipelines/denoise';
import { createScheduler, resolveSampler, type Scheduler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';

function scheduler(name: string, steps: number): Scheduler {
  const created = createScheduler(resolveSampler(name)!, SD15_SCHEDULER_CONFIG, steps);
  assert.ok(created.ok);
  return created.value;
}

/** [steps done, of, call, of] after each call from `start`. */
function progress(s: Scheduler, start = 0): number[][] {
  const last = s.timesteps.length - 1;
  return Array.from({ length: last - start + 1 }, (_, k) => {
    const p = progressAt(s, start, last, start + k);
    return [p.step, p.total, p.call, p.calls];
  });
}

test('one call a step: steps and calls go together', () => {
  assert.deepEqual(progress(scheduler('euler', 3)), [[1, 3, 1, 3], [2, 3, 2, 3], [3, 3, 3, 3]]);
});

test('Heun: a step is done after its second call; the last step is one call', () => {
  assert.deepEqual(progress(scheduler('heun', 3)), [[0, 3, 1, 5], [1, 3, 2, 5], [1, 3, 3, 5], [2, 3, 4, 5], [3, 3, 5, 5]]);
  // Image to image from step 1 (call 2): two steps, three calls.
  assert.deepEqual(progress(scheduler('heun', 3), 2), [[0, 2, 1, 3], [1, 2, 2, 3], [2, 2, 3, 3]]);
});

test('PLMS: its first step takes two calls', () => {
  assert.deepEqual(progress(scheduler('pndm', 3)), [[0, 3, 1, 4], [1, 3, 2, 4], [2, 3, 3, 4], [3, 3, 4, 4]]);
});
