// The four component graphs of a tiny Stable Diffusion export. Small, with random weights, but
// with the interfaces real exports have: names, dtypes, ranks, symbolic dimensions, and
// outputs that depend on every input. Computation is float32 inside; float16 models store
// float16 weights and take and give float16 tensors through Cast nodes at the edges.

import { float16ArrayToFloat32, float32ArrayToFloat16 } from '../../src/core/models/float16';
import { DataType, type Dim, type GraphSpec, type NodeSpec, type TensorInit, type ValueInfo } from './onnx-writer';

/** mulberry32: a tiny seeded PRNG, so that the same seed gives the same bytes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type WeightType = 'float32' | 'float16';

export interface WeightOptions {
  /** How weights are stored. */
  weights: WeightType;
  /** Float32 weights whose values are exactly representable in float16 (an fp32 twin of a float16 model). */
  roundWeightsToFp16: boolean;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}

/** Collects a graph's nodes and initializers, with float32 names for float16 weights. */
export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorInit[] = [];
  private count = 0;

  constructor(
    private readonly random: () => number,
    private readonly options: WeightOptions,
  ) {}

  fresh(base: string): string {
    return `/${base}_${this.count++}`;
  }

  node(opType: string, inputs: string[], attributes?: NodeSpec['attributes'], output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push(attributes ? { opType, inputs, outputs: [out], attributes } : { opType, inputs, outputs: [out] });
    return out;
  }

  /** Uniform random weights in [-scale, scale]; returns the name of a float32 value. */
  weight(name: string, dims: number[], scale: number, keepRows?: number): string {
    const size = dims.reduce((a, b) => a * b, 1);
    let values: Float32Array = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = (this.random() * 2 - 1) * scale;
    if (keepRows !== undefined) {
      // The first rows of a larger draw: a smaller twin shares those weights exactly.
      values = values.slice(0, (size / dims[0]!) * keepRows);
      dims = [keepRows, ...dims.slice(1)];
    }
    if (this.options.weights === 'float16') {
      this.initializers.push({ name, dataType: DataType.FLOAT16, dims, raw: bytesOf(float32ArrayToFloat16(values)) });
      return this.node('Cast', [name], { to: { kind: 'int', value: DataType.FLOAT } });
    }
    if (this.options.roundWeightsToFp16) values = float16ArrayToFloat32(float32ArrayToFloat16(values));
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, raw: bytesOf(values) });
    return name;
  }

  int64s(name: string, values: number[]): string {
    this.initializers.push({ name, dataType: DataType.INT64, dims: [values.length], raw: bytesOf(BigInt64Array.from(values.map(BigInt))) });
    return name;
  }

  scalar(name: string, value: number): string {
    this.initializers.push({ name, dataType: DataType.FLOAT, dims: [], raw: bytesOf(Float32Array.of(value)) });
    return name;
  }

  /**
   * `x`, but NaN wherever |x| > 1.09 (where x·60000 would pass float16's largest value, 65504):
   * the NaN a float16 model's overflowing activations give. Chosen with Where rather than by
   * computing in float16, which ONNX Runtime's CPU provider runs in float32 (its float16 Mul
   * is upcast), so that the fault is the same on every provider.
   */
  nanWhereLarge(x: string): string {
    const large = this.node('Greater', [this.node('Abs', [x]), this.scalar(this.fresh('overflow_limit'), 65504 / 60000)]);
    return this.node('Where', [large, this.scalar(this.fresh('nan'), NaN), x]);
  }

  /** A float input as float32 inside the graph. */
  floatIn(name: string, type: WeightType): string {
    return type === 'float16' ? this.node('Cast', [name], { to: { kind: 'int', value: DataType.FLOAT } }) : name;
  }

  /** Writes float32 `value` to the graph output `name` in `type`. */
  floatOut(value: string, name: string, type: WeightType): void {
    if (type === 'float16') this.node('Cast', [value], { to: { kind: 'int', value: DataType.FLOAT16 } }, name);
    else this.node('Identity', [value], undefined, name);
  }

  graph(name: string, inputs: ValueInfo[], outputs: ValueInfo[]): GraphSpec {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }
}

export const elemType = (t: WeightType): DataType => (t === 'float16' ? DataType.FLOAT16 : DataType.FLOAT);

export interface TextEncoderGraph {
  idsType: DataType;
  ioType: WeightType;
  vocabSize: number;
  hiddenSize: number;
  /** [batch, sequence] dimension names. */
  dims: [Dim, Dim];
}

