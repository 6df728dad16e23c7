// A Brownian motion over an interval of noise levels, queried by increments: torchsde's
// BrownianInterval as diffusers' DPMSolverSDEScheduler and k-diffusion's BrownianTreeNoiseSampler
// build it (tol 1e-6, pool_size 24, halfway_tree, no Lévy area). Every time is rounded to 6
// decimals; the interval is split in halves, down to each queried time; each split draws the left
// half's increment from a Brownian bridge, with a fresh generator whose seed numpy's SeedSequence
// derives from the entropy and the node's place in the tree. So an increment depends on the
// entropy and the times alone, not on the order of queries, and the values equal torchsde's when
// the generators are the reference's (torch's CPU randn for torch, CUDA's Philox for nv).

import { f32 } from '../schedulers/numerics';
import { SeedSequence } from './seed-sequence';

const POOL_SIZE = 24;
const CACHE_SIZE = 45;

/** Python's `round(x, 6)`: to 6 decimals, ties (x an odd multiple of 1/128) to even. */
export function roundTo6(x: number): number {
  const scaled = x * 128;
  if (Number.isInteger(scaled) && scaled % 2 !== 0) {
    const below = Math.floor(x * 1e6);
    return Number(`${below % 2 === 0 ? below : below + 1}e-6`);
  }
  return Number(x.toFixed(6));
}

class Node {
  midway: number | undefined;
  left: Node | undefined;
  right: Node | undefined;
  /** The W seed of this node's split (set when it splits). */
  wSeed = 0;
  spawnKey = 0n;
  depth = 0n;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly parent: Node | undefined,
    readonly isLeft: boolean,
  ) {}
}

export interface BrownianTreeOptions {
  /** The interval, t0 < t1. */
  t0: number;
  t1: number;
  /** torchsde's `entropy`: A1111 gives the image's seed, diffusers its `noise_sampler_seed`. */
  entropy: bigint;
  /** Values per increment. */
  size: number;
  /** `size` normals from a fresh generator seeded with `seed` (torchsde's `_randn`). */
  randn(seed: number): Float32Array;
}

export class BrownianTree {
  private readonly root: Node;
  private readonly cache = new Map<Node, Float32Array>();

  constructor(private readonly options: BrownianTreeOptions) {
    if (!(options.t0 < options.t1)) throw new RangeError(`a Brownian interval needs t0 < t1, not ${options.t0}, ${options.t1}`);
    this.root = new Node(roundTo6(options.t0), roundTo6(options.t1), undefined, false);
    const [wSeed] = new SeedSequence(options.entropy, [], POOL_SIZE).generateState(3);
    const scale = f32(Math.sqrt(options.t1 - options.t0));
    this.rootW = options.randn(wSeed!).map((v) => v * scale);
  }

  private readonly rootW: Float32Array;

  /** W(tb) − W(ta) for ta ≤ tb, times clamped to the interval (torchsde's `__call__`). */
  increment(ta: number, tb: number): Float32Array {
    const { start, end } = this.root;
    const a = roundTo6(Math.min(Math.max(ta, start), end));
    const b = roundTo6(Math.min(Math.max(tb, start), end));
    if (a > b) throw new RangeError(`query times must be ordered: ${ta} > ${tb}`);
    if (a === b) return new Float32Array(this.options.size);
    const pieces: Node[] = [];
    this.locate(this.root, a, b, pieces);
    const w = Float32Array.from(this.valueOf(pieces[0]!));
    for (const piece of pieces.slice(1)) {
      const next = this.valueOf(piece);
      for (let i = 0; i < w.length; i++) w[i] = w[i]! + next[i]!;
    }
    return w;
  }

  /** The subintervals that make up [ta, tb], left to right, splitting where needed (`_loc`). */
  private locate(node: Node, ta: number, tb: number, out: Node[]): void {
    if (ta === node.start && tb === node.end) {
      out.push(node);
      return;
    }
    if (node.midway === undefined) this.split(node, ta === node.start ? tb : ta);
    const mid = node.midway!;
    if (tb <= mid) this.locate(node.left!, ta, tb, out);
    else if (ta >= mid) this.locate(node.right!, ta, tb, out);
    else {
      this.locate(node.left!, ta, mid, out);
      this.locate(node.right!, mid, tb, out);
    }
  }

  /** Halves `node`, then the half holding `point`, until `point` is an end (`_split` of a halfway tree). */
  private split(node: Node, point: number): void {
    for (let current = node; ; ) {
      if (current.midway === undefined) this.halve(current);
      const mid = current.midway!;
      if (point === mid) return;
      current = point > mid ? current.right! : current.left!;
    }
  }

  private halve(node: Node): void {
    const midway = 0.5 * (node.end + node.start);
    node.midway = roundTo6(midway);
    if (node.parent) {
      node.spawnKey = 2n * node.parent.spawnKey + (node.isLeft ? 0n : 1n);
      node.depth = node.parent.depth + 1n;
    }
    [node.wSeed] = new SeedSequence(this.options.entropy, [node.spawnKey, node.depth], POOL_SIZE).generateState(4) as [number];
    node.left = new Node(node.start, roundTo6(midway), node, true);
    node.right = new Node(roundTo6(midway), node.end, node, false);
  }

  /** A node's increment, from its parent's by the Brownian bridge, in float32 as torch computes it. */
  private valueOf(node: Node): Float32Array {
    const parent = node.parent;
    if (!parent) return this.rootW;
    const cached = this.cache.get(node);
    if (cached) {
      this.cache.delete(node);
      this.cache.set(node, cached);
      return cached;
    }
    const w = this.valueOf(parent);
    const hReciprocal = f32(1 / (parent.end - parent.start));
    const leftDiff = parent.midway! - parent.start;
    const rightDiff = parent.end - parent.midway!;
    const leftDiff32 = f32(leftDiff);
    const std = f32(Math.sqrt(leftDiff * rightDiff * (1 / (parent.end - parent.start))));
    const noise = this.options.randn(parent.wSeed);
    const out = new Float32Array(w.length);
    for (let i = 0; i < out.length; i++) {
      const leftW = f32(f32(f32(leftDiff32 * w[i]!) * hReciprocal) + f32(std * noise[i]!));
      out[i] = node.isLeft ? leftW : w[i]! - leftW;
    }
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(node, out);
    return out;
  }
}
