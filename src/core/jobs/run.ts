// Running jobs: for each, the model (cached), the pictures it names, its settings resolved, the
// pipeline, and the files beside the prompt file. Progress and results go out as events, which
// the CLI prints and the engine forwards.

import * as path from 'node:path';
import { env as ortEnv } from 'onnxruntime-node';
import { fail, isModelError, ok, type Result, type UserError } from '../errors';
import { encodePng, samplesSha256, type RgbImage } from '../image/encode';
import { loadImage, type ImageRole, type LoadedImage } from '../image/load';
import { modelContentHashes, type ModelFolderInfo } from '../models';
import { a1111Parameters, buildRecipe, type ModelIdentity, type PictureFiles } from '../outputs/metadata';
import { portableLocation, treeRoot } from '../outputs/portable';
import { writeOutputSet } from '../outputs/write';
import type { Raster } from '../image/raster';
import type { WatermarkOutcome } from '../image/watermark';
import { generateImage, type Pictures, type PipelineTimings, type StepInfo } from '../pipelines/generate';
import type { ModelCache } from '../pipelines/model-cache';
import { renderPreview } from '../pipelines/preview';
import type { StableDiffusion } from '../pipelines/stable-diffusion';
import { modelContext, resolveImageSettings, type ImageFile, type ImageSettings } from './image-settings';
import { GridTracker, writeGrid } from './grids';
import type { Job } from './plan';

export type RunEvent =
  | { type: 'job-start'; job: Job; index: number; count: number }
  | { type: 'model-loaded'; dir: string; ms: number; executionProvider: string; notes: string[] }
  | { type: 'step'; job: Job; index: number; step: number; total: number; latents: StepInfo['latents']; preview(): Promise<RgbImage> }
  | { type: 'warning'; job: Job; index: number; message: string }
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

export async function runJobs(jobs: readonly Job[], options: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = { images: [], errors: [], cancelled: false };
  const emit = async (event: RunEvent) => options.onEvent?.(event);
  const grids = new GridTracker(jobs);
  const failedModels = new Map<string, UserError>();
  for (let index = 0; index < jobs.length; index++) {
    if (options.signal?.aborted) {
      summary.cancelled = true;
      break;
    }
    const job = jobs[index]!;
    await emit({ type: 'job-start', job, index, count: jobs.length });
    const error = failedModels.get(job.model.dir) ?? (await runJob(job, index, options, emit, summary));
    if (error?.code === 'cancelled') {
      summary.cancelled = true;
      break;
    }
    if (error) {
      if (isModelError(error)) failedModels.set(job.model.dir, error);
      summary.errors.push(error);
      await emit({ type: 'job-error', job, index, error });
    }
    // A job that ran without error added its image to summary.images last.
    const grid = grids.ran(job, error ? undefined : summary.images.at(-1));
    if (grid) {
      const written = await writeGrid(grid);
      if (written.ok) await emit({ type: 'grid', job, index, path: written.value.paths[0]!, recordPath: written.value.paths[1]! });
      else await emit({ type: 'warning', job, index, message: `the grid was not drawn: ${written.error.message}` });
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

/** The model as the recipe records it: where (portable.ts) and the content of each component. */
async function recipeModel(job: Job, info: ModelFolderInfo): Promise<ModelIdentity> {
  const base = recipeBase(job);
  return { ...portableLocation(job.model.dir, base, treeRoot(base)), sha256: await modelContentHashes(info) };
}

/** One job's image, made and not yet written: what runJob writes and `verify` compares. */
export interface RenderedJob {
  sd: StableDiffusion;
  settings: ImageSettings;
  image: Raster;
  /** Whether the image carries the invisible watermark, or why not. */
  watermark: WatermarkOutcome;
  timings: PipelineTimings;
  loadMs: number;
  loaded: Partial<Record<PictureRole, LoadedImage>>;
}

/** Makes a job's image: the model (cached), its pictures, its settings resolved, the pipeline; events as runJobs gives them. */
export async function renderJob(job: Job, index: number, options: RunOptions, emit: (e: RunEvent) => Promise<void>): Promise<Result<RenderedJob>> {
  const cached = await options.models.get(job.model.dir);
  if (!cached.ok) return cached;
  const { sd, loadMs } = cached.value;
  if (loadMs > 0) {
    await emit({ type: 'model-loaded', dir: job.model.dir, ms: loadMs, executionProvider: sd.model.executionProvider, notes: sd.model.notes });
  }

  const loaded = await loadPictures(job);
  if (!loaded.ok) return loaded;
  const init = loaded.value.init?.raster;
  const resolved = resolveImageSettings(job.request, modelContext(sd.model, init && { width: init.width, height: init.height }));
  if (!resolved.ok) return fail(atBlock(resolved.error, job));
  const settings = resolved.value;
  const pictures: Pictures = {};
  for (const role of ROLES) {
    const picture = loaded.value[role];
    if (picture) pictures[role] = picture.raster;
  }

  let result: Awaited<ReturnType<typeof generateImage>>;
  try {
    result = await generateImage(sd, settings, pictures, {
      ...(options.signal ? { signal: options.signal } : {}),
      onStep: (step) =>
        emit({ type: 'step', job, index, step: step.step, total: step.total, latents: step.latents, preview: () => renderPreview(sd, step.denoised()) }),
    });
  } catch (e) {
    // ONNX Runtime reports a model that cannot run these inputs by throwing.
    return fail({ code: 'inference-failed', message: `the model failed while generating: ${(e as Error).message}`, file: job.model.dir });
  }
  if (!result.ok) return fail(atBlock(result.error, job));
  for (const message of result.value.warnings) await emit({ type: 'warning', job, index, message });
  return ok({ sd, settings, image: result.value.image, watermark: result.value.watermark, timings: result.value.timings, loadMs, loaded: loaded.value });
}

async function runJob(
  job: Job,
  index: number,
  options: RunOptions,
  emit: (e: RunEvent) => Promise<void>,
  summary: RunSummary,
): Promise<UserError | undefined> {
  const started = performance.now();
  const rendered = await renderJob(job, index, options, emit);
  if (!rendered.ok) return rendered.error;
  const { sd, settings, image, watermark, timings, loadMs, loaded } = rendered.value;
  const model = await recipeModel(job, sd.model.info);
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
  if (!written.ok) return written.error;
  const [imagePath, recipePath] = written.value.paths as [string, string];
  summary.images.push(imagePath);
  await emit({ type: 'image', job, index, path: imagePath, recipePath, seed: job.request.seed, ms: totalMs });
  return undefined;
}

/**
 * A request's error that no one setting explains (settings that this model cannot run: a depth
 * estimate on a model without depth, a depth model given no depth) is located at its block.
 */
function atBlock(error: UserError, job: Job): UserError {
  if (error.code !== 'invalid-request' || error.file !== undefined || !job.source) return error;
  return { ...error, file: job.source.promptFile, line: job.source.block.line, column: 1 };
}

/** Timings to a tenth of a millisecond: finer is noise. */
function roundTimings<T extends Record<string, number>>(timings: T): T {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10])) as T;
}
