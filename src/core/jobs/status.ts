// What a prompt file's images are now (`sdprompt status`, and the panel's marks): for each block
// and seed (and grid cell), whether an image exists and whether its recipe still matches what the
// block asks for. A recipe matches when the settings that decide its pixels (everything but the
// run's times, versions, place and the model's weights) are those the block resolves to now, its
// pictures have the same content and its model is the same folder. Native-free: the extension
// host calls it; the weights themselves are `verify`'s to check.

import * as path from 'node:path';
import { fail, ok, type Result } from '../errors';
import { fileSha256 } from '../file-hash';
import type { GridKey } from '../format/grid';
import type { Block, ParsedFile } from '../format/parse';
import { blockThatMade, promptOutputDir } from '../format/resolve';
import type { ModelFolderInfo } from '../models/folder';
import { buildRecipe, type PictureFiles, type Recipe } from '../outputs/metadata';
import { portableLocation, treeRoot } from '../outputs/portable';
import { listResults, type ImageRecord } from '../outputs/results';
import { resolveImageSettings } from './image-settings';
import { planBlockJobs, type Job } from './plan';

/** current: what the block makes now; stale: not (`changed` says how); unknown: the block's model cannot be read. */
export type ImageState = 'current' | 'stale' | 'unknown';

/** The seed a block without one is planned with here: no image has it, so its jobs are new. */
const RANDOM_SEED = -1;

export interface ImageStatus {
  record: ImageRecord;
  state: ImageState;
  /** For a stale image: what changed (`cfg`, `init`, `model`), or why it cannot match. */
  changed: string[];
}

/** An image whose recipe is missing or cannot be read: it cannot be judged, and it is never replaced. */
export interface UnreadableImage {
  record: ImageRecord;
  message: string;
}

export interface JobStatus {
  job: Job;
  /** new: no image yet; current: an image matches; stale: images, none matching; unknown: its images cannot be judged (the model cannot be read, or their recipes). */
  state: 'new' | 'current' | 'stale' | 'unknown';
  images: ImageStatus[];
  /** Images named after this job whose recipe is missing or unreadable. */
  unreadable: UnreadableImage[];
}

export interface BlockStatus {
  block: Block;
  /** Without a seed the block makes a new random seed each run: always new. */
  randomSeed: boolean;
  jobs: JobStatus[];
  /** Images the block made that none of its jobs asks for now: a random seed's, a seed or grid value taken out. */
  others: ImageStatus[];
  /** What keeps the block from being judged (errors, a model folder that cannot be read). */
  problem?: string;
}

export interface StatusReport {
  outputDir: string;
  blocks: BlockStatus[];
  /** Every image of the output folder made by a block of the file, with its state. */
  images: ImageStatus[];
  /** Images whose recipe is missing or unreadable. */
  unreadable: UnreadableImage[];
  /** Images made by a block the file no longer has (renamed or removed). */
  orphans: ImageRecord[];
}

export interface StatusOptions {
  promptFile: string;
  defaultModel: string;
  /** The model folder's description (its scheduler and native size decide defaults). */
  inspect(dir: string): Result<ModelFolderInfo>;
}

/** The settings of a recipe that decide its pixels, as canonical JSON: files by content, the model by place. */
function decidingFields(recipe: Recipe): string {
  const { format: _f, version: _v, sdprompt: _s, createdAt: _c, source: _src, runtime: _r, timings: _t, imageSha256: _i, output: _o, model, ...settings } = recipe;
  // Whether a watermark was wanted (its outcome also depends on the image's size, which other fields decide); none before recipes recorded it.
  const fields: Record<string, unknown> = { ...settings, model: model?.path ?? model?.name, watermark: settings.watermark !== undefined && settings.watermark !== 'off' };
  for (const role of ['init', 'mask', 'depth'] as const) {
    const file = settings[role];
    if (file && file !== 'auto') fields[role] = file.sha256;
  }
  return canonicalJson(fields);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The top-level fields in which two canonical field sets differ. */
function changedFields(a: string, b: string): string[] {
  const x = JSON.parse(a) as Record<string, unknown>;
  const y = JSON.parse(b) as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => canonicalJson(x[k]) !== canonicalJson(y[k])).sort();
}

