// The three sampler families and what they share: each registry sampler sits on one base, the
// base's input scaling and initial noise are those of its form, and the two forms of x̂₀ agree.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NumpyRandomState } from '../../../src/core/noise';
import { createScheduler, resolveSampler, samplerNames } from '../../../src/core/schedulers';
import { AlphaSampler } from '../../../src/core/schedulers/alphaSampler';
import { PREDICTION_TYPES } from '../../../src/core/schedulers/config';
import { originalFromScaledForm, originalFromSigmaForm } from '../../../src/core/schedulers/prediction';
import { SamplerBase } from '../../../src/core/schedulers/scheduler';
import { ancestralSigmas, SigmaSampler } from '../../../src/core/schedulers/sigmaSampler';
import { VpSampler } from '../../../src/core/schedulers/vpSampler';

const SD15 = { beta_end: 0.012, beta_schedule: 'scaled_linear', beta_start: 0.00085, num_train_timesteps: 1000, steps_offset: 1 };
type Family = typeof SigmaSampler | typeof VpSampler | typeof AlphaSampler;
const FAMILY: Record<string, Family> = {
  euler: SigmaSampler,
  euler_a: SigmaSampler,
  lms: SigmaSampler,
  heun: SigmaSampler,
  dpm2: SigmaSampler,
  dpm2_a: SigmaSampler,
  dpmpp_sde: SigmaSampler,
  dpmpp_2s_a: SigmaSampler,
  dpmpp_2m: VpSampler,
  dpmpp_2m_sde: VpSampler,
  unipc: VpSampler,
  deis: VpSampler,
  ddim: AlphaSampler,
  pndm: AlphaSampler,
  ddpm: AlphaSampler,
  lcm: AlphaSampler,
};

describe('sampler families', () => {
  test('every canonical sampler is a SamplerBase of its family, and only of it', () => {
    const canonical = samplerNames().filter((n) => /^[a-z0-9_]+$/.test(n));
    for (const name of canonical) {
      const created = createScheduler(resolveSampler(name)!, SD15, 10);
      assert.ok(created.ok);
      const family = FAMILY[name.replace(/_(karras|exponential)$/, '')];
      assert.ok(family, `${name} has a family in this test`);
      assert.ok(created.value instanceof SamplerBase && created.value instanceof family, `${name} is a ${family.name}`);
      const others = ([SigmaSampler, VpSampler, AlphaSampler] as Family[]).filter((f) => f !== family && created.value instanceof f);
      assert.deepEqual(others, [], `${name} is of one family`);
    }
  });

  test('sigma samplers scale the input by 1/√(σ²+1) and start from σ_max; the others take it as is, from unit noise', () => {
    const x = new NumpyRandomState(1).randn(64);
    for (const name of Object.keys(FAMILY)) {
      const s = createScheduler(resolveSampler(name)!, SD15, 10);
      assert.ok(s.ok);
      const scheduler = s.value;
      if (scheduler instanceof SigmaSampler) {
        const sigma = scheduler.sigmas[3]!;
        const scaled = scheduler.scaleModelInput(x, 3);
        scaled.forEach((v, i) => assert.ok(Math.abs(v - x[i]! / Math.sqrt(sigma * sigma + 1)) < 1e-6));
        assert.ok(scheduler.initNoiseSigma >= Math.max(...scheduler.sigmas) - 1e-6);
      } else {
        assert.equal(scheduler.scaleModelInput(x, 3), x, `${name} passes the sample through`);
        assert.equal(scheduler.initNoiseSigma, 1);
      }
    }
  });

  test('an ancestral step splits σ_to into σ_up² + σ_down² = σ_to², with σ_down ≤ σ_to', () => {
    for (const [sigma, to] of [[14.6, 9.7], [1.2, 0.4], [0.5, 0]] as const) {
      const { up, down } = ancestralSigmas(sigma, to);
      assert.ok(Math.abs(up * up + down * down - to * to) < 1e-5 * Math.max(1, to * to));
      assert.ok(down <= to + 1e-6 && up >= 0);
    }
  });

  test('x̂₀ in the sigma form and in the scaled form agree for every prediction type', () => {
    const n = 256;
    const x0 = new NumpyRandomState(2).randn(n);
    const eps = new NumpyRandomState(3).randn(n);
    for (const sigma of [0.1, 1, 7.5]) {
      const a = 1 / Math.sqrt(sigma * sigma + 1);
      const b = sigma * a;
      const sigmaForm = x0.map((v, i) => v + sigma * eps[i]!);
      const scaledForm = sigmaForm.map((v) => v * a);
      const outputs = { epsilon: eps, v_prediction: eps.map((e, i) => a * e - b * x0[i]!), sample: x0 };
      for (const type of PREDICTION_TYPES) {
        const fromSigma = originalFromSigmaForm(type, outputs[type], sigmaForm, sigma, new Float32Array(n));
        const fromScaled = originalFromScaledForm(type, outputs[type], scaledForm, a, b, new Float32Array(n));
        for (let i = 0; i < n; i++) {
          assert.ok(Math.abs(fromSigma[i]! - x0[i]!) < 1e-4 * (1 + sigma), `${type} σ=${sigma}: sigma form`);
          assert.ok(Math.abs(fromScaled[i]! - x0[i]!) < 1e-4 * (1 + sigma), `${type} σ=${sigma}: scaled form`);
        }
      }
    }
  });
});
