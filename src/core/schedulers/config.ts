// Reading scheduler_config.json the way diffusers' `Cls.from_config(config)` does: a class takes
// the keys its constructor knows, and its own defaults for the rest, so switching samplers keeps
// the model's betas but, e.g., takes the new class's default `timestep_spacing` when the file has
// none. Defaults are those of diffusers v0.40.0. Everything else reads configs through here.

import { raise } from '../errors';
import { CLASS_DEFAULTS, type DiffusersSchedulerClass } from './classDefaults';
import type { SchedulerConfig } from './scheduler';

/**
 * The constructor arguments `cls.from_config(config, **overrides)` would pass: the keys `cls`
 * knows, minus those the file lists in `_use_default_values`, then the overrides, and the
 * class defaults for everything else.
 */
export function initArgs(
  cls: DiffusersSchedulerClass,
  config: SchedulerConfig,
  overrides: Readonly<Record<string, unknown>> = {},
): ConfigArgs {
  const defaults = CLASS_DEFAULTS[cls];
  const usedDefaults = Array.isArray(config['_use_default_values']) ? (config['_use_default_values'] as unknown[]) : [];
  const args: Record<string, unknown> = { ...defaults };
  const hidden: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (usedDefaults.includes(key) || key.startsWith('_')) continue;
    if (Object.hasOwn(defaults, key)) args[key] = value;
    else hidden[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (Object.hasOwn(defaults, key)) args[key] = value;
  }
  return new ConfigArgs(cls, args, hidden);
}

