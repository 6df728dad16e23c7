// The one in-memory tensor type the core passes between stages: float32, row-major (NCHW for
// images and latents). Model sessions convert to and from whatever a model declares.

export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

export function tensor(data: Float32Array, shape: readonly number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new Error(`tensor data has ${data.length} values, shape [${shape.join(', ')}] needs ${size}`);
  }
  return { data, shape };
}
