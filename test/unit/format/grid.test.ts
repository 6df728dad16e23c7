// The grid: setting: its axes read by each setting's own parser, its problems located, its cells
// and the jobs a block with a grid plans.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gridCells } from '../../../src/core/format/grid';
import { parseSdprompt } from '../../../src/core/format/parse';
import { SETTINGS } from '../../../src/core/format/settings';
import { resolveImageSettings } from '../../../src/core/jobs/image-settings';
import { planBlockJobs } from '../../../src/core/jobs/plan';

const parseGrid = (text: string) => SETTINGS.grid.parse(text);

describe('grid: values', () => {
  test('one axis or two, each value read by its setting’s parser', () => {
    const one = parseGrid('cfg 5, 7.5, 9');
    assert.ok(one.ok);
    assert.deepEqual(one.value.axes.map((a) => [a.key, a.values.map((v) => [v.text, v.setting])]), [
      ['cfg', [['5', { cfg: 5 }], ['7.5', { cfg: 7.5 }], ['9', { cfg: 9 }]]],
    ]);
    const two = parseGrid('sampler euler, Euler a, DPM++ 2M Karras x Seed 1..2, 9');
    assert.ok(two.ok);
    assert.deepEqual(two.value.axes.map((a) => [a.key, a.values.map((v) => v.text)]), [
      ['sampler', ['euler', 'Euler a', 'DPM++ 2M Karras']],
      ['seed', ['1', '2', '9']],
    ]);
    assert.equal((two.value.axes[0]!.values[2]!.setting.sampler as { name: string }).name, 'dpmpp_2m_karras');
    const aliases = parseGrid('cfg_scale 3 × denoising_strength 0.5, 1');
    assert.ok(aliases.ok);
    assert.deepEqual(aliases.value.axes.map((a) => a.key), ['cfg', 'strength']);
  });

  test('problems say what and where (offset and length inside the value)', () => {
    const problem = (text: string) => {
      const r = parseGrid(text);
      return r.ok ? 'accepted' : [r.problem.message, text.slice(r.problem.offset, r.problem.offset + r.problem.length)];
    };
    assert.deepEqual(problem('cgf 5, 7'), ["a grid sweeps seed, cfg, steps, sampler, schedule, strength; not 'cgf': did you mean 'cfg'?", 'cgf']);
    assert.deepEqual(problem('size 64x64'), ["a grid sweeps seed, cfg, steps, sampler, schedule, strength; not 'size'", 'size']);
    assert.deepEqual(problem('schedule karras, uniform'), ["a schedule is automatic, karras or exponential; not 'uniform'", 'uniform']);
    assert.deepEqual(problem('schedule'), ["the grid's schedule axis needs values, such as 'schedule karras, …'", 'schedule']);
    assert.deepEqual(problem('cfg 5, seven'), ["cfg must be a number such as 7 or 7.5, not 'seven'", 'seven']);
    assert.deepEqual(problem('steps 10 x sampler euler, eulr'), ["unknown sampler 'eulr'; did you mean 'euler'?", 'eulr']);
    assert.deepEqual(problem('seed 5..2'), ['the range 5..2 runs backwards; write 2..5', '5..2']);
    assert.deepEqual(problem('cfg 5, ,7'), ["an empty value in the grid's cfg axis", ' ']);
    assert.deepEqual(problem('cfg'), ["the grid's cfg axis needs values, such as 'cfg 7, …'", 'cfg']);
    assert.deepEqual(problem('cfg 5 x cfg 7'), ['the grid sweeps cfg twice', 'cfg 7']);
    assert.deepEqual(problem('cfg 5 x steps 2 x seed 1'), ['a grid has at most two axes: columns x rows', 'seed 1']);
    assert.deepEqual(problem('seed 1..11 x steps 1..10'.replace('1..10', Array.from({ length: 10 }, (_, i) => i + 1).join(', '))), [
      'the grid has 110 cells; at most 100, each an image',
      'seed 1..11 x steps 1, 2, 3, 4, 5, 6, 7, 8, 9, 10',
    ]);
  });

  test('a schedule axis: karras or automatic, any case, as written; its cells carry it apart from the settings', () => {
    const grid = parseGrid('schedule Karras, automatic x cfg 5');
    assert.ok(grid.ok);
    assert.deepEqual(gridCells(grid.value).map((c) => [c.column, c.setting, c.schedule, c.labels.map((l) => l.text)]), [
      [0, { cfg: 5 }, 'karras', ['Karras', '5']],
      [1, { cfg: 5 }, 'automatic', ['automatic', '5']],
    ]);
  });

  test('cells in reading order: rows of columns', () => {
    const grid = parseGrid('cfg 5, 7 x steps 10, 20');
    assert.ok(grid.ok);
    assert.deepEqual(gridCells(grid.value).map((c) => [c.column, c.row, c.setting]), [
      [0, 0, { cfg: 5, steps: 10 }], [1, 0, { cfg: 7, steps: 10 }],
      [0, 1, { cfg: 5, steps: 20 }], [1, 1, { cfg: 7, steps: 20 }],
    ]);
  });

  test('in a file: problems at their column; a seed axis makes seed: moot; strength needs an init', () => {
    const parsed = parseSdprompt('--- a\nred\nseed: 3\ngrid: seed 1, 2 x strength 0.5\n--- b\nblue\ngrid: steps 2, x\n', 'p.sdprompt');
    assert.deepEqual(parsed.diagnostics.map((d) => [d.severity, d.range.start.line, d.range.start.column, d.message]), [
      ['warning', 3, 1, "the grid's seed axis gives the seeds: seed: has no effect"],
      ['warning', 4, 1, 'a strength axis has no effect without an init image'],
      ['error', 7, 16, 'steps must be a whole number from 1 to 1000'],
    ]);
  });
});

