// The four model components behind small typed interfaces. Each adapter reads what its session
// declares once, when it is made (names, dtypes, ranks), and then converts per call only what
// the model needs converted: float32 inputs reach a float32 model without a copy.

import * as ort from 'onnxruntime-node';
import { raise } from '../errors';
import type { DepthPreprocessor } from '../image/depth-preprocess';
import { type Tensor, tensor } from '../tensor';
import { float32ToFloat16Bits } from './float16';
import { ensureOpen } from './releasable';
import {
  type ComponentSession,
  type FloatType,
  type Port,
  expectFloat,
  floatTensor,
  invalid,
  ortMessage,
  port,
  rankedPort,
  staticDim,
  toFloat32,
} from './io';

// The axes of the tensors the components take and give, for rank checks and their messages.
const TOKEN_AXES = ['batch', 'sequence'];
const HIDDEN_AXES = ['batch', 'sequence', 'width'];
const LATENT_AXES = ['batch', 'channels', 'height', 'width'];
const IMAGE_AXES = ['batch', '3', 'height', 'width'];
const DEPTH_AXES = ['batch', 'height', 'width'];

export interface TextEncoding {
  /** The states the UNet attends to, [batch, 77, D]: last_hidden_state, or for SDXL the penultimate layer's. */
  hidden: Tensor;
  /** The pooled output, [batch, P], when the model gives one (pooler_output, or text_embeds projected). */
  pooled?: Tensor;
}

export interface TextEncoder {
  /** The width D of the states the UNet takes from this encoder. */
  hiddenSize: number;
  /** ids [batch·77] → the states and the pooled output, float32. */
  encode(ids: Int32Array, batch: number): Promise<TextEncoding>;
}

/** The UNet's inputs beyond sample, timestep and encoder_hidden_states, each [batch, width]. */
export interface UNetAddedInputs {
  /** SDXL: the second text encoder's pooled, projected output. */
  textEmbeds?: Tensor;
  /** SDXL: [original H, W, crop top, left, target H, W]. */
  timeIds?: Tensor;
  /** LCM: the guidance scale's embedding. */
  timestepCond?: Tensor;
}

export interface UNet {
  inChannels: number;
  /** The added inputs this UNet takes (SDXL's text_embeds and time_ids, LCM's timestep_cond), with their widths. */
  added: { textEmbeds?: number; timeIds?: number; timestepCond?: number };
  predict(sample: Tensor, timestep: number, encoderHiddenStates: Tensor, added?: UNetAddedInputs): Promise<Tensor>;
}

export interface VaeDecoder {
  /** latents already divided by the scaling factor → [B, 3, H, W] in [-1, 1]. */
  decode(latents: Tensor): Promise<Tensor>;
}

export interface VaeEncoder {
  /** image in [-1, 1] → the latent distribution's mean and, when the model gives it, its log-variance clamped to [-30, 20]. */
  encode(image: Tensor): Promise<{ mean: Tensor; logvar?: Tensor }>;
}

export interface DepthEstimator {
  /** How its input is prepared (feature_extractor/preprocessor_config.json). */
  preprocessor: DepthPreprocessor;
  /** pixel_values [B, 3, H, W] → predicted_depth [B, h, w], larger nearer. */
  estimate(pixelValues: Tensor): Promise<Tensor>;
}

export interface ComponentStats {
  calls: number;
  /** Total milliseconds inside session.run alone. */
  ms: number;
}

export interface SessionStats {
  textEncoder: ComponentStats;
  textEncoder2: ComponentStats;
  unet: ComponentStats;
  vaeDecoder: ComponentStats;
  vaeEncoder: ComponentStats;
  depthEstimator: ComponentStats;
  reset(): void;
}

export function createSessionStats(): SessionStats {
  const stats: SessionStats = {
    textEncoder: { calls: 0, ms: 0 },
    textEncoder2: { calls: 0, ms: 0 },
    unet: { calls: 0, ms: 0 },
    vaeDecoder: { calls: 0, ms: 0 },
    vaeEncoder: { calls: 0, ms: 0 },
    depthEstimator: { calls: 0, ms: 0 },
    reset() {
      for (const s of [stats.textEncoder, stats.textEncoder2, stats.unet, stats.vaeDecoder, stats.vaeEncoder, stats.depthEstimator]) {
        s.calls = 0;
        s.ms = 0;
      }
    },
  };
  return stats;
}

