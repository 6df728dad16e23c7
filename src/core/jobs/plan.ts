// From a parsed prompt file to jobs: one job per image (block × seed), with every setting
// resolved except those that depend on the model (sampler and size default to the model's own).
// Which block and which model folder are the format's to say (../format/resolve.ts).

import * as path from 'node:path';
import { formatDiagnostic } from '../diagnostics';
import { fail, ok, type Result } from '../errors';
import { describeBlock, effectiveSettings, type Block, type ParsedFile } from '../format/parse';
import {
  blockErrors,
  blockModel,
  DEFAULT_CFG,
  DEFAULT_STEPS,
  randomSeed,
  type BlockModel,
  type ModelResolution,
} from '../format/resolve';
import type { Size } from '../format/settings';
import type { RngName } from '../noise';
import { outputDirFor, outputStem } from '../outputs/naming';
import type { SamplerChoice } from '../schedulers/registry';

export interface Job {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  /** Absent: the model's own sampler. */
  sampler?: SamplerChoice;
  /** Absent: the model's native size. */
  size?: Size;
  rng: RngName;
  model: BlockModel;
  outputDir: string;
  stem: string;
  source?: { promptFile: string; block: { index: number; name?: string; line: number } };
}

export interface PlanOptions extends ModelResolution {
  randomSeed?: () => number;
}

/** The jobs of one block, one per seed; an error if the block (or the header) has errors. */
export function planBlockJobs(parsed: ParsedFile, block: Block, options: PlanOptions): Result<Job[]> {
  const errors = blockErrors(parsed, block);
  if (errors.length > 0) {
    const first = errors[0]!;
    return fail({
      code: 'invalid-request',
      message: `${describeBlock(block)} has ${errors.length} error${errors.length > 1 ? 's' : ''}:\n${errors.map(formatDiagnostic).join('\n')}`,
      ...(first.file !== undefined ? { file: first.file } : {}),
      line: first.range.start.line,
      column: first.range.start.column,
    });
  }
  const { settings } = effectiveSettings(parsed, block);
  const promptFile = path.resolve(options.promptFile);
  const model = blockModel(parsed, block, options);
  const seeds = settings.seed?.value ?? [(options.randomSeed ?? randomSeed)()];
  const outputDir = outputDirFor(promptFile);
  return ok(
    seeds.map((seed) => ({
      prompt: block.prompt.text,
      negativePrompt: settings.negative?.value ?? '',
      seed,
      steps: settings.steps?.value ?? DEFAULT_STEPS,
      cfg: settings.cfg?.value ?? DEFAULT_CFG,
      ...(settings.sampler ? { sampler: settings.sampler.value } : {}),
      ...(settings.size ? { size: settings.size.value } : {}),
      rng: settings.rng?.value ?? 'numpy',
      model,
      outputDir,
      stem: outputStem(block, seed),
      source: {
        promptFile,
        block: { index: block.index, ...(block.name !== undefined ? { name: block.name } : {}), line: block.startLine },
      },
    })),
  );
}