describe('planning a block with a grid', () => {
  const plan = (text: string) => {
    const parsed = parseSdprompt(text);
    const jobs = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: '/p/s.sdprompt', defaultModel: '/m', randomSeed: () => 42 });
    assert.ok(jobs.ok);
    return jobs.value;
  };

  test('one grid per seed: each seed × cell a job whose request carries the cell’s settings', () => {
    const jobs = plan('--- sky\nblue\nseed: 1, 2\ncfg: 3\ngrid: steps 4, 8\n');
    assert.deepEqual(jobs.map((j) => [j.stem, j.request.seed, j.request.cfg, j.request.steps, j.grid?.stem, j.grid?.column]), [
      ['sky-1-steps-4', 1, 3, 4, 'sky-1-grid', 0],
      ['sky-1-steps-8', 1, 3, 8, 'sky-1-grid', 1],
      ['sky-2-steps-4', 2, 3, 4, 'sky-2-grid', 0],
      ['sky-2-steps-8', 2, 3, 8, 'sky-2-grid', 1],
    ]);
  });

  test('a schedule axis: each cell the block’s sampler with that schedule, resolved with the model', () => {
    const jobs = plan('--- a\nred\nseed: 3\nsampler: DPM++ 2M Karras\ngrid: schedule automatic, karras\n');
    assert.deepEqual(jobs.map((j) => [j.stem, j.request.schedule]), [['a-3-schedule-automatic', 'automatic'], ['a-3-schedule-karras', 'karras']]);
    const context = { schedulerConfig: { _class_name: 'PNDMScheduler' }, unetChannels: 4, unetFile: '/m/unet/model.onnx' };
    const resolved = jobs.map((j) => resolveImageSettings(j.request, context));
    assert.deepEqual(resolved.map((r) => (r.ok ? r.value.sampler.name : r.error.message)), ['dpmpp_2m', 'dpmpp_2m_karras']);
    // Without a sampler: the model's own (PNDM), which has no Karras schedule.
    const pndm = plan('--- a\nred\nseed: 3\ngrid: schedule karras\n').map((j) => resolveImageSettings(j.request, context));
    assert.deepEqual(pndm.map((r) => (r.ok ? r.value.sampler.name : r.error.message)), ['the karras schedule needs a sampler that steps on sigmas (euler, euler_a, lms, dpmpp_2m, …); pndm does not']);
  });

  test('a block without seeds gets one random seed for its grid; a seed axis gives one grid', () => {
    assert.deepEqual(plan('--- a\nred\ngrid: cfg 1, 2\n').map((j) => [j.stem, j.request.seed]), [['a-42-cfg-1', 42], ['a-42-cfg-2', 42]]);
    assert.deepEqual(plan('--- a\nred\ngrid: sampler Euler a x seed 7, 8\n').map((j) => [j.stem, j.request.seed, j.request.sampler?.name, j.grid?.stem, j.grid?.row]), [
      ['a-7-sampler-euler-a', 7, 'euler_a', 'a-grid', 0],
      ['a-8-sampler-euler-a', 8, 'euler_a', 'a-grid', 1],
    ]);
  });
});
