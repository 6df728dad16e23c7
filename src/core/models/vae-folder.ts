// `vae: FOLDER`: another folder's VAE in place of the model's own, as A1111's "SD VAE" setting
// swaps it (an fp32 VAE for an fp16 model, SDXL's fp16-fixed VAE, a fine-tuned VAE). The folder
// is a model folder or an exported VAE (vae_decoder/, and vae_encoder/ for image to image), or a
// vae_decoder folder itself (model.onnx beside config.json). No native code.

import * as path from 'node:path';
import { type Result, catchUserErrorSync, raise } from '../errors';
import type { ModelFamily } from './family';
import { type ComponentFiles, type ModelFolderInfo, type VaeConfig, componentFilesIn, readVaeConfig } from './folder';

export interface VaeFolder {
  dir: string;
  decoder: ComponentFiles;
  /** Absent when the folder has only a decoder: the model's own encoder is used. */
  encoder?: ComponentFiles;
  config: VaeConfig;
  notes: string[];
}

/** SD 1.x/2.x's VAE and SDXL's scale their latents differently: a VAE of the other kind decodes nonsense. */
const SCALING_FACTORS = { sd: 0.18215, sdxl: 0.13025 };

function inspect(dir: string, family: ModelFamily): VaeFolder {
  const root = path.resolve(dir);
  const notes: string[] = [];
  let decoder = componentFilesIn(path.join(root, 'vae_decoder'));
  let encoder: ComponentFiles | undefined = componentFilesIn(path.join(root, 'vae_encoder'));
  let configs: string[] | undefined;
  if (!decoder.present) {
    // The folder may be a vae_decoder folder itself.
    decoder = componentFilesIn(root);
    encoder = undefined;
    configs = ['config.json'];
  }
  if (!decoder.present) {
    raise({
      code: 'model-missing',
      message: `vae: ${root} has no vae_decoder/model.onnx (nor model.onnx): give a model folder or an exported VAE (vae_decoder/, vae_encoder/)`,
      file: path.join(root, 'vae_decoder', 'model.onnx'),
    });
  }
  if (encoder && !encoder.present) encoder = undefined;
  if (!encoder) notes.push(`vae: ${path.basename(root)} has no vae_encoder/: image to image encodes with the model's own`);
  const config = readVaeConfig(root, family, [], configs);
  const own = family.architecture === 'sdxl' ? SCALING_FACTORS.sdxl : SCALING_FACTORS.sd;
  const other = family.architecture === 'sdxl' ? SCALING_FACTORS.sd : SCALING_FACTORS.sdxl;
  if (Math.abs(config.scalingFactor - other) < 1e-6 && Math.abs(config.scalingFactor - own) > 1e-6) {
    raise({
      code: 'model-invalid',
      message: `vae: ${root} is ${family.architecture === 'sdxl' ? 'an SD 1.x/2.x' : "SDXL's"} VAE (scaling_factor ${config.scalingFactor}); ${family.label} models take a VAE with scaling_factor ${own}`,
      file: path.join(root, configs?.[0] ?? path.join('vae_decoder', 'config.json')),
    });
  }
  return { dir: root, decoder, ...(encoder ? { encoder } : {}), config, notes };
}

/** Reads a `vae:` folder for a model of `family`: 'model-missing' or 'model-invalid' when it cannot serve. */
export function inspectVaeFolder(dir: string, family: ModelFamily): Result<VaeFolder> {
  return catchUserErrorSync(() => inspect(dir, family));
}

/** The model's folder info with the VAE's files and configs in place of its own. */
export function withVae(info: ModelFolderInfo, vae: VaeFolder): ModelFolderInfo {
  const replaced: ModelFolderInfo = {
    ...info,
    components: { ...info.components, vae_decoder: vae.decoder, ...(vae.encoder ? { vae_encoder: vae.encoder } : {}) },
    vaeScalingFactor: vae.config.scalingFactor,
    notes: [...info.notes.filter((n) => !n.startsWith('no VAE config gives')), ...vae.notes],
    vae: vae.dir,
  };
  if (vae.config.sampleSize !== undefined) replaced.vaeSampleSize = vae.config.sampleSize;
  return replaced;
}