/** A grid axis's value in a recipe or in a request, which name these fields alike; a recipe's schedule is its sampler's. */
function axisValue(key: GridKey, of: Partial<Record<Exclude<GridKey, 'sampler'>, unknown>> & { sampler?: { name: string; schedule?: string; karras?: boolean } }): unknown {
  if (key === 'sampler') return of.sampler?.name;
  // Recipes before schedule types said `karras` alone.
  if (key === 'schedule') return of.schedule ?? of.sampler?.schedule ?? (of.sampler?.karras ? 'karras' : 'automatic');
  return of[key];
}

/** Whether an image is of a job's grid cell: the same value on each axis but the seed (every image, for a block without a grid). */
function isOfCell(recipe: Recipe, job: Job): boolean {
  return (job.grid?.axes ?? []).every((axis) => axis.key === 'seed' || axisValue(axis.key, recipe) === axisValue(axis.key, job.request));
}

/** Whether an image is of this job: its cell and its seed. */
function isOfJob(recipe: Recipe, job: Job): boolean {
  return recipe.seed === job.request.seed && isOfCell(recipe, job);
}

/** Whether a file is named after a job: its stem, or its stem with the number a name taken already gets (`-2`). */
function isNamedAfter(record: ImageRecord, job: Job): boolean {
  const name = record.fileName;
  return name.startsWith(job.stem) && /^(-\d+)?\.png$/i.test(name.slice(job.stem.length));
}

/** A job's state from its images. */
function jobState(images: readonly ImageStatus[], unreadable: readonly UnreadableImage[]): JobStatus['state'] {
  if (images.some((i) => i.state === 'current')) return 'current';
  if (images.some((i) => i.state === 'unknown') || unreadable.length > 0) return 'unknown';
  return images.length > 0 ? 'stale' : 'new';
}

/** The block's jobs with their images, and the images none of them asks for now. */
function blockJobs(jobs: readonly Job[], statuses: readonly ImageStatus[], unreadable: readonly UnreadableImage[]): Pick<BlockStatus, 'jobs' | 'others'> {
  const claimed = new Set<ImageStatus>();
  const jobStatuses = jobs.map((job): JobStatus => {
    const own = statuses.filter((s) => s.record.recipe && isOfJob(s.record.recipe, job));
    own.forEach((s) => claimed.add(s));
    const unread = unreadable.filter((u) => isNamedAfter(u.record, job));
    return { job, state: jobState(own, unread), images: own, unreadable: unread };
  });
  return { jobs: jobStatuses, others: statuses.filter((s) => !claimed.has(s)) };
}

/** What the job would record now, as decidingFields gives it for a recipe; or why that cannot be said. */
async function expectedFields(job: Job, recipe: Recipe, info: ModelFolderInfo, base: string): Promise<Result<string>> {
  const files: PictureFiles = {};
  for (const role of ['init', 'mask', 'depth'] as const) {
    const file = job.request[role];
    if (!file || file === 'auto') continue;
    const sha256 = await fileSha256(file.path);
    if (sha256 === undefined) return fail({ code: 'image-invalid', message: `the ${role} ${file.spec} is not there`, file: file.path });
    const recorded = recipe[role];
    // The init's size decides the default size; the recipe's record of it holds while the content is the same.
    const size = recorded && recorded !== 'auto' && recorded.sha256 === sha256 ? { width: recorded.width, height: recorded.height } : { width: 0, height: 0 };
    files[role] = { name: path.basename(file.path), sha256, ...size };
  }
  const initSize = files.init && files.init.width > 0 ? { initSize: { width: files.init.width, height: files.init.height } } : {};
  const settings = resolveImageSettings({ ...job.request, seed: recipe.seed }, {
    schedulerConfig: info.schedulerConfig,
    ...(info.nativeSize ? { nativeSize: info.nativeSize } : {}),
    unetChannels: info.unetConfig.inChannels,
    unetFile: info.components.unet.onnx,
    ...initSize,
  });
  if (!settings.ok) return settings;
  const model = { ...portableLocation(job.model.dir, base, treeRoot(base)), sha256: { unet: '' } };
  const timings = { loadMs: 0, encodeMs: 0, vaeEncodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 };
  const watermark = settings.value.watermark ? 'StableDiffusionV1' : 'off';
  const expected = buildRecipe({ settings: settings.value, model, runtime: { onnxruntime: '', executionProvider: '' }, timings, imageSha256: '', files, watermark });
  return ok(decidingFields(expected));
}

