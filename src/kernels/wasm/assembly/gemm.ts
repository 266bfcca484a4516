// GEMM with f32x4 register tiles. One kernel serves the three forms training needs, through A's
// strides:
//   C = A · Wᵀ    forward projections: B is Wᵀ, packed once per pass (transpose below)
//   dA = dC · W   backward to inputs:  B is W as stored
//   dW = dCᵀ · A  backward to weights: A is dC read transposed (sa = 4 bytes, sk = row stride)
//
// Shapes: A (M, K) read at a + i·sa + k·sk; B (K, N) row-major, row stride ldb bytes; C (M, N)
// row-major, row stride ldc bytes. mode GEMM_OVERWRITE: C = A·B; GEMM_ACCUMULATE: C += A·B;
// GEMM_BIAS: C = bias + A·B (bias (N)). src/kernels/wasm/kernel-calls.ts names the same values.
//
// Every C element is one accumulator that starts at 0, C or bias and adds A(i,k)·B(k,j) for
// k = 0..K-1 in order, in whichever tile (6×8, 4×8, 4×4, 1×8, 1×4, 1×1) it falls: the result is the
// same bit for bit however rows and columns are split between threads.
//
// Beside it, as in src/kernels/ref/gemm.ts: the copies that pack its operands (transpose,
// copyRows) and the bias gradient (colSums).

import { loadN, rangeEnd, rangeStart, sp, storeN } from './common';

/** gemm modes: how each C element's accumulator starts. @inline makes them compile-time constants,
 *  so the tiles' mode tests fold away (a global would be read at run time and change what Binaryen
 *  inlines). */
// @ts-ignore: decorator
@inline export const GEMM_OVERWRITE: i32 = 0;
// @ts-ignore: decorator
@inline export const GEMM_ACCUMULATE: i32 = 1;
// @ts-ignore: decorator
@inline export const GEMM_BIAS: i32 = 2;

/** c + a·b per lane: one fused multiply-add where the build has relaxed SIMD (the CPU then decides,
 *  the same way for every thread), else a multiply and an add. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function init4(mode: i32, c: usize, bias: usize): v128 {
  if (mode == GEMM_ACCUMULATE) return v128.load(c);
  if (mode == GEMM_BIAS) return v128.load(bias);
  return f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function init1(mode: i32, c: usize, bias: usize): f32 {
  if (mode == GEMM_ACCUMULATE) return load<f32>(c);
  if (mode == GEMM_BIAS) return load<f32>(bias);
  return 0;
}

/** The main tile: 12 accumulators, the two B vectors and the broadcast A value fill the 15
 *  vector registers V8 allocates on x64 without a spill; per k it issues 12 fused multiply-adds for
 *  8 loads and the loop's own integer work, 1.1-1.2× the rate of a 4×8 tile on the training
 *  products (BENCHMARKS.md). */
function tile6x8(K: i32, a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = init4(mode, c, bias), c01 = init4(mode, c + 16, bias + 16);
  let c10 = init4(mode, c + ldc, bias), c11 = init4(mode, c + ldc + 16, bias + 16);
  let c20 = init4(mode, c + 2 * ldc, bias), c21 = init4(mode, c + 2 * ldc + 16, bias + 16);
  let c30 = init4(mode, c + 3 * ldc, bias), c31 = init4(mode, c + 3 * ldc + 16, bias + 16);
  let c40 = init4(mode, c + 4 * ldc, bias), c41 = init4(mode, c + 4 * ldc + 16, bias + 16);
  let c50 = init4(mode, c + 5 * ldc, bias), c51 = init4(mode, c + 5 * ldc + 16, bias + 16);
  const sa2 = sa + sa, sa3 = sa2 + sa, sa4 = sa3 + sa, sa5 = sa4 + sa;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a + sa);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a + sa2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a + sa3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a + sa4);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    x = v128.load32_splat(a + sa5);
    c50 = madd(x, b0, c50); c51 = madd(x, b1, c51);
    a += sk; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
  v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16);
  v128.store(c + 5 * ldc, c50); v128.store(c + 5 * ldc, c51, 16);
}

