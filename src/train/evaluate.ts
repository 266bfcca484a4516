// Validation / evaluation loss over a whole token sequence: the same stream layout as training
// (every target predicted once), no dropout, state starting from zero. Returns summed nats and
// the number of targets so callers can combine or average.

import type { Engine, TokenArray } from '../kernels/engine.js';
import { fillWindow, streamLayout } from './streams.js';

/** Validation and `rnn eval` run with this many streams and window length, whatever the training
 *  shape, so a checkpoint's figure does not depend on how it was trained. */
export const EVAL_BATCH = 16;
export const EVAL_SEQ_LEN = 128;

export interface LossSum {
  nats: number;
  count: number;
}

/** perTarget (seq.length), when given, receives the loss of predicting seq[i] at index i.
 *  maxChars > 0 scores only the first windows of the layout, about maxChars targets: the start of
 *  each of the B streams, so the subset is B slices spread evenly over the text (validation on a
 *  large held-out text, --val-chars), the same slices at every evaluation. */
export function evaluateTokens(engine: Engine, seq: TokenArray, perTarget?: Float64Array, maxChars = 0): LossSum {
  const lay = streamLayout(seq.length, engine.batch, engine.seqLen);
  const windows = maxChars > 0 ? Math.min(lay.windows, valWindows(maxChars, engine.batch, engine.seqLen)) : lay.windows;
  const B = engine.batch, T = engine.seqLen;
  const x = new Int32Array(engine.batch * engine.seqLen);
  const y = new Int32Array(engine.batch * engine.seqLen);
  engine.resetState();
  let nats = 0, count = 0;
  for (let w = 0; w < windows; w++) {
    fillWindow(seq, lay, w, x, y);
    nats += engine.forwardLoss(x, y);
    count += engine.lastCount;
    if (perTarget) {
      // Row (t, b) of window w predicts target s[p + 1], p = b·Lb + w·T + t (streams.ts).
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) if (y[t * B + b]! >= 0) perTarget[b * lay.streamLen + w * T + t + 1] = engine.rowLoss[t * B + b]!;
      }
    }
  }
  return { nats, count };
}

/** Windows of B × T that cover about `chars` targets (at least one). */
export function valWindows(chars: number, B = EVAL_BATCH, T = EVAL_SEQ_LEN): number {
  return Math.max(1, Math.ceil(chars / (B * T)));
}
