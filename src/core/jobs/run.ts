// Running jobs: for each, the model (cached), the pictures it names, its settings resolved, the
// pipeline, and the files beside the prompt file; a block's seeds with `batch: N` N at a time
// through one pipeline run. Progress and results go out as events, which the CLI prints and the
// engine forwards.

import * as path from 'node:path';
import { env as ortEnv } from 'onnxruntime-node';
import { fail, isModelError, ok, type Result, type UserError } from '../errors';
import { encodePng, samplesSha256, type RgbImage } from '../image/encode';
import type { ImageOrigin, ImageRole } from '../image/check';
import { loadImage, type LoadedImage } from '../image/load';
import type { ModelFolderInfo } from '../models';
import { isOutOfMemory } from '../models/components';
import type { ModelHashes } from '../models/hash';
import { schedulerConfigError } from '../models/folder';
import { ortMessage } from '../models/io';
import { a1111Parameters, buildRecipe, type ModelIdentity, type PictureFiles } from '../outputs/metadata';
import { portableLocation, treeRoot } from '../outputs/portable';
import { prepareOutputFolder, writeOutputSet } from '../outputs/write';
import type { Raster } from '../image/raster';
import type { WatermarkOutcome } from '../image/watermark';
import { generateImages, type Pictures, type PipelineOutput, type PipelineTimings, type StepInfo } from '../pipelines/generate';
import type { Progress } from '../pipelines/denoise';
import type { ModelCache } from '../pipelines/model-cache';
import { renderPreview } from '../pipelines/preview';
import type { StableDiffusion } from '../pipelines/stable-diffusion';
import { modelContext, resolveImageSettings, type ImageFile, type ImageSettings } from './image-settings';
import { GridTracker, writeGrid } from './grids';
import { atBlock, type Job } from './plan';
import { preflightError } from './preflight';

export type RunEvent =
  | { type: 'job-start'; job: Job; index: number; count: number }
  | { type: 'model-loaded'; dir: string; ms: number; executionProvider: string; family: string; notes: string[]; log: string[] }
  | ({ type: 'step'; job: Job; index: number; latents: StepInfo['latents']; preview(): Promise<RgbImage> } & Progress)
  /** `origin`: the setting that names the picture the warning is about, when a prompt file did. */
  | { type: 'warning'; job: Job; index: number; message: string; origin?: ImageOrigin }
  | { type: 'image'; job: Job; index: number; path: string; recipePath: string; seed: number; ms: number }
  | { type: 'grid'; job: Job; index: number; path: string; recordPath: string }
  | { type: 'job-error'; job: Job; index: number; error: UserError };