/** tile6x8's loop at 4 rows, for the 4 or 8 rows a 6-row split leaves (AssemblyScript has no
 *  compile-time unrolling over a row count, so the two heights are written out). */
function tile4x8(K: i32, a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c00 = init4(mode, c, bias), c01 = init4(mode, c + 16, bias + 16);
  let c10 = init4(mode, c + ldc, bias), c11 = init4(mode, c + ldc + 16, bias + 16);
  let c20 = init4(mode, c + 2 * ldc, bias), c21 = init4(mode, c + 2 * ldc + 16, bias + 16);
  let c30 = init4(mode, c + 3 * ldc, bias), c31 = init4(mode, c + 3 * ldc + 16, bias + 16);
  const sa2 = sa + sa, sa3 = sa2 + sa;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a + sa);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a + sa2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a + sa3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a += sk; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

function tile4x4(K: i32, a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize): void {
  let c0 = init4(mode, c, bias), c1 = init4(mode, c + ldc, bias);
  let c2 = init4(mode, c + 2 * ldc, bias), c3 = init4(mode, c + 3 * ldc, bias);
  const sa2 = sa + sa, sa3 = sa2 + sa;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a + sa), b0, c1);
    c2 = madd(v128.load32_splat(a + sa2), b0, c2);
    c3 = madd(v128.load32_splat(a + sa3), b0, c3);
    a += sk; b += ldb;
  }
  v128.store(c, c0); v128.store(c + ldc, c1); v128.store(c + 2 * ldc, c2); v128.store(c + 3 * ldc, c3);
}

