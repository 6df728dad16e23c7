// loadModel: inspect the folder, open a session per component, check that the components'
// declared inputs and outputs fit together, and wrap them in the typed adapters.

import * as path from 'node:path';
import { type Result, catchUserError, raise } from '../errors';
import {
  type DepthEstimator,
  type SessionStats,
  type TextEncoder,
  type UNet,
  type VaeDecoder,
  type VaeEncoder,
  createSessionStats,
  depthEstimatorPorts,
  makeDepthEstimator,
  makeTextEncoder,
  makeUNet,
  makeVaeDecoder,
  makeVaeEncoder,
  type TextEncoderPorts,
  textEncoderPorts,
  type UNetPorts,
  unetPorts,
  vaeDecoderPorts,
  vaeEncoderPorts,
} from './components';
import { type ComponentName, type ModelFolderInfo, inspectModelFolder } from './folder';
import { type ComponentSession, invalid, staticDim } from './io';
import { inspectVaeFolder, withVae } from './vae-folder';
import { releasedBetweenUses, releaseUntilNextUse } from './releasable';
import { type ConcreteProvider, type ModelLoadOptions, SessionOpener } from './session';

export interface LoadedModel {
  info: ModelFolderInfo;
  /** The execution provider the UNet runs on (the others run there too unless a note says otherwise). */
  readonly executionProvider: string;
  /** What the user should know about the folder and the provider they asked for. */
  notes: string[];
  /** For the log: providers `auto` passed over and why. */
  log: string[];
  /** Components that moved to the CPU while running since the last call, and why. */
  takeNotices(): string[];
  textEncoder: TextEncoder;
  /** SDXL's second text encoder (OpenCLIP ViT-bigG), whose pooled output is the UNet's text_embeds. */
  textEncoder2?: TextEncoder;
  unet: UNet;
  vaeDecoder: VaeDecoder;
  vaeEncoder?: VaeEncoder;
  /** A depth model's own estimator (depth_estimator/), when the folder has one. */
  depthEstimator?: DepthEstimator;
  stats: SessionStats;
  /**
   * Says the run needs these components no more for now: those released between uses
   * (releasable.ts: memory-tight providers, or `lowMemory`) close until their next call.
   */
  doneWith(components: readonly ComponentName[]): Promise<void>;
  /** Each loaded component's session: open now or not, and how many times it was opened. */
  sessionStates(): Partial<Record<ComponentName, { open: boolean; opens: number }>>;
  release(): Promise<void>;
}

async function releaseAll(sessions: readonly ComponentSession[]): Promise<void> {
  const open = sessions.filter((s) => !s.released);
  // Released for good: a later call fails instead of opening it again.
  for (const s of sessions) Object.assign(s, { released: true, reopen: undefined });
  await Promise.all(open.map((s) => s.session.release().catch(() => undefined)));
}

/** The UNet's added inputs must be those of the family the configs describe: a folder that mixes parts says which. */
function checkAddedInputs(info: ModelFolderInfo, un: ComponentSession, p: UNetPorts): void {
  const xl = info.family.architecture === 'sdxl';
  const hasXlInputs = p.added.textEmbeds !== undefined || p.added.timeIds !== undefined;
  if (xl && (!p.added.textEmbeds || !p.added.timeIds)) {
    raise(invalid(un, `takes no ${p.added.textEmbeds ? 'time_ids' : 'text_embeds'} input, but the folder's configs describe ${info.family.label}: an SDXL UNet takes text_embeds and time_ids; the folder mixes families`));
  }
  if (!xl && hasXlInputs) {
    raise(invalid(un, `takes text_embeds and time_ids (an SDXL UNet), but the folder's configs describe ${info.family.label} (no text_encoder_2/, no addition_embed_type "text_time" in unet/config.json); the folder mixes families`));
  }
  const timeIds = p.added.timeIds?.width;
  if (timeIds !== undefined && timeIds !== SDXL_TIME_IDS) {
    raise(invalid(un, `input time_ids has width ${timeIds}; sdprompt gives SDXL base's ${SDXL_TIME_IDS} (original size, crop, target size); a refiner's 5 (with an aesthetic score) is not supported`));
  }
  const embedDim = info.family.guidanceEmbedDim;
  if (embedDim === undefined && p.added.timestepCond) {
    raise(invalid(un, `takes timestep_cond (an LCM UNet's guidance embedding), but unet/config.json gives no time_cond_proj_dim`));
  }
  if (embedDim !== undefined && !p.added.timestepCond) {
    raise(invalid(un, `takes no timestep_cond, but unet/config.json's time_cond_proj_dim ${embedDim} says it is an LCM UNet`));
  }
  const condWidth = p.added.timestepCond?.width;
  if (embedDim !== undefined && condWidth !== undefined && condWidth !== embedDim) {
    raise(invalid(un, `input timestep_cond has width ${condWidth}, but unet/config.json's time_cond_proj_dim is ${embedDim}`));
  }
}

const SDXL_TIME_IDS = 6;

/** The second text encoder's width: its own fixed width, else what the UNet's leaves after the first's. */
function secondWidth(c: ComponentSession, p: TextEncoderPorts, own: number | undefined, unetWidth: number | undefined, first: number): number {
  const width = own ?? (unetWidth !== undefined ? unetWidth - first : undefined);
  if (width === undefined || width <= 0) raise(invalid(c, `output ${p.hidden.name} has no fixed width, and neither the UNet nor unet/config.json (cross_attention_dim) gives one`));
  return width;
}

