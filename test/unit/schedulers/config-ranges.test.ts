// Scheduler configs with values no noise schedule can have (issue 11): each is a model-invalid
// error naming the key, for every sampler, where they used to give NaN sigmas (an all-black
// image), an upside-down steps message or a typed-array exception.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SAMPLERS, checkSchedulerConfig, createScheduler, resolveSampler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';

const BAD: [Record<string, unknown>, string][] = [
  [{ beta_start: -1, beta_end: 5 }, 'scheduler config: `beta_start` must be a number between 0 and 1, not -1'],
  [{ beta_end: 5 }, 'scheduler config: `beta_end` must be a number between 0 and 1, not 5'],
  [{ beta_start: 0 }, 'scheduler config: `beta_start` must be a number between 0 and 1, not 0'],
  [{ beta_start: 0.02, beta_end: 0.001 }, 'scheduler config: `beta_start` (0.02) must not be larger than `beta_end` (0.001)'],
  [{ num_train_timesteps: -5 }, 'scheduler config: `num_train_timesteps` must be an integer from 2 to 100000, not -5'],
  [{ num_train_timesteps: 1e12 }, 'scheduler config: `num_train_timesteps` must be an integer from 2 to 100000, not 1000000000000'],
  [{ num_train_timesteps: 3, trained_betas: [0.1, 2, 0.3] }, 'scheduler config: `trained_betas` must hold numbers between 0 and 1, not 2 (value 2)'],
];

describe('scheduler config ranges', () => {
  test('out-of-range values are refused for every sampler, naming the key', () => {
    for (const [change, message] of BAD) {
      const config = { ...SD15_SCHEDULER_CONFIG, ...change };
      const own = checkSchedulerConfig(config);
      assert.ok(!own.ok, JSON.stringify(change));
      assert.deepEqual(own.error, { code: 'model-invalid', message });
      for (const sampler of SAMPLERS) {
        const created = createScheduler(resolveSampler(sampler.id)!, config, 2);
        assert.ok(!created.ok, `${sampler.id} ${JSON.stringify(change)}`);
        assert.equal(created.error.code, 'model-invalid');
      }
    }
  });

  test('what real models hold is accepted: cosine schedules ignore the beta range', () => {
    assert.ok(checkSchedulerConfig(SD15_SCHEDULER_CONFIG).ok);
    assert.ok(checkSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, beta_schedule: 'squaredcos_cap_v2', beta_start: 0, beta_end: 0 }).ok);
    assert.ok(checkSchedulerConfig({ ...SD15_SCHEDULER_CONFIG, num_train_timesteps: 3, trained_betas: [0.1, 0.2, 0.3] }).ok);
  });
});
