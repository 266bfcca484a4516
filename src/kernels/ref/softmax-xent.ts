// Softmax cross-entropy over V classes, forward and backward in one pass (the backward needs only
// the softmax). Rows whose target is -1 are ignored, as PyTorch's ignore_index.

import type { FloatArray } from '../engine.js';

/** logits (N, V), y (N), dLogits (N, V), rowLoss (N) optional.
 *  Returns the summed loss (nats) over valid rows, and writes each row's loss into rowLoss (0 for
 *  ignored rows). When scale !== 0, writes dLogits = (softmax - onehot(y)) * scale for valid rows
 *  and 0 for ignored rows. */
export function softmaxXent(
  N: number, V: number, logits: FloatArray, y: Int32Array,
  dLogits: FloatArray | null, scale: number, rowLoss: Float64Array | null = null,
): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const o = n * V;
    const target = y[n]!;
    if (target < 0) {
      if (rowLoss) rowLoss[n] = 0;
      if (dLogits) for (let v = 0; v < V; v++) dLogits[o + v] = 0;
      continue;
    }
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[o + v]! > max) max = logits[o + v]!;
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[o + v]! - max);
    const logZ = max + Math.log(sum);
    const rl = logZ - logits[o + target]!;
    if (rowLoss) rowLoss[n] = rl;
    total += rl;
    if (dLogits) {
      const inv = 1 / sum;
      for (let v = 0; v < V; v++) dLogits[o + v] = Math.exp(logits[o + v]! - max) * inv * scale;
      dLogits[o + target] -= scale;
    }
  }
  return total;
}
