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
import { type DepthPreprocessor, parseDepthPreprocessor } from '../image/depth-preprocess';
import { PREDICTION_TYPES } from '../schedulers/config';
import { parsePythonJson } from '../python-json';
import { type FamilyEvidence, type ModelFamily, detectFamily } from './family';
import { checkSchedulerConfig } from '../schedulers/registry';

export const COMPONENTS = ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vae_encoder', 'depth_estimator'] as const;
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
  /** "text_time" for SDXL's UNet (it takes text_embeds and time_ids). */
  additionEmbedType?: string;
  /** LCM's guidance embedding width (the UNet takes timestep_cond). */
  timeCondProjDim?: number;
  /** The first down block with attention: its level (latents halved `level` times) and heads. For memory estimates. */
  firstAttention?: { level: number; heads: number };
}

export interface ModelFolderInfo {
  dir: string;
  name: string;
  /** scheduler/scheduler_config.json as parsed (with Python's Infinity, -Infinity and NaN). */
  schedulerConfig: Record<string, unknown>;
  unetConfig: UNetConfig;
  family: ModelFamily;
  /** SDXL: an empty negative prompt is all zeros (model_index.json's force_zeros_for_empty_prompt, true unless it says false). */
  forceZerosForEmptyPrompt: boolean;
  /** The tokenizer folders, one per text encoder: tokenizer/ (and tokenizer_2/ for SDXL). */
  tokenizers: string[];
  vaeScalingFactor: number;
  /** The VAE config's sample_size in pixels (diffusers' tile size when decoding in tiles). */
  vaeSampleSize?: number;
  /** The folder of a VAE used in place of the model's own (`vae:`). */
  vae?: string;
  /** unet sample_size × 8, when the UNet's config gives one. */
  nativeSize?: { width: number; height: number };
  /** How the depth estimator's input is prepared (feature_extractor/preprocessor_config.json), when the folder has one. */
  depthPreprocessor?: DepthPreprocessor;
  components: Record<ComponentName, ComponentFiles>;
  notes: string[];
}

export const MODEL_FILE = 'model.onnx';
const CONFIG_FILE = 'config.json';
const SCHEDULER_CONFIG = path.join('scheduler', 'scheduler_config.json');
const MODEL_INDEX = 'model_index.json';
const REQUIRED_COMPONENTS: readonly ComponentName[] = ['text_encoder', 'unet', 'vae_decoder'];
/** The VAE scaling factors of SD 1.x/2.x and of SDXL, for folders whose VAE configs give none. */
const VAE_SCALING_FACTOR = { sd: 0.18215, sdxl: 0.13025 } as const;

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
  return componentFilesIn(path.join(dir, component));
}

/** A component folder's model.onnx and the other files beside it (its external data). */
export function componentFilesIn(folder: string): ComponentFiles {
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
  if (typeof config['addition_embed_type'] === 'string') unet.additionEmbedType = config['addition_embed_type'];
  const timeCondProjDim = positiveInteger(config, 'time_cond_proj_dim', file, relative);
  if (timeCondProjDim !== undefined) unet.timeCondProjDim = timeCondProjDim;
  const firstAttention = readFirstAttention(config);
  if (firstAttention) unet.firstAttention = firstAttention;
  return unet;
}

/**
 * diffusers' UNet2DConditionModel: down_block_types name the blocks with attention, and
 * num_attention_heads (or, in older configs, attention_head_dim, which then means heads) gives
 * their heads, one number or one per block. Anything else: unknown, not an error.
 */
function readFirstAttention(config: Record<string, unknown>): UNetConfig['firstAttention'] {
  const blocks = config['down_block_types'];
  if (!Array.isArray(blocks)) return undefined;
  const level = blocks.findIndex((b) => typeof b === 'string' && b.includes('Attn'));
  const heads = config['num_attention_heads'] ?? config['attention_head_dim'];
  const atLevel: unknown = Array.isArray(heads) ? heads[level] : heads;
  if (level < 0 || typeof atLevel !== 'number' || !Number.isInteger(atLevel) || atLevel < 1) return undefined;
  return { level, heads: atLevel };
}

const VAE_CONFIGS = ['vae_decoder', 'vae_encoder'].map((c) => path.join(c, CONFIG_FILE));

export interface VaeConfig {
  scalingFactor: number;
  /** The VAE's sample_size in pixels: diffusers' tile size for tiled decoding. */
  sampleSize?: number;
}

/**
 * A VAE's configs (each `relative` to `dir`: vae_decoder/config.json, vae_encoder/config.json): its
 * scaling factor, the family's when none is given, and its sample size.
 */
