import * as path from 'node:path';
import { randomSeed } from '../../core/format/resolve';
import { imageRequest } from '../../core/jobs/image-settings';
import { promptLengthProblem } from '../../core/format/limits';
import type { Job } from '../../core/jobs/plan';
import { demoModelDir } from '../../core/models/demo';
import { promptStem } from '../../core/outputs/naming';
import { imageSettingProblems } from '../../core/format/image-values';
import { EXIT, stringOption, UsageError, type CommandContext } from '../context';
import { flagName, IMAGE_SETTING_KEYS, NOISE_SETTING_KEYS, PIPELINE_SETTING_KEYS, settingFlags } from '../setting-flags';
import { executeJobs, loadOptionsFrom, modelOption } from './execute';

/** The settings `generate` takes as flags besides the image ones. */
export const GENERATE_SETTING_KEYS = ['negative', 'seed', 'steps', 'cfg', 'sampler', 'schedule', 'size', ...NOISE_SETTING_KEYS, ...IMAGE_SETTING_KEYS, ...PIPELINE_SETTING_KEYS] as const;

/** `sdprompt generate --prompt TEXT …`: one image set without a prompt file; files are relative to the working directory. */
export async function generateCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const prompt = stringOption(values['prompt']);
  if (prompt === undefined) throw new UsageError('--prompt is required');
  const loadOptions = loadOptionsFrom(values);
  const settings = settingFlags(GENERATE_SETTING_KEYS, values);
  for (const [option, text, what] of [['prompt', prompt, 'prompt'], ['negative', settings.negative ?? '', 'negative prompt']] as const) {
    const problem = promptLengthProblem(text, what);
    if (problem) throw new UsageError(`--${option}: ${problem}`);
  }
  // The checks a prompt file's block gets, on the flags.
  const problems = imageSettingProblems(settings);
  for (const p of problems) ctx.stderr(`sdprompt: --${flagName(p.key)}: ${p.severity}: ${p.message}`);
  if (problems.some((p) => p.severity === 'error')) return EXIT.invalidInput;
  const modelDir = modelOption(ctx, values) ?? demoModelDir();
  const outputDir = path.resolve(ctx.cwd, stringOption(values['out']) ?? '.');
  const file = (_key: string, spec: string) => ({ path: path.resolve(ctx.cwd, spec), spec });
  const jobs: Job[] = (settings.seed ?? [randomSeed()]).map((seed) => ({
    request: imageRequest(prompt, seed, settings, file),
    model: { dir: modelDir, spec: stringOption(values['model']) ?? modelDir, ...(settings.vae !== undefined ? { vae: { dir: path.resolve(ctx.cwd, settings.vae), spec: settings.vae } } : {}) },
    ...(settings.batch !== undefined && settings.batch > 1 ? { batch: settings.batch } : {}),
    outputDir,
    stem: promptStem(prompt, seed),
  }));
  return executeJobs(ctx, jobs, loadOptions, values['json'] === true);
}
