// Reads a Stable Diffusion ONNX model folder from disk without opening any session: which
// component files are there, and what the configs say. The VS Code extension host calls this,
// so nothing here (or imported from here) may load onnxruntime-node.
//
// Components are found by the fixed folder names exporters write (text_encoder/, unet/,
// vae_decoder/, vae_encoder/), not by model_index.json's class list, which names PyTorch
// classes and differs between exporters.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type Result, type UserError, catchUserErrorSync, raise } from '../errors';
import { PREDICTION_TYPES } from '../schedulers/config';
import { parsePythonJson } from '../python-json';

export const COMPONENTS = ['text_encoder', 'unet', 'vae_decoder', 'vae_encoder'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export interface ComponentFiles {
  /** The model file's path (whether or not it exists). */
  onnx: string;
  /** Other files in the component's folder, which the model may reference as external data. */
  externalData?: string[];
  present: boolean;
}

export interface UNetConfig {
  inChannels: number;
  outChannels: number;
  sampleSize?: number;
  crossAttentionDim?: number;
}

export interface ModelFolderInfo {
  dir: string;
  name: string;
  /** scheduler/scheduler_config.json as parsed (with Python's Infinity, -Infinity and NaN). */
  schedulerConfig: Record<string, unknown>;
  unetConfig: UNetConfig;
  vaeScalingFactor: number;
  /** unet sample_size × 8, when the UNet's config gives one. */
  nativeSize?: { width: number; height: number };
  components: Record<ComponentName, ComponentFiles>;
  notes: string[];
}

export const MODEL_FILE = 'model.onnx';
const CONFIG_FILE = 'config.json';
const SCHEDULER_CONFIG = path.join('scheduler', 'scheduler_config.json');
const REQUIRED_COMPONENTS: readonly ComponentName[] = ['text_encoder', 'unet', 'vae_decoder'];
const SD_VAE_SCALING_FACTOR = 0.18215;

function missing(file: string, message: string): UserError {
  return { code: 'model-missing', message, file };
}

function invalid(file: string, message: string): UserError {
  return { code: 'model-invalid', message, file };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function readJsonObject(file: string, relative: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  } catch (e) {
    raise(invalid(file, `${relative}: cannot read it: ${(e as Error).message}`));
  }
  let json: unknown;
  try {
    json = parsePythonJson(text);
  } catch (e) {
    raise(invalid(file, `${relative} is not valid JSON: ${(e as Error).message}`));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    raise(invalid(file, `${relative} should be a JSON object`));
  }
  return json as Record<string, unknown>;
}

function positiveInteger(config: Record<string, unknown>, key: string, file: string, relative: string): number | undefined {
  const value = config[key];
  if (value === undefined || value === null) return undefined;
  // sample_size may be a [height, width] pair in newer diffusers configs; callers that accept it check first.
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    raise(invalid(file, `${relative}: ${key} should be a positive integer, found ${JSON.stringify(value)}`));
  }
  return value;
}

function componentFiles(dir: string, component: ComponentName): ComponentFiles {
  const folder = path.join(dir, component);
  const onnx = path.join(folder, MODEL_FILE);
  const present = isFile(onnx);
  if (!present) return { onnx, present };
  const externalData = readdirSync(folder)
    .filter((name) => name !== MODEL_FILE && name !== CONFIG_FILE && !name.startsWith('.'))
    .map((name) => path.join(folder, name))
    .filter(isFile)
    .sort();
  return externalData.length > 0 ? { onnx, externalData, present } : { onnx, present };
}

function readUNetConfig(dir: string, notes: string[]): UNetConfig {
  const relative = path.join('unet', CONFIG_FILE);
  const file = path.join(dir, relative);
  if (!isFile(file)) {
    // The old diffusers export script writes no component configs; the session's metadata decides.
    notes.push(`${relative} is absent: assuming 4 latent channels in and out`);
    return { inChannels: 4, outChannels: 4 };
  }
  const config = readJsonObject(file, relative);
  const inChannels = positiveInteger(config, 'in_channels', file, relative) ?? 4;
  const outChannels = positiveInteger(config, 'out_channels', file, relative) ?? 4;
  const unet: UNetConfig = { inChannels, outChannels };
  const sampleSize = config['sample_size'];
  if (Array.isArray(sampleSize)) {
    // Non-square native sizes ([height, width]) are rare; the first is enough for a default.
    if (typeof sampleSize[0] === 'number') unet.sampleSize = sampleSize[0];
  } else {
    const size = positiveInteger(config, 'sample_size', file, relative);
    if (size !== undefined) unet.sampleSize = size;
  }
  const crossAttentionDim = config['cross_attention_dim'];
  if (typeof crossAttentionDim === 'number') unet.crossAttentionDim = crossAttentionDim;
  return unet;
}

