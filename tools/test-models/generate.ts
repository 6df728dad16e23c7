// Writes tiny Stable Diffusion ONNX model folders in the layouts real exporters write
// (`optimum-cli export onnx`, diffusers' old convert_stable_diffusion_checkpoint_to_onnx.py), so
// tests run the real loading code on every variant without real weights or Python.
//
//   node out/tools/test-models/generate.js <outdir> [variant...]
//
// Each variant goes to <outdir>/<variant>. The same options give the same bytes.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type AddedInput,
  GraphBuilder,
  type WeightType,
  clipTextGraph,
  prng,
  depthEstimatorGraph,
  textEncoderGraph,
  unetGraph,
  vaeDecoderGraph,
  vaeEncoderGraph,
} from './graphs';
import { DataType, type Dim, type GraphSpec, encodeModel } from './onnx-writer';
import { TEST_EOS, tokenizerFiles } from './tokenizer-files';

export const TEST_MODEL_VARIANTS = ['optimum', 'legacy', 'optimum-scalar', 'fp16', 'v-prediction'] as const;
/** One model of each family's exact interface (widths, inputs, configs), with tiny weights. */
export const FAMILY_MODEL_VARIANTS = ['sd2', 'sd2-v', 'sd-turbo', 'sdxl', 'sdxl-fp16', 'sdxl-turbo', 'lcm'] as const;
/** Models of the other UNet kinds: 9 input channels (inpainting), 5 (depth, with its estimator). */
export const IMAGE_MODEL_VARIANTS = ['inpainting', 'depth'] as const;
/** Models for one test each: a VAE decoder whose pixels depend on all the latents (tiled decoding). */
export const SPECIAL_MODEL_VARIANTS = ['tiling'] as const;
export type TestModelVariant =
  | (typeof TEST_MODEL_VARIANTS)[number]
  | (typeof FAMILY_MODEL_VARIANTS)[number]
  | (typeof IMAGE_MODEL_VARIANTS)[number]
  | (typeof SPECIAL_MODEL_VARIANTS)[number];
const ALL_VARIANTS: readonly string[] = [...TEST_MODEL_VARIANTS, ...FAMILY_MODEL_VARIANTS, ...IMAGE_MODEL_VARIANTS, ...SPECIAL_MODEL_VARIANTS];

export type TimestepType = 'int64' | 'float32' | 'float16' | 'string' | 'bool';

export interface TestModelOptions {
  seed: number;
  /** Which exporter's dimension names and model_index.json to imitate. */
  layout: 'optimum' | 'legacy';
  inputIds: 'int32' | 'int64';
  timestep: TimestepType;
  /** A rank-0 timestep (optimum ≥ 1.24) instead of one per batch item. */
  timestepScalar: boolean;
  /** Float inputs, outputs and stored weights. */
  io: WeightType;
  /** Float32 weights rounded to float16 values: the fp32 twin of an fp16 model. */
  roundWeightsToFp16: boolean;
  /** When set, the UNet's weights go to this file beside its model.onnx. */
  unetExternalData?: string;
  vaeEncoderOutput: 'latent_parameters' | 'latent_sample';
  hiddenSize: number;
  /** The UNet's encoder_hidden_states width, when it should differ from the text encoder's. */
  unetHiddenSize?: number;
  predictionType: 'epsilon' | 'v_prediction';
  padToken: string;
  /** unet/config.json's sample_size (latent pixels; the image is 8× that). */
  sampleSize: number;
  /** vae config scaling_factor; undefined leaves it out of the configs. */
  scalingFactor?: number;
  /** SDXL's layout: text_encoder_2/ (this wide) and tokenizer_2/, hidden states from both, text_embeds and time_ids into the UNet. */
  sdxl?: { hiddenSize2: number; layers: number; forceZerosForEmptyPrompt: boolean };
  /** LCM: the UNet takes timestep_cond this wide (unet/config.json's time_cond_proj_dim). */
  timeCondProjDim?: number;
  /** Faults a float16 model can have: the UNet's prediction or the VAE overflowing, an all-black decode. */
  unetOverflow?: boolean;
  vaeFault?: 'overflow' | 'black';
  /** The VAE decoder's pixels also depend on all the latents (for tiled decoding's tests). */
  vaeGlobal?: boolean;
  /** scheduler/scheduler_config.json; SD 1.5's (PNDM) with `predictionType` when absent. */
  scheduler?: Record<string, unknown>;
  /** The UNet's input channels: 4, 9 (inpainting: latents, mask, masked-image latents) or 5 (depth). */
  unetInChannels: number;
  /** depth_estimator/ and feature_extractor/ (a depth model's own estimator). */
  depthEstimator: boolean;
  /** Paths relative to the folder to leave out (a component, a config, an external data file). */
  omitFiles: string[];
  /** Paths whose bytes are replaced by garbage. */
  corruptFiles: string[];
}

