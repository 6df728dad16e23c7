import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SAMPLERS,
  a1111Name,
  a1111SamplerNames,
  createScheduler,
  defaultSamplerFor,
  describeSchedule,
  effectiveChoice,
  resolveSampler,
  samplerNames,
  withSchedule,
  type ScheduleType,
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

test('the registry holds the sixteen samplers, by A1111 name, each with the class it follows', () => {
  assert.deepEqual(
    SAMPLERS.map((s) => [s.id, s.a1111[0], s.diffusersClass, s.sigmaBased]),
    [
      ['pndm', 'PLMS', 'PNDMScheduler', false],
      ['ddim', 'DDIM', 'DDIMScheduler', false],
      ['euler', 'Euler', 'EulerDiscreteScheduler', true],
      ['euler_a', 'Euler a', 'EulerAncestralDiscreteScheduler', true],
      ['lms', 'LMS', 'LMSDiscreteScheduler', true],
      ['dpmpp_2m', 'DPM++ 2M', 'DPMSolverMultistepScheduler', true],
      ['heun', 'Heun', 'HeunDiscreteScheduler', true],
      ['dpm2', 'DPM2', 'KDPM2DiscreteScheduler', true],
      ['dpm2_a', 'DPM2 a', 'KDPM2AncestralDiscreteScheduler', true],
      ['dpmpp_2m_sde', 'DPM++ 2M SDE', 'DPMSolverMultistepScheduler', true],
      ['dpmpp_sde', 'DPM++ SDE', 'DPMSolverSDEScheduler', true],
      ['dpmpp_2s_a', 'DPM++ 2S a', "k-diffusion's sample_dpmpp_2s_ancestral", true],
      ['unipc', 'UniPC', 'UniPCMultistepScheduler', true],
      ['lcm', 'LCM', 'LCMScheduler', false],
      ['ddpm', 'DDPM', 'DDPMScheduler', false],
      ['deis', 'DEIS', 'DEISMultistepScheduler', true],
    ],
  );
});

test('canonical names, schedule suffixes and A1111 names (old combined ones too) resolve, in any case', () => {
  const cases: [string, string, ScheduleType][] = [
    ['pndm', 'pndm', 'automatic'],
    ['euler_karras', 'euler', 'karras'],
    ['euler_a_exponential', 'euler_a', 'exponential'],
    ['dpmpp_2m_karras', 'dpmpp_2m', 'karras'],
    ['heun', 'heun', 'automatic'],
    ['dpm2_a_karras', 'dpm2_a', 'karras'],
    ['dpmpp_2m_sde_exponential', 'dpmpp_2m_sde', 'exponential'],
    ['dpmpp_2s_a', 'dpmpp_2s_a', 'automatic'],
    ['Euler a', 'euler_a', 'automatic'],
    ['PLMS', 'pndm', 'automatic'],
    ['DPM++ 2M', 'dpmpp_2m', 'automatic'],
    ['DPM++ 2M Karras', 'dpmpp_2m', 'karras'],
    ['DPM++ SDE Karras', 'dpmpp_sde', 'karras'],
    ['DPM++ 2M SDE Exponential', 'dpmpp_2m_sde', 'exponential'],
    ['DPM2 a Karras', 'dpm2_a', 'karras'],
    ['DPM++ 2S a', 'dpmpp_2s_a', 'automatic'],
    ['UniPC', 'unipc', 'automatic'],
    ['LCM', 'lcm', 'automatic'],
    ['DDPM', 'ddpm', 'automatic'],
    ['DEIS Karras', 'deis', 'karras'],
    ['dpm++ 2m karras', 'dpmpp_2m', 'karras'],
    ['EULER A', 'euler_a', 'automatic'],
    ['  Heun ', 'heun', 'automatic'],
  ];
  for (const [name, id, schedule] of cases) {
    const choice = resolveSampler(name);
    assert.ok(choice, `${name} resolves`);
    assert.deepEqual([choice.sampler.id, choice.schedule], [id, schedule], name);
    assert.equal(choice.name, schedule === 'automatic' ? id : `${id}_${schedule}`, name);
  }
});

test('names that are not samplers do not resolve', () => {
  const names = ['', 'eular', 'pndm_karras', 'ddim_karras', 'PLMS Karras', 'DDIM Karras', 'LCM Karras', 'ddpm_exponential', 'euler-a', 'dpmpp_2m karras', 'Heun Uniform', 'DPM++ 3M SDE', 'DPM fast', 'euler_automatic'];
  for (const name of names) assert.equal(resolveSampler(name), undefined, JSON.stringify(name));
});

test('samplerNames lists every accepted spelling once, canonical names first', () => {
  const names = samplerNames();
  assert.deepEqual(names.slice(0, 7), ['pndm', 'ddim', 'euler', 'euler_karras', 'euler_exponential', 'euler_a', 'euler_a_karras']);
  const canonical = names.filter((n) => /^[a-z0-9_]+$/.test(n));
  assert.equal(canonical.length, 4 + 12 * 3, 'each sampler, and the sigma-based ones with _karras and _exponential');
  assert.deepEqual(names.slice(0, canonical.length), canonical, 'canonical names come first');
  // A1111 names equal to a canonical one but for case (Euler, DDIM, Heun, ...) are not listed twice.
  assert.ok(!names.includes('Euler') && !names.includes('Heun') && names.includes('Euler a') && names.includes('DPM++ 2S a Karras'));
  assert.equal(new Set(names.map((n) => n.toLowerCase())).size, names.length, 'no duplicates ignoring case');
  for (const name of names) assert.ok(resolveSampler(name), `${name} resolves`);
});