function tile1x8(K: i32, a: usize, sk: usize, b: usize, ldb: usize, c: usize, mode: i32, bias: usize): void {
  let c0 = init4(mode, c, bias), c1 = init4(mode, c + 16, bias + 16);
  for (let k = 0; k < K; k++) {
    const x = v128.load32_splat(a);
    c0 = madd(x, v128.load(b), c0);
    c1 = madd(x, v128.load(b, 16), c1);
    a += sk; b += ldb;
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

function tile1x4(K: i32, a: usize, sk: usize, b: usize, ldb: usize, c: usize, mode: i32, bias: usize): void {
  let c0 = init4(mode, c, bias);
  for (let k = 0; k < K; k++) {
    c0 = madd(v128.load32_splat(a), v128.load(b), c0);
    a += sk; b += ldb;
  }
  v128.store(c, c0);
}

function tile1x1(K: i32, a: usize, sk: usize, b: usize, ldb: usize, c: usize, mode: i32, bias: usize): void {
  // In lane 0 of a vector, so that it rounds exactly as the wider tiles do.
  let s = f32x4.splat(init1(mode, c, bias));
  for (let k = 0; k < K; k++) {
    s = madd(v128.load32_splat(a), v128.load32_splat(b), s);
    a += sk; b += ldb;
  }
  store<f32>(c, f32x4.extract_lane(s, 0));
}

/** Depth of a K block: a 6-row A panel (6 KB) stays in L1 while it meets every column tile, and
 *  the (KC, N) block of B stays in L2. */
const KC: i32 = 256;

/** C[i0:i1, j0:j1] per the header; strides in bytes, indices in elements. K is cut into blocks of
 *  KC; after the first block each accumulator restarts from the C it stored, so the sum runs in
 *  the same order, bit for bit, as one pass over K. */
export function gemmBlock(
  i0: i32, i1: i32, j0: i32, j1: i32, K: i32,
  a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize,
): void {
  for (let k0 = 0; k0 < K; k0 += KC) {
    gemmPanel(i0, i1, j0, j1, min(KC, K - k0), a + <usize>k0 * sk, sa, sk, b + <usize>k0 * ldb, ldb, c, ldc, k0 == 0 ? mode : GEMM_ACCUMULATE, bias);
  }
}

/** Width of a column block: the (KC, NC) block of B (128 KB) stays in L2 while every row tile
 *  passes over it, and the A panel stays in L1 across its NC / 8 column tiles. */
const NC: i32 = 256;

function gemmPanel(
  i0: i32, i1: i32, j0: i32, j1: i32, K: i32,
  a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize,
): void {
  for (let jb = j0; jb < j1; jb += NC) gemmTiles(i0, i1, jb, min(j1, jb + NC), K, a, sa, sk, b, ldb, c, ldc, mode, bias);
}

function gemmTiles(
  i0: i32, i1: i32, j0: i32, j1: i32, K: i32,
  a: usize, sa: usize, sk: usize, b: usize, ldb: usize, c: usize, ldc: usize, mode: i32, bias: usize,
): void {
  let i = i0;
  // 6-row panels, leaving 4 or 8 rows (not 2) to 4-row panels: a thread's rows come in fours.
  for (; i + 6 <= i1 && i1 - i != 8; i += 6) {
    const ai = a + <usize>i * sa, ci = c + <usize>i * ldc;
    let j = j0;
    for (; j + 8 <= j1; j += 8) tile6x8(K, ai, sa, sk, b + (<usize>j << 2), ldb, ci + (<usize>j << 2), ldc, mode, bias + (<usize>j << 2));
    if (j < j1) tailColumns(0, 6, j, j1, K, ai, sa, sk, b, ldb, ci, ldc, mode, bias);
  }
  for (; i + 4 <= i1; i += 4) {
    const ai = a + <usize>i * sa, ci = c + <usize>i * ldc;
    let j = j0;
    for (; j + 8 <= j1; j += 8) tile4x8(K, ai, sa, sk, b + (<usize>j << 2), ldb, ci + (<usize>j << 2), ldc, mode, bias + (<usize>j << 2));
    if (j < j1) tailColumns(0, 4, j, j1, K, ai, sa, sk, b, ldb, ci, ldc, mode, bias);
  }
  for (; i < i1; i++) {
    const ai = a + <usize>i * sa, ci = c + <usize>i * ldc;
    let j = j0;
    for (; j + 8 <= j1; j += 8) tile1x8(K, ai, sk, b + (<usize>j << 2), ldb, ci + (<usize>j << 2), mode, bias + (<usize>j << 2));
    for (; j + 4 <= j1; j += 4) tile1x4(K, ai, sk, b + (<usize>j << 2), ldb, ci + (<usize>j << 2), mode, bias + (<usize>j << 2));
    for (; j < j1; j++) tile1x1(K, ai, sk, b + (<usize>j << 2), ldb, ci + (<usize>j << 2), mode, bias + (<usize>j << 2));
  }
}

/** Columns [j, j1) (fewer than 8) of rows [r0, r1) of a panel at ai / ci: 4×4 tiles, then single
 *  rows and columns. */
function tailColumns(
  r0: i32, r1: i32, j: i32, j1: i32, K: i32,
  ai: usize, sa: usize, sk: usize, b: usize, ldb: usize, ci: usize, ldc: usize, mode: i32, bias: usize,
): void {
  for (; j + 4 <= j1; j += 4) {
    let r = r0;
    for (; r + 4 <= r1; r += 4) tile4x4(K, ai + <usize>r * sa, sa, sk, b + (<usize>j << 2), ldb, ci + <usize>r * ldc + (<usize>j << 2), ldc, mode, bias + (<usize>j << 2));
    for (; r < r1; r++) tile1x4(K, ai + <usize>r * sa, sk, b + (<usize>j << 2), ldb, ci + <usize>r * ldc + (<usize>j << 2), mode, bias + (<usize>j << 2));
  }
  for (; j < j1; j++) {
    for (let r = r0; r < r1; r++) tile1x1(K, ai + <usize>r * sa, sk, b + (<usize>j << 2), ldb, ci + <usize>r * ldc + (<usize>j << 2), mode, bias + (<usize>j << 2));
  }
}

/** The GEMM op: C (M, N) per the header, strides in elements. Threads split C's rows, or its
 *  columns when splitCols is nonzero (for short, wide products). */
export function gemm(
  ith: i32, nth: i32, M: i32, N: i32, K: i32,
  a: usize, sa: i32, sk: i32, b: usize, ldb: i32, c: usize, ldc: i32, mode: i32, bias: usize, splitCols: i32,
): void {
  if (splitCols) {
    gemmBlock(0, M, rangeStart(N, ith, nth, 8), rangeEnd(N, ith, nth, 8), K, a, <usize>sa << 2, <usize>sk << 2, b, <usize>ldb << 2, c, <usize>ldc << 2, mode, bias);
  } else {
    gemmBlock(rangeStart(M, ith, nth, 4), rangeEnd(M, ith, nth, 4), 0, N, K, a, <usize>sa << 2, <usize>sk << 2, b, <usize>ldb << 2, c, <usize>ldc << 2, mode, bias);
  }
}

/** dst (C, R) = srcᵀ for src (R, C), dst rows ldd floats apart (0: R), in 4×4 blocks transposed in
 *  registers; threads split dst's rows. Turns the backward's dCᵀ·A into a row-major product (A read
 *  down a column would stride by a whole row per element). */
export function transpose(ith: i32, nth: i32, R: i32, C: i32, src: usize, dst: usize, ldd: i32): void {
  const c0 = rangeStart(C, ith, nth, 4), c1 = rangeEnd(C, ith, nth, 4);
  const ls = <usize>C << 2, ld = <usize>(ldd > 0 ? ldd : R) << 2;
  let c = c0;
  for (; c + 4 <= c1; c += 4) {
    const s0 = src + (<usize>c << 2), d0 = dst + <usize>c * ld;
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const s = s0 + <usize>r * ls;
      const a = v128.load(s), b = v128.load(s + ls), e = v128.load(s + 2 * ls), f = v128.load(s + 3 * ls);
      const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(e, f, 0, 4, 1, 5), t3 = v128.shuffle<f32>(e, f, 2, 6, 3, 7);
      const d = d0 + (<usize>r << 2);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + ld, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * ld, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * ld, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
    for (; r < R; r++) {
      for (let k = 0; k < 4; k++) store<f32>(d0 + <usize>k * ld + (<usize>r << 2), load<f32>(s0 + <usize>r * ls + (<usize>k << 2)));
    }
  }
  for (; c < c1; c++) {
    for (let r = 0; r < R; r++) store<f32>(dst + <usize>c * ld + (<usize>r << 2), load<f32>(src + <usize>r * ls + (<usize>c << 2)));
  }
}

/** dst (R, C) rows ldd floats apart = src (R, C) rows C floats apart: W_hh with padded rows for the
 *  cells' backward (cells.ts). Split rows. */
export function copyRows(ith: i32, nth: i32, R: i32, C: i32, src: usize, dst: usize, ldd: i32): void {
  const r1 = rangeEnd(R, ith, nth, 1), ls = <usize>C << 2, ld = <usize>ldd << 2;
  for (let r = rangeStart(R, ith, nth, 1); r < r1; r++) memory.copy(dst + <usize>r * ld, src + <usize>r * ls, ls);
}

/** The bias gradient: src (M, N), out1 = out2 = column sums (out2 may be 0), rows added in order.
 *  Split columns. */
export function colSums(ith: i32, nth: i32, M: i32, N: i32, src: usize, out1: usize, out2: usize): void {
  const j1 = rangeEnd(N, ith, nth, 4), row = <usize>N << 2;
  for (let j = rangeStart(N, ith, nth, 4); j < j1; j += 4) {
    const k = min(4, j1 - j), o = <usize>j << 2;
    let s = sp(0), p = src + o;
    for (let m = 0; m < M; m++) { s = f32x4.add(s, loadN(p, k)); p += row; }
    storeN(out1 + o, s, k);
    if (out2) storeN(out2 + o, s, k);
  }
}
