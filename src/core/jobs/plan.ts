// From a parsed prompt file to jobs: one job per image (block × seed × grid cell), holding what the block
// asks for (its settings and the header's, files resolved against the prompt file). Defaults are
// filled in when the job runs, by resolveImageSettings. Which block and which model folder are
// the format's to say (../format/resolve.ts).

import * as path from 'node:path';
import { formatDiagnostic } from '../diagnostics';
import { fail, ok, type Result, type UserError } from '../errors';
import { MAX_IMAGES_PER_RUN } from '../format/limits';
import { blockSchedule } from '../format/schedule';
import { describeBlock, effectiveSettings, type Block, type ParsedFile } from '../format/parse';
import { blockErrors, blockModel, promptOutputDir, randomSeed, resolveModelPath, type BlockModel, type ModelResolution } from '../format/resolve';
import type { SettingValues } from '../format/settings';
import { gridCells, type GridCell, type GridKey } from '../format/grid';
import { blockStem, gridCellSuffix, outputStem } from '../outputs/naming';
import { imageRequest, type ImageRequest } from './image-settings';

/** A job that is one cell of a grid: the grid's file stem, the cell's place, and the axes' labels (columns, then rows). */
export interface JobGrid {
  stem: string;
  column: number;
  row: number;
  axes: { key: GridKey; values: string[] }[];
}

export interface Job {
  request: ImageRequest;
  model: BlockModel;
  /** Seeds of the block denoised together (`batch:`); absent: one at a time. */
  batch?: number;
  outputDir: string;
  stem: string;
  source?: { promptFile: string; block: { index: number; name?: string; line: number } };
  grid?: JobGrid;
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
  // The schedule is the nearest one written, a sampler's combined name included (format/schedule.ts).
  const schedule = blockSchedule(parsed.header, block.settings)?.schedule;
  if (schedule) values.schedule = schedule;
  else delete values.schedule;
  const overrides = options.overrides?.values ?? {};
  const grid = values.grid;
  const sweepsSeeds = grid?.axes.some((a) => a.key === 'seed') === true;
  // A grid over seeds is one grid; otherwise each seed has its own.
  const seeds = sweepsSeeds ? [undefined] : (overrides.seed ?? values.seed ?? [(options.randomSeed ?? randomSeed)()]);
  const outputDir = promptOutputDir(parsed, promptFile);
  const batch = overrides.batch ?? values.batch ?? 1;
  const file = (key: 'init' | 'mask' | 'depth', spec: string) => {
    if (overrides[key] !== undefined) return { path: path.resolve(options.overrides!.baseDir, spec), spec };
    const at = settings[key]!.valueRange.start;
    return { path: resolveModelPath(spec, path.dirname(promptFile)), spec, origin: { file: parsed.file ?? promptFile, line: at.line, column: at.column } };
  };
  const source = {
    promptFile,
    block: { index: block.index, ...(block.name !== undefined ? { name: block.name } : {}), line: block.startLine },
  };
  const cells: (GridCell | undefined)[] = grid ? gridCells(grid) : [undefined];
  return ok(
    seeds.flatMap((blockSeed) =>
      cells.map((cell): Job => {
        const seed = cell?.setting.seed?.[0] ?? blockSeed!;
        const job: Job = {
          request: {
            ...imageRequest(block.prompt.text, seed, { ...values, ...overrides, ...cell?.setting }, file),
            ...(cell?.schedule ? { schedule: cell.schedule } : {}),
          },
          model,
          ...(batch > 1 ? { batch } : {}),
          outputDir,
          stem: outputStem(block, seed) + (cell ? gridCellSuffix(cell.labels) : ''),
          source,
        };
        if (grid && cell) {
          const stem = sweepsSeeds ? `${blockStem(block)}-grid` : `${outputStem(block, seed)}-grid`;
          job.grid = { stem, column: cell.column, row: cell.row, axes: grid.axes.map((a) => ({ key: a.key, values: a.values.map((v) => v.text) })) };
        }
        return job;
      }),
    ),
  );
}

/**
 * A request's error that no one setting explains (settings that this model cannot run: a depth
 * estimate on a model without depth, a depth model given no depth; a size this machine cannot
 * hold) is located at its block.
 */
export function atBlock(error: UserError, job: Job): UserError {
  if (error.code !== 'invalid-request' || error.file !== undefined || !job.source) return error;
  return { ...error, file: job.source.promptFile, line: job.source.block.line, column: 1 };
}

/**
 * The images a run of these blocks would make, counted before any is planned, or an error when
 * they are more than one run may hold (a file of many blocks with many seeds each).
 */
export function checkImageCount(parsed: ParsedFile, blocks: readonly Block[]): Result<number> {
  const count = blocks.reduce((n, block) => n + (effectiveSettings(parsed, block).settings.seed?.value.length ?? 1), 0);
  if (count <= MAX_IMAGES_PER_RUN) return ok(count);
  return fail({
    code: 'invalid-request',
    message: `the run asks for ${count} images; one run may make at most ${MAX_IMAGES_PER_RUN} (choose blocks with --block, or fewer seeds)`,
    ...(parsed.file !== undefined ? { file: parsed.file } : {}),
  });
}