/** An image's state against the block's jobs: current if it is what one of them makes now. */
async function imageStatus(record: ImageRecord & { recipe: Recipe }, jobs: readonly Job[], info: ModelFolderInfo, base: string): Promise<ImageStatus> {
  const recipe = record.recipe;
  // A seed the block does not list (a new random one, or one taken out) is judged as the block would make it.
  const job = jobs.find((j) => isOfJob(recipe, j)) ?? jobs.find((j) => isOfCell(recipe, j));
  if (!job) return { record, state: 'stale', changed: ['grid'] };
  const expected = await expectedFields(job, recipe, info, base);
  if (!expected.ok) return { record, state: 'stale', changed: [expected.error.message] };
  const actual = decidingFields(recipe);
  return actual === expected.value ? { record, state: 'current', changed: [] } : { record, state: 'stale', changed: changedFields(actual, expected.value) };
}

/** The status of every block, seed and image of a parsed prompt file. */
export async function outputStatus(parsed: ParsedFile, options: StatusOptions): Promise<StatusReport> {
  const promptFile = path.resolve(options.promptFile);
  const outputDir = promptOutputDir(parsed, promptFile);
  const records = await listResults(outputDir, Number.POSITIVE_INFINITY);
  const base = path.dirname(promptFile);
  const report: StatusReport = { outputDir, blocks: [], images: [], unreadable: [], orphans: [] };
  for (const record of records) if (!record.recipe && !record.grid) report.unreadable.push({ record, message: record.recordError ?? 'no recipe' });
  report.orphans = records.filter((r) => r.recipe && (r.recipe.source?.block === undefined || blockThatMade(parsed, r.recipe.source.block) === undefined));
  const made = (block: Block) => records.filter((r): r is ImageRecord & { recipe: Recipe } => r.recipe?.source?.block !== undefined && blockThatMade(parsed, r.recipe.source.block) === block);

  for (const block of parsed.blocks) {
    // Planning checks the block's errors first: a block with any has no jobs to judge.
    const planned = planBlockJobs(parsed, block, { promptFile, defaultModel: options.defaultModel, randomSeed: () => RANDOM_SEED });
    if (!planned.ok) {
      report.blocks.push({ block, randomSeed: false, jobs: [], others: [], problem: planned.error.message });
      continue;
    }
    const jobs = planned.value;
    const randomSeed = jobs.some((j) => j.request.seed === RANDOM_SEED);
    const inspected = options.inspect(jobs[0]!.model.dir);
    const images = made(block);
    const problem = inspected.ok ? undefined : `its model folder ${jobs[0]!.model.spec}: ${inspected.error.message}`;
    const statuses = inspected.ok
      ? await Promise.all(images.map((r) => imageStatus(r, jobs, inspected.value, base)))
      : images.map((record): ImageStatus => ({ record, state: 'unknown', changed: [problem!] }));
    report.images.push(...statuses);
    report.blocks.push({ block, randomSeed, ...blockJobs(jobs, statuses, report.unreadable), ...(problem ? { problem } : {}) });
  }
  return report;
}

/** The stale images of a prompt file's output folder, by path, with what changed: the panel's marks. */
export async function staleImages(parsed: ParsedFile, options: StatusOptions): Promise<Map<string, string[]>> {
  const report = await outputStatus(parsed, options);
  return new Map(report.images.filter((i) => i.state === 'stale').map((i) => [i.record.path, i.changed]));
}
