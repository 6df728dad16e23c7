// From a parsed prompt file to jobs: one job per image (block × seed), with every setting
// resolved except those that depend on the model (sampler and size default to the model's own).

import { randomInt } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../diagnostics';
import { fail, ok, type Result } from '../errors';
import { blockDiagnostics, describeBlock, effectiveSettings, type Block, type ParsedFile } from '../format/parse';
import type { Size } from '../format/settings';
import type { RngName } from '../noise';
import { outputDirFor, outputStem } from '../outputs/naming';
import type { SamplerChoice } from '../schedulers/registry';

export const DEFAULT_STEPS = 20;
export const DEFAULT_CFG = 7;

export interface JobModel {
  /** Absolute folder. */
  dir: string;
  /** As the file or command named it, for the recipe. */
  spec: string;
}

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
  model: JobModel;
  outputDir: string;
  stem: string;
  source?: { promptFile: string; block: { index: number; name?: string; line: number } };
}

export interface PlanOptions {
  /** The prompt file's path; relative `model:` folders and the output folder are found from it. */
  promptFile: string;
  /** A model folder that overrides the file's (the CLI's --model), absolute or relative to the working directory. */
  modelOverride?: string;
  /** The model used when neither the file nor the override names one (absolute). */
  defaultModel: string;
  randomSeed?: () => number;
}

export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** A folder named in a prompt file: `~/` is the home folder, relative paths start at the file's folder. */
export function resolveModelPath(spec: string, baseDir: string): string {
  if (spec === '~' || spec.startsWith('~/')) return path.join(os.homedir(), spec.slice(1));
  return path.resolve(baseDir, spec);
}

/** Blocks chosen by name or 1-based number; all blocks when `selector` is absent. */
export function selectBlocks(parsed: ParsedFile, selector?: string): Result<Block[]> {
  if (selector === undefined) return ok(parsed.blocks);
  const byName = parsed.blocks.filter((b) => b.name === selector);
  if (byName.length > 0) return ok(byName);
  if (/^\d+$/.test(selector)) {
    const block = parsed.blocks.find((b) => b.index === Number(selector));
    if (block) return ok([block]);
  }
  const names = parsed.blocks.map((b) => (b.name !== undefined ? `'${b.name}'` : String(b.index))).join(', ');
  return fail({
    code: 'invalid-request',
    message: `no block '${selector}' in the file; blocks: ${names || 'none'}`,
    ...(parsed.file !== undefined ? { file: parsed.file } : {}),
  });
}

/** The model a block runs on: the override, else the block's or header's `model:`, else the default. */
export function blockModel(parsed: ParsedFile, block: Block, options: Omit<PlanOptions, 'randomSeed'>): JobModel {
  if (options.modelOverride !== undefined) return { dir: path.resolve(options.modelOverride), spec: options.modelOverride };
  const spec = effectiveSettings(parsed, block).settings.model?.value;
  if (spec !== undefined) return { dir: resolveModelPath(spec, path.dirname(path.resolve(options.promptFile))), spec };
  return { dir: options.defaultModel, spec: options.defaultModel };
}

/** The errors that stop a block from running: its own and those of the header. */
export function blockErrors(parsed: ParsedFile, block: Block): Diagnostic[] {
  return blockDiagnostics(parsed, block).filter((d) => d.severity === 'error');
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