test('a1111SamplerNames lists each sampler once, by A1111 name (the panel’s menu)', () => {
  const names = a1111SamplerNames();
  assert.equal(names.length, SAMPLERS.length);
  assert.deepEqual(names.slice(0, 6), ['PLMS', 'DDIM', 'Euler', 'Euler a', 'LMS', 'DPM++ 2M']);
  for (const name of names) assert.equal(resolveSampler(name)?.schedule, 'automatic', name);
});

test('a1111Name gives the sampler as A1111 writes it since 1.9, the schedule apart', () => {
  assert.equal(a1111Name(resolveSampler('euler_a')!), 'Euler a');
  assert.equal(a1111Name(resolveSampler('dpmpp_2m_karras')!), 'DPM++ 2M');
  assert.equal(a1111Name(resolveSampler('pndm')!), 'PLMS');
  assert.equal(withSchedule(resolveSampler('DPM++ 2M Karras')!, 'exponential').name, 'dpmpp_2m_exponential');
});

test("defaultSamplerFor reads the config's class (and DPM-Solver's algorithm), else PNDM; the schedule stays the config's", () => {
  assert.equal(defaultSamplerFor(SD15).name, 'pndm');
  assert.equal(defaultSamplerFor({ _class_name: 'DDIMScheduler' }).name, 'ddim');
  assert.equal(defaultSamplerFor({ _class_name: 'FlaxDDIMScheduler' }).name, 'ddim');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerDiscreteScheduler' }).name, 'euler');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerDiscreteScheduler', use_karras_sigmas: true }).name, 'euler');
  assert.equal(defaultSamplerFor({ _class_name: 'EulerAncestralDiscreteScheduler' }).name, 'euler_a');
  assert.equal(defaultSamplerFor({ _class_name: 'DPMSolverMultistepScheduler' }).name, 'dpmpp_2m');
  assert.equal(defaultSamplerFor({ _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'sde-dpmsolver++' }).name, 'dpmpp_2m_sde');
  assert.equal(defaultSamplerFor({ _class_name: 'UniPCMultistepScheduler' }).name, 'unipc');
  assert.equal(defaultSamplerFor({ _class_name: 'LCMScheduler' }).name, 'lcm');
  assert.equal(defaultSamplerFor({ _class_name: 'KDPM2AncestralDiscreteScheduler' }).name, 'dpm2_a');
  assert.equal(defaultSamplerFor({ _class_name: 'FlowMatchEulerDiscreteScheduler' }).name, 'pndm');
  assert.equal(defaultSamplerFor({}).name, 'pndm');
});

test('effectiveChoice says what runs: the config’s Karras or exponential sigmas, DPM++ 2S a’s Karras', () => {
  const effective = (name: string, config: Record<string, unknown>) => effectiveChoice(resolveSampler(name)!, config).name;
  assert.equal(effective('euler', {}), 'euler');
  assert.equal(effective('euler', { use_karras_sigmas: true }), 'euler_karras');
  assert.equal(effective('dpmpp_2m', { use_exponential_sigmas: true }), 'dpmpp_2m_exponential');
  assert.equal(effective('dpmpp_2m_exponential', { use_karras_sigmas: true }), 'dpmpp_2m_exponential');
  assert.equal(effective('dpmpp_2s_a', {}), 'dpmpp_2s_a_karras');
  // Euler a's class has no such options; DDIM has no sigmas.
  assert.equal(effective('euler_a', { use_karras_sigmas: true }), 'euler_a');
  assert.equal(effective('ddim', { use_karras_sigmas: true }), 'ddim');
});

test('an automatic schedule from a Karras config runs as the explicit Karras one', () => {
  for (const name of ['euler', 'heun', 'dpm2', 'dpmpp_2m', 'dpmpp_sde', 'unipc', 'deis']) {
    const config = { ...SD15, use_karras_sigmas: true };
    const automatic = describeSchedule(resolveSampler(name)!, config, 9);
    const karras = describeSchedule(resolveSampler(`${name}_karras`)!, SD15, 9);
    assert.ok(automatic.ok && karras.ok);
    assert.deepEqual(automatic.value, karras.value, name);
  }
});

test('samplers over training timesteps refuse the Karras and exponential schedules, saying so', () => {
  for (const name of ['pndm', 'ddim', 'lcm', 'ddpm']) {
    for (const schedule of ['karras', 'exponential'] as const) {
      const result = createScheduler(withSchedule(resolveSampler(name)!, schedule), SD15, 10);
      assert.equal(result.ok, false, `${name} ${schedule}`);
      if (!result.ok) {
        assert.equal(result.error.code, 'invalid-request');
        assert.match(result.error.message, new RegExp(`has no ${schedule === 'karras' ? 'Karras' : 'Exponential'} schedule`));
      }
    }
  }
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