async function timedRun(
  c: ComponentSession,
  stats: ComponentStats,
  feeds: ort.InferenceSession.FeedsType,
  fetches: readonly string[],
): Promise<ort.InferenceSession.ReturnType> {
  await ensureOpen(c);
  const start = performance.now();
  try {
    return await c.session.run(feeds, fetches);
  } catch (e) {
    if (!c.fallback) throw e;
    // A GPU provider that fails half way (out of memory, a lost device, an operator it cannot
    // run): the same component on the CPU, once, and the run goes on.
    const why = ortMessage(e);
    const cpu = await c.fallback();
    await c.session.release().catch(() => undefined);
    const from = c.provider;
    Object.assign(c, { session: cpu, provider: 'cpu', fallback: undefined });
    c.onFallback?.(`${c.relative} failed on ${from} (${why}); it runs on the CPU from now on${isOutOfMemory(why) ? `: ${from} ran out of memory (a smaller size or batch needs less)` : ''}`);
    return await c.session.run(feeds, fetches);
  } finally {
    stats.ms += performance.now() - start;
    stats.calls++;
  }
}

/** ORT's and the providers' ways of saying a device ran out of memory. */
export function isOutOfMemory(message: string): boolean {
  return /out of memory|failed to allocate|bad_alloc|\bOOM\b|E_OUTOFMEMORY|OutOfMemory/i.test(message);
}

function expectShape(c: ComponentSession, what: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw new Error(`${c.relative}: ${what} should have rank ${rank}, got [${t.shape.join(', ')}]`);
}

export interface TextEncoderPorts {
  ids: Port;
  /** The states the UNet takes. */
  hidden: Port;
  pooled?: Port;
}

const HIDDEN_STATE = /^hidden_states\.(\d+)$/;

/**
 * The text encoder's ports. `penultimate`: SDXL takes the states before the last layer, which
 * optimum exports as hidden_states.0 (the embeddings) … hidden_states.L; [-2] of diffusers' list
 * (hidden_states.0…L−1, then last_hidden_state) is hidden_states.L−1.
 */
export function textEncoderPorts(c: ComponentSession, penultimate: boolean): TextEncoderPorts {
  const ids = rankedPort(c, 'input', ['input_ids'], 'token ids [batch, 77]', TOKEN_AXES);
  if (ids.type !== 'int32' && ids.type !== 'int64') raise(invalid(c, `input input_ids has type ${ids.type}, expected int32 or int64`));
  let hiddenName = 'last_hidden_state';
  if (penultimate) {
    const layers = c.session.outputNames.map((n) => HIDDEN_STATE.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
    if (layers.length < 2) {
      raise(invalid(c, `has no hidden_states.N outputs: SDXL takes the penultimate layer's states, which optimum-cli exports as hidden_states.0 … hidden_states.N; export the model again with optimum-cli export onnx`));
    }
    hiddenName = `hidden_states.${Math.max(...layers) - 1}`;
  }
  const hidden = rankedPort(c, 'output', [hiddenName], 'the hidden states [batch, 77, width]', HIDDEN_AXES);
  expectFloat(c, 'output', hidden);
  const pooledName = ['text_embeds', 'pooler_output'].find((n) => c.session.outputNames.includes(n));
  const pooled = pooledName === undefined ? undefined : rankedPort(c, 'output', [pooledName], 'the pooled output [batch, width]', ['batch', 'width']);
  if (pooled) expectFloat(c, 'output', pooled);
  return { ids, hidden, ...(pooled ? { pooled } : {}) };
}

export function makeTextEncoder(c: ComponentSession, p: TextEncoderPorts, hiddenSize: number, stats: ComponentStats): TextEncoder {
  const int64 = p.ids.type === 'int64';
  const fetches = p.pooled ? [p.hidden.name, p.pooled.name] : [p.hidden.name];
  return {
    hiddenSize,
    async encode(ids, batch) {
      if (batch <= 0 || ids.length % batch !== 0) throw new Error(`${c.relative}: ${ids.length} ids do not split into ${batch} rows`);
      const dims = [batch, ids.length / batch];
      const input = int64
        ? new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), dims)
        : new ort.Tensor('int32', ids, dims);
      const out = await timedRun(c, stats, { [p.ids.name]: input }, fetches);
      const hidden = toFloat32(c, out[p.hidden.name], p.hidden.name);
      return p.pooled ? { hidden, pooled: toFloat32(c, out[p.pooled.name], p.pooled.name) } : { hidden };
    },
  };
}

export interface UNetPorts {
  sample: Port;
  sampleType: FloatType;
  timestep: Port;
  hidden: Port;
  hiddenType: FloatType;
  out: Port;
  added: { textEmbeds?: AddedPort; timeIds?: AddedPort; timestepCond?: AddedPort };
}