export interface RunOptions {
  models: ModelCache;
  onEvent?: (event: RunEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface RunSummary {
  images: string[];
  errors: UserError[];
  cancelled: boolean;
}

/** Whether `b` joins `a`'s batch: the same block, model and settings, another seed. */
function batchable(a: Job, b: Job): boolean {
  const key = (j: Job) => JSON.stringify([{ ...j.request, seed: 0 }, j.model, j.batch, j.grid, j.outputDir, j.source?.promptFile, j.source?.block.index]);
  return key(a) === key(b);
}

/** What became of one job: its error, or the image it wrote. */
interface JobOutcome {
  error?: UserError;
  image?: string;
}

export async function runJobs(jobs: readonly Job[], options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = { images: [], errors: [], cancelled: false };
  const emit = async (event: RunEvent) => options.onEvent?.(event);
  const grids = new GridTracker(jobs);
  const failedModels = new Map<string, UserError>();
  // Before any model work: a folder that cannot take the images fails its jobs at once.
  const failedFolders = new Map<string, UserError>();
  for (const dir of new Set(jobs.map((j) => j.outputDir))) {
    const ready = await prepareOutputFolder(dir);
    if (!ready.ok) failedFolders.set(dir, ready.error);
  }
  for (let index = 0; index < jobs.length; ) {
    if (options.signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    // A block's seeds with `batch: N` go N at a time; every other job alone.
    const first = jobs[index]!;
    let size = 1;
    while (size < (first.batch ?? 1) && index + size < jobs.length && batchable(first, jobs[index + size]!)) size++;
    const group = jobs.slice(index, index + size).map((job, k) => ({ job, index: index + k }));
    index += size;
    for (const { job, index: i } of group) await emit({ type: 'job-start', job, index: i, count: jobs.length });
    const known = failedFolders.get(first.outputDir) ?? failedModels.get(first.model.dir);
    const outcomes: JobOutcome[] = known ? group.map(() => ({ error: known })) : await runGroup(group, options, emit, summary);
    if (outcomes.some((o) => o.error?.code === 'cancelled')) {
      summary.cancelled = true;
      break;
    }
    for (const [k, { error, image }] of outcomes.entries()) {
      const { job, index: i } = group[k]!;
      if (error) {
        if (isModelError(error)) failedModels.set(job.model.dir, error);
        summary.errors.push(error);
        await emit({ type: 'job-error', job, index: i, error });
      }
      const grid = grids.ran(job, image);
      if (grid) {
        const written = await writeGrid(grid);
        if (written.ok) await emit({ type: 'grid', job, index: i, path: written.value.paths[0]!, recordPath: written.value.paths[1]! });
        else await emit({ type: 'warning', job, index: i, message: `the grid was not drawn: ${written.error.message}` });
      }
    }
  }
  options.models.startIdleCountdown();
  return summary;
}

const ROLES = ['init', 'mask', 'depth'] as const satisfies readonly ImageRole[];
type PictureRole = (typeof ROLES)[number];

/** The pictures a job names, read and checked; the first that fails is the error. */
async function loadPictures(job: Job): Promise<Result<Partial<Record<PictureRole, LoadedImage>>>> {
  const loaded: Partial<Record<PictureRole, LoadedImage>> = {};
  for (const role of ROLES) {
    const file: ImageFile | 'auto' | undefined = job.request[role];
    if (file === undefined || file === 'auto') continue;
    const picture = await loadImage(file.path, role, file.origin);
    if (!picture.ok) return picture;
    loaded[role] = picture.value;
  }
  return { ok: true, value: loaded };
}

/** The folder a recipe's paths start at: the prompt file's, else (a bare prompt) the recipe's own. */
function recipeBase(job: Job): string {
  return job.source ? path.dirname(job.source.promptFile) : job.outputDir;
}

/** The pictures as the recipe records them: where (portable.ts), their content and their size. */
function recipeFiles(job: Job, loaded: Partial<Record<PictureRole, LoadedImage>>): PictureFiles {
  const base = recipeBase(job);
  const root = treeRoot(base);
  const files: PictureFiles = {};
  for (const role of ROLES) {
    const picture = loaded[role];
    if (picture) files[role] = { ...portableLocation(picture.path, base, root), sha256: picture.sha256, width: picture.raster.width, height: picture.raster.height };
  }
  return files;
}

/** The model as the recipe records it: where (portable.ts) and the content of each component (hashed when it loaded); and a `vae:` folder's. */
function recipeModel(job: Job, info: ModelFolderInfo, sha256: ModelHashes): ModelIdentity {
  const base = recipeBase(job);
  const root = treeRoot(base);
  // With `vae:`, the folder's info names the other folder's VAE files, so their hashes are its.
  const vae = job.model.vae && info.vae && sha256.vae_decoder ? { vae: { ...portableLocation(job.model.vae.dir, base, root), sha256: sha256.vae_decoder } } : {};
  return { ...portableLocation(job.model.dir, base, root), sha256, ...vae };
}

/** One job's image, made and not yet written: what runGroup writes and `verify` compares. */
export interface RenderedJob {
  sd: StableDiffusion;
  settings: ImageSettings;
  image: Raster;
  /** Whether the image carries the invisible watermark, or why not. */
  watermark: WatermarkOutcome;
  timings: PipelineTimings;
  loadMs: number;
  loaded: Partial<Record<PictureRole, LoadedImage>>;
  /** The model's content hashes, taken when it loaded. */
  modelSha256: ModelHashes;
}

/** Makes a job's image: the model (cached), its pictures, its settings resolved, the pipeline; events as runJobs gives them. */
export async function renderJob(job: Job, index: number, options: RunOptions, emit: (e: RunEvent) => Promise<void>): Promise<Result<RenderedJob>> {
  const rendered = await renderJobs([{ job, index }], options, emit);
  return rendered.ok ? ok(rendered.value[0]!) : rendered;
}

/**
 * The images of jobs that differ only in their seeds, made together: one pipeline run, one UNet
 * call a step for all of them. A batch that runs out of memory is made one seed at a time.
 */
async function renderJobs(group: readonly { job: Job; index: number }[], options: RunOptions, emit: (e: RunEvent) => Promise<void>): Promise<Result<RenderedJob[]>> {
  const { job, index } = group[0]!;
  const cached = await options.models.get(job.model.dir, job.model.vae?.dir);
  if (!cached.ok) return cached;
  const { sd, loadMs, sha256: modelSha256 } = cached.value;
  const m = sd.model;
  if (loadMs > 0) await emit({ type: 'model-loaded', dir: job.model.dir, ms: loadMs, executionProvider: m.executionProvider, family: m.info.family.label, notes: m.notes, log: m.log });

  const loaded = await loadPictures(job);
  if (!loaded.ok) return loaded;
  const init = loaded.value.init?.raster;
  const settings: ImageSettings[] = [];
  for (const { job: j } of group) {
    const resolved = resolveImageSettings(j.request, modelContext(m, init && { width: init.width, height: init.height }));
    if (!resolved.ok) return fail(atBlock(resolved.error, j));
    const refused = preflightError(j, sd, resolved.value);
    if (refused) return fail(refused);
    settings.push(resolved.value);
  }
  const pictures: Pictures = {};
  for (const role of ROLES) {
    const picture = loaded.value[role];
    if (picture) pictures[role] = picture.raster;
  }

  let result: Result<PipelineOutput[]>;
  try {
    result = await generateImages(sd, settings, pictures, {
      ...(options.signal ? { signal: options.signal } : {}),
      onStep: (step) => {
        const { job: j, index: i } = group[step.image]!;
        return emit({ type: 'step', job: j, index: i, step: step.step, total: step.total, call: step.call, calls: step.calls, latents: step.latents, preview: () => renderPreview(sd, step.denoised()) });
      },
    });
  } catch (e) {
    const message = (e as Error).message;
    // A batch that does not fit: the same seeds one at a time, which need less.
    if (group.length > 1 && isOutOfMemory(message)) {
      await emit({ type: 'warning', job, index, message: `a batch of ${group.length} ran out of memory; making the seeds one at a time` });
      const each: RenderedJob[] = [];
      for (const one of group) {
        const r = await renderJobs([one], options, emit);
        if (!r.ok) return r;
        each.push(r.value[0]!);
      }
      return ok(each);
    }
    // ONNX Runtime reports a model that cannot run these inputs by throwing.
    const why = isOutOfMemory(message) ? `it ran out of memory on ${m.executionProvider} (a smaller size needs less): ${ortMessage(e)}` : ortMessage(e);
    return fail({ code: 'inference-failed', message: `the model failed while generating: ${why}`, file: job.model.dir });
  }
  // A component that moved to the CPU while running: the run went on, the user should know.
  for (const message of m.takeNotices()) await emit({ type: 'warning', job, index, message });
  if (!result.ok) return fail(result.error.message.startsWith('scheduler config: ') ? schedulerConfigError(result.error, job.model.dir) : atBlock(result.error, job));
  const rendered: RenderedJob[] = [];
  for (const [k, output] of result.value.entries()) {
    const { job: j, index: i } = group[k]!;
    for (const { picture, message } of output.warnings) {
      const origin = picture && j.request[picture]?.origin;
      await emit({ type: 'warning', job: j, index: i, message, ...(origin ? { origin } : {}) });
    }
    rendered.push({ sd, settings: settings[k]!, image: output.image, watermark: output.watermark, timings: output.timings, loadMs, loaded: loaded.value, modelSha256 });
  }
  return ok(rendered);
}

/** Jobs that differ only in their seeds, made together and written: what became of each. */
async function runGroup(group: readonly { job: Job; index: number }[], options: RunOptions, emit: (e: RunEvent) => Promise<void>, summary: RunSummary): Promise<JobOutcome[]> {
  const started = performance.now();
  const rendered = await renderJobs(group, options, emit);
  if (!rendered.ok) return group.map(() => ({ error: rendered.error }));
  const model = recipeModel(group[0]!.job, rendered.value[0]!.sd.model.info, rendered.value[0]!.modelSha256);
  const outcomes: JobOutcome[] = [];
  for (const [k, { job, index }] of group.entries()) outcomes.push(await writeImage(job, index, rendered.value[k]!, model, started, emit, summary));
  return outcomes;
}

/** One image's PNG and recipe, written, and the event that says so. */
async function writeImage(
  job: Job,
  index: number,
  rendered: RenderedJob,
  model: ModelIdentity,
  started: number,
  emit: (e: RunEvent) => Promise<void>,
  summary: RunSummary,
): Promise<JobOutcome> {
  const { sd, settings, image, watermark, timings, loadMs, loaded } = rendered;
  const png = await encodePng(image, { parameters: a1111Parameters(settings, model) });
  const totalMs = performance.now() - started;
  const recipe = buildRecipe({
    settings,
    model,
    ...(job.source
      ? { source: { promptFile: path.relative(job.outputDir, job.source.promptFile).split(path.sep).join('/'), block: job.source.block } }
      : {}),
    runtime: { onnxruntime: ortEnv.versions.node ?? ortEnv.versions.common, executionProvider: sd.model.executionProvider },
    timings: roundTimings({ loadMs, ...timings, totalMs }),
    imageSha256: samplesSha256(image),
    files: recipeFiles(job, loaded),
    output: { width: image.width, height: image.height },
    watermark,
  });
  const written = await writeOutputSet(job.outputDir, job.stem, [
    { extension: '.png', data: png },
    { extension: '.json', data: `${JSON.stringify(recipe, null, 2)}\n` },
  ]);
  if (!written.ok) return { error: written.error };
  const [imagePath, recipePath] = written.value.paths as [string, string];
  summary.images.push(imagePath);
  await emit({ type: 'image', job, index, path: imagePath, recipePath, seed: job.request.seed, ms: totalMs });
  return { image: imagePath };
}

/** Timings to a tenth of a millisecond: finer is noise. */
function roundTimings<T extends Record<string, number>>(timings: T): T {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])) as T;
}
