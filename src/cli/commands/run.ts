import { formatDiagnostic } from '../../core/diagnostics';
import { selectBlocks } from '../../core/format/resolve';
import { checkImageCount, planBlockJobs, type Job } from '../../core/jobs/plan';
import { demoModelDir } from '../../core/models/demo';
import { EXIT, readPromptFile, reportError, stringOption, UsageError, type CommandContext } from '../context';
import * as path from 'node:path';
import { IMAGE_SETTING_KEYS, NOISE_SETTING_KEYS, PIPELINE_SETTING_KEYS, settingFlags } from '../setting-flags';
import { executeJobs, loadOptionsFrom, modelOption } from './execute';

/** The settings `run` takes as flags, over the file's: the schedule type, the noise, image-to-image and pipeline ones. */
export const RUN_SETTING_KEYS = ['schedule', ...NOISE_SETTING_KEYS, ...IMAGE_SETTING_KEYS, ...PIPELINE_SETTING_KEYS] as const;

/** `sdprompt run FILE [--block NAME|INDEX] [--schedule TYPE] [NOISE OPTIONS] [IMAGE OPTIONS]`: every image of the chosen blocks; the flags override the file's settings. */
export async function runCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('run takes one prompt file');
  const asJson = values['json'] === true;
  const loadOptions = loadOptionsFrom(values);
  const read = await readPromptFile(ctx, positionals[0]!, asJson);
  if (!read) return EXIT.invalidInput;
  const { file, parsed } = read;
  for (const d of parsed.diagnostics.filter((d) => d.severity !== 'error')) ctx.stderr(formatDiagnostic(d));
  const blocks = selectBlocks(parsed, stringOption(values['block']));
  if (!blocks.ok) {
    reportError(ctx, blocks.error, asJson);
    return EXIT.invalidInput;
  }
  const count = checkImageCount(parsed, blocks.value);
  if (!count.ok) {
    reportError(ctx, count.error, asJson);
    return EXIT.invalidInput;
  }
  const modelOverride = modelOption(ctx, values);
  // Image, noise and pipeline flags override the file's settings; the files they name are relative to the working directory.
  const { vae, ...overridden } = settingFlags(RUN_SETTING_KEYS, values);
  const overrides = { values: overridden, baseDir: ctx.cwd };
  const vaeOverride = vae === undefined ? {} : { vaeOverride: path.resolve(ctx.cwd, vae) };
  const jobs: Job[] = [];
  let failed = false;
  for (const block of blocks.value) {
    const planned = planBlockJobs(parsed, block, { promptFile: file, defaultModel: demoModelDir(), overrides, ...vaeOverride, ...(modelOverride ? { modelOverride } : {}) });
    if (!planned.ok) {
      failed = true;
      reportError(ctx, planned.error, asJson);
    } else {
      jobs.push(...planned.value);
    }
  }
  if (failed) return EXIT.invalidInput;
  return executeJobs(ctx, jobs, loadOptions, asJson);
}
