import * as path from 'node:path';
import { SETTINGS, type SettingKey, type SettingValues } from '../../core/format/settings';
import { DEFAULT_CFG, DEFAULT_STEPS, randomSeed } from '../../core/format/resolve';
import type { Job } from '../../core/jobs/plan';
import { demoModelDir } from '../../core/models/demo';
import { promptStem } from '../../core/outputs/naming';
import { stringOption, UsageError, type CommandContext } from '../context';
import { executeJobs, loadOptionsFrom, modelOption } from './execute';

/** An option's value checked by the same rules as the setting in a prompt file. */
function setting<K extends SettingKey>(key: K, option: string, values: Record<string, string | boolean | undefined>): SettingValues[K] | undefined {
  const text = stringOption(values[option]);
  if (text === undefined) return undefined;
  const parsed = SETTINGS[key].parse(text.trim());
  if (!parsed.ok) throw new UsageError(`--${option}: ${parsed.problem.message}`);
  return parsed.value;
}

/** `sdprompt generate --prompt TEXT …`: one image set without a prompt file. */
export async function generateCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const prompt = stringOption(values['prompt']);
  if (prompt === undefined) throw new UsageError('--prompt is required');
  const loadOptions = loadOptionsFrom(values);
  const seeds = setting('seed', 'seed', values) ?? [randomSeed()];
  const sampler = setting('sampler', 'sampler', values);
  const size = setting('size', 'size', values);
  const modelDir = modelOption(ctx, values) ?? demoModelDir();
  const outputDir = path.resolve(ctx.cwd, stringOption(values['out']) ?? '.');
  const jobs: Job[] = seeds.map((seed) => ({
    prompt,
    negativePrompt: stringOption(values['negative']) ?? '',
    seed,
    steps: setting('steps', 'steps', values) ?? DEFAULT_STEPS,
    cfg: setting('cfg', 'cfg', values) ?? DEFAULT_CFG,
    ...(sampler ? { sampler } : {}),
    ...(size ? { size } : {}),
    rng: setting('rng', 'rng', values) ?? 'numpy',
    model: { dir: modelDir, spec: stringOption(values['model']) ?? modelDir },
    outputDir,
    stem: promptStem(prompt, seed),
  }));
  return executeJobs(ctx, jobs, loadOptions, values['json'] === true);
}
