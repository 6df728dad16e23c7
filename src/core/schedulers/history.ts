// The last few arrays a multistep sampler remembers (PLMS's ε, LMS's derivatives, DPM-Solver's
// x₀ predictions). Copies go into buffers allocated once per run and reused in turn.

export class History {
  private readonly buffers: Float32Array[] = [];
  private newest = -1;
  private stored = 0;

  constructor(private readonly capacity: number) {}

  /** How many arrays are remembered (at most the capacity). */
  get length(): number {
    return this.stored;
  }

  /** The buffer for the next entry, to be filled by the caller; it becomes the newest. */
  claim(size: number): Float32Array {
    this.newest = (this.newest + 1) % this.capacity;
    let buffer = this.buffers[this.newest];
    if (!buffer || buffer.length !== size) {
      buffer = new Float32Array(size);
      this.buffers[this.newest] = buffer;
    }
    this.stored = Math.min(this.stored + 1, this.capacity);
    return buffer;
  }

  /** Remembers a copy of `values`. */
  push(values: Float32Array): void {
    this.claim(values.length).set(values);
  }

  /** The entry `back` steps before the newest (0 is the newest). */
  get(back: number): Float32Array {
    if (back < 0 || back >= this.stored) throw new RangeError(`history has ${this.stored} entries, asked for ${back} back`);
    return this.buffers[(this.newest - back + this.capacity) % this.capacity]!;
  }
}
