// What a parsed prompt file means beyond its text: the block a command is about (by name, number
// or cursor line), the model folder a block runs on, the errors that stop it, and the defaults
// of the settings it leaves out. The editor's language features and the job planner read these.

import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { fail, ok, type Result } from '../errors';
import { shippedModelDir } from '../models/demo';
import { outputDirFor } from '../outputs/naming';
import { quote } from '../quote';
import { blockAtLine, blockDiagnostics, effectiveSettings, type Block, type ParsedFile } from './parse';


/** A seed for a block that names none: any 32-bit value. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32);
}

/** A model folder as a block names it. */
export interface BlockModel {
  /** Absolute folder. */
  dir: string;
  /** As the file or command named it, for the recipe. */
  spec: string;
  /** A folder whose VAE replaces the model's (`vae:`), absolute, and as named. */
  vae?: { dir: string; spec: string };
}

export interface ModelResolution {
  /** The prompt file's path; relative `model:` folders start at its folder. */
  promptFile: string;
  /** A model folder that overrides the file's (the CLI's --model), absolute or relative to the working directory. */
  modelOverride?: string;
  /** The model used when neither the file nor the override names one (absolute). */
  defaultModel: string;
  /** A VAE folder that overrides the file's `vae:` (the CLI's --vae), absolute or relative to the working directory. */
  vaeOverride?: string;
}

/** A folder named in a prompt file: `~/` is the home folder, relative paths start at the file's folder. */
export function resolveModelPath(spec: string, baseDir: string): string {
  if (spec === '~' || spec.startsWith('~/')) return path.join(os.homedir(), spec.slice(1));
  return path.resolve(baseDir, spec);
}

/**
 * A model folder as a setting or the command line names it: a path (as resolveModelPath), or a
 * shipped demo model's folder name ("demo-inpainting") when no folder of that name is there.
 */
export function resolveModelFolder(spec: string, baseDir: string): string {
  const dir = resolveModelPath(spec, baseDir);
  const shipped = shippedModelDir(spec);
  return shipped !== undefined && !existsSync(dir) ? shipped : dir;
}

/** The model a block runs on: the override, else the block's or header's `model:`, else the default; with its `vae:`. */
export function blockModel(parsed: ParsedFile, block: Block, options: ModelResolution): BlockModel {
  const settings = effectiveSettings(parsed, block).settings;
  const base = path.dirname(path.resolve(options.promptFile));
  const vaeSpec = options.vaeOverride ?? settings.vae?.value;
  const vae = vaeSpec === undefined ? {} : { vae: { dir: options.vaeOverride !== undefined ? path.resolve(vaeSpec) : resolveModelPath(vaeSpec, base), spec: vaeSpec } };
  if (options.modelOverride !== undefined) return { dir: path.resolve(options.modelOverride), spec: options.modelOverride, ...vae };
  const spec = settings.model?.value;
  if (spec !== undefined) return { dir: resolveModelFolder(spec, base), spec, ...vae };
  return { dir: options.defaultModel, spec: options.defaultModel, ...vae };
}

/** The folder a prompt file's images go to: its `output:` setting, else the folder named after the file. */
export function promptOutputDir(parsed: ParsedFile, promptFile: string): string {
  return outputDirFor(promptFile, parsed.header.output?.value ?? parsed.blocks[0]?.settings.output?.value);
}

/** The errors that stop a block from running: its own and those of the header. */
export function blockErrors(parsed: ParsedFile, block: Block): Diagnostic[] {
  return blockDiagnostics(parsed, block).filter((d) => d.severity === 'error');
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
  const shown = 20;
  const names = parsed.blocks.slice(0, shown).map((b) => (b.name !== undefined ? quote(b.name) : String(b.index)));
  if (parsed.blocks.length > shown) names.push(`and ${parsed.blocks.length - shown} more`);
  return fail({
    code: 'invalid-request',
    message: `no block ${quote(selector)} in the file; blocks: ${names.join(', ') || 'none'}`,
    ...(parsed.file !== undefined ? { file: parsed.file } : {}),
  });
}

/**
 * The block Ctrl+Enter runs with the cursor on a 1-based line: the block there, or from the
 * header (whose settings are every block's defaults) the first block, as a notebook runs the
 * next cell. Undefined when the file has no block yet.
 */
export function blockToRun(parsed: ParsedFile, line: number): { block: Block; fromHeader: boolean } | undefined {
  const block = blockAtLine(parsed, line);
  if (block) return { block, fromHeader: false };
  const first = parsed.blocks[0];
  return first ? { block: first, fromHeader: true } : undefined;
}

/**
 * The block that made an image, from what its recipe recorded: the block of that name when it
 * had one and the file still has it; else the block of that number, unless both have names
 * (then it is another block now). The panel groups images and reuses seeds by this one rule.
 */
export function blockThatMade(parsed: ParsedFile, made: { index: number; name?: string }): Block | undefined {
  if (made.name !== undefined) {
    const named = parsed.blocks.find((b) => b.name === made.name);
    if (named) return named;
  }
  return parsed.blocks.find((b) => b.index === made.index && (made.name === undefined || b.name === undefined));
}
