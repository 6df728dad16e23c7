// A UNet with Stable Diffusion 1.5's architecture (diffusers' UNet2DConditionModel with SD 1.5's
// config: block_out_channels 320/640/1280/1280, two ResNets a block, one transformer with 8-head
// self- and cross-attention after each in the first three down blocks, the mid block and the last
// three up blocks, GEGLU feed-forward, GroupNorm 32) with random weights, laid out as the ONNX
// exporters lay it out (GroupNorm as Reshape + InstanceNormalization). At full width it has SD
// 1.5's ~860 M parameters and does its work per step, so a benchmark on it measures what a real
// SD 1.5 UNet would cost on that machine; `baseChannels` shrinks it for tests.

import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { float32ArrayToFloat16 } from '../../src/core/models/float16';
import { GraphBuilder, type WeightType, elemType, prng } from './graphs';
import { DataType, type GraphSpec, encodeModel } from './onnx-writer';

export interface SdUNetOptions {
  /** 320 for SD 1.5; the other widths follow as ×1, ×2, ×4, ×4. */
  baseChannels: number;
  /** 768 for SD 1.5. */
  crossAttentionDim: number;
  /** 8 for SD 1.5. */
  heads: number;
  /** 32 for SD 1.5; must divide every width. */
  groups: number;
  /** The type of the weights, the activations and the I/O alike: float16 computes in float16 throughout, as a real fp16 export does. */
  io: WeightType;
  seed: number;
}

export const SD15_UNET: SdUNetOptions = { baseChannels: 320, crossAttentionDim: 768, heads: 8, groups: 32, io: 'float16', seed: 1 };