function readVaeScalingFactor(dir: string, notes: string[]): number {
  for (const component of ['vae_decoder', 'vae_encoder']) {
    const relative = path.join(component, CONFIG_FILE);
    const file = path.join(dir, relative);
    if (!isFile(file)) continue;
    const value = readJsonObject(file, relative)['scaling_factor'];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      raise(invalid(file, `${relative}: scaling_factor should be a positive number, found ${JSON.stringify(value)}`));
    }
    return value;
  }
  notes.push(`no VAE config gives a scaling_factor: using Stable Diffusion 1/2's ${SD_VAE_SCALING_FACTOR}`);
  return SD_VAE_SCALING_FACTOR;
}

/** A prediction type no scheduler takes is caught when the folder is chosen, not at its first run. */
function checkPredictionType(config: Record<string, unknown>, file: string): void {
  const value = config['prediction_type'];
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && (PREDICTION_TYPES as readonly string[]).includes(value)) return;
  raise(invalid(file, `${SCHEDULER_CONFIG}: prediction_type should be one of ${PREDICTION_TYPES.join(', ')}, found ${JSON.stringify(value)}`));
}

function inspect(dir: string): ModelFolderInfo {
  const root = path.resolve(dir);
  if (!isDirectory(root)) {
    raise(missing(root, `the model folder does not exist or is not a folder; expected a Stable Diffusion ONNX export (text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/)`));
  }
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, componentFiles(root, c)])) as Record<ComponentName, ComponentFiles>;
  for (const c of REQUIRED_COMPONENTS) {
    if (!components[c].present) {
      raise(missing(components[c].onnx, `${c}/${MODEL_FILE} is missing: a Stable Diffusion ONNX folder needs text_encoder/, unet/ and vae_decoder/, each with ${MODEL_FILE}`));
    }
  }
  const tokenizer = path.join(root, 'tokenizer');
  for (const name of ['vocab.json', 'merges.txt']) {
    const file = path.join(tokenizer, name);
    if (!isFile(file)) raise(missing(file, `tokenizer/${name} is missing: the tokenizer/ folder should hold a CLIP tokenizer (vocab.json, merges.txt)`));
  }
  const schedulerFile = path.join(root, SCHEDULER_CONFIG);
  if (!isFile(schedulerFile)) {
    raise(missing(schedulerFile, `${SCHEDULER_CONFIG} is missing: it should hold the scheduler's training configuration (beta schedule, prediction type)`));
  }
  const schedulerConfig = readJsonObject(schedulerFile, SCHEDULER_CONFIG);
  checkPredictionType(schedulerConfig, schedulerFile);

  const notes: string[] = [];
  const unetConfig = readUNetConfig(root, notes);
  const info: ModelFolderInfo = {
    dir: root,
    name: path.basename(root),
    schedulerConfig,
    unetConfig,
    vaeScalingFactor: readVaeScalingFactor(root, notes),
    components,
    notes,
  };
  if (unetConfig.sampleSize !== undefined) info.nativeSize = { width: unetConfig.sampleSize * 8, height: unetConfig.sampleSize * 8 };
  if (!components.vae_encoder.present) notes.push('no vae_encoder/: text-to-image only');
  return info;
}

/**
 * Reads a model folder's layout and configs; cheap and synchronous, opens no session. Errors
 * ('model-missing', 'model-invalid') name the file and what was expected. vae_encoder/ is
 * optional; text_encoder/, unet/, vae_decoder/, tokenizer/ and scheduler/ are required.
 */
export function inspectModelFolder(dir: string): Result<ModelFolderInfo> {
  return catchUserErrorSync(() => inspect(dir));
}
