import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SAMPLERS,
  a1111Name,
  createScheduler,
  defaultSamplerFor,
  describeSchedule,
  resolveSampler,
  samplerNames,
} from '../../../src/core/schedulers';

// stable-diffusion-v1-5's scheduler_config.json (see tools/reference/schedulers.py).
const SD15 = {
  _class_name: 'PNDMScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

test('the registry holds the six samplers of format v1, sigma-based ones marked', () => {
  assert.deepEqual(
    SAMPLERS.map((s) => [s.id, s.diffusersClass, s.sigmaBased]),
    [
      ['pndm', 'PNDMScheduler', false],
      ['ddim', 'DDIMScheduler', false],
      ['euler', 'EulerDiscreteScheduler', true],
      ['euler_a', 'EulerAncestralDiscreteScheduler', true],
      ['lms', 'LMSDiscreteScheduler', true],
      ['dpmpp_2m', 'DPMSolverMultistepScheduler', true],
    ],
  );
});

test('canonical names, Karras suffixes and A1111 names resolve, in any case', () => {
  const cases: [string, string][] = [
    ['pndm', 'pndm'],
    ['ddim', 'ddim'],
    ['euler', 'euler'],
    ['euler_a', 'euler_a'],
    ['lms', 'lms'],
    ['dpmpp_2m', 'dpmpp_2m'],
    ['euler_karras', 'euler_karras'],
    ['euler_a_karras', 'euler_a_karras'],
    ['lms_karras', 'lms_karras'],
    ['dpmpp_2m_karras', 'dpmpp_2m_karras'],
    ['Euler', 'euler'],
    ['Euler a', 'euler_a'],
    ['DDIM', 'ddim'],
    ['PLMS', 'pndm'],
    ['LMS', 'lms'],
    ['LMS Karras', 'lms_karras'],
    ['DPM++ 2M', 'dpmpp_2m'],
    ['DPM++ 2M Karras', 'dpmpp_2m_karras'],
    ['dpm++ 2m karras', 'dpmpp_2m_karras'],
    ['EULER A', 'euler_a'],
    ['DPMPP_2M_KARRAS', 'dpmpp_2m_karras'],
    ['  Euler a ', 'euler_a'],
  ];
  for (const [name, canonical] of cases) {
    const choice = resolveSampler(name);
    assert.ok(choice, `${name} resolves`);
    assert.equal(choice.name, canonical, name);
    assert.equal(choice.karras, canonical.endsWith('_karras'), name);
    assert.equal(choice.sampler.id, canonical.replace(/_karras$/, ''), name);
  }
});

test('names that are not samplers do not resolve', () => {
  for (const name of ['', 'eular', 'pndm_karras', 'ddim_karras', 'PLMS Karras', 'DDIM Karras', 'euler-a', 'dpmpp_2m karras', 'DPM++ 2S a', 'Heun']) {
    assert.equal(resolveSampler(name), undefined, JSON.stringify(name));
  }
});

test('samplerNames lists every accepted spelling once, canonical names first', () => {
  const names = samplerNames();
  assert.deepEqual(names.slice(0, 10), [
    'pndm',
    'ddim',
    'euler',
    'euler_karras',
    'euler_a',
    'euler_a_karras',
    'lms',
    'lms_karras',
    'dpmpp_2m',
    'dpmpp_2m_karras',
  ]);
  // A1111 names equal to a canonical one but for case (Euler, DDIM, LMS) are not listed twice.
  assert.deepEqual(names.slice(10), [
    'PLMS',
    'Euler Karras',
    'Euler a',
    'Euler a Karras',
    'LMS Karras',
    'DPM++ 2M',
    'DPM++ 2M Karras',
  ]);
  assert.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length, 'no duplicates ignoring case');
  for (const name of names) assert.ok(resolveSampler(name), `${name} resolves`);
});

test('a1111Name gives the name A1111 writes in its parameters text', () => {
  assert.equal(a1111Name(resolveSampler('euler_a')!), 'Euler a');
  assert.equal(a1111Name(resolveSampler('dpmpp_2m_karras')!), 'DPM++ 2M Karras');
  assert.equal(a1111Name(resolveSampler('pndm')!), 'PLMS');
});

test("defaultSamplerFor reads the config's class and use_karras_sigmas, else PNDM", () => {
  assert.equal(defaultSamplerFor(SD15).name, 'pndm');
  assert.equal(defaultSamplerFor({ _class_name: 'DDIMScheduler' }).name, 'ddim');
  assert.equal(defaultSamplerFor({ _class_name: 'FlaxDDIMScheduler' }).name, 'ddim');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerDiscreteScheduler' }).name, 'euler');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerDiscreteScheduler', use_karras_sigmas: true }).name, 'euler_karras');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerAncestralDiscreteScheduler' }).name, 'euler_a');
  assert.equal(defaultSamplerFor({ _class_name: 'LMSDiscreteScheduler', use_karras_sigmas: false }).name, 'lms');
  assert.equal(defaultSamplerFor({ _class_name: 'DPMSolverMultistepScheduler', use_karras_sigmas: true }).name, 'dpmpp_2m_karras');
  assert.equal(defaultSamplerFor({ _class_name: 'PNDMScheduler', use_karras_sigmas: true }).name, 'pndm');
  assert.equal(defaultSamplerFor({ _class_name: 'UniPCMultistepScheduler' }).name, 'pndm');
  assert.equal(defaultSamplerFor({}).name, 'pndm');
});