const BASE: TestModelOptions = {
  seed: 1,
  layout: 'optimum',
  inputIds: 'int64',
  timestep: 'int64',
  timestepScalar: false,
  io: 'float32',
  roundWeightsToFp16: false,
  vaeEncoderOutput: 'latent_parameters',
  hiddenSize: 32,
  predictionType: 'epsilon',
  padToken: TEST_EOS,
  sampleSize: 8,
  scalingFactor: 0.18215,
  unetInChannels: 4,
  depthEstimator: false,
  omitFiles: [],
  corruptFiles: [],
};

/** The options a named variant stands for; tests spread them to make twins and broken folders. */
export function variantOptions(variant: TestModelVariant): TestModelOptions {
  switch (variant) {
    case 'optimum':
      return { ...BASE };
    case 'legacy':
      return { ...BASE, layout: 'legacy', inputIds: 'int32', timestep: 'float32', unetExternalData: 'weights.pb', vaeEncoderOutput: 'latent_sample' };
    case 'optimum-scalar':
      return { ...BASE, timestep: 'float32', timestepScalar: true, unetExternalData: 'model.onnx_data' };
    case 'fp16':
      return { ...BASE, layout: 'legacy', inputIds: 'int32', timestep: 'float16', io: 'float16', vaeEncoderOutput: 'latent_sample' };
    case 'v-prediction':
      return { ...BASE, hiddenSize: 48, predictionType: 'v_prediction', padToken: '!', sampleSize: 12 };
    case 'sd2':
      return { ...SD2, sampleSize: 64 };
    case 'sd2-v':
      return { ...SD2, predictionType: 'v_prediction', sampleSize: 96, scheduler: { ...SD21_SCHEDULER } };
    case 'sd-turbo':
      return { ...SD2, sampleSize: 64, scheduler: { ...EULER_SCHEDULER, timestep_spacing: 'trailing' } };
    case 'sdxl':
      return { ...SDXL };
    case 'sdxl-fp16':
      return { ...SDXL, io: 'float16', timestep: 'float16' };
    case 'sdxl-turbo':
      return { ...SDXL, sampleSize: 64, scheduler: { ...EULER_SCHEDULER, _class_name: 'EulerAncestralDiscreteScheduler', timestep_spacing: 'trailing' } };
    case 'lcm':
      return { ...BASE, hiddenSize: 768, sampleSize: 64, timeCondProjDim: 256, scheduler: { ...LCM_SCHEDULER } };
    case 'tiling':
      return { ...BASE, vaeGlobal: true };
    case 'inpainting':
      return { ...BASE, unetInChannels: 9 };
    case 'depth':
      return { ...BASE, unetInChannels: 5, depthEstimator: true };
  }
}

const SD15_SCHEDULER = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
};

// The published scheduler configs of each family's reference model (stabilityai/stable-diffusion-2-1,
// stable-diffusion-xl-base-1.0, SimianLuo/LCM_Dreamshaper_v7), as diffusers writes them: the
// same scaled-linear betas, each class with its own keys.
const SCALED_LINEAR = { beta_end: 0.012, beta_schedule: 'scaled_linear', beta_start: 0.00085, clip_sample: false, num_train_timesteps: 1000, trained_betas: null };

const SD21_SCHEDULER = {
  _class_name: 'DDIMScheduler',
  _diffusers_version: '0.8.0',
  ...SCALED_LINEAR,
  prediction_type: 'v_prediction',
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
};

const EULER_SCHEDULER = {
  _class_name: 'EulerDiscreteScheduler',
  _diffusers_version: '0.19.0.dev0',
  ...SCALED_LINEAR,
  interpolation_type: 'linear',
  prediction_type: 'epsilon',
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  timestep_spacing: 'leading',
  use_karras_sigmas: false,
};

