// The four model components behind small typed interfaces. Each adapter reads what its session
// declares once, when it is made (names, dtypes, ranks), and then converts per call only what
// the model needs converted: float32 inputs reach a float32 model without a copy.

import * as ort from 'onnxruntime-node';
import { raise } from '../errors';
import { type Tensor, tensor } from '../tensor';
import { float32ToFloat16Bits } from './float16';
import {
  type ComponentSession,
  type FloatType,
  type Port,
  expectFloat,
  floatTensor,
  invalid,
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

export interface TextEncoder {
  /** The width D of last_hidden_state. */
  hiddenSize: number;
  /** ids [batch·77] → last_hidden_state [batch, 77, D], float32. */
  encode(ids: Int32Array, batch: number): Promise<Tensor>;
}

export interface UNet {
  inChannels: number;
  predict(sample: Tensor, timestep: number, encoderHiddenStates: Tensor): Promise<Tensor>;
}

export interface VaeDecoder {
  /** latents already divided by the scaling factor → [B, 3, H, W] in [-1, 1]. */
  decode(latents: Tensor): Promise<Tensor>;
}

export interface VaeEncoder {
  /** image in [-1, 1] → the latent distribution's mean and, when the model gives it, its log-variance clamped to [-30, 20]. */
  encode(image: Tensor): Promise<{ mean: Tensor; logvar?: Tensor }>;
}

export interface ComponentStats {
  calls: number;
  /** Total milliseconds inside session.run alone. */
  ms: number;
}

export interface SessionStats {
  textEncoder: ComponentStats;
  unet: ComponentStats;
  vaeDecoder: ComponentStats;
  vaeEncoder: ComponentStats;
  reset(): void;
}

export function createSessionStats(): SessionStats {
  const stats: SessionStats = {
    textEncoder: { calls: 0, ms: 0 },
    unet: { calls: 0, ms: 0 },
    vaeDecoder: { calls: 0, ms: 0 },
    vaeEncoder: { calls: 0, ms: 0 },
    reset() {
      for (const s of [stats.textEncoder, stats.unet, stats.vaeDecoder, stats.vaeEncoder]) {
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
  const start = performance.now();
  try {
    return await c.session.run(feeds, fetches);
  } finally {
    stats.ms += performance.now() - start;
    stats.calls++;
  }
}

function expectShape(c: ComponentSession, what: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) throw new Error(`${c.relative}: ${what} should have rank ${rank}, got [${t.shape.join(', ')}]`);
}

export interface TextEncoderPorts {
  ids: Port;
  hidden: Port;
  hiddenType: FloatType;
}

export function textEncoderPorts(c: ComponentSession): TextEncoderPorts {
  const ids = rankedPort(c, 'input', ['input_ids'], 'token ids [batch, 77]', TOKEN_AXES);
  if (ids.type !== 'int32' && ids.type !== 'int64') raise(invalid(c, `input input_ids has type ${ids.type}, expected int32 or int64`));
  const hidden = rankedPort(c, 'output', ['last_hidden_state'], 'the hidden states [batch, 77, width]', HIDDEN_AXES);
  return { ids, hidden, hiddenType: expectFloat(c, 'output', hidden) };
}

export function makeTextEncoder(c: ComponentSession, p: TextEncoderPorts, hiddenSize: number, stats: ComponentStats): TextEncoder {
  const int64 = p.ids.type === 'int64';
  const fetches = [p.hidden.name];
  return {
    hiddenSize,
    async encode(ids, batch) {
      if (batch <= 0 || ids.length % batch !== 0) throw new Error(`${c.relative}: ${ids.length} ids do not split into ${batch} rows`);
      const dims = [batch, ids.length / batch];
      const input = int64
        ? new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), dims)
        : new ort.Tensor('int32', ids, dims);
      const out = await timedRun(c, stats, { [p.ids.name]: input }, fetches);
      return toFloat32(c, out[p.hidden.name], p.hidden.name);
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
}

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
  return { sample, sampleType: expectFloat(c, 'input', sample), timestep, hidden, hiddenType: expectFloat(c, 'input', hidden), out };
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
  return {
    inChannels,
    async predict(sample, timestep, encoderHiddenStates) {
      expectShape(c, 'sample', sample, 4);
      expectShape(c, 'encoder_hidden_states', encoderHiddenStates, 3);
      const batch = sample.shape[0]!;
      const feeds = {
        [p.sample.name]: floatTensor(ort, p.sampleType, sample.data, sample.shape),
        [p.timestep.name]: timestepTensor(p.timestep, timestep, batch),
        [p.hidden.name]: floatTensor(ort, p.hiddenType, encoderHiddenStates.data, encoderHiddenStates.shape),
      };
      const out = await timedRun(c, stats, feeds, fetches);
      return toFloat32(c, out[p.out.name], p.out.name);
    },
  };
}

export interface VaeDecoderPorts {
  latents: Port;
  latentType: FloatType;
  image: Port;
}

export function vaeDecoderPorts(c: ComponentSession): VaeDecoderPorts {
  const latents = rankedPort(c, 'input', ['latent_sample'], 'the latents [batch, channels, height, width]', LATENT_AXES);
  const image = rankedPort(c, 'output', ['sample'], 'the image [batch, 3, height, width]', IMAGE_AXES);
  expectFloat(c, 'output', image);
  return { latents, latentType: expectFloat(c, 'input', latents), image };
}

/** One [batch, channels, height, width] float tensor in, one out: the VAE's decoder and encoder. */
async function runImageLike(c: ComponentSession, stats: ComponentStats, from: Port, fromType: FloatType, to: Port, what: string, t: Tensor): Promise<Tensor> {
  expectShape(c, what, t, 4);
  const out = await timedRun(c, stats, { [from.name]: floatTensor(ort, fromType, t.data, t.shape) }, [to.name]);
  return toFloat32(c, out[to.name], to.name);
}

export function makeVaeDecoder(c: ComponentSession, p: VaeDecoderPorts, stats: ComponentStats): VaeDecoder {
  return {
    decode: (latents) => runImageLike(c, stats, p.latents, p.latentType, p.image, 'latents', latents),
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
