// A typed call for each kernel op: the AssemblyScript export's arguments (assembly/*.ts, which
// documents the shapes) minus the leading (ith, nth), with every mode and flag named, so no call
// site passes a bare 0, 1 or 2. Pointers are byte offsets into the runner's memory; sizes and
// strides are in elements. Each call runs the op on every thread of the pool (pool.ts).

import { OP } from './ops.js';
import type { OpRunner as Pool } from './ops.js';

declare const brand: unique symbol;

/** How gemm starts each C element; only the values of GEMM_MODE type-check. */
export type GemmMode = number & { readonly [brand]: 'GemmMode' };
/** The values of assembly/gemm.ts GEMM_OVERWRITE, GEMM_ACCUMULATE and GEMM_BIAS. */
export const GEMM_MODE = {
  /** C = A·B */
  overwrite: 0 as GemmMode,
  /** C += A·B */
  accumulate: 1 as GemmMode,
  /** C = bias + A·B, bias (N) */
  bias: 2 as GemmMode,
} as const;

/** Which of C's dimensions gemm's threads split. */
export type GemmSplit = number & { readonly [brand]: 'GemmSplit' };
export const GEMM_SPLIT = {
  rows: 0 as GemmSplit,
  /** For short, wide products (M below a few rows per thread). */
  cols: 1 as GemmSplit,
} as const;

/** An absent optional buffer: the op skips that input or output (the first 64 KB of the memory
 *  are reserved, so no buffer starts at 0). */
export const NO_BUFFER = 0;

const flag = (b: boolean): number => (b ? 1 : 0);

/** C (M, N) = init + A·B: A (M, K) element (i, k) at a + 4·(i·sa + k·sk), B (K, N) rows ldb apart,
 *  C rows ldc apart; bias (N) is read only in GEMM_MODE.bias. */
export function gemm(
  pool: Pool, M: number, N: number, K: number, a: number, sa: number, sk: number, b: number, ldb: number,
  c: number, ldc: number, mode: GemmMode, bias: number, split: GemmSplit,
): void {
  pool.run(OP.gemm, M, N, K, a, sa, sk, b, ldb, c, ldc, mode, bias, split);
}

/** dst (C, R) = srcᵀ for src (R, C); dst rows ldd apart (default R). */
export function transpose(pool: Pool, R: number, C: number, src: number, dst: number, ldd = 0): void {
  pool.run(OP.transpose, R, C, src, dst, ldd);
}

/** dst (R, C) with rows ldd apart = src (R, C) dense. */
export function copyRows(pool: Pool, R: number, C: number, src: number, dst: number, ldd: number): void {
  pool.run(OP.copyRows, R, C, src, dst, ldd);
}

/** out1 (N) = out2 (N) = column sums of src (M, N); out2 may be NO_BUFFER. */
export function colSums(pool: Pool, M: number, N: number, src: number, out1: number, out2: number): void {
  pool.run(OP.colSums, M, N, src, out1, out2);
}

/** Adds hPrev·W_hhᵀ to gates (B, 4H) and applies the LSTM cell; whhT rows ldw apart (default 4H). */
export function lstmFwdStep(
  pool: Pool, B: number, H: number, hPrev: number, whhT: number, gates: number, cPrev: number, cOut: number, hOut: number, ldw = 0,
): void {
  pool.run(OP.lstmFwdStep, B, H, hPrev, whhT, gates, cPrev, cOut, hOut, ldw);
}

/** One LSTM step backward; `first` marks backward's first step, t = T-1 (nothing flows back from
 *  t+1); whh rows ldw apart (default H). */
export function lstmBwdStep(
  pool: Pool, B: number, H: number, first: boolean, dGnext: number, whh: number, dY: number,
  gates: number, cPrev: number, cCur: number, dc: number, dh: number, dG: number, ldw = 0,
): void {
  pool.run(OP.lstmBwdStep, B, H, flag(first), dGnext, whh, dY, gates, cPrev, cCur, dc, dh, dG, ldw);
}

/** Adds hPrev·W_hhᵀ to gates (B, 3H) (n part: into hn, with b_hn) and applies the GRU cell. */
export function gruFwdStep(
  pool: Pool, B: number, H: number, hPrev: number, whhT: number, bhn: number, gates: number, hn: number, hOut: number, ldw = 0,
): void {
  pool.run(OP.gruFwdStep, B, H, hPrev, whhT, bhn, gates, hn, hOut, ldw);
}