interface AddedPort {
  port: Port;
  type: FloatType;
  width?: number;
}

const ADDED_INPUTS = { textEmbeds: 'text_embeds', timeIds: 'time_ids', timestepCond: 'timestep_cond' } as const;

const TIMESTEP_TYPES = ['int64', 'int32', 'float32', 'float16', 'float64'];

export function unetPorts(c: ComponentSession): UNetPorts {
  const sample = rankedPort(c, 'input', ['sample'], 'the latents [batch, channels, height, width]', LATENT_AXES);
  const timestep = port(c, 'input', ['timestep'], 'the diffusion timestep');
  if (!TIMESTEP_TYPES.includes(timestep.type)) {
    raise(invalid(c, `input timestep has type ${timestep.type}, expected int64, float32 or float16`));
  }
  if (timestep.shape.length > 1) raise(invalid(c, `input timestep has rank ${timestep.shape.length} [${timestep.shape.join(', ')}], expected a scalar or [batch]`));
  const hidden = rankedPort(c, 'input', ['encoder_hidden_states'], 'the text encoder hidden states [batch, sequence, width]', HIDDEN_AXES);
  const out = rankedPort(c, 'output', ['out_sample'], 'the noise prediction [batch, channels, height, width]', LATENT_AXES);
  expectFloat(c, 'output', out);
  const added: UNetPorts['added'] = {};
  for (const [key, name] of Object.entries(ADDED_INPUTS) as [keyof typeof ADDED_INPUTS, string][]) {
    if (!c.session.inputNames.includes(name)) continue;
    const p = rankedPort(c, 'input', [name], `${name} [batch, width]`, ['batch', 'width']);
    const width = staticDim(p, 1);
    added[key] = { port: p, type: expectFloat(c, 'input', p), ...(width !== undefined ? { width } : {}) };
  }
  return { sample, sampleType: expectFloat(c, 'input', sample), timestep, hidden, hiddenType: expectFloat(c, 'input', hidden), out, added };
}

function timestepTensor(p: Port, timestep: number, batch: number): ort.Tensor {
  // diffusers' ONNX pipeline casts with numpy's astype: truncation toward zero for integers.
  const scalar = p.shape.length === 0;
  const count = scalar ? 1 : batch;
  const dims = scalar ? [] : [batch];
  switch (p.type) {
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(timestep))), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(count).fill(Math.trunc(timestep)), dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(count).fill(float32ToFloat16Bits(timestep)), dims);
    case 'float64':
      return new ort.Tensor('float64', new Float64Array(count).fill(timestep), dims);
    default:
      return new ort.Tensor('float32', new Float32Array(count).fill(timestep), dims);
  }
}

export function makeUNet(c: ComponentSession, p: UNetPorts, inChannels: number, stats: ComponentStats): UNet {
  const fetches = [p.out.name];
  const widths = Object.fromEntries(Object.entries(p.added).map(([k, a]) => [k, a.width ?? 0])) as UNet['added'];
  return {
    inChannels,
    added: widths,
    async predict(sample, timestep, encoderHiddenStates, added = {}) {
      expectShape(c, 'sample', sample, 4);
      expectShape(c, 'encoder_hidden_states', encoderHiddenStates, 3);
      const batch = sample.shape[0]!;
      const feeds: Record<string, ort.Tensor> = {
        [p.sample.name]: floatTensor(ort, p.sampleType, sample.data, sample.shape),
        [p.timestep.name]: timestepTensor(p.timestep, timestep, batch),
        [p.hidden.name]: floatTensor(ort, p.hiddenType, encoderHiddenStates.data, encoderHiddenStates.shape),
      };
      for (const [key, a] of Object.entries(p.added) as [keyof UNetAddedInputs, AddedPort][]) {
        const value = added[key];
        if (value === undefined) throw new Error(`${c.relative}: the pipeline gave no ${a.port.name}, which this UNet takes`);
        expectShape(c, a.port.name, value, 2);
        feeds[a.port.name] = floatTensor(ort, a.type, value.data, value.shape);
      }
      const out = await timedRun(c, stats, feeds, fetches);
      return toFloat32(c, out[p.out.name], p.out.name);
    },
  };
}

/** One float tensor in, one out (the VAE's decoder, the depth estimator), each checked for its name, rank and type. */
export interface FloatPorts {
  input: Port;
  inputType: FloatType;
  output: Port;
}

type PortSpec = readonly [names: string, expected: string, axes: readonly string[]];

