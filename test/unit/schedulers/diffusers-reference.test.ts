// Our schedulers against the real diffusers: test/fixtures/schedulers/*.json were computed by
// tools/reference/schedulers.py with diffusers v0.40.0 (each fixture's `origin` says which
// diffusers, torch and numpy), for SD 1.5's hub config, its re-saved form, SD 2.1's v-prediction
// config and made-up variants (other betas, spacings, zero-SNR, DPM options).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler, resolveSampler, type Scheduler } from '../../../src/core/schedulers';
import { initArgs, readBetaOptions } from '../../../src/core/schedulers/config';
import { alphasCumprod } from '../../../src/core/schedulers/training';
import {
  absoluteError,
  loadFixtures,
  relativeError,
  runTrajectory,
  truncatesFirstTimestep,
  scaledError,
  type ReferenceFixture,
  type ReferenceSchedule,
} from './reference';

const fixtures = loadFixtures();

// Tolerances. Our tables and step arithmetic follow torch's float32 operations, so most values
// come out identical; these bounds leave room only for what differs between environments:
// - Karras timesteps of Euler and LMS are fractional. They come from numpy's float32 `log` of the
//   sigma table (numpy's SIMD log is not correctly rounded; ours is) and numpy 1.x's float32
//   promotion in `_sigma_to_t` (the fixtures' numpy 1.24; numpy 2 and we stay in float64). Both
//   move a timestep by under one float32 ulp at 999 (6.1e-5).
const KARRAS_FRACTIONAL_TIMESTEP_ABS = 1e-4;
const SIGMA_REL = 1e-6;
// Trajectories: float32 exp/log of torch vs ours, and LMS's coefficients (scipy's quad on a
// float32 integrand vs exact Gauss–Legendre), relative to the largest latent.
const TRAJECTORY_SCALED = 1e-5;

const worst = { karrasTimestep: 0, sigma: 0, initNoiseSigma: 0, firstStep: 0, final: 0, finalWhere: '' };

function create(name: string, fixture: ReferenceFixture, steps: number): Scheduler {
  const choice = resolveSampler(name);
  assert.ok(choice, `sampler ${name} resolves`);
  const created = createScheduler(choice, fixture.config, steps);
  if (!created.ok) assert.fail(`${name}, ${steps} steps: ${created.error.message}`);
  return created.value;
}

function checkTimesteps(name: string, fixture: ReferenceFixture, reference: ReferenceSchedule, actual: readonly number[]): void {
  const what = `${name}, ${reference.steps} steps: timesteps`;
  if (!reference.timesteps.every(Number.isInteger) || !actual.every(Number.isInteger)) {
    const error = absoluteError([...actual], reference.timesteps);
    worst.karrasTimestep = Math.max(worst.karrasTimestep, error);
    assert.ok(error <= KARRAS_FRACTIONAL_TIMESTEP_ABS, `${what} differ by ${error}`);
    return;
  }
  if (truncatesFirstTimestep(name) && fixture.config['beta_schedule'] === 'squaredcos_cap_v2') {
    // Unrounded, then truncated: σ_max maps to 998.99999996 in float64 (numpy 2, and us) but to
    // exactly 999 under numpy 1.x's float32 promotion, which these fixtures used.
    assert.equal(reference.timesteps[0], 999);
    assert.equal(actual[0], 998);
    assert.deepEqual(actual.slice(1), reference.timesteps.slice(1), what);
    return;
  }
  assert.deepEqual([...actual], reference.timesteps, what);
}

for (const [key, fixture] of fixtures) {
  test(`${key}: the training ᾱ table equals diffusers' bit for bit`, () => {
    assert.match(fixture.origin, /^diffusers \d+\.\d+/);
    const bar = alphasCumprod(readBetaOptions(initArgs('DDIMScheduler', fixture.config)), false);
    assert.deepEqual(Array.from(bar), fixture.alphasCumprod);
  });

  for (const [name, reference] of Object.entries(fixture.samplers)) {
    test(`${key}: ${name} schedules equal diffusers' ${reference.schedules.map((s) => s.steps).join('/')}-step ones`, () => {
      for (const schedule of reference.schedules) {
        const scheduler = create(name, fixture, schedule.steps);
        checkTimesteps(name, fixture, schedule, scheduler.timesteps);
        if (schedule.sigmas === null) {
          assert.equal(scheduler.sigmas, undefined, `${name} has no sigmas`);
        } else {
          assert.ok(scheduler.sigmas, `${name} has sigmas`);
          const error = relativeError([...scheduler.sigmas], schedule.sigmas);
          worst.sigma = Math.max(worst.sigma, error);
          assert.ok(error <= SIGMA_REL, `${name}, ${schedule.steps} steps: sigmas differ by ${error} (relative)`);
        }
        const initError = relativeError([scheduler.initNoiseSigma], [schedule.initNoiseSigma]);
        worst.initNoiseSigma = Math.max(worst.initNoiseSigma, initError);
        assert.ok(initError <= SIGMA_REL, `${name}, ${schedule.steps} steps: init noise sigma ${scheduler.initNoiseSigma}`);
      }
    });

    test(`${key}: ${name} denoises like diffusers (${reference.trajectories.map((t) => t.steps).join('/')} steps)`, () => {
      for (const trajectory of reference.trajectories) {
        const schedule = reference.schedules.find((s) => s.steps === trajectory.steps);
        assert.ok(schedule, `the fixture has the ${trajectory.steps}-step schedule`);
        const { afterFirstStep, final } = runTrajectory(create(name, fixture, trajectory.steps), schedule.timesteps, trajectory.afterCall);
        const where = `${key} ${name} ${trajectory.steps} steps`;
        if (trajectory.error !== undefined) {
          // diffusers finds its first timestep twice in a schedule that repeats it and starts one
          // step late, running off the end; we step by call index and finish.
          assert.equal(schedule.timesteps[0], schedule.timesteps[1], `${where}: why diffusers failed (${trajectory.error})`);
          assert.ok(final.every(Number.isFinite), `${where}: finite result`);
          continue;
        }
        const first = scaledError(afterFirstStep, trajectory.afterFirstStep16!);
        const last = scaledError(final, trajectory.final!);
        worst.firstStep = Math.max(worst.firstStep, first);
        if (last > worst.final) {
          worst.final = last;
          worst.finalWhere = where;
        }
        assert.ok(first <= TRAJECTORY_SCALED, `${where}: after the first step, error ${first}`);
        assert.ok(last <= TRAJECTORY_SCALED, `${where}: final latents, error ${last}`);
      }
    });
  }
}

test('worst errors against the diffusers fixtures (reported)', (t) => {
  assert.ok(fixtures.length >= 8, 'all fixture files were read');
  t.diagnostic(`Karras timesteps (fractional): ${worst.karrasTimestep.toExponential(2)} absolute`);
  t.diagnostic(`sigmas: ${worst.sigma.toExponential(2)} relative; init noise sigma ${worst.initNoiseSigma.toExponential(2)}`);
  t.diagnostic(`trajectories: first step ${worst.firstStep.toExponential(2)}, final ${worst.final.toExponential(2)} (${worst.finalWhere}), relative to the largest latent`);
});
