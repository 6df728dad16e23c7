// `sdprompt status FILE`: for each block and seed (and grid cell), whether its image exists and
// whether its recipe still matches the block (core/jobs/status.ts): what Ctrl+Shift+Enter would
// make anew. Images whose recipe is missing or unreadable, images whose samples are not those
// their recipe recorded (edited by hand) and a model folder that cannot be read are named too.
// It reads and writes nothing but to the terminal; with --check its exit code says whether the
// images are all current, for CI.

import * as path from 'node:path';
import { describeBlock } from '../../core/format/parse';
import { samplesSha256 } from '../../core/image/encode';
import { outputStatus, type ImageStatus, type JobStatus, type StatusReport, type UnreadableImage } from '../../core/jobs/status';
import { readRgb } from '../../core/jobs/verify';
import { demoModelDir } from '../../core/models/demo';
import { inspectModelFolder } from '../../core/models/folder';
import type { ImageRecord } from '../../core/outputs/results';
import { EXIT, readPromptFile, UsageError, type CommandContext } from '../context';

/** Whether the PNG's samples are still those its recipe recorded; undefined when it cannot tell. */
async function editedSinceWritten(record: ImageRecord): Promise<boolean | undefined> {
  const recorded = record.recipe?.imageSha256;
  if (typeof recorded !== 'string') return undefined;
  const pixels = await readRgb(record.path);
  return pixels ? samplesSha256(pixels) !== recorded : undefined;
}

function jobLabel(job: JobStatus['job'], randomSeed: boolean): string {
  const seed = randomSeed ? 'random seed' : `seed ${job.request.seed}`;
  const grid = job.grid;
  // The first axis gives the columns, the second the rows; a seed axis shows as the seed.
  const cell = (grid?.axes ?? []).map((a, i) => (a.key === 'seed' ? '' : `${a.key} ${a.values[i === 0 ? grid!.column : grid!.row]}`)).filter(Boolean);
  return [seed, ...cell].join(', ');
}

/** The report as one JSON object. */
function reportJson(report: StatusReport, edited: ReadonlySet<string>): unknown {
  const image = (i: ImageStatus) => ({ path: i.record.path, state: i.state, changed: i.changed, edited: edited.has(i.record.path) });
  const unreadable = (u: UnreadableImage) => ({ path: u.record.path, message: u.message });
  return {
    outputDir: report.outputDir,
    blocks: report.blocks.map((b) => ({
      index: b.block.index,
      ...(b.block.name !== undefined ? { name: b.block.name } : {}),
      line: b.block.startLine,
      randomSeed: b.randomSeed,
      ...(b.problem ? { problem: b.problem } : {}),
      jobs: b.jobs.map((j) => ({
        ...(b.randomSeed ? {} : { seed: j.job.request.seed }),
        ...(j.job.grid ? { cell: { column: j.job.grid.column, row: j.job.grid.row } } : {}),
        state: b.randomSeed ? 'new' : j.state,
        images: j.images.map(image),
        unreadable: j.unreadable.map(unreadable),
      })),
      others: b.others.map(image),
    })),
    unreadable: report.unreadable.map(unreadable),
    orphans: report.orphans.map((r) => r.path),
  };
}

/**
 * What keeps the images from matching the file, counted: seeds and grid cells without an image
 * or with a stale one (a block with a random seed asks for no particular image), images edited by
 * hand, images without a readable recipe, and images of blocks the file no longer has.
 */
function outOfDate(report: StatusReport, edited: ReadonlySet<string>): number {
  const jobs = report.blocks.filter((b) => !b.randomSeed).flatMap((b) => b.jobs).filter((j) => j.state !== 'current').length;
  return jobs + edited.size + report.unreadable.length + report.orphans.length;
}

export async function statusCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('status takes one prompt file');
  const asJson = values['json'] === true;
  const read = await readPromptFile(ctx, positionals[0]!, asJson);
  if (!read) return EXIT.invalidInput;
  const report = await outputStatus(read.parsed, { promptFile: read.file, defaultModel: demoModelDir(), inspect: inspectModelFolder });
  const edited = new Set<string>();
  for (const image of report.images) if (await editedSinceWritten(image.record)) edited.add(image.record.path);
  const exitCode = values['check'] === true && outOfDate(report, edited) > 0 ? EXIT.outOfDate : EXIT.ok;
  if (asJson) {
    ctx.stdout(JSON.stringify(reportJson(report, edited)));
    return exitCode;
  }

  const shown = (p: string) => path.relative(ctx.cwd, p) || p;
  const imageNote = (i: ImageStatus) =>
    `${shown(i.record.path)}${i.state === 'stale' ? ` (stale: ${i.changed.join(', ')})` : ''}${edited.has(i.record.path) ? ' (edited after it was written)' : ''}`;
  const unreadableNote = (u: UnreadableImage) => `${shown(u.record.path)} (${u.message})`;
  const counts: Record<string, number> = {};
  ctx.stdout(`${shown(read.file)}: images in ${shown(report.outputDir)}/`);
  for (const b of report.blocks) {
    ctx.stdout(`${describeBlock(b.block)} (line ${b.block.startLine})${b.problem ? `: ${b.problem}` : ''}`);
    for (const j of b.jobs) {
      const state = b.randomSeed ? 'new' : j.state;
      counts[state] = (counts[state] ?? 0) + 1;
      const images = [...j.images.map(imageNote), ...j.unreadable.map(unreadableNote)];
      ctx.stdout(`  ${jobLabel(j.job, b.randomSeed)}: ${b.randomSeed ? 'new each run' : state}${images.length > 0 ? `  ${images.join(', ')}` : ''}`);
    }
    if (b.others.length > 0) ctx.stdout(`  not asked for now: ${b.others.map((i) => `${shown(i.record.path)} (seed ${i.record.recipe!.seed}${i.state === 'stale' ? `; stale: ${i.changed.join(', ')}` : ''})`).join(', ')}`);
  }
  const attributed = new Set(report.blocks.flatMap((b) => b.jobs.flatMap((j) => j.unreadable.map((u) => u.record.path))));
  for (const u of report.unreadable) if (!attributed.has(u.record.path)) ctx.stdout(`${shown(u.record.path)}: ${u.message}`);
  for (const r of report.orphans) ctx.stdout(`${shown(r.path)}: made by ${r.recipe?.source ? describeBlock(r.recipe.source.block) : 'no block of a prompt file'}, which the file no longer has`);
  const notes = [
    Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ') || 'no blocks',
    ...(edited.size > 0 ? [`${edited.size} edited by hand`] : []),
    ...(report.unreadable.length > 0 ? [`${report.unreadable.length} without a readable recipe`] : []),
    ...(report.orphans.length > 0 ? [`${report.orphans.length} of blocks the file no longer has`] : []),
  ];
  ctx.stderr(`sdprompt: ${notes.join('; ')}`);
  return exitCode;
}