function floatPorts(c: ComponentSession, [inName, inExpected, inAxes]: PortSpec, [outName, outExpected, outAxes]: PortSpec): FloatPorts {
  const input = rankedPort(c, 'input', [inName], inExpected, inAxes);
  const output = rankedPort(c, 'output', [outName], outExpected, outAxes);
  expectFloat(c, 'output', output);
  return { input, inputType: expectFloat(c, 'input', input), output };
}

export function vaeDecoderPorts(c: ComponentSession): FloatPorts {
  return floatPorts(c, ['latent_sample', 'the latents [batch, channels, height, width]', LATENT_AXES], ['sample', 'the image [batch, 3, height, width]', IMAGE_AXES]);
}

/** One [batch, channels, height, width] float tensor in, one out: the VAE's decoder and encoder. */
async function runImageLike(c: ComponentSession, stats: ComponentStats, from: Port, fromType: FloatType, to: Port, what: string, t: Tensor): Promise<Tensor> {
  expectShape(c, what, t, 4);
  const out = await timedRun(c, stats, { [from.name]: floatTensor(ort, fromType, t.data, t.shape) }, [to.name]);
  return toFloat32(c, out[to.name], to.name);
}

export function makeVaeDecoder(c: ComponentSession, p: FloatPorts, stats: ComponentStats): VaeDecoder {
  return {
    decode: (latents) => runImageLike(c, stats, p.input, p.inputType, p.output, 'latents', latents),
  };
}

export interface VaeEncoderPorts {
  image: Port;
  imageType: FloatType;
  latents: Port;
  /** latent_parameters: mean and log-variance stacked on the channel axis. */
  parameters: boolean;
}

export function vaeEncoderPorts(c: ComponentSession): VaeEncoderPorts {
  const image = rankedPort(c, 'input', ['sample'], 'the image [batch, 3, height, width] in [-1, 1]', IMAGE_AXES);
  const latents = rankedPort(c, 'output', ['latent_parameters', 'latent_sample'], 'the latent distribution', LATENT_AXES);
  expectFloat(c, 'output', latents);
  const parameters = latents.name === 'latent_parameters';
  const channels = staticDim(latents, 1);
  if (parameters && channels !== undefined && channels % 2 !== 0) {
    raise(invalid(c, `output latent_parameters has ${channels} channels; expected an even number (mean and log-variance)`));
  }
  return { image, imageType: expectFloat(c, 'input', image), latents, parameters };
}

const LOGVAR_MIN = -30;
const LOGVAR_MAX = 20;

/** Splits [B, 2C, h, w] into mean and clamped log-variance, each [B, C, h, w], as diffusers' DiagonalGaussianDistribution. */
function splitParameters(t: Tensor): { mean: Tensor; logvar: Tensor } {
  const [batch, channels2, h, w] = t.shape as [number, number, number, number];
  const half = (channels2 / 2) * h * w;
  const mean = new Float32Array(batch * half);
  const logvar = new Float32Array(batch * half);
  for (let b = 0; b < batch; b++) {
    const base = b * 2 * half;
    mean.set(t.data.subarray(base, base + half), b * half);
    const lv = t.data.subarray(base + half, base + 2 * half);
    for (let i = 0; i < half; i++) logvar[b * half + i] = Math.min(LOGVAR_MAX, Math.max(LOGVAR_MIN, lv[i]!));
  }
  const shape = [batch, channels2 / 2, h, w];
  return { mean: tensor(mean, shape), logvar: tensor(logvar, shape) };
}

export function makeVaeEncoder(c: ComponentSession, p: VaeEncoderPorts, stats: ComponentStats): VaeEncoder {
  return {
    async encode(image) {
      const latents = await runImageLike(c, stats, p.image, p.imageType, p.latents, 'image', image);
      if (!p.parameters) return { mean: latents };
      if (latents.shape[1]! % 2 !== 0) throw new Error(`${c.relative}: latent_parameters has an odd channel count ${latents.shape[1]}`);
      return splitParameters(latents);
    },
  };
}

export function depthEstimatorPorts(c: ComponentSession): FloatPorts {
  return floatPorts(c, ['pixel_values', 'the image [batch, 3, height, width]', IMAGE_AXES], ['predicted_depth', 'the depth [batch, height, width]', DEPTH_AXES]);
}

export function makeDepthEstimator(c: ComponentSession, p: FloatPorts, preprocessor: DepthPreprocessor, stats: ComponentStats): DepthEstimator {
  return {
    preprocessor,
    estimate: (pixelValues) => runImageLike(c, stats, p.input, p.inputType, p.output, 'pixel_values', pixelValues),
  };
}