function invalid(message: string): never {
  return raise({ code: 'model-invalid', message: `scheduler config: ${message}` });
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** Typed access to one class's arguments; a value of the wrong kind raises a `model-invalid` UserError. */
export class ConfigArgs {
  constructor(
    readonly cls: DiffusersSchedulerClass,
    private readonly args: Readonly<Record<string, unknown>>,
    /**
     * The file's other keys. `from_config` registers them on the scheduler's config too, where
     * `hasattr(self.config, ...)` finds them (DPM-Solver's `sigma_min` and `sigma_max`).
     */
    private readonly hidden: Readonly<Record<string, unknown>>,
  ) {}

  /**
   * `self.config.<key>` where the class asks `hasattr(self.config, key)`: its own parameter if it
   * has one, else the file's hidden key; absent or null is undefined.
   */
  configNumber(key: string): number | undefined {
    return this.has(key) ? this.optionalNumber(key) : this.hiddenNumber(key);
  }

  /** A number among the hidden keys; absent or null is undefined. */
  hiddenNumber(key: string): number | undefined {
    const value = this.hidden[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || Number.isNaN(value)) invalid(`\`${key}\` must be a number, not ${show(value)}`);
    return value;
  }

  /** Whether the class has the parameter `key`. */
  has(key: string): boolean {
    return Object.hasOwn(this.args, key);
  }

  private raw(key: string): unknown {
    if (!Object.hasOwn(this.args, key)) throw new Error(`${this.cls} has no parameter ${key}`);
    return this.args[key];
  }

  number(key: string): number {
    const value = this.raw(key);
    if (typeof value !== 'number' || Number.isNaN(value)) invalid(`\`${key}\` must be a number, not ${show(value)}`);
    return value;
  }

  optionalNumber(key: string): number | undefined {
    return this.raw(key) === null ? undefined : this.number(key);
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.number(key);
    if (!Number.isInteger(value) || value < min || value > max) {
      invalid(max === Number.MAX_SAFE_INTEGER ? `\`${key}\` must be an integer ≥ ${min}, not ${show(value)}` : `\`${key}\` must be an integer from ${min} to ${max}, not ${show(value)}`);
    }
    return value;
  }

  /** A probability-like number strictly between 0 and 1 (a beta, a noise fraction). */
  fraction(key: string): number {
    const value = this.number(key);
    if (!(value > 0 && value < 1)) invalid(`\`${key}\` must be a number between 0 and 1, not ${show(value)}`);
    return value;
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    return typeof value === 'string' ? value : undefined;
  }

  /** Python truthiness for the flags diffusers declares `bool | None`. */
  flag(key: string): boolean {
    const value = this.raw(key);
    if (value === null) return false;
    if (typeof value !== 'boolean') invalid(`\`${key}\` must be true or false, not ${show(value)}`);
    return value;
  }

  choice<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.raw(key);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      invalid(`\`${key}\` must be one of ${allowed.join(', ')}, not ${show(value)}`);
    }
    return value as T;
  }

  optionalNumbers(key: string): number[] | undefined {
    const value = this.raw(key);
    if (value === null) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number')) {
      invalid(`\`${key}\` must be a list of numbers or null`);
    }
    return value as number[];
  }

  /** For options we do not implement: the default is fine, anything else is an error. */
  unsupportedUnless(key: string, expected: unknown): void {
    const value = this.raw(key);
    if (value !== expected && !(expected === false && value === null)) {
      invalid(`\`${key}: ${show(value)}\` is not supported by sdprompt's ${this.cls} (only ${show(expected)})`);
    }
  }
}

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
/** What a UNet predicts: the noise, v (Salimans & Ho 2022), or the clean sample. */
export const PREDICTION_TYPES = ['epsilon', 'v_prediction', 'sample'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';

/** How the training noise schedule is made: the part of the config every class shares. */
export interface BetaOptions {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas: readonly number[] | undefined;
  rescaleBetasZeroSnr: boolean;
}

/** More training timesteps than any model has; bounds the tables made from the config. */
export const MAX_TRAIN_TIMESTEPS = 100_000;

export function readBetaOptions(args: ConfigArgs): BetaOptions {
  const numTrainTimesteps = args.integer('num_train_timesteps', 2, MAX_TRAIN_TIMESTEPS);
  const trainedBetas = args.optionalNumbers('trained_betas');
  if (trainedBetas && trainedBetas.length !== numTrainTimesteps) {
    invalid(`\`trained_betas\` has ${trainedBetas.length} values but \`num_train_timesteps\` is ${numTrainTimesteps}`);
  }
  const badBeta = trainedBetas?.findIndex((b) => !(b > 0 && b < 1));
  if (trainedBetas && badBeta !== undefined && badBeta >= 0) {
    invalid(`\`trained_betas\` must hold numbers between 0 and 1, not ${show(trainedBetas[badBeta])} (value ${badBeta + 1})`);
  }
  const betaSchedule: BetaSchedule = trainedBetas
    ? // With trained betas diffusers ignores beta_schedule, except that DPM-Solver still asks
      // whether it is squaredcos_cap_v2.
      args.string('beta_schedule') === 'squaredcos_cap_v2' ? 'squaredcos_cap_v2' : 'linear'
    : args.choice('beta_schedule', ['linear', 'scaled_linear', 'squaredcos_cap_v2']);
  // The linear schedules make every beta from these two: outside (0, 1) the noise levels are
  // not numbers (an all-black image), and reversed they run the wrong way.
  const rangeUsed = !trainedBetas && betaSchedule !== 'squaredcos_cap_v2';
  const betaStart = rangeUsed ? args.fraction('beta_start') : args.number('beta_start');
  const betaEnd = rangeUsed ? args.fraction('beta_end') : args.number('beta_end');
  if (rangeUsed && betaStart > betaEnd) invalid(`\`beta_start\` (${betaStart}) must not be larger than \`beta_end\` (${betaEnd})`);
  return {
    numTrainTimesteps,
    betaStart,
    betaEnd,
    betaSchedule,
    trainedBetas,
    rescaleBetasZeroSnr: args.has('rescale_betas_zero_snr') && args.flag('rescale_betas_zero_snr'),
  };
}

export function readSpacing(args: ConfigArgs): { spacing: TimestepSpacing; stepsOffset: number } {
  return {
    spacing: args.choice('timestep_spacing', ['linspace', 'leading', 'trailing']),
    stepsOffset: args.integer('steps_offset', 0),
  };
}

/** The prediction types `cls` accepts, as its `step` does in diffusers. */
export function readPredictionType(args: ConfigArgs, allowed: readonly PredictionType[]): PredictionType {
  const value = args.choice('prediction_type', ['epsilon', 'v_prediction', 'sample', 'original_sample', 'flow_prediction']);
  const normalised = value === 'original_sample' && args.cls === 'EulerDiscreteScheduler' ? 'sample' : value;
  if (!(allowed as readonly string[]).includes(normalised)) {
    invalid(`${args.cls} does not support \`prediction_type: ${value}\` (it takes ${allowed.join(', ')})`);
  }
  return normalised as PredictionType;
}