/** One GRU step backward; `first` marks t = T-1. */
export function gruBwdStep(
  pool: Pool, B: number, H: number, first: boolean, dHgNext: number, whh: number, dY: number,
  gates: number, hn: number, hPrev: number, direct: number, dh: number, dXg: number, dHg: number, ldw = 0,
): void {
  pool.run(OP.gruBwdStep, B, H, flag(first), dHgNext, whh, dY, gates, hn, hPrev, direct, dh, dXg, dHg, ldw);
}

/** Adds hPrev·W_hhᵀ to gates (B, H) and applies tanh. */
export function rnnFwdStep(pool: Pool, B: number, H: number, hPrev: number, whhT: number, gates: number, hOut: number, ldw = 0): void {
  pool.run(OP.rnnFwdStep, B, H, hPrev, whhT, gates, hOut, ldw);
}

/** One tanh-RNN step backward; `first` marks t = T-1. */
export function rnnBwdStep(
  pool: Pool, B: number, H: number, first: boolean, dGnext: number, whh: number, dY: number, gates: number, dh: number, dG: number, ldw = 0,
): void {
  pool.run(OP.rnnBwdStep, B, H, flag(first), dGnext, whh, dY, gates, dh, dG, ldw);
}

/** out (N, G) = row x[n] of wT (V, G) + bias; wT rows ldw apart (default G). */
export function embedFwd(pool: Pool, N: number, G: number, x: number, wT: number, bias: number, out: number, ldw = 0): void {
  pool.run(OP.embedFwd, N, G, x, wT, bias, out, ldw);
}

/** dWT (V, G) = Σ_n onehot(x[n]) ⊗ dX[n]. */
export function embedBwd(pool: Pool, N: number, G: number, V: number, x: number, dX: number, dWT: number): void {
  pool.run(OP.embedBwd, N, G, V, x, dX, dWT);
}

/** Per-row loss parts into rowLoss (N, 2) f64, and dLogits (N, V) = (softmax − onehot(y)) · scale. */
export function softmaxXent(
  pool: Pool, N: number, V: number, logits: number, y: number, dLogits: number, scale: number, rowLoss: number,
): void {
  pool.run(OP.softmaxXent, N, V, logits, y, dLogits, scale, rowLoss);
}

/** softmaxXent's per-row loss parts only, no gradient. */
export function softmaxXentLoss(pool: Pool, N: number, V: number, logits: number, y: number, rowLoss: number): void {
  pool.run(OP.softmaxXent, N, V, logits, y, NO_BUFFER, 0, rowLoss);
}

/** out = a ⊙ b over n floats (out may be a). */
export function mul(pool: Pool, n: number, a: number, b: number, out: number): void {
  pool.run(OP.mul, n, a, b, out);
}

/** Draws the (R, C) dropout masks of one step (R = L·T rows). */
export function dropoutMask(
  pool: Pool, R: number, C: number, T: number, variational: boolean, out: number, a: number, b: number, thr: number, keep: number,
): void {
  pool.run(OP.dropoutMask, R, C, T, flag(variational), out, a, b, thr, keep);
}

/** partial[c] (f64) = Σ p² over chunk c of SUMSQ_CHUNK floats. */
export function sumSq(pool: Pool, n: number, p: number, partial: number): void {
  pool.run(OP.sumSq, n, p, partial);
}

/** p *= s over n floats. */
export function scale(pool: Pool, n: number, p: number, s: number): void {
  pool.run(OP.scale, n, p, s);
}

/** One Adam/AdamW step with the step's constants (assembly/optim.ts). */
export function adam(
  pool: Pool, n: number, p: number, g: number, m: number, v: number,
  b1: number, omb1: number, b2: number, omb2: number, stepSize: number, bc2sqrt: number, eps: number, decay: number,
): void {
  pool.run(OP.adam, n, p, g, m, v, b1, omb1, b2, omb2, stepSize, bc2sqrt, eps, decay);
}

/** One SGD step; `firstStep` sets the momentum buffer to g instead of blending it. */
export function sgd(
  pool: Pool, n: number, p: number, g: number, buf: number, lr: number, momentum: number, firstStep: boolean, decay: number,
): void {
  pool.run(OP.sgd, n, p, g, buf, lr, momentum, flag(firstStep), decay);
}

/** One RMSprop step. */
export function rmsprop(
  pool: Pool, n: number, p: number, g: number, sq: number, lr: number, alpha: number, oma: number, eps: number, decay: number,
): void {
  pool.run(OP.rmsprop, n, p, g, sq, lr, alpha, oma, eps, decay);
}
