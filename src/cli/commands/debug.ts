import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SETTINGS, type SettingValues } from '../../core/format/settings';
import { schedulerConfigError } from '../../core/models/folder';
import { applyVariation, createNoiseSource, MAX_SEED, seedFits, type RngName } from '../../core/noise';
import { a1111Name, describeSchedule, effectiveChoice, withSchedule, type SchedulerConfig } from '../../core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../core/schedulers/sd15';
import { EXIT, integerOption, reportError, stringOption, UsageError, type CommandContext } from '../context';
import { modelOption } from './execute';

/** A seed flag's value in the source's own range (wider than a prompt file's: 64 bits for torch and NV). */
function seedFlag(name: string, text: string, rng: RngName): bigint {
  if (!/^\d+$/.test(text) || !seedFits(rng, BigInt(text))) throw new UsageError(`--${name}: ${rng} seeds are whole numbers from 0 to ${MAX_SEED[rng]}, not ${text}`);
  return BigInt(text);
}

/**
 * `sdprompt debug noise --seed S --shape 1,4,8,8 [--rng numpy|torch|nv] [--subseed S
 * --subseed-strength X]`: an image's starting noise, for reproducibility reports, with a variation
 * seed as A1111 blends it in. Seeds go to each source's own range: 32 bits for numpy, 64 for torch
 * and NV (ComfyUI's seeds), wider than a prompt file's.
 */
export async function debugNoiseCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>): Promise<number> {
  const rngText = stringOption(values['rng']) ?? 'numpy';
  const rng = SETTINGS.rng.parse(rngText);
  if (!rng.ok) throw new UsageError(`--rng: ${rng.problem.message}`);
  const seedText = stringOption(values['seed']);
  if (seedText === undefined) throw new UsageError('--seed is required');
  const seed = seedFlag('seed', seedText, rng.value);
  const shapeText = stringOption(values['shape']) ?? '1,4,8,8';
  if (!/^\d+(,\d+)*$/.test(shapeText)) throw new UsageError('--shape must be sizes separated by commas, such as 1,4,8,8');
  const shape = shapeText.split(',').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count < 1 || count > 1 << 24) throw new UsageError('--shape must hold from 1 to 16777216 values');
  let noise = createNoiseSource(rng.value, seed).randn(count);
  const strengthText = stringOption(values['subseed-strength']);
  const subseedText = stringOption(values['subseed']);
  if ((strengthText === undefined) !== (subseedText === undefined)) throw new UsageError('--subseed and --subseed-strength go together');
  if (strengthText !== undefined && subseedText !== undefined) {
    const strength = SETTINGS.subseed_strength.parse(strengthText);
    if (!strength.ok) throw new UsageError(`--subseed-strength: ${strength.problem.message}`);
    // A1111's slerp works on one image's [channels, height, width].
    if (shape.length !== 4 || shape[0] !== 1) throw new UsageError('--subseed needs the shape of one image, 1,C,H,W');
    const variation = { rng: rng.value, subseed: seedFlag('subseed', subseedText, rng.value), strength: strength.value };
    noise = applyVariation(noise, variation, [shape[1]!, shape[2]!, shape[3]!]);
  }
  // The seed as JSON: a number while it is one exactly, else its digits as a string.
  const seedJson = seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seedText;
  ctx.stdout(JSON.stringify({ seed: seedJson, shape, rng: rng.value, values: Array.from(noise) }));
  return EXIT.ok;
}

/** A flag's value checked by the prompt-file setting's own parser (so it says what is wrong and suggests). */
function settingOption<K extends 'sampler' | 'schedule'>(key: K, text: string | undefined): SettingValues[K] | undefined {
  if (text === undefined) return undefined;
  const parsed = SETTINGS[key].parse(text.trim());
  if (!parsed.ok) throw new UsageError(`--${key}: ${parsed.problem.message}`);
  return parsed.value as SettingValues[K];
}

/**
 * `sdprompt debug schedule --sampler NAME [--schedule TYPE] --steps N [--model DIR]`: the
 * timesteps and sigmas of every UNet call, as diffusers gives them (the sigma of each call and a
 * final one, for the sigma samplers), and the schedule type they follow on that model.
 */
export async function debugScheduleCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>): Promise<number> {
  const sampler = settingOption('sampler', stringOption(values['sampler']));
  if (sampler === undefined) throw new UsageError('--sampler is required');
  const schedule = settingOption('schedule', stringOption(values['schedule']));
  const steps = integerOption('steps', values['steps'], 1, 1000);
  if (steps === undefined) throw new UsageError('--steps is required');
  let config: SchedulerConfig = SD15_SCHEDULER_CONFIG;
  const model = modelOption(ctx, values);
  if (model) {
    const file = path.join(model, 'scheduler', 'scheduler_config.json');
    try {
      config = JSON.parse(await readFile(file, 'utf8')) as SchedulerConfig;
    } catch (e) {
      reportError(ctx, { code: 'model-invalid', message: `cannot read the scheduler config: ${(e as Error).message}`, file }, false);
      return EXIT.model;
    }
  }
  const choice = effectiveChoice(schedule ? withSchedule(sampler, schedule) : sampler, config);
  const described = describeSchedule(choice, config, steps);
  if (!described.ok) {
    const modelError = described.error.code === 'model-invalid';
    reportError(ctx, modelError && model ? schedulerConfigError(described.error, model) : described.error, false);
    return modelError ? EXIT.model : EXIT.invalidInput;
  }
  ctx.stdout(JSON.stringify({ sampler: a1111Name(choice), schedule: choice.schedule, ...described.value }));
  return EXIT.ok;
}
