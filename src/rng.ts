// The one seeded PRNG: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
// seeded through splitmix32. 128 bits of state that serialise as four uint32s, so a checkpoint can
// hold it and a resumed run draws the same numbers. Every random decision (init, split, dropout,
// sampling) takes an Rng explicitly; independent purposes derive independent streams with `fork`.

export interface Rng {
  /** Next uint32. */
  nextU32(): number;
  /** Uniform float64 in [0, 1) with 32 random bits. */
  next(): number;
  /** Current state, for checkpoints. */
  state(): [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** An Rng from an explicit state (as returned by `state()`). */
export function rngFromState(st: readonly number[]): Rng {
  if (st.length !== 4 || st.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
    throw new RangeError('rng state must be four uint32 values');
  }
  if (st.every((v) => v === 0)) throw new RangeError('rng state must not be all zero');
  let s0 = st[0]! >>> 0, s1 = st[1]! >>> 0, s2 = st[2]! >>> 0, s3 = st[3]! >>> 0;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s0 >>>= 0; s1 >>>= 0; s2 >>>= 0; s3 >>>= 0;
    return result;
  };
  return {
    nextU32,
    next: () => nextU32() / 4294967296,
    state: () => [s0, s1, s2, s3],
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A fresh Rng from a seed and a purpose label, so that e.g. the init stream and the dropout stream
 *  of one seed are independent of each other. */
export function createRng(seed: number, purpose = ''): Rng {
  let h = 0x811c9dc5; // FNV-1a of the purpose label, mixed into the seed
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  const sm = splitmix32((seed >>> 0) ^ h);
  const st: [number, number, number, number] = [sm(), sm(), sm(), sm()];
  if (st.every((v) => v === 0)) st[0] = 1;
  return rngFromState(st);
}
