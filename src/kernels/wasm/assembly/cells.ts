// One time step of each recurrent cell, forward beside backward, with threads splitting the hidden
// units: a thread owns units [u0, u1) of every gate, so it computes those gate columns of the
// recurrent product and then the cell's pointwise update for the same units. One barrier per step.
//
// Shapes (row-major, f32, pointers in bytes):
//   hPrev, hOut, c*, dY, dh, dc, direct, hn   (B, H)
//   gates, dG, dXg, dHg                       (B, G)   G = 4H (LSTM: i f g o), 3H (GRU: r z n), H (RNN)
//   whhT (H, G): W_hhᵀ packed, rows ldw floats apart (0: G; the engine pads rows so they do not
//                fall 4 KB apart, where every row of a tile's panel would share one L1 set);
//   whh (G, H): W_hh as stored
// Forward: `gates` arrives holding x·W_ihᵀ + biases (GRU: without b_hn) and leaves holding the
// gate activations, which backward reads. Backward: `first` marks t = T-1 (nothing flows back from
// t+1); dGnext / dHgNext are step t+1's gate gradients.

import { loadN, rangeEnd, rangeStart, sp, storeN } from './common';
import { GEMM_ACCUMULATE, GEMM_BIAS, gemmBlock } from './gemm';
import { vsigmoid, vtanh } from './vmath';

// @ts-ignore: decorator
@inline function f4(x: v128, y: v128): v128 { return f32x4.mul(x, y); }
// @ts-ignore: decorator
@inline function oneMinus(x: v128): v128 { return f32x4.sub(sp(1.0), x); }

/** dh[:, u0:u1] = dY (+ extra) (+ dGnext · whh), the gradient flowing into h_t; whh rows ldw
 *  floats apart (0: H). */
function gatherDh(B: i32, H: i32, G: i32, u0: i32, u1: i32, first: i32, dY: usize, extra: usize, dGnext: usize, whh: usize, dh: usize, ldw: i32): void {
  for (let b = 0; b < B; b++) {
    const row = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), o = row + (<usize>u << 2);
      let v = loadN(dY + o, n);
      if (!first && extra) v = f32x4.add(v, loadN(extra + o, n));
      storeN(dh + o, v, n);
    }
  }
  if (!first) gemmBlock(0, B, u0, u1, G, dGnext, <usize>G << 2, 4, whh, <usize>(ldw > 0 ? ldw : H) << 2, dh, <usize>H << 2, GEMM_ACCUMULATE, 0);
}

export function lstmFwdStep(ith: i32, nth: i32, B: i32, H: i32, hPrev: usize, whhT: usize, gates: usize, cPrev: usize, cOut: usize, hOut: usize, ldw: i32): void {
  const G = 4 * H, u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  const lw = <usize>(ldw > 0 ? ldw : G) << 2;
  for (let q = 0; q < 4; q++) gemmBlock(0, B, q * H + u0, q * H + u1, H, hPrev, <usize>H << 2, 4, whhT, lw, gates, <usize>G << 2, GEMM_ACCUMULATE, 0);
  const hs = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const grow = gates + (<usize>(b * G) << 2), srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), gp = grow + (<usize>u << 2), sp_ = srow + (<usize>u << 2);
      const i = vsigmoid(loadN(gp, n)), f = vsigmoid(loadN(gp + hs, n));
      const g = vtanh(loadN(gp + 2 * hs, n)), o = vsigmoid(loadN(gp + 3 * hs, n));
      storeN(gp, i, n); storeN(gp + hs, f, n); storeN(gp + 2 * hs, g, n); storeN(gp + 3 * hs, o, n);
      const c = f32x4.add(f4(f, loadN(cPrev + sp_, n)), f4(i, g));
      storeN(cOut + sp_, c, n);
      storeN(hOut + sp_, f4(o, vtanh(c)), n);
    }
  }
}

export function lstmBwdStep(
  ith: i32, nth: i32, B: i32, H: i32, first: i32, dGnext: usize, whh: usize, dY: usize,
  gates: usize, cPrev: usize, cCur: usize, dc: usize, dh: usize, dG: usize, ldw: i32,
): void {
  const G = 4 * H, u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  gatherDh(B, H, G, u0, u1, first, dY, 0, dGnext, whh, dh, ldw);
  const hs = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const grow = gates + (<usize>(b * G) << 2), drow = dG + (<usize>(b * G) << 2), srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), gp = grow + (<usize>u << 2), dp = drow + (<usize>u << 2), s = srow + (<usize>u << 2);
      const i = loadN(gp, n), f = loadN(gp + hs, n), g = loadN(gp + 2 * hs, n), o = loadN(gp + 3 * hs, n);
      const tc = vtanh(loadN(cCur + s, n));
      const dhv = loadN(dh + s, n);
      const dcIn = first ? sp(0) : loadN(dc + s, n);
      const dct = f32x4.add(dcIn, f4(f4(dhv, o), oneMinus(f4(tc, tc))));
      storeN(dp, f4(f4(f4(dct, g), i), oneMinus(i)), n);
      storeN(dp + hs, f4(f4(f4(dct, loadN(cPrev + s, n)), f), oneMinus(f)), n);
      storeN(dp + 2 * hs, f4(f4(dct, i), oneMinus(f4(g, g))), n);
      storeN(dp + 3 * hs, f4(f4(f4(dhv, tc), o), oneMinus(o)), n);
      storeN(dc + s, f4(dct, f), n);
    }
  }
}