/** input_ids → last_hidden_state = tanh((tok[ids] + pos) W + b), pooler_output = its mean over the sequence. */
export function textEncoderGraph(b: GraphBuilder, g: TextEncoderGraph): GraphSpec {
  const D = g.hiddenSize;
  const tok = b.weight('text_model.embeddings.token_embedding.weight', [g.vocabSize, D], 1);
  const pos = b.weight('text_model.embeddings.position_embedding.weight', [77, D], 0.5);
  const w = b.weight('text_model.proj.weight', [D, D], 1.5 / Math.sqrt(D));
  const bias = b.weight('text_model.proj.bias', [D], 0.1);
  const embedded = b.node('Add', [b.node('Gather', [tok, 'input_ids']), pos]);
  const hidden = b.node('Tanh', [b.node('Add', [b.node('MatMul', [embedded, w]), bias])]);
  const pooled = b.node('ReduceMean', [hidden], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 0 } });
  b.floatOut(hidden, 'last_hidden_state', g.ioType);
  b.floatOut(pooled, 'pooler_output', g.ioType);
  const [batch, sequence] = g.dims;
  return b.graph(
    'text_encoder',
    [{ name: 'input_ids', elemType: g.idsType, shape: [batch, sequence] }],
    [
      { name: 'last_hidden_state', elemType: elemType(g.ioType), shape: [batch, sequence, D] },
      { name: 'pooler_output', elemType: elemType(g.ioType), shape: [batch, D] },
    ],
  );
}

export interface ClipTextGraph {
  idsType: DataType;
  ioType: WeightType;
  vocabSize: number;
  hiddenSize: number;
  /** Encoder layers; the outputs hidden_states.0 (the embeddings) to hidden_states.<layers>. */
  layers: number;
  /** pooler_output (CLIPTextModel, SDXL's text_encoder) or text_embeds (CLIPTextModelWithProjection, its text_encoder_2). */
  pooled: 'pooler_output' | 'text_embeds';
  dims: [Dim, Dim];
}

/**
 * A text encoder exported with output_hidden_states, as optimum exports SDXL's two:
 * h₀ = tok[ids] + pos; hᵢ = tanh(hᵢ₋₁·aᵢ + bᵢ + mean_seq(hᵢ₋₁)·cᵢ); last_hidden_state = h_L·g + β
 * (the final layer norm's place); the pooled output is mean_seq(last_hidden_state), projected
 * (·p) for text_embeds. Per-channel weights keep a real width cheap.
 */
export function clipTextGraph(b: GraphBuilder, g: ClipTextGraph): GraphSpec {
  const D = g.hiddenSize;
  const tok = b.weight('text_model.embeddings.token_embedding.weight', [g.vocabSize, D], 1);
  const pos = b.weight('text_model.embeddings.position_embedding.weight', [77, D], 0.5);
  const meanSeq = (x: string, keep: 0 | 1) => b.node('ReduceMean', [x], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: keep } });
  const states = [b.node('Add', [b.node('Gather', [tok, 'input_ids']), pos])];
  for (let i = 1; i <= g.layers; i++) {
    const h = states[i - 1]!;
    const a = b.weight(`text_model.encoder.layers.${i - 1}.a`, [D], 1.5);
    const bias = b.weight(`text_model.encoder.layers.${i - 1}.b`, [D], 0.2);
    const c = b.weight(`text_model.encoder.layers.${i - 1}.c`, [D], 1);
    states.push(b.node('Tanh', [b.node('Add', [b.node('Add', [b.node('Mul', [h, a]), bias]), b.node('Mul', [meanSeq(h, 1), c])])]));
  }
  const gain = b.weight('text_model.final_layer_norm.weight', [D], 1);
  const shift = b.weight('text_model.final_layer_norm.bias', [D], 0.3);
  const last = b.node('Add', [b.node('Mul', [states[g.layers]!, gain]), shift]);
  const pooled = g.pooled === 'text_embeds' ? b.node('Mul', [meanSeq(last, 0), b.weight('text_projection.weight', [D], 2)]) : meanSeq(last, 0);
  const [batch, sequence] = g.dims;
  const out = elemType(g.ioType);
  const outputs: ValueInfo[] = [];
  const output = (value: string, name: string, shape: Dim[]) => {
    b.floatOut(value, name, g.ioType);
    outputs.push({ name, elemType: out, shape });
  };
  // optimum's order: the pooled output (text_embeds) or last_hidden_state first, then hidden_states.N.
  if (g.pooled === 'text_embeds') output(pooled, 'text_embeds', [batch, D]);
  output(last, 'last_hidden_state', [batch, sequence, D]);
  if (g.pooled === 'pooler_output') output(pooled, 'pooler_output', [batch, D]);
  states.forEach((h, i) => output(h, `hidden_states.${i}`, [batch, sequence, D]));
  return b.graph('text_encoder', [{ name: 'input_ids', elemType: g.idsType, shape: [batch, sequence] }], outputs);
}

