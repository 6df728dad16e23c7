// The schedule type in a prompt file: the `schedule:` setting, sampler names that name one (A1111's
// older combined names), which of them a block runs with, the parser's checks, and the panel's
// menu edits that keep the two in step.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyTextEdits, planMenuEdit } from '../../../src/core/format/edit';
import { parseSdprompt } from '../../../src/core/format/parse';
import { blockSampler, blockSchedule } from '../../../src/core/format/schedule';
import { SETTINGS } from '../../../src/core/format/settings';
import { planBlockJobs } from '../../../src/core/jobs/plan';

describe('the schedule setting', () => {
  test('takes automatic, karras and exponential in any case, under its aliases too', () => {
    for (const [text, value] of [['karras', 'karras'], ['Exponential', 'exponential'], [' AUTOMATIC ', 'automatic']] as const) {
      const parsed = SETTINGS.schedule.parse(text);
      assert.ok(parsed.ok && parsed.value === value, text);
    }
    const file = parseSdprompt('--- a\nred\nschedule_type: Karras\n--- b\nblue\nscheduler: exponential\n');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.blocks.map((b) => b.settings.schedule?.value), ['karras', 'exponential']);
  });

  test('an unknown schedule type is a located error with a suggestion', () => {
    const file = parseSdprompt('--- a\nred\nschedule: karas\n');
    assert.equal(file.diagnostics.length, 1);
    const [d] = file.diagnostics;
    assert.equal(d!.message, "unknown schedule type 'karas'; did you mean 'karras'?");
    assert.deepEqual([d!.severity, d!.range.start, d!.range.end], ['error', { line: 3, column: 11 }, { line: 3, column: 16 }]);
    const far = SETTINGS.schedule.parse('polyexponential');
    assert.ok(!far.ok && far.problem.message === "unknown schedule type 'polyexponential'; known schedule types: automatic, karras, exponential");
  });

  test('an unknown sampler name is a located error with a suggestion', () => {
    const file = parseSdprompt('--- a\nred\nsampler: DPM++ 2M Karas\n');
    assert.equal(file.diagnostics[0]!.message, "unknown sampler 'DPM++ 2M Karas'; did you mean 'DPM++ 2M Karras'?");
    assert.deepEqual(file.diagnostics[0]!.range.start, { line: 3, column: 10 });
  });
});

describe('which schedule a block runs with', () => {
  const file = parseSdprompt(
    [
      'sampler: DPM++ 2M Karras',
      '--- inherits',
      'a',
      '--- own schedule',
      'b',
      'schedule: exponential',
      '--- own combined name',
      'c',
      'sampler: Heun Exponential',
      '--- plain sampler',
      'd',
      'sampler: Euler',
    ].join('\n'),
  );
  const [inherits, own, combined, plain] = file.blocks;

  test('the nearest wins: the block’s schedule line or combined name, then the header’s', () => {
    assert.deepEqual(blockSchedule(file.header, inherits!.settings), { schedule: 'karras', origin: 'header', by: 'sampler' });
    assert.deepEqual(blockSchedule(file.header, own!.settings), { schedule: 'exponential', origin: 'block', by: 'schedule' });
    assert.deepEqual(blockSchedule(file.header, combined!.settings), { schedule: 'exponential', origin: 'block', by: 'sampler' });
    // A plain name in the block asks for nothing; the header's combined name still does.
    assert.deepEqual(blockSchedule(file.header, plain!.settings), { schedule: 'karras', origin: 'header', by: 'sampler' });
    assert.deepEqual([inherits, own, combined, plain].map((b) => blockSampler(file.header, b!.settings)?.name), ['dpmpp_2m_karras', 'dpmpp_2m_exponential', 'heun_exponential', 'euler_karras']);
  });

  test('jobs carry the sampler and the schedule asked for; the CLI’s --schedule overrides them', () => {
    const jobs = file.blocks.map((block) => planBlockJobs(file, block, { promptFile: '/p/x.sdprompt', defaultModel: '/m', randomSeed: () => 1 }));
    const overridden = planBlockJobs(file, file.blocks[0]!, { promptFile: '/p/x.sdprompt', defaultModel: '/m', randomSeed: () => 1, overrides: { values: { schedule: 'automatic' }, baseDir: '/' } });
    assert.ok(overridden.ok && overridden.value[0]!.request.schedule === 'automatic');
    assert.deepEqual(jobs.map((j) => (j.ok ? [j.value[0]!.request.sampler?.name, j.value[0]!.request.schedule] : j.error.message)), [
      ['dpmpp_2m_karras', 'karras'],
      ['dpmpp_2m_karras', 'exponential'],
      ['heun_exponential', 'exponential'],
      ['euler', 'karras'],
    ]);
  });

  test('the parser warns where a schedule line overrides its own sampler’s name, and refuses a schedule a sampler cannot take', () => {
    const checked = parseSdprompt('--- a\nred\nsampler: DPM++ 2M Karras\nschedule: exponential\n--- b\nblue\nsampler: DDIM\nschedule: karras\n--- c\ngreen\nsampler: LCM Karras\n');
    assert.deepEqual(
      checked.diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.message]),
      [
        ['warning', 'schedule-overrides-sampler', 4, "'schedule: exponential' overrides the Karras schedule that 'DPM++ 2M Karras' names"],
        ['error', 'schedule-unsupported', 8, 'DDIM has no Karras schedule: it steps over training timesteps, not sigmas (use schedule: automatic)'],
        ['error', 'invalid-sampler', 11, "unknown sampler 'LCM Karras'; did you mean 'LMS Karras'?"],
      ],
    );
  });
});

describe('planMenuEdit', () => {
  const edited = (text: string, key: 'sampler' | 'schedule', value: string): string => {
    const plan = planMenuEdit(parseSdprompt(text), 1, key, value);
    assert.ok(plan.ok, plan.ok ? '' : plan.message);
    return applyTextEdits(text, [plan.edit]);
  };

  test('picking a sampler keeps the schedule the block’s combined name asks for, where the new sampler takes it', () => {
    assert.equal(edited('--- a\nred\nsampler: DPM++ 2M Karras\n', 'sampler', 'Euler'), '--- a\nred\nsampler: Euler Karras\n');
    assert.equal(edited('--- a\nred\nsampler: DPM++ 2M Karras\n', 'sampler', 'DDIM'), '--- a\nred\nsampler: DDIM\n');
    assert.equal(edited('--- a\nred\nsampler: dpmpp_2m\n', 'sampler', 'Heun'), '--- a\nred\nsampler: Heun\n');
  });

  test('picking a schedule rewrites a combined name, else writes a schedule line', () => {
    assert.equal(edited('--- a\nred\nsampler: DPM++ 2M Karras\n', 'schedule', 'exponential'), '--- a\nred\nsampler: DPM++ 2M Exponential\n');
    assert.equal(edited('--- a\nred\nsampler: DPM++ 2M Karras\n', 'schedule', 'automatic'), '--- a\nred\nsampler: DPM++ 2M\n');
    assert.equal(edited('--- a\nred\nsampler: Euler\n', 'schedule', 'karras'), '--- a\nred\nsampler: Euler\nschedule: karras\n');
    assert.equal(edited('--- a\nred\nschedule: karras\n', 'schedule', 'exponential'), '--- a\nred\nschedule: exponential\n');
  });
});
