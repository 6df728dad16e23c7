// The schedule types a sampler can be run with (A1111's "Schedule type"), and how each is asked of
// a diffusers class: `automatic` takes the class as `from_config` builds it from the model's
// config (its own timestep spacing, or the Karras or exponential sigmas the config itself asks
// for); `karras` and `exponential` override the config's `use_*_sigmas` flags.

import { raise } from '../errors';
import type { ConfigArgs } from './config';

export const SCHEDULE_TYPES = ['automatic', 'karras', 'exponential'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** A1111's label for each type, as its parameters text writes it. */
export const SCHEDULE_LABELS: Readonly<Record<ScheduleType, string>> = {
  automatic: 'Automatic',
  karras: 'Karras',
  exponential: 'Exponential',
};

/** The schedule type a name means (`karras`, `Karras`, ...), or undefined. */
export function resolveScheduleType(name: string): ScheduleType | undefined {
  const key = name.trim().toLowerCase();
  return SCHEDULE_TYPES.find((type) => type === key);
}

/** How a sigma sampler spaces its noise levels. */
export type SigmaSpacing = 'interpolated' | 'karras' | 'exponential';

/** The `from_config` overrides that ask a class with `use_*_sigmas` flags for `schedule`. */
export function scheduleOverrides(schedule: ScheduleType): Record<string, boolean> {
  if (schedule === 'automatic') return {};
  return { use_karras_sigmas: schedule === 'karras', use_exponential_sigmas: schedule === 'exponential', use_beta_sigmas: false };
}

/**
 * The spacing a class's arguments ask for. Beta sigmas are not implemented, and diffusers refuses
 * more than one flag, so both are `model-invalid`.
 */
export function readSigmaSpacing(args: ConfigArgs): SigmaSpacing {
  const karras = args.flag('use_karras_sigmas');
  const exponential = args.has('use_exponential_sigmas') && args.flag('use_exponential_sigmas');
  if (args.has('use_beta_sigmas')) args.unsupportedUnless('use_beta_sigmas', false);
  if (karras && exponential) {
    raise({ code: 'model-invalid', message: 'scheduler config: only one of `use_karras_sigmas` and `use_exponential_sigmas` can be true' });
  }
  return karras ? 'karras' : exponential ? 'exponential' : 'interpolated';
}