test('createScheduler rejects step counts outside 1..num_train_timesteps as invalid-request', () => {
  const euler = resolveSampler('euler')!;
  for (const steps of [0, -1, 1.5, 1001, Number.NaN]) {
    const result = createScheduler(euler, SD15, steps);
    assert.equal(result.ok, false, `steps ${steps}`);
    if (!result.ok) {
      assert.equal(result.error.code, 'invalid-request');
      assert.match(result.error.message, /steps must be an integer from 1 to 1000/);
    }
  }
  const small = createScheduler(euler, { ...SD15, num_train_timesteps: 200 }, 201);
  assert.equal(small.ok, false);
  assert.ok(createScheduler(euler, SD15, 1000).ok);
});

test('createScheduler reports a config it cannot honour as model-invalid, naming the key', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['euler', { beta_schedule: 'cubic' }, /`beta_schedule` must be one of linear, scaled_linear, squaredcos_cap_v2/],
    ['ddim', { thresholding: true }, /`thresholding: true` is not supported/],
    ['euler_a', { prediction_type: 'sample' }, /EulerAncestralDiscreteScheduler does not support `prediction_type: sample`/],
    ['pndm', { prediction_type: 'sample' }, /PNDMScheduler does not support/],
    ['euler', { interpolation_type: 'log_linear' }, /interpolation_type/],
    ['euler', { timestep_spacing: 'even' }, /`timestep_spacing` must be one of linspace, leading, trailing/],
    ['lms', { steps_offset: -1 }, /`steps_offset` must be an integer ≥ 0/],
    ['dpmpp_2m', { trained_betas: [0.1, 0.2] }, /`trained_betas` has 2 values but `num_train_timesteps` is 1000/],
    ['dpmpp_2m', { use_lu_lambdas: true }, /use_lu_lambdas/],
    ['dpmpp_2m', { lower_order_final: 'yes' }, /`lower_order_final` must be true or false/],
    ['dpmpp_2m', { solver_type: 'rk4' }, /`solver_type` must be one of midpoint, heun/],
  ];
  for (const [name, change, message] of cases) {
    const result = createScheduler(resolveSampler(name)!, { ...SD15, ...change }, 20);
    assert.equal(result.ok, false, `${name} ${JSON.stringify(change)}`);
    if (!result.ok) {
      assert.equal(result.error.code, 'model-invalid');
      assert.match(result.error.message, message);
    }
  }
  // Keys a class does not know are ignored, as from_config ignores them.
  assert.ok(createScheduler(resolveSampler('pndm')!, { ...SD15, thresholding: true, interpolation_type: 'x' }, 20).ok);
});

test('timesteps outside the training table are refused for DDIM and PLMS', () => {
  // numpy's float arange gives 62 trailing timesteps for 61 steps, the last −1.
  const trailing = { ...SD15, timestep_spacing: 'trailing' };
  for (const name of ['ddim', 'pndm']) {
    const result = createScheduler(resolveSampler(name)!, trailing, 61);
    assert.equal(result.ok, false, name);
    if (!result.ok) {
      assert.equal(result.error.code, 'invalid-request');
      assert.match(result.error.message, /timestep -1, outside its 1000 training steps; choose another number of steps/);
    }
    assert.ok(createScheduler(resolveSampler(name)!, trailing, 60).ok);
  }
  const offset = createScheduler(resolveSampler('ddim')!, { ...SD15, steps_offset: 150 }, 10);
  assert.equal(offset.ok, false);
  if (!offset.ok) assert.match(offset.error.message, /timestep 1050.*check steps_offset/);
  // The sigma samplers clamp, as np.interp does, and keep diffusers' extra timestep.
  const euler = describeSchedule(resolveSampler('euler')!, trailing, 61);
  assert.ok(euler.ok);
  if (euler.ok) {
    assert.equal(euler.value.timesteps.length, 62);
    assert.equal(euler.value.timesteps.at(-1), -1);
  }
});

test('describeSchedule gives the timesteps, and the sigmas of sigma samplers', () => {
  const pndm = describeSchedule(resolveSampler('pndm')!, SD15, 4);
  assert.ok(pndm.ok);
  if (pndm.ok) assert.deepEqual(pndm.value, { timesteps: [751, 501, 501, 251, 1] });
  const euler = describeSchedule(resolveSampler('euler')!, SD15, 2);
  assert.ok(euler.ok);
  if (euler.ok) {
    assert.deepEqual(euler.value.timesteps, [999, 0]);
    assert.equal(euler.value.sigmas?.length, 3);
    assert.equal(euler.value.sigmas?.[2], 0);
  }
  assert.equal(describeSchedule(resolveSampler('euler')!, SD15, 0).ok, false);
});
