// diffusers' timestep spacing rules (Lin et al. 2023, table 2, as diffusers v0.40.0 implements
// them), checked directly. Expected lists are worked out from the rules by hand and were
// confirmed with numpy (np.linspace / np.arange / np.round, which rounds half to even).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discreteTimesteps, dpmSolverTimesteps, sigmaSamplerTimesteps } from '../../../src/core/schedulers/spacing';
import { plmsTimesteps } from '../../../src/core/schedulers/pndm';
import { npArange, roundHalfEven, torchLinspaceF32, fmaF32, f32 } from '../../../src/core/schedulers/numerics';

const T = 1000;

test('leading: multiples of T // n counting down, plus steps_offset', () => {
  assert.deepEqual(discreteTimesteps({ spacing: 'leading', steps: 10, numTrainTimesteps: T, stepsOffset: 1 }), [
    901, 801, 701, 601, 501, 401, 301, 201, 101, 1,
  ]);
  assert.deepEqual(discreteTimesteps({ spacing: 'leading', steps: 3, numTrainTimesteps: T, stepsOffset: 0 }), [666, 333, 0]);
  assert.deepEqual(sigmaSamplerTimesteps({ spacing: 'leading', steps: 4, numTrainTimesteps: T, stepsOffset: 1 }), [751, 501, 251, 1]);
});

test('linspace: 0..T−1 evenly, rounded half to even for DDIM/PNDM, kept fractional (float32) for sigma samplers', () => {
  // linspace(0, 999, 7) = 0, 166.5, 333, 499.5, 666, 832.5, 999
  assert.deepEqual(discreteTimesteps({ spacing: 'linspace', steps: 7, numTrainTimesteps: T, stepsOffset: 5 }), [
    999, 832, 666, 500, 333, 166, 0,
  ]);
  assert.deepEqual(sigmaSamplerTimesteps({ spacing: 'linspace', steps: 7, numTrainTimesteps: T, stepsOffset: 5 }), [
    999, 832.5, 666, 499.5, 333, 166.5, 0,
  ]);
  assert.deepEqual(sigmaSamplerTimesteps({ spacing: 'linspace', steps: 10, numTrainTimesteps: T, stepsOffset: 0 }).slice(0, 3), [
    999,
    f32(888),
    f32(777),
  ]);
  // One step: numpy's linspace of one point is its start.
  assert.deepEqual(sigmaSamplerTimesteps({ spacing: 'linspace', steps: 1, numTrainTimesteps: T, stepsOffset: 0 }), [0]);
});

test('trailing: round(arange(T, 0, −T/n)) − 1, ignoring steps_offset', () => {
  assert.deepEqual(discreteTimesteps({ spacing: 'trailing', steps: 10, numTrainTimesteps: T, stepsOffset: 1 }), [
    999, 899, 799, 699, 599, 499, 399, 299, 199, 99,
  ]);
  assert.deepEqual(discreteTimesteps({ spacing: 'trailing', steps: 3, numTrainTimesteps: T, stepsOffset: 0 }), [999, 666, 332]);
  assert.deepEqual(sigmaSamplerTimesteps({ spacing: 'trailing', steps: 7, numTrainTimesteps: T, stepsOffset: 0 }), [
    999, 856, 713, 570, 428, 285, 142,
  ]);
  // numpy's float arange makes 62 values for 61 steps; the last rounds to 0, hence −1.
  const odd = discreteTimesteps({ spacing: 'trailing', steps: 61, numTrainTimesteps: T, stepsOffset: 0 });
  assert.equal(odd.length, 62);
  assert.deepEqual(odd.slice(-3), [32, 15, -1]);
});

test('DPM-Solver spaces n+1 points and drops the last (linspace, leading); trailing as the others', () => {
  const input = { steps: 10, numTrainTimesteps: T, stepsOffset: 1 };
  assert.deepEqual(dpmSolverTimesteps({ ...input, spacing: 'linspace' }, T), [999, 899, 799, 699, 599, 500, 400, 300, 200, 100]);
  assert.deepEqual(dpmSolverTimesteps({ ...input, spacing: 'leading' }, T), [901, 811, 721, 631, 541, 451, 361, 271, 181, 91]);
  assert.deepEqual(dpmSolverTimesteps({ ...input, spacing: 'trailing' }, T), [999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
  // lambda_min_clipped removing the 40 noisiest training steps:
  assert.deepEqual(dpmSolverTimesteps({ ...input, spacing: 'linspace' }, 960).slice(0, 2), [959, 863]);
});

test('PLMS repeats the second timestep: n steps, n+1 calls', () => {
  assert.deepEqual(plmsTimesteps([901, 801, 701, 601]), [901, 801, 801, 701, 601]);
  assert.deepEqual(plmsTimesteps([501, 1]), [501, 1, 1]);
  assert.deepEqual(plmsTimesteps([1]), [1]);
});

test('numpy and torch arithmetic the schedules rely on', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 166.5, 832.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, -0, -2, 166, 832, 2, 3]);
  // np.arange(1000, 0, -1000/3) as numpy gives it: the step is added once, then start + i·delta
  // with delta = (start + step) − start (1000 − 2·1000/3 would be 333.33333333333337).
  assert.deepEqual(npArange(1000, 0, -1000 / 3), [1000, 666.6666666666667, 333.3333333333335]);
  // torch.linspace(0.0291547594742265, 0.10954451150103323, 1000) (float32, torch 1.13 CPU), first,
  // middle and last values; an unfused `start + step·i` gets 128 of the 1000 wrong.
  const betas = torchLinspaceF32(Math.sqrt(0.00085), Math.sqrt(0.012), 1000);
  assert.equal(betas[0], f32(Math.sqrt(0.00085)));
  assert.equal(betas[999], f32(Math.sqrt(0.012)));
  // fmaF32 rounds once. a·b + c = 1 + 3·2⁻²⁴ − 2⁻⁷⁰ rounds to 1 + 2⁻²³; in a double it becomes
  // the float32 tie 1 + 3·2⁻²⁴, which would round to even, 1 + 2⁻²².
  const a = 2 ** -12 * (1 - 2 ** -23);
  const b = 2 ** -12 * (1 + 2 ** -23);
  const c = 1 + 2 ** -23;
  assert.equal(f32(a * b + c), 1 + 2 ** -22);
  assert.equal(fmaF32(a, b, c), 1 + 2 ** -23);
  assert.equal(fmaF32(-a, b, -c), -(1 + 2 ** -23));
  assert.equal(fmaF32(3, 5, 0.25), 15.25);
});