export interface UNetGraph {
  ioType: WeightType;
  timestepType: DataType;
  /** The timestep's shape: `[]` for a scalar, else `[name]`. */
  timestepShape: Dim[];
  /** Latent channels out; the same in unless `inChannels` says otherwise (9 inpainting, 5 depth). */
  channels: number;
  inChannels?: number;
  hiddenSize: number;
  /** sample's [batch, channels, height, width] dimension names (or sizes). */
  sampleDims: [Dim, Dim, Dim, Dim];
  /** encoder_hidden_states' [batch, sequence]. */
  hiddenDims: [Dim, Dim];
  /** Inputs beyond the three every UNet takes, each [batch, width]: SDXL's text_embeds and time_ids, LCM's timestep_cond. */
  added?: readonly AddedInput[];
  /** Its prediction overflows as a float16 UNet's can (NaN where it is large). */
  overflow?: boolean;
}

export interface AddedInput {
  name: 'text_embeds' | 'time_ids' | 'timestep_cond';
  width: number;
  /** The weights' scale: time_ids hold sizes in pixels, the others values near 1. */
  scale: number;
}

/**
 * out_sample = conv1x1(sample) · (1 + ½ sin(t/1000)) + P · mean_seq(encoder_hidden_states),
 * the last broadcast over height and width: each input changes the output.
 */
export function unetGraph(b: GraphBuilder, g: UNetGraph): GraphSpec {
  const C = g.channels;
  const inC = g.inChannels ?? C;
  const D = g.hiddenSize;
  const conv = b.weight('conv_in.weight', [C, inC, 1, 1], 1 / Math.sqrt(inC));
  const convBias = b.weight('conv_in.bias', [C], 0.1);
  const proj = b.weight('encoder_proj.weight', [D, C], 2 / Math.sqrt(D));
  const sample = b.floatIn('sample', g.ioType);
  const hidden = b.floatIn('encoder_hidden_states', g.ioType);
  const convolved = b.node('Conv', [sample, conv, convBias], { kernel_shape: { kind: 'ints', value: [1, 1] } });
  const meanHidden = b.node('ReduceMean', [hidden], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 1 } });
  const conditioning = b.node('Reshape', [b.node('MatMul', [meanHidden, proj]), b.int64s('cond_shape', [0, C, 1, 1])]);
  const t = b.node('Cast', ['timestep'], { to: { kind: 'int', value: DataType.FLOAT } });
  const sinT = b.node('Sin', [b.node('Div', [t, b.scalar('timestep_scale', 1000)])]);
  const scale = b.node('Add', [b.scalar('one', 1), b.node('Mul', [b.scalar('half', 0.5), sinT])]);
  const scale4 = b.node('Reshape', [scale, b.int64s('scale_shape', [-1, 1, 1, 1])]);
  let out = b.node('Add', [b.node('Mul', [convolved, scale4]), conditioning]);
  // Each added input moves every channel by its own projection: [batch, width] · [width, C].
  for (const a of g.added ?? []) {
    const projected = b.node('MatMul', [b.floatIn(a.name, g.ioType), b.weight(`${a.name}_proj.weight`, [a.width, C], a.scale)]);
    out = b.node('Add', [out, b.node('Reshape', [projected, b.int64s(`${a.name}_shape`, [0, C, 1, 1])])]);
  }
  b.floatOut(g.overflow ? b.nanWhereLarge(out) : out, 'out_sample', g.ioType);
  const [batch, , height, width] = g.sampleDims;
  return b.graph(
    'unet',
    [
      { name: 'sample', elemType: elemType(g.ioType), shape: g.sampleDims },
      { name: 'timestep', elemType: g.timestepType, shape: g.timestepShape },
      { name: 'encoder_hidden_states', elemType: elemType(g.ioType), shape: [...g.hiddenDims, D] },
      ...(g.added ?? []).map((a) => ({ name: a.name, elemType: elemType(g.ioType), shape: [batch, a.width] })),
    ],
    [{ name: 'out_sample', elemType: elemType(g.ioType), shape: [batch, inC === C ? g.sampleDims[1] : C, height, width] }],
  );
}

