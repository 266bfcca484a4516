// One-hot input as a gather: weight_ih_l0 is (G, V) in PyTorch's layout, and W · onehot(tok) is its
// column `tok`. Forward gathers that column for every (t, b); backward scatter-adds into it.

import type { FloatArray, TokenArray } from '../engine.js';

/** x (N) token ids, W (G, V), out (N, G):  out[n, :] = W[:, x[n]]. */
export function embedForward(
  N: number, G: number, V: number, x: TokenArray,
  W: FloatArray, wOff: number, out: FloatArray, outOff: number,
): void {
  for (let n = 0; n < N; n++) {
    const tok = x[n]!;
    const o = outOff + n * G;
    for (let g = 0; g < G; g++) out[o + g] = W[wOff + g * V + tok]!;
  }
}

/** dOut (N, G), dW (G, V):  dW[:, x[n]] += dOut[n, :]. */
export function embedBackward(
  N: number, G: number, V: number, x: TokenArray,
  dOut: FloatArray, dOff: number, dW: FloatArray, dwOff: number,
): void {
  for (let n = 0; n < N; n++) {
    const tok = x[n]!;
    const d = dOff + n * G;
    for (let g = 0; g < G; g++) dW[dwOff + g * V + tok] += dOut[d + g]!;
  }
}