export function readVaeConfig(dir: string, family: ModelFamily, notes: string[], configs: readonly string[] = VAE_CONFIGS): VaeConfig {
  let scalingFactor: number | undefined;
  let sampleSize: number | undefined;
  for (const relative of configs) {
    const file = path.join(dir, relative);
    if (!isFile(file)) continue;
    const config = readJsonObject(file, relative);
    const value = config['scaling_factor'];
    if (scalingFactor === undefined && value !== undefined && value !== null) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        raise(invalid(file, `${relative}: scaling_factor should be a positive number, found ${JSON.stringify(value)}`));
      }
      scalingFactor = value;
    }
    const size = config['sample_size'];
    sampleSize ??= Array.isArray(size) && typeof size[0] === 'number' ? size[0] : positiveInteger(config, 'sample_size', file, relative);
  }
  if (scalingFactor === undefined) {
    scalingFactor = family.architecture === 'sdxl' ? VAE_SCALING_FACTOR.sdxl : VAE_SCALING_FACTOR.sd;
    notes.push(`no VAE config gives a scaling_factor: using ${family.label}'s ${scalingFactor}`);
  }
  return sampleSize === undefined ? { scalingFactor } : { scalingFactor, sampleSize };
}

/** A prediction type no scheduler takes is caught when the folder is chosen, not at its first run. */
function checkPredictionType(config: Record<string, unknown>, file: string): void {
  const value = config['prediction_type'];
  if (value === undefined || value === null) return;
  if (typeof value === 'string' && (PREDICTION_TYPES as readonly string[]).includes(value)) return;
  raise(invalid(file, `${SCHEDULER_CONFIG}: prediction_type should be one of ${PREDICTION_TYPES.join(', ')}, found ${JSON.stringify(value)}`));
}

function readOptionalJson(root: string, relative: string): Record<string, unknown> | undefined {
  const file = path.join(root, relative);
  return isFile(file) ? readJsonObject(file, relative) : undefined;
}

/** A component config's hidden_size (a text encoder's width), when the config is there. */
function hiddenSize(root: string, component: string): number | undefined {
  const relative = path.join(component, CONFIG_FILE);
  const config = readOptionalJson(root, relative);
  return config && positiveInteger(config, 'hidden_size', path.join(root, relative), relative);
}

/** Whether tokenizer/ pads with `!` (SD 2.x's OpenCLIP tokenizer) rather than with its end token. */
function padsWithExclamation(root: string): boolean | undefined {
  for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
    const pad = readOptionalJson(root, path.join('tokenizer', name))?.['pad_token'];
    const content = typeof pad === 'object' && pad !== null ? (pad as Record<string, unknown>)['content'] : pad;
    if (typeof content === 'string') return content === '!';
  }
  return undefined;
}

function familyEvidence(root: string, components: Record<ComponentName, ComponentFiles>, unet: UNetConfig, scheduler: Record<string, unknown>, modelIndex: Record<string, unknown> | undefined): FamilyEvidence {
  const evidence: FamilyEvidence = {
    textEncoder2: components.text_encoder_2.present,
    zeroSnr: scheduler['rescale_betas_zero_snr'] === true,
  };
  const set = <K extends keyof FamilyEvidence>(key: K, value: FamilyEvidence[K] | undefined): void => {
    if (value !== undefined) evidence[key] = value;
  };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  set('pipelineClass', text(modelIndex?.['_class_name']));
  set('requiresAestheticsScore', typeof modelIndex?.['requires_aesthetics_score'] === 'boolean' ? modelIndex['requires_aesthetics_score'] : undefined);
  set('textEncoderWidth', hiddenSize(root, 'text_encoder'));
  set('textEncoder2Width', hiddenSize(root, 'text_encoder_2'));
  set('crossAttentionDim', unet.crossAttentionDim);
  set('additionEmbedType', unet.additionEmbedType);
  set('timeCondProjDim', unet.timeCondProjDim);
  set('sampleSize', unet.sampleSize);
  set('schedulerClass', text(scheduler['_class_name']));
  set('timestepSpacing', text(scheduler['timestep_spacing']));
  set('predictionType', text(scheduler['prediction_type']));
  set('padsWithExclamation', padsWithExclamation(root));
  return evidence;
}

function requireTokenizer(root: string, folder: string): string {
  const dir = path.join(root, folder);
  for (const name of ['vocab.json', 'merges.txt']) {
    const file = path.join(dir, name);
    if (!isFile(file)) raise(missing(file, `${folder}/${name} is missing: the ${folder}/ folder should hold a CLIP tokenizer (vocab.json, merges.txt)`));
  }
  return dir;
}

