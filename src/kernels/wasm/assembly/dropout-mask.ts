// Dropout: drawing a step's inverted-dropout masks from a counter-based hash, and applying them
// (src/kernels/ref/dropout-mask.ts is the reference of the hash; every entry is a pure function of
// its index and the step's keys, so the masks do not depend on the thread split).

import { loadN, rangeEnd, rangeStart, sp, storeN } from './common';

/** lowbias32 (C. Wellons) on each u32 lane: mix32 of src/kernels/ref/dropout-mask.ts. */
// @ts-ignore: decorator
@inline function mix4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** out (R, C) dropout masks, R = L·T rows: entry (r, c) = 0 when mix(mix(i ^ a) + b) < thr (unsigned),
 *  else keep, with i = r·C + c, or (variational) i = (r / T)·C + c. Split rows. */
export function dropoutMask(ith: i32, nth: i32, R: i32, C: i32, T: i32, variational: i32, out: usize, a: u32, b: u32, thr: u32, keep: f32): void {
  const r1 = rangeEnd(R, ith, nth, 1), av = i32x4.splat(a), bv = i32x4.splat(b), tv = i32x4.splat(thr), kv = sp(keep);
  const lanes = i32x4(0, 1, 2, 3);
  for (let r = rangeStart(R, ith, nth, 1); r < r1; r++) {
    const base = (variational ? r / T : r) * C, o = out + (<usize>r * <usize>C << 2);
    for (let c = 0; c < C; c += 4) {
      const i = i32x4.add(i32x4.splat(base + c), lanes);
      const u = mix4(i32x4.add(mix4(v128.xor(i, av)), bv));
      storeN(o + (<usize>c << 2), v128.and(kv, i32x4.ge_u(u, tv)), min(4, C - c));
    }
  }
}

/** out = a ⊙ b over n floats (out may alias a): a layer's output times its mask, forward, and the
 *  gradient times the same mask, backward. */
export function mul(ith: i32, nth: i32, n: i32, a: usize, b: usize, out: usize): void {
  const e = rangeEnd(n, ith, nth, 64);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = <usize>i << 2;
    storeN(out + o, f32x4.mul(loadN(a + o, k), loadN(b + o, k)), k);
  }
}