export function gruFwdStep(ith: i32, nth: i32, B: i32, H: i32, hPrev: usize, whhT: usize, bhn: usize, gates: usize, hn: usize, hOut: usize, ldw: i32): void {
  const G = 3 * H, u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  const ldg = <usize>G << 2, hs = <usize>H << 2, lw = <usize>(ldw > 0 ? ldw : G) << 2;
  gemmBlock(0, B, u0, u1, H, hPrev, hs, 4, whhT, lw, gates, ldg, GEMM_ACCUMULATE, 0);
  gemmBlock(0, B, H + u0, H + u1, H, hPrev, hs, 4, whhT, lw, gates, ldg, GEMM_ACCUMULATE, 0);
  gemmBlock(0, B, u0, u1, H, hPrev, hs, 4, whhT + 2 * hs, lw, hn, hs, GEMM_BIAS, bhn);
  for (let b = 0; b < B; b++) {
    const grow = gates + (<usize>(b * G) << 2), srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), gp = grow + (<usize>u << 2), s = srow + (<usize>u << 2);
      const r = vsigmoid(loadN(gp, n)), z = vsigmoid(loadN(gp + hs, n));
      const nn = vtanh(f32x4.add(loadN(gp + 2 * hs, n), f4(r, loadN(hn + s, n))));
      storeN(gp, r, n); storeN(gp + hs, z, n); storeN(gp + 2 * hs, nn, n);
      storeN(hOut + s, f32x4.add(f4(oneMinus(z), nn), f4(z, loadN(hPrev + s, n))), n);
    }
  }
}

export function gruBwdStep(
  ith: i32, nth: i32, B: i32, H: i32, first: i32, dHgNext: usize, whh: usize, dY: usize,
  gates: usize, hn: usize, hPrev: usize, direct: usize, dh: usize, dXg: usize, dHg: usize, ldw: i32,
): void {
  const G = 3 * H, u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  gatherDh(B, H, G, u0, u1, first, dY, direct, dHgNext, whh, dh, ldw);
  const hs = <usize>H << 2;
  for (let b = 0; b < B; b++) {
    const grow = gates + (<usize>(b * G) << 2), xrow = dXg + (<usize>(b * G) << 2), hrow = dHg + (<usize>(b * G) << 2);
    const srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), uo = <usize>u << 2, gp = grow + uo, s = srow + uo;
      const r = loadN(gp, n), z = loadN(gp + hs, n), nn = loadN(gp + 2 * hs, n);
      const dhv = loadN(dh + s, n);
      const dn = f4(f4(dhv, oneMinus(z)), oneMinus(f4(nn, nn)));
      const dz = f4(f4(f4(dhv, f32x4.sub(loadN(hPrev + s, n), nn)), z), oneMinus(z));
      const dr = f4(f4(f4(dn, loadN(hn + s, n)), r), oneMinus(r));
      storeN(xrow + uo, dr, n); storeN(xrow + uo + hs, dz, n); storeN(xrow + uo + 2 * hs, dn, n);
      storeN(hrow + uo, dr, n); storeN(hrow + uo + hs, dz, n); storeN(hrow + uo + 2 * hs, f4(dn, r), n);
      storeN(direct + s, f4(dhv, z), n);
    }
  }
}

export function rnnFwdStep(ith: i32, nth: i32, B: i32, H: i32, hPrev: usize, whhT: usize, gates: usize, hOut: usize, ldw: i32): void {
  const u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  const hs = <usize>H << 2;
  gemmBlock(0, B, u0, u1, H, hPrev, hs, 4, whhT, <usize>(ldw > 0 ? ldw : H) << 2, gates, hs, GEMM_ACCUMULATE, 0);
  for (let b = 0; b < B; b++) {
    const srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), s = srow + (<usize>u << 2);
      const a = vtanh(loadN(gates + s, n));
      storeN(gates + s, a, n); storeN(hOut + s, a, n);
    }
  }
}

export function rnnBwdStep(ith: i32, nth: i32, B: i32, H: i32, first: i32, dGnext: usize, whh: usize, dY: usize, gates: usize, dh: usize, dG: usize, ldw: i32): void {
  const u0 = rangeStart(H, ith, nth, 8), u1 = rangeEnd(H, ith, nth, 8);
  if (u0 >= u1) return;
  gatherDh(B, H, H, u0, u1, first, dY, 0, dGnext, whh, dh, ldw);
  for (let b = 0; b < B; b++) {
    const srow = <usize>(b * H) << 2;
    for (let u = u0; u < u1; u += 4) {
      const n = min(4, u1 - u), s = srow + (<usize>u << 2);
      const a = loadN(gates + s, n);
      storeN(dG + s, f4(loadN(dh + s, n), oneMinus(f4(a, a))), n);
    }
  }
}
