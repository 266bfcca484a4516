// Weight dropout on the recurrent matrices (--weight-drop p): DropConnect on every weight_hh_l{k}
// (Wan et al. 2013), as AWD-LSTM applies it (Merity et al. 2017, "Regularizing and Optimizing LSTM
// Language Models", WeightDrop): one mask per step, shared by all streams and time steps, scaled
// by 1/(1-p). The training pass runs on W' = W ⊙ M/(1-p); since dL/dW = dL/dW' ⊙ M/(1-p), the
// gradient is masked the same way, and W itself is restored before the optimizer step. Entry i
// of step s's mask is a hash of (the run's dropout keys, s, i), the same hash as the dropout
// masks (src/kernels/ref/dropout-mask.ts), so it is the same on any backend and thread count and
// a resumed run draws the same masks.

import type { Engine, FloatArray } from '../kernels/engine.js';
import { mix32 } from '../kernels/ref/dropout-mask.js';
import type { ParamLayout } from '../model/layout.js';

/** The recurrent weights' ranges in the parameter layout, and the buffers a step reuses. */
export interface WeightDrop {
  ranges: { offset: number; size: number }[];
  /** M/(1-p) entry by entry over the ranges, concatenated: 0 or 1/(1-p). */
  mask: Float64Array;
  /** W over the ranges while the pass runs on W' (float64: exact for either engine precision). */
  saved: Float64Array;
  thr: number;
  keep: number;
}

export function createWeightDrop(layout: ParamLayout, p: number): WeightDrop {
  const ranges = layout.tensors.filter((t) => /^rnn\.weight_hh_l\d+$/.test(t.name)).map((t) => ({ offset: t.offset, size: t.size }));
  const n = ranges.reduce((s, r) => s + r.size, 0);
  return { ranges, mask: new Float64Array(n), saved: new Float64Array(n), thr: Math.min(4294967295, Math.round(p * 4294967296)), keep: 1 / (1 - p) };
}

/** Step `step`'s mask from the run's dropout keys: salted apart from the output dropout masks. */
export function fillWeightMask(wd: WeightDrop, keys: readonly [number, number], step: number): void {
  const a = mix32((keys[0] ^ 0x5bd1e995 ^ mix32(step >>> 0)) >>> 0);
  const b = mix32((keys[1] + Math.imul(step >>> 0, 0x85ebca6b) + 0x27d4eb2f) >>> 0);
  for (let i = 0; i < wd.mask.length; i++) {
    const u = mix32((mix32((i ^ a) >>> 0) + b) >>> 0);
    wd.mask[i] = u < wd.thr ? 0 : wd.keep;
  }
}

/** params: W → W ⊙ mask, keeping W in `saved`. */
export function dropWeights(wd: WeightDrop, params: FloatArray): void {
  let j = 0;
  for (const r of wd.ranges) {
    for (let k = r.offset; k < r.offset + r.size; k++, j++) {
      wd.saved[j] = params[k]!;
      params[k] = params[k]! * wd.mask[j]!;
    }
  }
}

/** grads ⊙= mask (the chain rule through W' = W ⊙ mask); params: W back from `saved`. */
export function restoreWeights(wd: WeightDrop, params: FloatArray, grads: FloatArray): void {
  let j = 0;
  for (const r of wd.ranges) {
    for (let k = r.offset; k < r.offset + r.size; k++, j++) {
      grads[k] = grads[k]! * wd.mask[j]!;
      params[k] = wd.saved[j]!;
    }
  }
}

/** One training pass of `engine` with the recurrent weights dropped by `wd`'s current mask. */
export function forwardBackwardDropped(engine: Engine, wd: WeightDrop, x: Parameters<Engine['forwardBackward']>[0], y: Int32Array): number {
  dropWeights(wd, engine.params);
  engine.paramsChanged();
  const loss = engine.forwardBackward(x, y);
  restoreWeights(wd, engine.params, engine.grads);
  engine.paramsChanged();
  return loss;
}
