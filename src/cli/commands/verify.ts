// `sdprompt verify FILE [--block NAME|INDEX]`: every image in the prompt file's output folder
// made again from its own recipe and compared (core/jobs/verify.ts); the check a repository of
// prompts runs in CI. Exit 0 when every image is identical, 5 when any differs, else 3 for a
// model that is missing or not the recipe's, 1 for a recipe or input picture that is, 4 for an
// image that could not be made.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { blockModel, blockThatMade, promptOutputDir, selectBlocks } from '../../core/format/resolve';
import type { RunEvent } from '../../core/jobs/run';
import { verifyImage, type VerifyResult, type VerifyStatus } from '../../core/jobs/verify';
import { demoModelDir, packageRoot } from '../../core/models/demo';
import { blockStem } from '../../core/outputs/naming';
import { readOutputRecord } from '../../core/outputs/recipe-read';
import { ModelCache } from '../../core/pipelines/model-cache';
import { EXIT, readPromptFile, reportError, stringOption, UsageError, type CommandContext } from '../context';
import { loadOptionsFrom, modelOption } from './execute';

/** The exit code of a set of results: the first status in this order that any result has decides. */
const EXIT_BY_STATUS: [VerifyStatus, number][] = [
  ['differs', EXIT.differs],
  ['model-missing', EXIT.model],
  ['model-differs', EXIT.model],
  ['recipe', EXIT.invalidInput],
  ['input', EXIT.invalidInput],
  ['failed', EXIT.failed],
];

export function verifyExitCode(results: readonly VerifyResult[]): number {
  for (const [status, code] of EXIT_BY_STATUS) if (results.some((r) => r.status === status)) return code;
  return EXIT.ok;
}

export async function verifyCommand(ctx: CommandContext, values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('verify takes one prompt file');
  const asJson = values['json'] === true;
  const loadOptions = loadOptionsFrom(values as Record<string, string | boolean | undefined>);
  const read = await readPromptFile(ctx, positionals[0]!, asJson);
  if (!read) return EXIT.invalidInput;
  const { file, parsed } = read;
  const outputProblem = parsed.diagnostics.find((d) => d.severity === 'error' && (d.code === 'invalid-output' || d.code === 'file-setting-in-block'));
  if (outputProblem) {
    reportError(ctx, { code: 'invalid-request', message: outputProblem.message, file: positionals[0]!, line: outputProblem.range.start.line, column: outputProblem.range.start.column }, asJson);
    return EXIT.invalidInput;
  }
  const selector = stringOption(values['block'] as string | undefined);
  const blocks = selectBlocks(parsed, selector);
  if (!blocks.ok) {
    reportError(ctx, blocks.error, asJson);
    return EXIT.invalidInput;
  }
  const outputDir = promptOutputDir(parsed, file);
  const names = (await fs.readdir(outputDir).catch(() => [] as string[])).filter((n) => n.toLowerCase().endsWith('.png') && !n.startsWith('.')).sort();
  const pngs: string[] = [];
  for (const name of names) {
    const png = path.join(outputDir, name);
    if (selector === undefined) {
      pngs.push(png);
      continue;
    }
    // An image whose record cannot be read belongs to the block its file is named after.
    const record = await readOutputRecord(png);
    const made = record.ok ? record.value.source?.block : undefined;
    const block = made ? blockThatMade(parsed, made) : undefined;
    if (block ? blocks.value.includes(block) : !record.ok && blocks.value.some((b) => name.startsWith(`${blockStem(b)}-`))) pngs.push(png);
  }

  const modelOverride = modelOption(ctx, values as Record<string, string | boolean | undefined>);
  const searched = (values['models'] as string[] | undefined) ?? [];
  // A model recorded by name (it was outside the repository) is looked for where the file's blocks
  // name theirs too: a machine's own model folder, checked by its hashes like any other.
  const named = parsed.blocks.map((b) => path.dirname(blockModel(parsed, b, { promptFile: file, defaultModel: demoModelDir() }).dir));
  const modelSearch = [...new Set([...searched.map((d) => path.resolve(ctx.cwd, d)), ...named, path.join(packageRoot(), 'models')])];
  const models = new ModelCache(loadOptions);
  const shown = (p: string) => path.relative(ctx.cwd, p) || p;
  const results: VerifyResult[] = [];
  if (pngs.length === 0) ctx.stderr(`sdprompt: no images in ${shown(outputDir)} to verify`);
  try {
    for (const [i, png] of pngs.entries()) {
      if (ctx.signal?.aborted) return EXIT.interrupted;
      ctx.progress?.(`\rverifying ${shown(png)} (${i + 1} of ${pngs.length})…`);
      const onEvent = async (event: RunEvent) => {
        if (event.type === 'step') ctx.progress?.(`\rverifying ${shown(png)} (${i + 1} of ${pngs.length}), step ${event.step}/${event.total}`);
      };
      const result = await verifyImage(png, { models, ...(ctx.signal ? { signal: ctx.signal } : {}), ...(modelOverride ? { modelOverride } : {}), modelSearch }, onEvent);
      ctx.progress?.('\r\x1b[2K');
      if (ctx.signal?.aborted) return EXIT.interrupted;
      results.push(result);
      if (asJson) {
        const c = result.comparison;
        ctx.stdout(JSON.stringify({
          event: 'verified',
          path: result.image,
          status: result.status,
          message: result.message,
          ...(c && !c.identical ? { maxDifference: c.maxDifference, differingPixels: c.differingPixels, ssim: c.ssim } : {}),
          ...(result.edited !== undefined ? { edited: result.edited } : {}),
        }));
      } else {
        ctx.stdout(`${shown(png)}: ${result.status === 'identical' || result.status === 'differs' ? result.message : `${result.status}: ${result.message}`}`);
      }
    }
  } finally {
    await models.release();
  }
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const code = verifyExitCode(results);
  if (asJson) ctx.stdout(JSON.stringify({ event: 'done', images: results.length, ...counts, exitCode: code }));
  else if (results.length > 0) ctx.stderr(`sdprompt: ${results.length} image${results.length === 1 ? '' : 's'}: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  return code;
}
