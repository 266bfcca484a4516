// The optimizer step and the gradient clipping before it, elementwise over the flat parameter
// buffer (src/kernels/ref/optim.ts is the reference): the squared norm, the scale, Adam/AdamW, SGD
// with momentum and RMSprop. Threads split the buffer in 64-float chunks; the norm is summed per
// 4096-float chunk and the caller adds the chunks in order, so no sum depends on the thread split.

import { loadN, rangeEnd, rangeStart, sp, storeN } from './common';

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

/** p *= s over n floats. */
export function scale(ith: i32, nth: i32, n: i32, p: usize, s: f32): void {
  const e = rangeEnd(n, ith, nth, 64), sv = sp(s);
  for (let i = rangeStart(n, ith, nth, 64); i < e; i += 4) {
    const k = min(4, e - i), o = p + (<usize>i << 2);
    storeN(o, f32x4.mul(loadN(o, k), sv), k);
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
