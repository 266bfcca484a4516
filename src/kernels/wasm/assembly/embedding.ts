// The one-hot input layer as a gather (src/kernels/ref/embedding.ts is the reference): layer 0's
// input projection x·W_ihᵀ is row x of the packed W_ihᵀ, and its weight gradient a scatter-add.
// Pointers are byte offsets into the shared memory; (ith, nth) pick the thread's share.

import { loadN, rangeEnd, rangeStart, sp, storeN } from './common';

/** x (N) i32 ids, wT (V, G) packed W_ihᵀ with rows ldw floats apart (0: G), bias (G), out (N, G):
 *  out[n] = wT[x[n]] + bias. Split rows. */
export function embedFwd(ith: i32, nth: i32, N: i32, G: i32, x: usize, wT: usize, bias: usize, out: usize, ldw: i32): void {
  const n1 = rangeEnd(N, ith, nth, 1), row = <usize>G << 2, lw = <usize>(ldw > 0 ? ldw : G) << 2;
  for (let n = rangeStart(N, ith, nth, 1); n < n1; n++) {
    const src = wT + <usize>load<i32>(x + (<usize>n << 2)) * lw, dst = out + <usize>n * row;
    for (let g = 0; g < G; g += 4) {
      const k = min(4, G - g), o = <usize>g << 2;
      storeN(dst + o, f32x4.add(loadN(src + o, k), loadN(bias + o, k)), k);
    }
  }
}

/** dX (N, G), dWT (V, G): dWT = Σ_n onehot(x[n]) ⊗ dX[n], in n order. Split columns. */
export function embedBwd(ith: i32, nth: i32, N: i32, G: i32, V: i32, x: usize, dX: usize, dWT: usize): void {
  const g0 = rangeStart(G, ith, nth, 4), g1 = rangeEnd(G, ith, nth, 4), row = <usize>G << 2;
  if (g0 >= g1) return;
  for (let v = 0; v < V; v++) {
    const d = dWT + <usize>v * row;
    for (let g = g0; g < g1; g += 4) storeN(d + (<usize>g << 2), sp(0), min(4, g1 - g));
  }
  for (let n = 0; n < N; n++) {
    const d = dWT + <usize>load<i32>(x + (<usize>n << 2)) * row, s = dX + <usize>n * row;
    for (let g = g0; g < g1; g += 4) {
      const k = min(4, g1 - g), o = <usize>g << 2;
      storeN(d + o, f32x4.add(loadN(d + o, k), loadN(s + o, k)), k);
    }
  }
}
