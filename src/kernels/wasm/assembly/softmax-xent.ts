// Softmax cross-entropy of the output head, loss and gradient in one pass per row
// (src/kernels/ref/softmax-xent.ts is the reference). Threads split rows; a row's sums run in one
// thread, lane by lane in a fixed order.

import { hmax, hsum, loadN, rangeEnd, rangeStart, sp, storeN } from './common';
import { vexp } from './vmath';

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
