// `sdprompt verify`: an image made again from its own recipe and compared with the file on disk.
// Identical samples pass; otherwise the result says by how much (the largest difference and SSIM,
// image/compare.ts). What keeps an image from being made again is named for what it is, not
// reported as a different image: a recipe that is missing or unreadable, a model that is not there
// or whose weights are not the recipe's, an input picture that moved or changed.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { formatUserError } from '../errors';
import { fileSha256 } from '../file-hash';
import { compareImages, type ImageComparison } from '../image/compare';
import { samplesSha256, type RgbImage } from '../image/encode';
import { COMPONENTS, inspectModelFolder, modelContentHashes, type ModelFolderInfo } from '../models';
import { inspectVaeFolder, withVae } from '../models/vae-folder';
import type { Recipe } from '../outputs/metadata';
import { readOutputRecord } from '../outputs/recipe-read';
import type { ImageFile } from './image-settings';
import { requestFromRecipe, type RecipePicture } from './recipe-request';
import { renderJob, type RunEvent, type RunOptions } from './run';

export type VerifyStatus =
  /** Made again, sample for sample the same. */
  | 'identical'
  /** Made again, and different (or the file was edited). */
  | 'differs'
  /** The recipe's model is not there. */
  | 'model-missing'
  /** A model is there, but its weights are not the recipe's. */
  | 'model-differs'
  /** The recipe is missing, unreadable, invalid or from a newer sdprompt. */
  | 'recipe'
  /** An input picture the recipe names is not there or has changed. */
  | 'input'
  /** The image could not be made (the model failed). */
  | 'failed'
  /** A grid PNG: its cells are verified as images of their own. */
  | 'grid';

export interface VerifyResult {
  /** The PNG checked. */
  image: string;
  status: VerifyStatus;
  /** What was found, in a sentence. */
  message: string;
  comparison?: ImageComparison;
  /** The file's samples are not those its recipe recorded: it was changed after it was written. */
  edited?: boolean;
}

export interface VerifyOptions extends RunOptions {
  /** A model folder for every recipe (the CLI's --model). */
  modelOverride?: string;
  /** Folders holding model folders by name, searched for a recipe that records its model by name. */
  modelSearch: readonly string[];
}

type Outcome = Omit<VerifyResult, 'image'>;

const short = (hash: string) => `${hash.slice(0, 12)}…`;

/** The folder a recipe's relative paths start at: its prompt file's folder, else the recipe's own. */
function recipeBase(png: string, recipe: Recipe): string {
  const dir = path.dirname(png);
  return typeof recipe.source?.promptFile === 'string' ? path.dirname(path.resolve(dir, recipe.source.promptFile)) : dir;
}

/** Where the recipe's model is: the override, its recorded path, else a folder of its name where models are kept. */
async function locateModel(recipe: Recipe, base: string, options: VerifyOptions): Promise<{ dir: string } | Outcome> {
  if (options.modelOverride !== undefined) return { dir: options.modelOverride };
  const model = recipe.model;
  if (typeof model?.name !== 'string') return { status: 'recipe', message: 'the recipe names no model' };
  if (typeof model.path === 'string') {
    const dir = path.resolve(base, model.path);
    if (await isFolder(dir)) return { dir };
    return { status: 'model-missing', message: `the model folder ${model.path} the recipe names is not there (moved?); give it with --model DIR` };
  }
  for (const root of options.modelSearch) {
    const dir = path.join(root, model.name);
    if (await isFolder(dir)) return { dir };
  }
  const where = options.modelSearch.length > 0 ? ` in ${options.modelSearch.join(', ')}` : '';
  return {
    status: 'model-missing',
    message: `the recipe names the model '${model.name}' by its folder name (it was outside the prompt file's tree), and there is no such folder${where}; give it with --model DIR or --models DIR`,
  };
}

/** The `vae:` folder the recipe records, when it records one: by its path, else by its name where models are kept. */
async function locateVae(recipe: Recipe, base: string, options: VerifyOptions): Promise<{ dir: string } | Outcome | undefined> {
  const vae = recipe.model?.vae;
  if (vae === undefined) return undefined;
  if (typeof vae.path === 'string') {
    const dir = path.resolve(base, vae.path);
    if (await isFolder(dir)) return { dir };
    return { status: 'model-missing', message: `the VAE folder ${vae.path} the recipe names (vae:) is not there (moved?)` };
  }
  for (const root of options.modelSearch) {
    const dir = path.join(root, vae.name);
    if (await isFolder(dir)) return { dir };
  }
  return { status: 'model-missing', message: `the recipe names the VAE '${vae.name}' (vae:) by its folder name, and there is no such folder; give its parent folder with --models DIR` };
}

async function isFolder(dir: string): Promise<boolean> {
  return (await fs.stat(dir).catch(() => undefined))?.isDirectory() === true;
}

/** Whether the folder holds the weights the recipe records, component by component. */
async function checkModel(recipe: Recipe, info: ModelFolderInfo): Promise<Outcome | undefined> {
  const recorded = recipe.model.sha256;
  if (typeof recorded !== 'object' || recorded === null || typeof recorded.unet !== 'string') {
    return { status: 'recipe', message: 'the recipe records no sha256 of its model (an older recipe): make the image again with `sdprompt run`' };
  }
  const here = await modelContentHashes(info);
  for (const component of COMPONENTS) {
    const expected = recorded[component];
    if (expected === undefined) continue;
    const actual = here[component];
    if (actual === undefined) return { status: 'model-differs', message: `${info.dir} has no ${component}/, which the recipe's model had: not the model the recipe names` };
    if (actual !== expected) {
      return { status: 'model-differs', message: `${info.dir} is not the model the recipe names: its ${component} differs (sha256 ${short(actual)} here, ${short(expected)} in the recipe)` };
    }
  }
  return undefined;
}