/** Builds the graph into `b` (whose nodes and initializers it fills; its own weight helper is not used). */
export function sdUNetGraph(b: GraphBuilder, o: SdUNetOptions): GraphSpec {
  const widths = [1, 2, 4, 4].map((m) => m * o.baseChannels);
  const timeDim = 4 * o.baseChannels;
  const random = prng(o.seed);
  const type = elemType(o.io);
  let count = 0;
  const name = (kind: string) => `${kind}.${count++}`;
  /** A tensor of the compute type: random in [-scale, scale], or the given values. */
  const tensor = (kind: string, dims: number[], fill: number | Float32Array): string => {
    const size = dims.reduce((a, c) => a * c, 1);
    let values = fill;
    if (typeof fill === 'number') {
      // A plain loop: Float32Array.from with a callback takes minutes for SD 1.5's 860 M values.
      values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = (random() * 2 - 1) * fill;
    }
    const raw = o.io === 'float16' ? float32ArrayToFloat16(values as Float32Array) : (values as Float32Array);
    const id = name(kind);
    b.initializers.push({ name: id, dataType: type, dims, raw: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) });
    return id;
  };
  const w = (kind: string, dims: number[], fanIn: number) => tensor(kind, dims, 1 / Math.sqrt(fanIn));
  const constant = (value: number) => tensor('const', [], Float32Array.of(value));
  const ints = (values: number[]) => b.int64s(name('shape'), values);

  const conv = (x: string, cin: number, cout: number, k: number, stride = 1): string =>
    b.node('Conv', [x, w('conv.weight', [cout, cin, k, k], cin * k * k), w('conv.bias', [cout], cin * k * k)], {
      kernel_shape: { kind: 'ints', value: [k, k] },
      pads: { kind: 'ints', value: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] },
      strides: { kind: 'ints', value: [stride, stride] },
    });
  const linear = (x: string, cin: number, cout: number, bias = true): string => {
    const y = b.node('MatMul', [x, w('linear.weight', [cin, cout], cin)]);
    return bias ? b.node('Add', [y, w('linear.bias', [cout], cin)]) : y;
  };
  const silu = (x: string) => b.node('Mul', [x, b.node('Sigmoid', [x])]);
  // GroupNorm as torch.onnx exports it: [B, G, -1] through InstanceNormalization, then the affine per channel.
  const groupNorm = (x: string, c: number): string => {
    const grouped = b.node('Reshape', [x, ints([0, o.groups, -1])]);
    const normed = b.node('InstanceNormalization', [grouped, tensor('gn.ones', [o.groups], new Float32Array(o.groups).fill(1)), tensor('gn.zeros', [o.groups], new Float32Array(o.groups))], {
      epsilon: { kind: 'float', value: 1e-5 },
    });
    const back = b.node('Reshape', [normed, b.node('Shape', [x])]);
    return b.node('Add', [b.node('Mul', [back, w('gn.weight', [c, 1, 1], 1)]), w('gn.bias', [c, 1, 1], 1e4)]);
  };
  const layerNorm = (x: string, c: number): string =>
    b.node('LayerNormalization', [x, w('ln.weight', [c], 1), w('ln.bias', [c], 1e4)], { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: 1e-5 } });

  const resnet = (x: string, cin: number, cout: number, temb: string): string => {
    let h = conv(silu(groupNorm(x, cin)), cin, cout, 3);
    h = b.node('Add', [h, b.node('Unsqueeze', [linear(silu(temb), timeDim, cout), ints([2, 3])])]);
    h = conv(silu(groupNorm(h, cout)), cout, cout, 3);
    return b.node('Add', [cin === cout ? x : conv(x, cin, cout, 1), h]);
  };

  // [B, S, C] → [B, heads, S, C/heads]
  const heads = (x: string, c: number) => b.node('Transpose', [b.node('Reshape', [x, ints([0, 0, o.heads, c / o.heads])])], { perm: { kind: 'ints', value: [0, 2, 1, 3] } });
  const attention = (x: string, context: string, c: number, contextDim: number): string => {
    const q = heads(linear(x, c, c, false), c);
    const k = heads(linear(context, contextDim, c, false), c);
    const v = heads(linear(context, contextDim, c, false), c);
    const kt = b.node('Transpose', [k], { perm: { kind: 'ints', value: [0, 1, 3, 2] } });
    const scores = b.node('Mul', [b.node('MatMul', [q, kt]), constant(1 / Math.sqrt(c / o.heads))]);
    const mixed = b.node('MatMul', [b.node('Softmax', [scores], { axis: { kind: 'int', value: -1 } }), v]);
    const merged = b.node('Reshape', [b.node('Transpose', [mixed], { perm: { kind: 'ints', value: [0, 2, 1, 3] } }), ints([0, 0, c])]);
    return linear(merged, c, c);
  };
  const geglu = (x: string, c: number): string => {
    const both = linear(x, c, 8 * c);
    const [value, gate] = [name('ff.value'), name('ff.gate')];
    b.nodes.push({ opType: 'Split', inputs: [both, ints([4 * c, 4 * c])], outputs: [value, gate], attributes: { axis: { kind: 'int', value: -1 } } });
    // GELU as exported below opset 20: x·½(1 + erf(x/√2)).
    const erf = b.node('Erf', [b.node('Mul', [gate, constant(Math.SQRT1_2)])]);
    const gelu = b.node('Mul', [b.node('Mul', [gate, constant(0.5)]), b.node('Add', [erf, constant(1)])]);
    return linear(b.node('Mul', [value, gelu]), 4 * c, c);
  };
  const transformer = (x: string, c: number, context: string): string => {
    const shape = b.node('Shape', [x]);
    // [B, C, H, W] → [B, HW, C]
    let h = b.node('Transpose', [b.node('Reshape', [groupNorm(x, c), ints([0, c, -1])])], { perm: { kind: 'ints', value: [0, 2, 1] } });
    h = linear(h, c, c);
    h = b.node('Add', [h, attention(layerNorm(h, c), layerNorm(h, c), c, c)]);
    h = b.node('Add', [h, attention(layerNorm(h, c), context, c, o.crossAttentionDim)]);
    h = b.node('Add', [h, geglu(layerNorm(h, c), c)]);
    h = linear(h, c, c);
    const back = b.node('Reshape', [b.node('Transpose', [h], { perm: { kind: 'ints', value: [0, 2, 1] } }), shape]);
    return b.node('Add', [x, back]);
  };

  // Timestep embedding: sinusoids of t (flip_sin_to_cos, shift 0, as SD 1.5), then two linears.
  const half = o.baseChannels / 2;
  const freqs = tensor('time.freqs', [half], Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)));
  const t = b.node('Unsqueeze', [b.node('Cast', ['timestep'], { to: { kind: 'int', value: type } }), ints([1])]);
  const angles = b.node('Mul', [t, freqs]);
  const sinusoid = b.node('Concat', [b.node('Cos', [angles]), b.node('Sin', [angles])], { axis: { kind: 'int', value: 1 } });
  const temb = linear(silu(linear(sinusoid, o.baseChannels, timeDim)), timeDim, timeDim);

  const context = 'encoder_hidden_states';
  let h = conv('sample', 4, widths[0]!, 3);
  const skips = [h];
  widths.forEach((c, level) => {
    const cin = level === 0 ? widths[0]! : widths[level - 1]!;
    for (let i = 0; i < 2; i++) {
      h = resnet(h, i === 0 ? cin : c, c, temb);
      if (level < 3) h = transformer(h, c, context);
      skips.push(h);
    }
    if (level < 3) {
      h = conv(h, c, c, 3, 2);
      skips.push(h);
    }
  });
  const deepest = widths[3]!;
  h = resnet(transformer(resnet(h, deepest, deepest, temb), deepest, context), deepest, deepest, temb);
  [...widths].reverse().forEach((c, level) => {
    for (let i = 0; i < 3; i++) {
      const skip = skips.pop()!;
      const skipWidth = channelsOf(skips.length, widths);
      const cin = (i === 0 ? (level === 0 ? deepest : [...widths].reverse()[level - 1]!) : c) + skipWidth;
      h = resnet(b.node('Concat', [h, skip], { axis: { kind: 'int', value: 1 } }), cin, c, temb);
      if (level > 0) h = transformer(h, c, context);
    }
    if (level < 3) {
      const scales = name('up.scales');
      b.initializers.push({ name: scales, dataType: DataType.FLOAT, dims: [4], raw: new Uint8Array(Float32Array.of(1, 1, 2, 2).buffer) });
      const up = b.node('Resize', [h, '', scales], { mode: { kind: 'string', value: 'nearest' } });
      h = conv(up, c, c, 3);
    }
  });
  b.node('Identity', [conv(silu(groupNorm(h, widths[0]!)), widths[0]!, 4, 3)], undefined, 'out_sample');
  const io = type;
  return b.graph(
    'unet',
    [
      { name: 'sample', elemType: io, shape: ['batch_size', 4, 'height', 'width'] },
      { name: 'timestep', elemType: DataType.INT64, shape: ['steps'] },
      { name: 'encoder_hidden_states', elemType: io, shape: ['batch_size', 'sequence_length', o.crossAttentionDim] },
    ],
    [{ name: 'out_sample', elemType: io, shape: ['batch_size', 4, 'height', 'width'] }],
  );
}

