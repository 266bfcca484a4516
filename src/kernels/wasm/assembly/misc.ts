// The remaining ops of a training step: embedding gather and scatter-add, bias gradients,
// elementwise products, softmax cross-entropy, the squared-norm reduction and the optimizers.
// Pointers are byte offsets into the shared memory; every op takes (ith, nth) first and touches
// only its own range of output rows, columns or chunks.

import { hmax, hsum, loadN, rangeEnd, rangeStart, storeN } from './common';
import { vexp } from './vmath';

// @ts-ignore: decorator
@inline function sp(x: f32): v128 { return f32x4.splat(x); }

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

/** src (M, N): out1 = out2 = column sums (out2 may be 0), rows added in order. Split columns. */
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

/** dst (R, C) rows ldd floats apart = src (R, C) rows C floats apart. Split rows. */
export function copyRows(ith: i32, nth: i32, R: i32, C: i32, src: usize, dst: usize, ldd: i32): void {
  const r1 = rangeEnd(R, ith, nth, 1), ls = <usize>C << 2, ld = <usize>ldd << 2;
  for (let r = rangeStart(R, ith, nth, 1); r < r1; r++) memory.copy(dst + <usize>r * ld, src + <usize>r * ls, ls);
}

/** out = a ⊙ b over n floats (out may alias a). */
export function mul(ith: i32, nth: i32, n: i32, a: usize, b: usize, out: usize): void {
  const e = rangeEnd(n, ith, nth, 64);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = <usize>i << 2;
    storeN(out + o, f32x4.mul(loadN(a + o, k), loadN(b + o, k)), k);
  }
}

/** p *= s over n floats. */
export function scale(ith: i32, nth: i32, n: i32, p: usize, s: f32): void {
  const e = rangeEnd(n, ith, nth, 64), sv = sp(s);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = p + (<usize>i << 2);
    storeN(o, f32x4.mul(loadN(o, k), sv), k);
  }
}

export const SUMSQ_CHUNK: i32 = 4096;

/** partial[c] (f64) = Σ p[i]² over chunk c of SUMSQ_CHUNK floats, in float64. Split chunks; the
 *  caller adds the partials in order, so the total never depends on the thread count. */
export function sumSq(ith: i32, nth: i32, n: i32, p: usize, partial: usize): void {
  const chunks = (n + SUMSQ_CHUNK - 1) / SUMSQ_CHUNK;
  const c1 = rangeEnd(chunks, ith, nth, 1);
  for (let c = rangeStart(chunks, ith, nth, 1); c < c1; c++) {
    const e = min(n, (c + 1) * SUMSQ_CHUNK);
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (let i = c * SUMSQ_CHUNK; i < e; i += 4) {
      const v = loadN(p + (<usize>i << 2), min(4, e - i));
      const a = f64x2.promote_low_f32x4(v), b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      lo = f64x2.add(lo, f64x2.mul(a, a));
      hi = f64x2.add(hi, f64x2.mul(b, b));
    }
    const s = f64x2.add(lo, hi);
    store<f64>(partial + (<usize>c << 3), f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1));
  }
}

/** logits (N, V), y (N) i32 targets (-1: ignore). rowLoss (N, 2) f64 = [max - logit[y], Σ e^(l-max)],
 *  so that loss = rowLoss[0] + ln rowLoss[1] (the caller takes the log: no libm in here); when
 *  dLogits != 0 it gets (softmax - onehot(y)) · scale (zeros on ignored rows). Split rows. */
export function softmaxXent(ith: i32, nth: i32, N: i32, V: i32, logits: usize, y: usize, dLogits: usize, scale: f32, rowLoss: usize): void {
  const n1 = rangeEnd(N, ith, nth, 1), row = <usize>V << 2;
  for (let n = rangeStart(N, ith, nth, 1); n < n1; n++) {
    const l = logits + <usize>n * row, t = load<i32>(y + (<usize>n << 2));
    const d = dLogits + <usize>n * row;
    if (t < 0) {
      store<f64>(rowLoss + (<usize>n << 4), 0);
      store<f64>(rowLoss + (<usize>n << 4), 1, 8);
      if (dLogits) for (let v = 0; v < V; v += 4) storeN(d + (<usize>v << 2), sp(0), min(4, V - v));
      continue;
    }
    let mv = sp(-Infinity);
    for (let v = 0; v < V; v += 4) {
      const k = min(4, V - v);
      const x = loadN(l + (<usize>v << 2), k);
      mv = f32x4.max(mv, k == 4 ? x : v128.bitselect(x, sp(-Infinity), i32x4.gt_s(i32x4.splat(k), i32x4(0, 1, 2, 3))));
    }
    const m = sp(hmax(mv));
    let sv = sp(0);
    for (let v = 0; v < V; v += 4) {
      const k = min(4, V - v), o = <usize>v << 2;
      let e = vexp(f32x4.sub(loadN(l + o, k), m));
      if (k < 4) e = v128.and(e, i32x4.gt_s(i32x4.splat(k), i32x4(0, 1, 2, 3)));
      sv = f32x4.add(sv, e);
      if (dLogits) storeN(d + o, e, k);
    }
    const sum = hsum(sv);
    store<f64>(rowLoss + (<usize>n << 4), <f64>f32x4.extract_lane(m, 0) - <f64>load<f32>(l + (<usize>t << 2)));
    store<f64>(rowLoss + (<usize>n << 4), <f64>sum, 8);
    if (dLogits) {
      const f = sp(<f32>(1.0 / <f64>sum) * scale);
      for (let v = 0; v < V; v += 4) {
        const k = min(4, V - v), o = d + (<usize>v << 2);
        storeN(o, f32x4.mul(loadN(o, k), f), k);
      }
      const td = d + (<usize>t << 2);
      store<f32>(td, load<f32>(td) - scale);
    }
  }
}