export interface VaeDecoderGraph {
  ioType: WeightType;
  latentChannels: number;
  /** 'overflow': NaN where its features are large, as SDXL's VAE in float16; 'black': every pixel −1. */
  fault?: 'overflow' | 'black';
  /** Each pixel also depends on the mean of all the latents' features, as a real decoder's attention makes it: tiles differ from the whole. */
  global?: boolean;
  latentDims: [Dim, Dim, Dim, Dim];
  imageDims: [Dim, Dim, Dim, Dim];
}

/** latent_sample → sample = tanh(depth_to_space_8(conv1x1(latents))), in (-1, 1). */
export function vaeDecoderGraph(b: GraphBuilder, g: VaeDecoderGraph): GraphSpec {
  const conv = b.weight('decoder.conv.weight', [192, g.latentChannels, 1, 1], 1.5 / Math.sqrt(g.latentChannels));
  const convBias = b.weight('decoder.conv.bias', [192], 0.2);
  const latents = b.floatIn('latent_sample', g.ioType);
  let features = b.node('Conv', [latents, conv, convBias], { kernel_shape: { kind: 'ints', value: [1, 1] } });
  if (g.global) {
    const mean = b.node('ReduceMean', [features], { axes: { kind: 'ints', value: [2, 3] }, keepdims: { kind: 'int', value: 1 } });
    features = b.node('Add', [features, b.node('Mul', [mean, b.weight('decoder.global.weight', [192, 1, 1], 1)])]);
  }
  if (g.fault === 'overflow') features = b.nanWhereLarge(features);
  let image = b.node('Tanh', [b.node('DepthToSpace', [features], { blocksize: { kind: 'int', value: 8 }, mode: { kind: 'string', value: 'DCR' } })]);
  if (g.fault === 'black') image = b.node('Sub', [b.node('Mul', [image, b.scalar('black_zero', 0)]), b.scalar('black_one', 1)]);
  b.floatOut(image, 'sample', g.ioType);
  return b.graph(
    'vae_decoder',
    [{ name: 'latent_sample', elemType: elemType(g.ioType), shape: g.latentDims }],
    [{ name: 'sample', elemType: elemType(g.ioType), shape: g.imageDims }],
  );
}

export interface VaeEncoderGraph {
  ioType: WeightType;
  latentChannels: number;
  output: 'latent_parameters' | 'latent_sample';
  imageDims: [Dim, Dim, Dim, Dim];
  latentDims: [Dim, Dim, Dim, Dim];
}

/** sample → conv1x1(space_to_depth_8(image)): 2·C channels (mean, log-variance) or the C of the mean. */
export function vaeEncoderGraph(b: GraphBuilder, g: VaeEncoderGraph): GraphSpec {
  // Drawn for mean and log-variance either way, so that latent_sample's weights are the mean's.
  const outChannels = g.output === 'latent_parameters' ? 2 * g.latentChannels : g.latentChannels;
  const all = 2 * g.latentChannels;
  const conv = b.weight('encoder.conv.weight', [all, 192, 1, 1], 2 / Math.sqrt(192), outChannels);
  const convBias = b.weight('encoder.conv.bias', [all], 0.2, outChannels);
  const image = b.floatIn('sample', g.ioType);
  const blocks = b.node('SpaceToDepth', [image], { blocksize: { kind: 'int', value: 8 } });
  const latents = b.node('Conv', [blocks, conv, convBias], { kernel_shape: { kind: 'ints', value: [1, 1] } });
  b.floatOut(latents, g.output, g.ioType);
  return b.graph(
    'vae_encoder',
    [{ name: 'sample', elemType: elemType(g.ioType), shape: g.imageDims }],
    [{ name: g.output, elemType: elemType(g.ioType), shape: g.latentDims }],
  );
}

export interface DepthEstimatorGraph {
  /** pixel_values' [batch, 3, height, width] dimension names. */
  imageDims: [Dim, Dim, Dim, Dim];
}

/** pixel_values → predicted_depth = a·mean over the colours + b, [batch, height, width]: brighter is nearer. */
export function depthEstimatorGraph(b: GraphBuilder, g: DepthEstimatorGraph): GraphSpec {
  const mean = b.node('ReduceMean', ['pixel_values'], { axes: { kind: 'ints', value: [1] }, keepdims: { kind: 'int', value: 0 } });
  const depth = b.node('Add', [b.node('Mul', [mean, b.scalar('depth_scale', 3)]), b.scalar('depth_shift', 4)], undefined, 'predicted_depth');
  const [batch, , height, width] = g.imageDims;
  return b.graph(
    'depth_estimator',
    [{ name: 'pixel_values', elemType: DataType.FLOAT, shape: g.imageDims }],
    [{ name: depth, elemType: DataType.FLOAT, shape: [batch, height, width] }],
  );
}
