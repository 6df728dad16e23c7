// Which Stable Diffusion family a model folder holds, from what its files say: model_index.json's
// pipeline class, the UNet's config (cross-attention width, SDXL's added text-time embedding,
// LCM's guidance embedding), the text encoders present, the scheduler's spacing. The UNet's
// declared inputs confirm it when the sessions open (load.ts). A folder whose parts say
// different things is refused with the file that disagrees. No native code.

import { type UserError, raise } from '../errors';

export type Architecture = 'sd1' | 'sd2' | 'sdxl';

export interface ModelFamily {
  architecture: Architecture;
  /** Few-step distillations: SD-Turbo / SDXL-Turbo (trailing timesteps), LCM (LCMScheduler). */
  distilled?: 'turbo' | 'lcm';
  /** The width of the guidance embedding an LCM UNet takes as `timestep_cond` (unet/config.json's time_cond_proj_dim). */
  guidanceEmbedDim?: number;
  /** e.g. "SD 1.x", "SD 2.x (768, v-prediction)", "SDXL", "SDXL Turbo", "LCM (SD 1.x)". */
  label: string;
}

/** What the folder's files say, each absent when the file does not say it. */
export interface FamilyEvidence {
  /** model_index.json's _class_name. */
  pipelineClass?: string;
  /** model_index.json's requires_aesthetics_score (SDXL's refiner). */
  requiresAestheticsScore?: boolean;
  textEncoder2: boolean;
  /** text_encoder/config.json's hidden_size and text_encoder_2/config.json's. */
  textEncoderWidth?: number;
  textEncoder2Width?: number;
  /** unet/config.json. */
  crossAttentionDim?: number;
  additionEmbedType?: string;
  timeCondProjDim?: number;
  /** unet/config.json's sample_size (latent pixels). */
  sampleSize?: number;
  schedulerClass?: string;
  timestepSpacing?: string;
  predictionType?: string;
  zeroSnr: boolean;
  /** The tokenizer pads with `!` (SD 2.x's OpenCLIP) rather than its end token. */
  padsWithExclamation?: boolean;
}

export interface FamilyFiles {
  modelIndex: string;
  unetConfig: string;
  textEncoderConfig: string;
  textEncoder2: string;
  schedulerConfig: string;
}

const SD1_WIDTH = 768;
const SD2_WIDTH = 1024;
const SDXL_WIDTH = 2048;
/** SDXL's refiner attends to text_encoder_2's states alone. */
const SDXL_REFINER_WIDTH = 1280;

const ARCHITECTURE_LABEL: Record<Architecture, string> = { sd1: 'SD 1.x', sd2: 'SD 2.x', sdxl: 'SDXL' };

function mixedRaise(file: string, message: string): never {
  const error: UserError = {
    code: 'model-invalid',
    message: `${message}: the folder mixes parts of different model families; export the whole model again from one checkpoint`,
    file,
  };
  raise(error);
}

function isXlPipeline(name: string | undefined): boolean {
  return name !== undefined && /^(ORT|Onnx)?StableDiffusionXL/.test(name);
}

/** SDXL's UNet: the added text-time embedding, or SDXL's 2048-wide cross attention. */
function isXlUNet(e: FamilyEvidence): boolean | undefined {
  if (e.additionEmbedType !== undefined) return e.additionEmbedType === 'text_time';
  if (e.crossAttentionDim !== undefined) return e.crossAttentionDim === SDXL_WIDTH || e.crossAttentionDim === SDXL_REFINER_WIDTH;
  return undefined;
}

