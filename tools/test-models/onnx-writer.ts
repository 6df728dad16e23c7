// A small ONNX ModelProto encoder: just enough of onnx.proto (ONNX 1.x, proto2 syntax) to write
// test models by hand. Protobuf wire format: each field is a varint key (field number << 3 |
// wire type) then a varint (type 0) or a length-prefixed payload (type 2). Repeated scalars
// are written unpacked, as proto2 declares them; parsers accept both forms.

export const enum DataType {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
}

export type Dim = number | string;

export interface ValueInfo {
  name: string;
  elemType: DataType;
  /** Fixed sizes as numbers, symbolic ones (dim_param) as strings; `[]` for a scalar. */
  shape: readonly Dim[];
}

export interface ExternalLocation {
  location: string;
  offset: number;
  length: number;
}

export interface TensorInit {
  name: string;
  dataType: DataType;
  dims: readonly number[];
  /** Little-endian element bytes, inline as raw_data or in an external file. */
  raw: Uint8Array;
  /** When set, the bytes live in that file (data_location EXTERNAL) and `raw` is not written. */
  external?: ExternalLocation;
}

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorInit };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorInit[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelSpec {
  graph: GraphSpec;
  /** Defaults to 17. */
  opset?: number;
  /** Defaults to 8 (the IR version that goes with opset 17). */
  irVersion?: number;
  producerName?: string;
}

class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: 0 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// Field numbers from onnx/onnx.proto.
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, ints: 8, type: 20 } as const;
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, INTS: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const TENSOR_DATA_LOCATION_EXTERNAL = 1;
const STRING_STRING_ENTRY = { key: 1, value: 2 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TYPE_TENSOR = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { dimValue: 1, dimParam: 2 } as const;

function writeTensor(w: ProtoWriter, t: TensorInit): void {
  for (const d of t.dims) w.int(TENSOR.dims, d);
  w.int(TENSOR.dataType, t.dataType);
  w.string(TENSOR.name, t.name);
  if (t.external) {
    const entries: [string, string][] = [
      ['location', t.external.location],
      ['offset', String(t.external.offset)],
      ['length', String(t.external.length)],
    ];
    for (const [k, v] of entries) {
      w.message(TENSOR.externalData, (e) => e.string(STRING_STRING_ENTRY.key, k).string(STRING_STRING_ENTRY.value, v));
    }
    w.int(TENSOR.dataLocation, TENSOR_DATA_LOCATION_EXTERNAL);
  } else {
    w.bytes(TENSOR.rawData, t.raw);
  }
}

function writeAttribute(w: ProtoWriter, name: string, a: AttributeValue): void {
  w.string(ATTRIBUTE.name, name);
  switch (a.kind) {
    case 'int':
      w.int(ATTRIBUTE.i, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.INT);
      break;
    case 'float':
      w.float(ATTRIBUTE.f, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.FLOAT);
      break;
    case 'ints':
      for (const v of a.value) w.int(ATTRIBUTE.ints, v);
      w.int(ATTRIBUTE.type, ATTRIBUTE_TYPE.INTS);
      break;
    case 'string':
      w.string(ATTRIBUTE.s, a.value).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.STRING);
      break;
    case 'tensor':
      w.message(ATTRIBUTE.t, (t) => writeTensor(t, a.value)).int(ATTRIBUTE.type, ATTRIBUTE_TYPE.TENSOR);
      break;
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(VALUE_INFO.name, v.name);
  w.message(VALUE_INFO.type, (type) =>
    type.message(TYPE.tensorType, (tt) => {
      tt.int(TYPE_TENSOR.elemType, v.elemType);
      tt.message(TYPE_TENSOR.shape, (shape) => {
        for (const d of v.shape) {
          shape.message(SHAPE.dim, (dim) => {
            if (typeof d === 'number') dim.int(DIMENSION.dimValue, d);
            else dim.string(DIMENSION.dimParam, d);
          });
        }
      });
    }),
  );
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int(MODEL.irVersion, spec.irVersion ?? 8);
  w.string(MODEL.producerName, spec.producerName ?? 'sdprompt test-models');
  w.string(MODEL.producerVersion, '1');
  w.message(MODEL.graph, (g) => {
    spec.graph.nodes.forEach((n, index) => {
      g.message(GRAPH.node, (nw) => {
        for (const i of n.inputs) nw.string(NODE.input, i);
        for (const o of n.outputs) nw.string(NODE.output, o);
        nw.string(NODE.name, n.name ?? `${n.opType}_${index}`);
        nw.string(NODE.opType, n.opType);
        for (const [name, a] of Object.entries(n.attributes ?? {})) {
          nw.message(NODE.attribute, (aw) => writeAttribute(aw, name, a));
        }
      });
    });
    g.string(GRAPH.name, spec.graph.name);
    for (const t of spec.graph.initializers) g.message(GRAPH.initializer, (tw) => writeTensor(tw, t));
    for (const v of spec.graph.inputs) g.message(GRAPH.input, (vw) => writeValueInfo(vw, v));
    for (const v of spec.graph.outputs) g.message(GRAPH.output, (vw) => writeValueInfo(vw, v));
  });
  w.message(MODEL.opsetImport, (o) => o.string(OPSET.domain, '').int(OPSET.version, spec.opset ?? 17));
  return w.finish();
}