/** The width of the skip at position `index` of the down path (conv_in, then each block's outputs and downsample). */
function channelsOf(index: number, widths: number[]): number {
  if (index === 0) return widths[0]!;
  // Each of the first three levels pushes three skips (two ResNets, the downsample); the last two.
  const level = Math.min(Math.floor((index - 1) / 3), 3);
  return widths[level]!;
}

export interface WrittenUNet {
  file: string;
  parameters: number;
  /** model.onnx and its external weights together. */
  bytes: number;
}

/**
 * Writes `dir`/unet/model.onnx with its weights in model.onnx_data beside it (as optimum writes
 * models over 2 GB), one tensor at a time, so that the whole model is never one buffer.
 */
export function writeSdUNet(dir: string, o: SdUNetOptions): WrittenUNet {
  const folder = path.join(dir, 'unet');
  mkdirSync(folder, { recursive: true });
  const b = new GraphBuilder(prng(o.seed), { weights: o.io, roundWeightsToFp16: false });
  const graph = sdUNetGraph(b, o);
  const dataFile = path.join(folder, 'model.onnx_data');
  const fd = openSync(dataFile, 'w');
  let offset = 0;
  let parameters = 0;
  try {
    for (const t of graph.initializers) {
      if (t.dataType !== elemType(o.io)) continue;
      parameters += t.dims.reduce((a, c) => a * c, 1);
      // Shape inference reads small constants (Resize's scales, Reshape's shapes): they stay inline.
      if (t.raw.length < 1024) continue;
      writeSync(fd, t.raw);
      t.external = { location: 'model.onnx_data', offset, length: t.raw.length };
      offset += t.raw.length;
      // Written: the bytes need not stay in memory.
      t.raw = new Uint8Array(0);
    }
  } finally {
    closeSync(fd);
  }
  const file = path.join(folder, 'model.onnx');
  const model = encodeModel({ graph, producerName: 'sdprompt sd-unet' });
  writeFileSync(file, model);
  return { file, parameters, bytes: offset + model.length };
}
