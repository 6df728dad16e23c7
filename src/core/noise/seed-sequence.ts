// numpy's SeedSequence (Melissa O'Neill's seed_seq hash, numpy/random/bit_generator.pyx): turns an
// entropy integer and a spawn key into well-mixed 32-bit words. torchsde seeds every node of its
// Brownian interval from one, so DPM++ SDE's noise needs it word for word.

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;

/** A non-negative integer as little-endian 32-bit words (numpy's `_int_to_uint32_array`; 0 is one word). */
function words(value: bigint): number[] {
  if (value < 0n) throw new RangeError(`SeedSequence takes non-negative integers, not ${value}`);
  const out: number[] = [];
  do {
    out.push(Number(value & 0xffffffffn));
    value >>= 32n;
  } while (value > 0n);
  return out;
}

export class SeedSequence {
  private readonly pool: Uint32Array;

  /** `SeedSequence(entropy, spawn_key=spawnKey, pool_size=poolSize)`. */
  constructor(entropy: bigint, spawnKey: readonly bigint[] = [], poolSize = 4) {
    let assembled = words(entropy);
    const spawn = spawnKey.flatMap(words);
    // numpy ≥ 1.19 pads short entropy to the pool size when there is a spawn key.
    if (spawn.length > 0 && assembled.length < poolSize) assembled = [...assembled, ...new Array<number>(poolSize - assembled.length).fill(0)];
    this.pool = mixEntropy(poolSize, [...assembled, ...spawn]);
  }

  /** `generate_state(n)` with the default dtype, uint32. */
  generateState(count: number): number[] {
    let hashConst = INIT_B;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      let value = (this.pool[i % this.pool.length]! ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      value = Math.imul(value, hashConst) >>> 0;
      out.push((value ^ (value >>> XSHIFT)) >>> 0);
    }
    return out;
  }
}

function mixEntropy(poolSize: number, entropy: readonly number[]): Uint32Array {
  const pool = new Uint32Array(poolSize);
  let hashConst = INIT_A;
  const hashmix = (input: number): number => {
    let value = (input ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> XSHIFT)) >>> 0;
  };
  for (let i = 0; i < poolSize; i++) pool[i] = hashmix(i < entropy.length ? entropy[i]! : 0);
  for (let src = 0; src < poolSize; src++) {
    for (let dst = 0; dst < poolSize; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst]!, hashmix(pool[src]!));
    }
  }
  for (let src = poolSize; src < entropy.length; src++) {
    for (let dst = 0; dst < poolSize; dst++) pool[dst] = mix(pool[dst]!, hashmix(entropy[src]!));
  }
  return pool;
}
