// From a parsed prompt file to jobs: one job per image (block × seed), holding what the block
// asks for (its settings and the header's, files resolved against the prompt file). Defaults are
// filled in when the job runs, by resolveImageSettings. Which block and which model folder are
// the format's to say (../format/resolve.ts).

import * as path from 'node:path';
import { formatDiagnostic } from '../diagnostics';
import { fail, ok, type Result } from '../errors';
import { describeBlock, effectiveSettings, type Block, type ParsedFile } from '../format/parse';
import { blockErrors, blockModel, promptOutputDir, randomSeed, resolveModelPath, type BlockModel, type ModelResolution } from '../format/resolve';
import type { SettingValues } from '../format/settings';
import { outputStem } from '../outputs/naming';
import { imageRequest, type ImageRequest } from './image-settings';

export interface Job {
  request: ImageRequest;
  model: BlockModel;
  outputDir: string;
  stem: string;
  source?: { promptFile: string; block: { index: number; name?: string; line: number } };
}

export interface PlanOptions extends ModelResolution {
  randomSeed?: () => number;
  /** Settings that override the file's (the CLI's flags); their files are relative to `baseDir`. */
  overrides?: { values: Partial<SettingValues>; baseDir: string };
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
  const values: Partial<SettingValues> = Object.fromEntries(Object.entries(settings).map(([key, entry]) => [key, entry.value]));
  const overrides = options.overrides?.values ?? {};
  const seeds = overrides.seed ?? values.seed ?? [(options.randomSeed ?? randomSeed)()];
  const outputDir = promptOutputDir(parsed, promptFile);
  const file = (key: 'init' | 'mask' | 'depth', spec: string) => {
    if (overrides[key] !== undefined) return { path: path.resolve(options.overrides!.baseDir, spec), spec };
    const at = settings[key]!.valueRange.start;
    return { path: resolveModelPath(spec, path.dirname(promptFile)), spec, origin: { file: parsed.file ?? promptFile, line: at.line, column: at.column } };
  };
  return ok(
    seeds.map((seed) => ({
      request: imageRequest(block.prompt.text, seed, { ...values, ...overrides }, file),
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