/** The recipe's pictures located and checked against their recorded sha256. */
async function locatePictures(recipe: Recipe, base: string): Promise<Map<RecipePicture, ImageFile> | Outcome> {
  const located = new Map<RecipePicture, ImageFile>();
  for (const role of ['init', 'mask', 'depth'] as const) {
    const recorded = recipe[role];
    if (recorded === undefined || recorded === 'auto' || typeof recorded !== 'object') continue;
    const label = `the ${role} ${recorded.path ?? recorded.name}`;
    if (typeof recorded.path !== 'string') return { status: 'input', message: `${label} is recorded by name only (it was outside the prompt file's tree), so it cannot be found` };
    const file = path.resolve(base, recorded.path);
    const sha = await fileSha256(file);
    if (sha === undefined) return { status: 'input', message: `${label} is not there (moved?)` };
    if (sha !== recorded.sha256) return { status: 'input', message: `${label} has changed since the image was made (sha256 ${short(sha)}, the recipe's ${short(recorded.sha256)})` };
    located.set(role, { path: file, spec: recorded.path });
  }
  return located;
}

/** A PNG's samples as RGB; undefined when it cannot be read as an image. */
export async function readRgb(file: string): Promise<RgbImage | undefined> {
  try {
    const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}

function describeDifference(c: ImageComparison, pixels: number): string {
  const share = (100 * c.differingPixels) / pixels;
  return `differs: largest difference ${c.maxDifference}/255, in ${c.differingPixels} pixels (${share < 0.1 ? share.toFixed(3) : share.toFixed(1)}%); SSIM ${c.ssim.toFixed(5)}`;
}

/** Makes one image again from its recipe and compares; `emit` gets the run's events (progress). */
export async function verifyImage(png: string, options: VerifyOptions, emit: (e: RunEvent) => Promise<void> = async () => {}): Promise<VerifyResult> {
  const outcome = await verifyOutcome(png, options, emit);
  return { image: png, ...outcome };
}

async function verifyOutcome(png: string, options: VerifyOptions, emit: (e: RunEvent) => Promise<void>): Promise<Outcome> {
  const read = await readOutputRecord(png);
  if (!read.ok) return { status: 'recipe', message: read.error.message };
  if (read.value.format === 'sdprompt-grid') {
    return { status: 'grid', message: `a grid of ${read.value.cells.length} cells (each verified as an image of its own)` };
  }
  const recipe = read.value;
  const base = recipeBase(png, recipe);
  const model = await locateModel(recipe, base, options);
  if (!('dir' in model)) return model;
  const inspected = inspectModelFolder(model.dir);
  if (!inspected.ok) return { status: 'model-missing', message: formatUserError(inspected.error) };
  // An image made with `vae:` is made again with that VAE, and its hashes are checked with it in place.
  const vae = await locateVae(recipe, base, options);
  if (vae !== undefined && !('dir' in vae)) return vae;
  let info = inspected.value;
  if (vae) {
    const folder = inspectVaeFolder(vae.dir, info.family);
    if (!folder.ok) return { status: 'model-missing', message: formatUserError(folder.error) };
    info = withVae(info, folder.value);
  }
  const modelProblem = await checkModel(recipe, info);
  if (modelProblem) return modelProblem;
  const pictures = await locatePictures(recipe, base);
  if (!(pictures instanceof Map)) return pictures;
  const request = requestFromRecipe(recipe, png.replace(/\.png$/i, '.json'), (role) => pictures.get(role)!);
  if (!request.ok) return { status: 'recipe', message: request.error.message };

  const job = {
    request: request.value,
    model: { dir: model.dir, spec: model.dir, ...(vae ? { vae: { dir: vae.dir, spec: vae.dir } } : {}) },
    outputDir: path.dirname(png),
    stem: path.basename(png, '.png'),
  };
  const rendered = await renderJob(job, 0, options, emit);
  if (!rendered.ok) return { status: 'failed', message: rendered.error.message };
  const made = rendered.value.image;
  const disk = await readRgb(png);
  if (!disk) return { status: 'differs', message: 'the PNG cannot be read as an image' };
  const diskSha = samplesSha256(disk);
  const edited = typeof recipe.imageSha256 === 'string' ? diskSha !== recipe.imageSha256 : undefined;
  const editNote = edited
    ? `; the file was changed after it was written (its samples are not those its recipe recorded)${samplesSha256(made) === recipe.imageSha256 ? ', and the recipe still makes the image it recorded' : ''}`
    : '';
  if (made.width !== disk.width || made.height !== disk.height) {
    return { status: 'differs', message: `differs: the file is ${disk.width}x${disk.height}, the recipe makes ${made.width}x${made.height}${editNote}`, ...(edited !== undefined ? { edited } : {}) };
  }
  const comparison = compareImages({ data: made.data, width: made.width, height: made.height }, disk);
  if (comparison.identical) return { status: 'identical', message: 'identical', comparison };
  return { status: 'differs', message: describeDifference(comparison, disk.width * disk.height) + editNote, comparison, ...(edited !== undefined ? { edited } : {}) };
}
