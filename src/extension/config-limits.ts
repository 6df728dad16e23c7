// The bounds of the numeric settings, with no `vscode` import so tests can check package.json
// against them: the manifest declares them (minimum, maximum) for the Settings editor, and
// readConfig holds every value read to them, since settings.json can say anything.

import { MAX_DEVICE_ID, MAX_THREADS } from '../core/models/providers';

/** A week: longer keeps the model for good in practice, and stays far below Node's timer limit. */
export const MAX_IDLE_MINUTES = 7 * 24 * 60;

export const NUMBER_SETTINGS = {
  threads: { minimum: 0, maximum: MAX_THREADS, default: 0, integer: true },
  deviceId: { minimum: 0, maximum: MAX_DEVICE_ID, default: 0, integer: true },
  idleMinutes: { minimum: 0, maximum: MAX_IDLE_MINUTES, default: 5, integer: false },
} as const;

export type NumberSetting = keyof typeof NUMBER_SETTINGS;

/** A setting's value as the engine may take it: a number within bounds, else the default. */
export function boundedSetting(key: NumberSetting, value: unknown): number {
  const { minimum, maximum, default: fallback, integer } = NUMBER_SETTINGS[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const bounded = Math.min(maximum, Math.max(minimum, value));
  return integer ? Math.floor(bounded) : bounded;
}

/** The engine's idle time for the setting's minutes: whole milliseconds, as the engine takes them. */
export function idleMs(minutes: number): number {
  return Math.round(minutes * 60_000);
}