/** The depth estimator's preprocessing; DPTImageProcessor's defaults when the folder has no config for it. */
function readDepthPreprocessor(dir: string, notes: string[]): DepthPreprocessor {
  const relative = path.join('feature_extractor', 'preprocessor_config.json');
  const config = readOptionalJson(dir, relative);
  if (!config) notes.push(`${relative} is absent: preparing the depth estimator's input as DPTImageProcessor's defaults do`);
  const parsed = parseDepthPreprocessor(config ?? {}, path.join(dir, relative));
  if (!parsed.ok) raise(parsed.error);
  return parsed.value;
}

/** A scheduler config problem as a model folder error: the file, and the message starting with its name. */
export function schedulerConfigError(error: UserError, modelDir: string): UserError {
  return { ...error, code: 'model-invalid', message: error.message.replace(/^scheduler config: /, `${SCHEDULER_CONFIG}: `), file: path.join(modelDir, SCHEDULER_CONFIG) };
}

function inspect(dir: string): ModelFolderInfo {
  const root = path.resolve(dir);
  if (!isDirectory(root)) {
    raise(missing(root, `the model folder does not exist or is not a folder; expected a Stable Diffusion ONNX export (text_encoder/, unet/, vae_decoder/, tokenizer/, scheduler/)`));
  }
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, componentFiles(root, c)])) as Record<ComponentName, ComponentFiles>;
  const requireComponent = (c: ComponentName, why: string): void => {
    if (!components[c].present) raise(missing(components[c].onnx, `${c}/${MODEL_FILE} is missing: ${why}`));
  };
  requireComponent('unet', `a Stable Diffusion ONNX folder needs text_encoder/, unet/ and vae_decoder/, each with ${MODEL_FILE}`);
  for (const c of COMPONENTS) {
    if (components[c].present && statSync(components[c].onnx).size === 0) {
      raise(invalid(components[c].onnx, `${c}/${MODEL_FILE} is empty (0 bytes): the export or the copy did not finish`));
    }
  }
  const schedulerFile = path.join(root, SCHEDULER_CONFIG);
  if (!isFile(schedulerFile)) {
    raise(missing(schedulerFile, `${SCHEDULER_CONFIG} is missing: it should hold the scheduler's training configuration (beta schedule, prediction type)`));
  }
  const schedulerConfig = readJsonObject(schedulerFile, SCHEDULER_CONFIG);
  checkPredictionType(schedulerConfig, schedulerFile);
  const scheduler = checkSchedulerConfig(schedulerConfig);
  if (!scheduler.ok) raise(schedulerConfigError(scheduler.error, root));

  const notes: string[] = [];
  const unetConfig = readUNetConfig(root, notes);
  const modelIndex = readOptionalJson(root, MODEL_INDEX);
  const family = detectFamily(familyEvidence(root, components, unetConfig, schedulerConfig, modelIndex), {
    modelIndex: path.join(root, MODEL_INDEX),
    unetConfig: path.join(root, 'unet', CONFIG_FILE),
    textEncoderConfig: path.join(root, 'text_encoder', CONFIG_FILE),
    textEncoder2: components.text_encoder_2.onnx,
    schedulerConfig: schedulerFile,
  });
  for (const c of REQUIRED_COMPONENTS) requireComponent(c, `a Stable Diffusion ONNX folder needs text_encoder/, unet/ and vae_decoder/, each with ${MODEL_FILE}`);
  const tokenizers = [requireTokenizer(root, 'tokenizer')];
  if (family.architecture === 'sdxl') tokenizers.push(requireTokenizer(root, 'tokenizer_2'));

  const vae = readVaeConfig(root, family, notes);
  const info: ModelFolderInfo = {
    dir: root,
    name: path.basename(root),
    schedulerConfig,
    unetConfig,
    family,
    forceZerosForEmptyPrompt: family.architecture === 'sdxl' && modelIndex?.['force_zeros_for_empty_prompt'] !== false,
    tokenizers,
    vaeScalingFactor: vae.scalingFactor,
    components,
    notes,
  };
  if (vae.sampleSize !== undefined) info.vaeSampleSize = vae.sampleSize;
  if (unetConfig.sampleSize !== undefined) info.nativeSize = { width: unetConfig.sampleSize * 8, height: unetConfig.sampleSize * 8 };
  if (!components.vae_encoder.present) notes.push('no vae_encoder/: text-to-image only');
  if (components.depth_estimator.present) info.depthPreprocessor = readDepthPreprocessor(root, notes);
  return info;
}

/**
 * Reads a model folder's layout and configs; cheap and synchronous, opens no session. Errors
 * ('model-missing', 'model-invalid') name the file and what was expected. vae_encoder/ is
 * optional; text_encoder/, unet/, vae_decoder/, tokenizer/ and scheduler/ are required, and
 * text_encoder_2/ and tokenizer_2/ for SDXL. The family (family.ts) is read from the configs.
 */
export function inspectModelFolder(dir: string): Result<ModelFolderInfo> {
  return catchUserErrorSync(() => inspect(dir));
}
