// Which schedule type a block asks for. A sampler's name can name one too (A1111's older
// combined names, `DPM++ 2M Karras`), so the nearest wins: the block's `schedule:`, else the
// schedule its own sampler names, else the header's likewise; none is the sampler's automatic.
// Within one block (or the header) a `schedule:` that differs from its sampler's name wins, and
// the parser warns; a schedule a sampler cannot take is an error where both are known.

import type { Diagnostic } from '../diagnostics';
import { a1111Name, withSchedule, type SamplerChoice } from '../schedulers/registry';
import { SCHEDULE_LABELS, type ScheduleType } from '../schedulers/scheduleTypes';
import type { Settings } from './parse';

export interface ScheduleSetting {
  schedule: ScheduleType;
  /** Where it is written: the block or the header; and whether by `schedule:` or in the sampler's name. */
  origin: 'block' | 'header';
  by: 'schedule' | 'sampler';
}

/** What one section (a block's own settings, or the header) says about the schedule. */
function sectionSchedule(settings: Settings, origin: ScheduleSetting['origin']): ScheduleSetting | undefined {
  if (settings.schedule) return { schedule: settings.schedule.value, origin, by: 'schedule' };
  const named = settings.sampler?.value.schedule;
  return named && named !== 'automatic' ? { schedule: named, origin, by: 'sampler' } : undefined;
}

/** The schedule a block asks for, if any (see the top of this file). */
export function blockSchedule(header: Settings, block: Settings): ScheduleSetting | undefined {
  return sectionSchedule(block, 'block') ?? sectionSchedule(header, 'header');
}

/** The sampler a block runs (undefined: the model's own), with the schedule it asks for applied. */
export function blockSampler(header: Settings, block: Settings): SamplerChoice | undefined {
  const sampler = (block.sampler ?? header.sampler)?.value;
  const schedule = blockSchedule(header, block)?.schedule;
  return sampler && schedule ? withSchedule(sampler, schedule) : sampler;
}

type Report = (severity: Diagnostic['severity'], message: string, where: Diagnostic['range'], code: string) => void;

/** The parser's checks: a `schedule:` beside a sampler name that names another, and a schedule a written sampler cannot take. */
export function checkSchedules(header: Settings, blocks: readonly Settings[], report: Report): void {
  for (const settings of [header, ...blocks]) {
    const { schedule, sampler } = settings;
    const named = sampler?.value.schedule;
    if (schedule && sampler && named !== 'automatic' && named !== schedule.value) {
      report(
        'warning',
        `'schedule: ${schedule.text}' overrides the ${SCHEDULE_LABELS[named!]} schedule that '${sampler.text}' names`,
        schedule.valueRange,
        'schedule-overrides-sampler',
      );
    }
  }
  const reported = new Set<unknown>();
  for (const block of [header, ...blocks]) {
    const sampler = (block.sampler ?? header.sampler)?.value;
    const asked = blockSchedule(header, block);
    if (!sampler || !asked || asked.schedule === 'automatic' || sampler.sampler.sigmaBased) continue;
    const entry = asked.by === 'schedule' ? (block.schedule ?? header.schedule) : (block.sampler ?? header.sampler);
    if (!entry || reported.has(entry)) continue;
    reported.add(entry);
    report(
      'error',
      `${a1111Name(sampler)} has no ${SCHEDULE_LABELS[asked.schedule]} schedule: it steps over training timesteps, not sigmas (use schedule: automatic)`,
      entry.valueRange,
      'schedule-unsupported',
    );
  }
}