const LCM_SCHEDULER = {
  _class_name: 'LCMScheduler',
  _diffusers_version: '0.22.0.dev0',
  ...SCALED_LINEAR,
  clip_sample_range: 1.0,
  dynamic_thresholding_ratio: 0.995,
  original_inference_steps: 50,
  prediction_type: 'epsilon',
  rescale_betas_zero_snr: false,
  sample_max_value: 1.0,
  set_alpha_to_one: true,
  steps_offset: 1,
  thresholding: false,
  timestep_scaling: 10.0,
  timestep_spacing: 'leading',
};

const SD2: TestModelOptions = { ...BASE, hiddenSize: 1024, padToken: '!' };

/** SDXL base as optimum exports it: CLIP ViT-L (768) and OpenCLIP ViT-bigG (1280) with hidden states, a 2048-wide UNet. */
const SDXL: TestModelOptions = {
  ...BASE,
  hiddenSize: 768,
  sdxl: { hiddenSize2: 1280, layers: 2, forceZerosForEmptyPrompt: true },
  sampleSize: 128,
  scalingFactor: 0.13025,
  scheduler: { ...EULER_SCHEDULER },
};

const TIMESTEP_DATA_TYPE: Record<TimestepType, DataType> = {
  int64: DataType.INT64,
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  string: DataType.STRING,
  bool: DataType.BOOL,
};

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n');
}

/** Moves a graph's float weights into one external file; returns its bytes. */
function externalize(graph: GraphSpec, location: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const t of graph.initializers) {
    if (t.dataType !== DataType.FLOAT && t.dataType !== DataType.FLOAT16) continue;
    if (t.raw.length < 64) continue;
    t.external = { location, offset, length: t.raw.length };
    parts.push(t.raw);
    offset += t.raw.length;
  }
  const out = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** model_index.json as diffusers' save_pretrained writes it for the optimum layout. */