/** torch.optim.Adam / AdamW, elementwise: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 *  p = p·decay - stepSize · m / (√v / bc2sqrt + eps). */
export function adam(
  ith: i32, nth: i32, n: i32, p: usize, g: usize, m: usize, v: usize,
  b1: f32, omb1: f32, b2: f32, omb2: f32, stepSize: f32, bc2sqrt: f32, eps: f32, decay: f32,
): void {
  const e = rangeEnd(n, ith, nth, 64);
  const vb1 = sp(b1), vo1 = sp(omb1), vb2 = sp(b2), vo2 = sp(omb2), vss = sp(stepSize), vbc = sp(bc2sqrt), veps = sp(eps), vdec = sp(decay);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = <usize>i << 2;
    const gv = loadN(g + o, k);
    const mv = f32x4.add(f32x4.mul(vb1, loadN(m + o, k)), f32x4.mul(vo1, gv));
    const vv = f32x4.add(f32x4.mul(vb2, loadN(v + o, k)), f32x4.mul(f32x4.mul(vo2, gv), gv));
    storeN(m + o, mv, k); storeN(v + o, vv, k);
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc), veps);
    storeN(p + o, f32x4.sub(f32x4.mul(loadN(p + o, k), vdec), f32x4.mul(vss, f32x4.div(mv, den))), k);
  }
}

/** torch.optim.SGD with momentum: buf = first ? g : μ·buf + g; p = p·decay - lr·buf. */
export function sgd(ith: i32, nth: i32, n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32, first: i32, decay: f32): void {
  const e = rangeEnd(n, ith, nth, 64), vmu = sp(momentum), vlr = sp(lr), vdec = sp(decay);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = <usize>i << 2;
    const gv = loadN(g + o, k);
    const b = first ? gv : f32x4.add(f32x4.mul(vmu, loadN(buf + o, k)), gv);
    storeN(buf + o, b, k);
    storeN(p + o, f32x4.sub(f32x4.mul(loadN(p + o, k), vdec), f32x4.mul(vlr, b)), k);
  }
}

/** torch.optim.RMSprop: sq = α·sq + (1-α)·g²; p = p·decay - lr·g / (√sq + eps). */
export function rmsprop(ith: i32, nth: i32, n: i32, p: usize, g: usize, sq: usize, lr: f32, alpha: f32, oma: f32, eps: f32, decay: f32): void {
  const e = rangeEnd(n, ith, nth, 64), va = sp(alpha), vo = sp(oma), vlr = sp(lr), veps = sp(eps), vdec = sp(decay);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = <usize>i << 2;
    const gv = loadN(g + o, k);
    const s = f32x4.add(f32x4.mul(va, loadN(sq + o, k)), f32x4.mul(f32x4.mul(vo, gv), gv));
    storeN(sq + o, s, k);
    storeN(p + o, f32x4.sub(f32x4.mul(loadN(p + o, k), vdec), f32x4.div(f32x4.mul(vlr, gv), f32x4.add(f32x4.sqrt(s), veps))), k);
  }
}

/** lowbias32 (C. Wellons) on each u32 lane: src/train/dropout.ts mix32. */
// @ts-ignore: decorator
@inline function mix4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(x, i32x4.shr_u(x, 16));
}

/** out (R, C) dropout masks, R = L·T rows: entry (r, c) = 0 when mix(mix(i ^ a) + b) < thr (unsigned),
 *  else keep, with i = r·C + c, or (variational) i = (r / T)·C + c. src/train/dropout.ts fillMasks
 *  is the reference. Split rows. */
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
