// loadModel: inspect the folder, open a session per component, check that the components'
// declared inputs and outputs fit together, and wrap them in the typed adapters.

import * as path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { type Result, catchUserError, raise } from '../errors';
import {
  type SessionStats,
  type TextEncoder,
  type UNet,
  type VaeDecoder,
  type VaeEncoder,
  createSessionStats,
  makeTextEncoder,
  makeUNet,
  makeVaeDecoder,
  makeVaeEncoder,
  textEncoderPorts,
  unetPorts,
  vaeDecoderPorts,
  vaeEncoderPorts,
} from './components';
import { type ComponentName, type ModelFolderInfo, MODEL_FILE, inspectModelFolder } from './folder';
import { type ComponentSession, invalid, staticDim } from './io';
import { type ModelLoadOptions, SessionOpener } from './session';

export interface LoadedModel {
  info: ModelFolderInfo;
  /** The execution provider the sessions actually use. */
  executionProvider: string;
  notes: string[];
  textEncoder: TextEncoder;
  unet: UNet;
  vaeDecoder: VaeDecoder;
  vaeEncoder?: VaeEncoder;
  stats: SessionStats;
  release(): Promise<void>;
}

async function releaseAll(sessions: readonly ComponentSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.session.release().catch(() => undefined)));
}

async function load(dir: string, options: ModelLoadOptions): Promise<LoadedModel> {
  const inspected = inspectModelFolder(dir);
  if (!inspected.ok) raise(inspected.error);
  const info = inspected.value;
  const opener = new SessionOpener(options);
  const opened: ComponentSession[] = [];
  const open = async (component: ComponentName): Promise<ComponentSession> => {
    const file = info.components[component].onnx;
    const relative = path.join(component, MODEL_FILE);
    const session: ort.InferenceSession = await opener.open(file, relative);
    const c = { session, file, relative };
    opened.push(c);
    return c;
  };

  try {
    const te = await open('text_encoder');
    const teP = textEncoderPorts(te);
    const un = await open('unet');
    const unP = unetPorts(un);
    const vd = await open('vae_decoder');
    const vdP = vaeDecoderPorts(vd);
    const ve = info.components.vae_encoder.present ? await open('vae_encoder') : undefined;
    const veP = ve ? vaeEncoderPorts(ve) : undefined;

    const textWidth = staticDim(teP.hidden, 2);
    const unetWidth = staticDim(unP.hidden, 2);
    if (textWidth !== undefined && unetWidth !== undefined && textWidth !== unetWidth) {
      raise(invalid(un, `input encoder_hidden_states has width ${unetWidth}, but ${te.relative} outputs ${textWidth}`));
    }
    const hiddenSize = textWidth ?? unetWidth ?? info.unetConfig.crossAttentionDim;
    if (hiddenSize === undefined) {
      raise(invalid(te, `output last_hidden_state has no fixed width, and neither ${un.relative} nor unet/config.json (cross_attention_dim) gives one`));
    }

    const sampleChannels = staticDim(unP.sample, 1);
    if (sampleChannels !== undefined && sampleChannels !== info.unetConfig.inChannels) {
      raise(invalid(un, `input sample has ${sampleChannels} channels, but unet/config.json says in_channels ${info.unetConfig.inChannels}`));
    }
    const outChannels = staticDim(unP.out, 1) ?? info.unetConfig.outChannels;
    const latentChannels = staticDim(vdP.latents, 1);
    if (latentChannels !== undefined && latentChannels !== outChannels) {
      raise(invalid(vd, `input latent_sample has ${latentChannels} channels, but ${un.relative} predicts ${outChannels}`));
    }

    const stats = createSessionStats();
    const model: LoadedModel = {
      info,
      executionProvider: opener.provider,
      notes: [...info.notes, ...opener.notes],
      textEncoder: makeTextEncoder(te, teP, hiddenSize, stats.textEncoder),
      unet: makeUNet(un, unP, sampleChannels ?? info.unetConfig.inChannels, stats.unet),
      vaeDecoder: makeVaeDecoder(vd, vdP, stats.vaeDecoder),
      stats,
      release: () => releaseAll(opened.splice(0)),
    };
    if (ve && veP) model.vaeEncoder = makeVaeEncoder(ve, veP, stats.vaeEncoder);
    return model;
  } catch (e) {
    await releaseAll(opened);
    throw e;
  }
}

/**
 * Opens a model folder's sessions and checks that the components fit together. A folder that
 * lacks a part or whose declared shapes disagree gives one 'model-missing' or 'model-invalid'
 * error naming the file; it never throws for a bad folder.
 */
export function loadModel(dir: string, options: ModelLoadOptions = {}): Promise<Result<LoadedModel>> {
  return catchUserError(() => load(dir, options));
}