function modelIndex(o: TestModelOptions, schedulerClass: string): Record<string, unknown> {
  const common = {
    _diffusers_version: '0.30.0',
    scheduler: ['diffusers', schedulerClass],
    text_encoder: ['transformers', 'CLIPTextModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'UNet2DConditionModel'],
    vae: ['diffusers', 'AutoencoderKL'],
  };
  if (o.sdxl) {
    return {
      _class_name: 'StableDiffusionXLPipeline',
      ...common,
      force_zeros_for_empty_prompt: o.sdxl.forceZerosForEmptyPrompt,
      text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'],
      tokenizer_2: ['transformers', 'CLIPTokenizer'],
    };
  }
  if (o.timeCondProjDim !== undefined) return { _class_name: 'LatentConsistencyModelPipeline', ...common, requires_safety_checker: false };
  return { _class_name: 'StableDiffusionPipeline', ...common, requires_safety_checker: false };
}

function textEncoderConfig(o: TestModelOptions, hiddenSize: number, vocabSize: number, architecture: string): Record<string, unknown> {
  return {
    architectures: [architecture],
    hidden_act: 'quick_gelu',
    hidden_size: hiddenSize,
    max_position_embeddings: 77,
    model_type: 'clip_text_model',
    num_hidden_layers: o.sdxl?.layers ?? 1,
    ...(o.sdxl ? { output_hidden_states: true, projection_dim: hiddenSize } : {}),
    torch_dtype: o.io,
    vocab_size: vocabSize,
  };
}

/** Every file of a test model folder, by relative path. */
export function buildTestModelFiles(options: TestModelOptions): Map<string, Uint8Array> {
  const o = options;
  const files = new Map<string, Uint8Array>();
  const legacy = o.layout === 'legacy';
  const batch = legacy ? 'batch' : 'batch_size';
  const sequence = legacy ? 'sequence' : 'sequence_length';
  const imageDims: [Dim, Dim, Dim, Dim] = legacy ? ['batch', 'channels', 'height', 'width'] : ['batch_size', 'num_channels', 'height', 'width'];
  const latentDims: [Dim, Dim, Dim, Dim] = legacy
    ? ['batch', 'channels', 'height', 'width']
    : ['batch_size', 'num_channels_latent', 'height_latent', 'width_latent'];
  const weights = { weights: o.io, roundWeightsToFp16: o.roundWeightsToFp16 };
  const builder = (component: number) => new GraphBuilder(prng(o.seed * 7919 + component), weights);
  const model = (graph: GraphSpec) => encodeModel({ graph, producerName: legacy ? 'pytorch' : 'optimum' });

  const tokenizer = tokenizerFiles(o.padToken);
  // SDXL: CLIP ViT-L's tokenizer pads with its end token, OpenCLIP's tokenizer_2 with `!`.
  const tokenizers = o.sdxl ? [tokenizerFiles(TEST_EOS), tokenizerFiles('!', 'tokenizer_2')] : [tokenizer];
  for (const t of tokenizers) for (const [name, text] of Object.entries(t.files)) files.set(name, new TextEncoder().encode(text));
  const scheduler = o.scheduler ?? { ...SD15_SCHEDULER, prediction_type: o.predictionType };

  files.set(
    'model_index.json',
    json(
      legacy
        ? {
            _class_name: 'OnnxStableDiffusionPipeline',
            _diffusers_version: '0.6.0',
            feature_extractor: ['transformers', 'CLIPImageProcessor'],
            safety_checker: [null, null],
            scheduler: ['diffusers', 'PNDMScheduler'],
            text_encoder: ['diffusers', 'OnnxRuntimeModel'],
            tokenizer: ['transformers', 'CLIPTokenizer'],
            unet: ['diffusers', 'OnnxRuntimeModel'],
            vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
            vae_encoder: ['diffusers', 'OnnxRuntimeModel'],
          }
        : modelIndex(o, String(scheduler['_class_name'])),
    ),
  );
  files.set('scheduler/scheduler_config.json', json(scheduler));

  const idsType = o.inputIds === 'int32' ? DataType.INT32 : DataType.INT64;
  const textEncoder = o.sdxl
    ? clipTextGraph(builder(1), { idsType, ioType: o.io, vocabSize: tokenizer.vocabSize, hiddenSize: o.hiddenSize, layers: o.sdxl.layers, pooled: 'pooler_output', dims: [batch, sequence] })
    : textEncoderGraph(builder(1), { idsType, ioType: o.io, vocabSize: tokenizer.vocabSize, hiddenSize: o.hiddenSize, dims: [batch, sequence] });
  files.set('text_encoder/model.onnx', model(textEncoder));
  files.set('text_encoder/config.json', json(textEncoderConfig(o, o.hiddenSize, tokenizer.vocabSize, 'CLIPTextModel')));
  if (o.sdxl) {
    const { hiddenSize2, layers } = o.sdxl;
    const textEncoder2 = clipTextGraph(builder(6), { idsType, ioType: o.io, vocabSize: tokenizer.vocabSize, hiddenSize: hiddenSize2, layers, pooled: 'text_embeds', dims: [batch, sequence] });
    files.set('text_encoder_2/model.onnx', model(textEncoder2));
    files.set('text_encoder_2/config.json', json(textEncoderConfig(o, hiddenSize2, tokenizer.vocabSize, 'CLIPTextModelWithProjection')));
  }

  const unetHidden = o.unetHiddenSize ?? (o.sdxl ? o.hiddenSize + o.sdxl.hiddenSize2 : o.hiddenSize);
  const added: AddedInput[] = [];
  if (o.sdxl) added.push({ name: 'text_embeds', width: o.sdxl.hiddenSize2, scale: 2 / Math.sqrt(o.sdxl.hiddenSize2) }, { name: 'time_ids', width: 6, scale: 1 / 1024 });
  if (o.timeCondProjDim !== undefined) added.push({ name: 'timestep_cond', width: o.timeCondProjDim, scale: 2 / Math.sqrt(o.timeCondProjDim) });
  const unet = unetGraph(builder(2), {
    ioType: o.io,
    timestepType: TIMESTEP_DATA_TYPE[o.timestep],
    timestepShape: o.timestepScalar ? [] : [legacy ? 'batch' : 'steps'],
    channels: 4,
    inChannels: o.unetInChannels,
    hiddenSize: unetHidden,
    // Optimum fixes the channels of other UNet kinds in the graph (4 stays symbolic).
    sampleDims: o.unetInChannels === 4 || legacy ? imageDims : [imageDims[0], o.unetInChannels, imageDims[2], imageDims[3]],
    hiddenDims: [batch, sequence],
    ...(added.length > 0 ? { added } : {}),
    ...(o.unetOverflow ? { overflow: true } : {}),
  });
  if (o.unetExternalData !== undefined) files.set(`unet/${o.unetExternalData}`, externalize(unet, o.unetExternalData));
  files.set('unet/model.onnx', model(unet));
  files.set(
    'unet/config.json',
    json({
      _class_name: 'UNet2DConditionModel',
      _diffusers_version: '0.30.0',
      in_channels: o.unetInChannels,
      out_channels: 4,
      sample_size: o.sampleSize,
      cross_attention_dim: unetHidden,
      time_cond_proj_dim: o.timeCondProjDim ?? null,
      addition_embed_type: o.sdxl ? 'text_time' : null,
      ...(o.sdxl ? { addition_time_embed_dim: 256, projection_class_embeddings_input_dim: 6 * 256 + o.sdxl.hiddenSize2 } : {}),
    }),
  );

  const vaeConfig = {
    _class_name: 'AutoencoderKL',
    _diffusers_version: '0.30.0',
    in_channels: 3,
    out_channels: 3,
    latent_channels: 4,
    sample_size: o.sampleSize * 8,
    ...(o.scalingFactor !== undefined ? { scaling_factor: o.scalingFactor } : {}),
    // SDXL's VAE overflows in float16; diffusers decodes it in float32 (force_upcast).
    ...(o.sdxl ? { force_upcast: true } : {}),
  };
  const decoder = vaeDecoderGraph(builder(3), {
    ioType: o.io,
    latentChannels: 4,
    latentDims,
    imageDims,
    ...(o.vaeFault ? { fault: o.vaeFault } : {}),
    ...(o.vaeGlobal ? { global: true } : {}),
  });
  files.set('vae_decoder/model.onnx', model(decoder));
  files.set('vae_decoder/config.json', json(vaeConfig));
  const encoder = vaeEncoderGraph(builder(4), { ioType: o.io, latentChannels: 4, output: o.vaeEncoderOutput, imageDims, latentDims });
  files.set('vae_encoder/model.onnx', model(encoder));
  files.set('vae_encoder/config.json', json(vaeConfig));

  if (o.depthEstimator) {
    files.set('depth_estimator/model.onnx', model(depthEstimatorGraph(builder(5), { imageDims: [batch, 3, 'height', 'width'] })));
    files.set('depth_estimator/config.json', json({ architectures: ['DPTForDepthEstimation'], model_type: 'dpt' }));
    files.set(
      'feature_extractor/preprocessor_config.json',
      json({
        image_processor_type: 'DPTImageProcessor',
        do_resize: true,
        size: { height: 32, width: 32 },
        keep_aspect_ratio: false,
        ensure_multiple_of: 1,
        resample: 3,
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
      }),
    );
  }

  for (const name of o.corruptFiles) {
    const garbage = new Uint8Array(256);
    const random = prng(o.seed + 17);
    for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
    files.set(name, garbage);
  }
  for (const name of o.omitFiles) {
    for (const key of [...files.keys()]) if (key === name || key.startsWith(name.replace(/\/?$/, '/'))) files.delete(key);
  }
  return files;
}

export function writeModelFiles(dir: string, files: Map<string, Uint8Array>): void {
  for (const [name, bytes] of files) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}

/** Writes the model folder of `variant` (with `overrides`) into `dir`. */
export function generateTestModel(dir: string, variant: TestModelVariant, overrides: Partial<TestModelOptions> = {}): void {
  writeModelFiles(dir, buildTestModelFiles({ ...variantOptions(variant), ...overrides }));
}

function main(args: string[]): number {
  const [outDir, ...names] = args;
  if (outDir === undefined) {
    process.stderr.write(`usage: generate <outdir> [variant...]\nvariants: ${ALL_VARIANTS.join(', ')}\n`);
    return 2;
  }
  const variants = names.length > 0 ? names : ALL_VARIANTS;
  for (const v of variants) {
    if (!ALL_VARIANTS.includes(v)) {
      process.stderr.write(`unknown variant ${JSON.stringify(v)}; known: ${ALL_VARIANTS.join(', ')}\n`);
      return 2;
    }
  }
  for (const v of variants) {
    generateTestModel(path.join(outDir, v), v as TestModelVariant);
    process.stdout.write(`${path.join(outDir, v)}\n`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
