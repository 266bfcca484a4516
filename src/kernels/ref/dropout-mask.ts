// Inverted dropout masks from a counter-based hash (the reference of the WASM op dropoutMask in
// src/kernels/wasm/assembly/dropout-mask.ts): entry i is a pure function of the step's keys, so the
// masks do not depend on the backend, the thread count, or the order in which entries are filled.
//
// The hash is lowbias32 (C. Wellons, "Hash function prospector", 2018) applied twice:
//   u = mix(mix(i ^ a) + b), dropped when u < thr = round(p · 2³²).

import type { FloatArray, MaskSpec } from '../engine.js';

/** lowbias32: a 32-bit integer mixer with a small avalanche bias. Returns a uint32. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** masks (L·T rows, C = B·H): row r = l·T + t. Entry (r, c) hashes index r·C + c (standard) or
 *  l·C + c (variational: one (B, H) mask per layer, the same at every t). The reference of the
 *  WASM op, used by the TypeScript engine. */
export function fillMasks(m: FloatArray, rows: number, C: number, T: number, s: MaskSpec): void {
  for (let r = 0; r < rows; r++) {
    const base = (s.variational ? Math.floor(r / T) : r) * C, o = r * C;
    for (let c = 0; c < C; c++) {
      const u = mix32((mix32(((base + c) ^ s.a) >>> 0) + s.b) >>> 0);
      m[o + c] = u < s.thr ? 0 : s.keep;
    }
  }
}
