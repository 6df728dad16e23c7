// What a session declares about its inputs and outputs, checked before anything runs, and the
// conversions between the core's float32 tensors and what the model takes (float16 bits, int64).

import type * as ort from 'onnxruntime-node';
import { type UserError, raise } from '../errors';
import { type Tensor, tensor } from '../tensor';
import { float16ArrayToFloat32, float32ArrayToFloat16 } from './float16';

export type Dim = number | string;

export interface Port {
  name: string;
  type: ort.Tensor.Type;
  /** Empty when the model declares no shape. */
  shape: readonly Dim[];
}

/** One session, the file it came from (for messages) and the provider it runs on. */
export interface ComponentSession {
  session: ort.InferenceSession;
  file: string;
  /** e.g. "unet/model.onnx". */
  relative: string;
  provider: string;
  /** The same file opened on the CPU, for when the provider fails while running; absent on the CPU. */
  fallback?: () => Promise<ort.InferenceSession>;
  /** Hears that the component moved to the CPU, and why. */
  onFallback?: (message: string) => void;
  /** The same file opened again on the same provider, after a release between uses (releasable.ts). */
  reopen?: () => Promise<ort.InferenceSession>;
  /** True between a release between uses and the next call, which opens the session again. */
  released?: boolean;
  /** How many times the session was opened: 1, and one more for each reopening. */
  opens?: number;
}

/** Where ORT's C++ code failed (`/onnxruntime_src/…/model.cc:187 `), which tells a user nothing. */
const SOURCE_LOCATION = /\/\S*onnxruntime\S*\.(?:cc|cpp|h):\d+ /;

/** The end of the C++ signature that starts at `from`: after its outermost parenthesis closes. */
function signatureEnd(text: string, from: number): number | undefined {
  const open = text.indexOf('(', from);
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
  }
  return undefined;
}

/**
 * ORT's message on one line, without the model path it repeats or the source line of its
 * check, and without the C++ location and signature it puts anywhere in a message
 * ("… Status Message: /onnxruntime_src/…/bfc_arena.cc:360 void* onnxruntime::BFCArena::
 * AllocateRawInternal(size_t, bool, …) Failed to allocate memory …").
 */
export function ortMessage(e: unknown): string {
  let text = (e instanceof Error ? e.message : String(e))
    .replace(/\s+/g, ' ')
    .replace(/^Load model from .* failed:\s*/, '')
    .replace(/^\/\S+\.(?:cc|cpp|h):\d+ .*? was false\.\s*/, '')
    .trim();
  for (let match = SOURCE_LOCATION.exec(text); match; match = SOURCE_LOCATION.exec(text)) {
    const start = match.index;
    const end = signatureEnd(text, start + match[0].length) ?? start + match[0].length;
    text = `${text.slice(0, start)}${text.slice(end).trimStart()}`;
  }
  return text;
}

export function invalid(c: ComponentSession, message: string): UserError {
  return { code: 'model-invalid', message: `${c.relative}: ${message}`, file: c.file };
}

function ports(c: ComponentSession, kind: 'input' | 'output'): Port[] {
  const metadata = kind === 'input' ? c.session.inputMetadata : c.session.outputMetadata;
  return metadata.map((m) => {
    if (!m.isTensor) raise(invalid(c, `${kind} ${m.name} is not a tensor`));
    return { name: m.name, type: m.type, shape: m.shape };
  });
}

function describePorts(list: readonly Port[]): string {
  return list.length === 0 ? 'none' : list.map((p) => p.name).join(', ');
}

/** The named input or output, or a `model-invalid` error saying what the model has instead. */
export function port(c: ComponentSession, kind: 'input' | 'output', names: readonly string[], expected: string): Port {
  const list = ports(c, kind);
  for (const name of names) {
    const found = list.find((p) => p.name === name);
    if (found) return found;
  }
  raise(invalid(c, `has no ${kind} named ${names.join(' or ')} (${expected}); its ${kind}s are: ${describePorts(list)}`));
}

/** The named input or output, whose rank must be that of `layout` (its axes' names) when the model fixes one. */
export function rankedPort(c: ComponentSession, kind: 'input' | 'output', names: readonly string[], expected: string, layout: readonly string[]): Port {
  const p = port(c, kind, names, expected);
  if (p.shape.length !== 0 && p.shape.length !== layout.length) {
    raise(invalid(c, `${kind} ${p.name} has rank ${p.shape.length} [${p.shape.join(', ')}], expected ${layout.length}: [${layout.join(', ')}]`));
  }
  return p;
}

export type FloatType = 'float32' | 'float16';

export function expectFloat(c: ComponentSession, kind: 'input' | 'output', p: Port): FloatType {
  if (p.type === 'float32' || p.type === 'float16') return p.type;
  raise(invalid(c, `${kind} ${p.name} has type ${p.type}, expected float32 or float16`));
}

/** The size of dimension `index` when the model fixes it. */
export function staticDim(p: Port, index: number): number | undefined {
  const d = p.shape[index];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** Wraps float32 data as the model's float type; float32 passes through without a copy. */
export function floatTensor(ortModule: typeof ort, type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === 'float32' ? new ortModule.Tensor('float32', data, dims) : new ortModule.Tensor('float16', float32ArrayToFloat16(data), dims);
}

/** Reads a model output as a float32 Tensor; float32 outputs are used as they are. */
export function toFloat32(c: ComponentSession, value: ort.OnnxValue | undefined, name: string): Tensor {
  if (value === undefined) raise(invalid(c, `returned no ${name}`));
  const t = value as ort.Tensor;
  let data: Float32Array;
  if (t.type === 'float32') data = t.data as Float32Array;
  else if (t.type === 'float16') {
    // Node 20 has no Float16Array: onnxruntime-node hands float16 over as raw bits.
    const raw = t.data as unknown;
    data = raw instanceof Uint16Array ? float16ArrayToFloat32(raw) : Float32Array.from(raw as ArrayLike<number>);
  } else raise(invalid(c, `output ${name} has type ${t.type}, expected float32 or float16`));
  return tensor(data, t.dims);
}