async function load(dir: string, options: ModelLoadOptions, vae: string | undefined): Promise<LoadedModel> {
  const inspected = inspectModelFolder(dir);
  if (!inspected.ok) raise(inspected.error);
  let info = inspected.value;
  if (vae !== undefined) {
    const folder = inspectVaeFolder(vae, info.family);
    if (!folder.ok) raise(folder.error);
    info = withVae(info, folder.value);
  }
  const opener = new SessionOpener(options);
  const opened: ComponentSession[] = [];
  const byName = new Map<ComponentName, ComponentSession>();
  const open = async (component: ComponentName): Promise<ComponentSession> => {
    const file = info.components[component].onnx;
    // Relative to the model folder: a `vae:` folder's files show where they come from.
    const relative = path.relative(info.dir, file);
    const { session, provider } = await opener.open(file, relative);
    const c: ComponentSession = { session, file, relative, provider, onFallback: (m) => notices.push(m), opens: 1 };
    if (provider !== 'cpu') c.fallback = () => opener.openOnCpu(file, relative);
    c.reopen = () => opener.openOn(c.provider as ConcreteProvider, file, relative);
    opened.push(c);
    byName.set(component, c);
    return c;
  };
  const notices: string[] = [];

  try {
    const xl = info.family.architecture === 'sdxl';
    const te = await open('text_encoder');
    const teP = textEncoderPorts(te, xl);
    const te2 = xl ? await open('text_encoder_2') : undefined;
    const te2P = te2 && textEncoderPorts(te2, true);
    const un = await open('unet');
    const unP = unetPorts(un);
    const vd = await open('vae_decoder');
    const vdP = vaeDecoderPorts(vd);
    const ve = info.components.vae_encoder.present ? await open('vae_encoder') : undefined;
    const veP = ve ? vaeEncoderPorts(ve) : undefined;
    const de = info.components.depth_estimator.present ? await open('depth_estimator') : undefined;
    const deP = de ? depthEstimatorPorts(de) : undefined;

    checkAddedInputs(info, un, unP);
    if (te2 && te2P && !te2P.pooled) raise(invalid(te2, `has no text_embeds output: SDXL's UNet takes the second text encoder's pooled, projected output`));
    const textWidth = staticDim(teP.hidden, 2);
    const text2Width = te2P && staticDim(te2P.hidden, 2);
    const combined = te2P ? (textWidth !== undefined && text2Width !== undefined ? textWidth + text2Width : undefined) : textWidth;
    const unetWidth = staticDim(unP.hidden, 2);
    if (combined !== undefined && unetWidth !== undefined && combined !== unetWidth) {
      const given = te2 ? `${te.relative} and ${te2.relative} output ${textWidth} + ${text2Width} = ${combined}` : `${te.relative} outputs ${textWidth}`;
      raise(invalid(un, `input encoder_hidden_states has width ${unetWidth}, but ${given}`));
    }
    const hiddenSize = textWidth ?? (te2P ? undefined : (unetWidth ?? info.unetConfig.crossAttentionDim));
    if (hiddenSize === undefined) {
      raise(invalid(te, `output ${teP.hidden.name} has no fixed width, and neither ${un.relative} nor unet/config.json (cross_attention_dim) gives one`));
    }

    const sampleChannels = staticDim(unP.sample, 1);
    if (sampleChannels !== undefined && sampleChannels !== info.unetConfig.inChannels) {
      raise(invalid(un, `input sample has ${sampleChannels} channels, but unet/config.json says in_channels ${info.unetConfig.inChannels}`));
    }
    const outChannels = staticDim(unP.out, 1) ?? info.unetConfig.outChannels;
    const latentChannels = staticDim(vdP.input, 1);
    if (latentChannels !== undefined && latentChannels !== outChannels) {
      raise(invalid(vd, `input latent_sample has ${latentChannels} channels, but ${un.relative} predicts ${outChannels}`));
    }

    const stats = createSessionStats();
    const model: LoadedModel = {
      info,
      get executionProvider() {
        return un.provider;
      },
      notes: [...info.notes, ...opener.notes],
      log: opener.log,
      takeNotices: () => notices.splice(0),
      textEncoder: makeTextEncoder(te, teP, hiddenSize, stats.textEncoder),
      ...(te2 && te2P ? { textEncoder2: makeTextEncoder(te2, te2P, secondWidth(te2, te2P, text2Width, unetWidth ?? info.unetConfig.crossAttentionDim, hiddenSize), stats.textEncoder2) } : {}),
      unet: makeUNet(un, unP, sampleChannels ?? info.unetConfig.inChannels, stats.unet),
      vaeDecoder: makeVaeDecoder(vd, vdP, stats.vaeDecoder),
      stats,
      async doneWith(components) {
        const done = components.map((name) => byName.get(name)).filter((c) => c !== undefined);
        await Promise.all(done.filter((c) => releasedBetweenUses(c, options.lowMemory === true)).map(releaseUntilNextUse));
      },
      sessionStates: () => Object.fromEntries([...byName].map(([name, c]) => [name, { open: !c.released, opens: c.opens ?? 1 }])),
      release: () => releaseAll(opened.splice(0)),
    };
    if (ve && veP) model.vaeEncoder = makeVaeEncoder(ve, veP, stats.vaeEncoder);
    if (de && deP && info.depthPreprocessor) model.depthEstimator = makeDepthEstimator(de, deP, info.depthPreprocessor, stats.depthEstimator);
    return model;
  } catch (e) {
    await releaseAll(opened);
    throw e;
  }
}

/**
 * Opens a model folder's sessions and checks that the components fit together. A folder that
 * lacks a part or whose declared shapes disagree gives one 'model-missing' or 'model-invalid'
 * error naming the file; it never throws for a bad folder. `vae` is a folder whose VAE replaces
 * the model's own (vae-folder.ts).
 */
export function loadModel(dir: string, options: ModelLoadOptions = {}, vae?: string): Promise<Result<LoadedModel>> {
  return catchUserError(() => load(dir, options, vae));
}