function architectureOf(e: FamilyEvidence, files: FamilyFiles): Architecture {
  const xlUNet = isXlUNet(e);
  const xlPipeline = isXlPipeline(e.pipelineClass);
  if (xlUNet === true || (xlUNet === undefined && (xlPipeline || e.textEncoder2))) {
    if (e.requiresAestheticsScore === true || e.crossAttentionDim === SDXL_REFINER_WIDTH) {
      raise({
        code: 'model-invalid',
        message: `this is SDXL's refiner (one text encoder, aesthetic-score time ids): sdprompt runs SDXL base models and their fine-tunes, whose folders have text_encoder/ and text_encoder_2/`,
        file: e.requiresAestheticsScore === true ? files.modelIndex : files.unetConfig,
      });
    }
    if (!e.textEncoder2) {
      raise({
        code: 'model-missing',
        message: `text_encoder_2/model.onnx is missing: an SDXL model needs its second text encoder (text_encoder_2/ and tokenizer_2/, as optimum-cli exports them)`,
        file: files.textEncoder2,
      });
    }
    return 'sdxl';
  }
  if (xlPipeline) mixedRaise(files.unetConfig, `model_index.json names ${e.pipelineClass}, but unet/config.json describes an SD 1.x/2.x UNet (cross_attention_dim ${e.crossAttentionDim}, no added text-time embedding)`);
  if (e.textEncoder2) mixedRaise(files.textEncoder2, `text_encoder_2/ is there (SDXL's second text encoder), but unet/config.json describes an SD 1.x/2.x UNet (cross_attention_dim ${e.crossAttentionDim})`);
  const width = e.crossAttentionDim ?? e.textEncoderWidth;
  if (width === SD2_WIDTH) return 'sd2';
  if (width === SD1_WIDTH) return 'sd1';
  // Neither config gives a width (the old exporter writes none): the tokenizer's padding tells.
  return e.padsWithExclamation === true ? 'sd2' : 'sd1';
}

function checkTextWidths(e: FamilyEvidence, architecture: Architecture, files: FamilyFiles): void {
  if (e.crossAttentionDim === undefined) return;
  const total = architecture === 'sdxl' ? (e.textEncoderWidth ?? 0) + (e.textEncoder2Width ?? 0) : e.textEncoderWidth;
  const known = architecture === 'sdxl' ? e.textEncoderWidth !== undefined && e.textEncoder2Width !== undefined : e.textEncoderWidth !== undefined;
  if (!known || total === e.crossAttentionDim) return;
  const widths = architecture === 'sdxl' ? `${e.textEncoderWidth} + ${e.textEncoder2Width} = ${total}` : `${total}`;
  mixedRaise(files.textEncoderConfig, `the text encoders give states ${widths} wide, but unet/config.json's cross_attention_dim is ${e.crossAttentionDim}`);
}

function labelOf(family: Omit<ModelFamily, 'label'>, e: FamilyEvidence): string {
  const base = ARCHITECTURE_LABEL[family.architecture];
  if (family.distilled === 'lcm') return `LCM (${base})`;
  if (family.distilled === 'turbo') return family.architecture === 'sdxl' ? 'SDXL Turbo' : family.architecture === 'sd2' ? 'SD-Turbo' : `${base} Turbo`;
  const details: string[] = [];
  if (e.sampleSize !== undefined && e.sampleSize * 8 !== (family.architecture === 'sdxl' ? 1024 : 512)) details.push(String(e.sampleSize * 8));
  if (e.predictionType === 'v_prediction') details.push('v-prediction');
  return details.length > 0 ? `${base} (${details.join(', ')})` : base;
}

/** The family the evidence describes; raises a 'model-invalid' or 'model-missing' UserError naming the file when the parts disagree. */
export function detectFamily(e: FamilyEvidence, files: FamilyFiles): ModelFamily {
  const architecture = architectureOf(e, files);
  checkTextWidths(e, architecture, files);
  const family: Omit<ModelFamily, 'label'> = { architecture };
  if (e.timeCondProjDim !== undefined) family.guidanceEmbedDim = e.timeCondProjDim;
  if (e.timeCondProjDim !== undefined || e.schedulerClass === 'LCMScheduler') family.distilled = 'lcm';
  else if (e.timestepSpacing === 'trailing' && !e.zeroSnr) family.distilled = 'turbo';
  return { ...family, label: labelOf(family, e) };
}

/** The steps and cfg a family is made for, where they differ from the general defaults. */
export function familyDefaults(family: ModelFamily): { steps?: number; cfg?: number } {
  // SD-Turbo and SDXL-Turbo: one step without guidance; LCM: 4 steps, guidance 8.5 embedded
  // (diffusers' LatentConsistencyModelPipeline's default), never a guidance batch.
  if (family.distilled === 'turbo') return { steps: 1, cfg: 1 };
  if (family.distilled === 'lcm') return family.guidanceEmbedDim !== undefined ? { steps: 4, cfg: 8.5 } : { steps: 4, cfg: 1 };
  return {};
}
