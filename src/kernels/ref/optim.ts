// Optimizer updates and the gradient-norm reduction, elementwise over the flat parameter layout.
// Each follows PyTorch's torch.optim implementation step for step, so golden tests can compare.

import type { FloatArray } from '../engine.js';

/** Σ g² over the whole buffer (float64 accumulator). */
export function sumSquares(g: FloatArray): number {
  let s = 0;
  for (let k = 0; k < g.length; k++) s += g[k]! * g[k]!;
  return s;
}

export function scaleInPlace(g: FloatArray, s: number): void {
  for (let k = 0; k < g.length; k++) g[k] *= s;
}

/** torch.optim.AdamW (weightDecay > 0) / Adam (weightDecay = 0). t is the 1-based step. */
export function adamUpdate(
  p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, t: number,
): void {
  const bc1 = 1 - beta1 ** t;
  const bc2sqrt = Math.sqrt(1 - beta2 ** t);
  const stepSize = lr / bc1;
  const decay = 1 - lr * weightDecay;
  for (let k = 0; k < p.length; k++) {
    const gk = g[k]!;
    const mk = beta1 * m[k]! + (1 - beta1) * gk;
    const vk = beta2 * v[k]! + (1 - beta2) * gk * gk;
    m[k] = mk;
    v[k] = vk;
    const pk = weightDecay !== 0 ? p[k]! * decay : p[k]!;
    p[k] = pk - stepSize * (m[k]! / (Math.sqrt(v[k]!) / bc2sqrt + eps));
  }
}

/** torch.optim.SGD with momentum (buf = μ·buf + g; the first step sets buf = g). */
export function sgdUpdate(
  p: FloatArray, g: FloatArray, buf: FloatArray, lr: number, momentum: number, weightDecay: number, t: number,
): void {
  const decay = 1 - lr * weightDecay;
  for (let k = 0; k < p.length; k++) {
    const b = momentum === 0 ? g[k]! : t === 1 ? g[k]! : momentum * buf[k]! + g[k]!;
    buf[k] = b;
    const pk = weightDecay !== 0 ? p[k]! * decay : p[k]!;
    p[k] = pk - lr * buf[k]!;
  }
}

/** torch.optim.RMSprop (sq = α·sq + (1-α)·g²; p -= lr·g / (√sq + eps)). */
export function rmspropUpdate(
  p: FloatArray, g: FloatArray, sq: FloatArray, lr: number, alpha: number, eps: number, weightDecay: number,
): void {
  const decay = 1 - lr * weightDecay;
  for (let k = 0; k < p.length; k++) {
    const gk = g[k]!;
    sq[k] = alpha * sq[k]! + (1 - alpha) * gk * gk;
    const pk = weightDecay !== 0 ? p[k]! * decay : p[k]!;
    p[k] = pk - (lr * gk) / (Math.sqrt(sq[k]!) + eps);
  }
}
