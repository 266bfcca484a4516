// Validation / evaluation loss over a whole token sequence: the same stream layout as training
// (every target predicted once), no dropout, state starting from zero. Returns summed nats and
// the number of targets so callers can combine or average.

import type { Engine, TokenArray } from '../kernels/engine.js';
import { fillWindow, streamLayout, type StreamLayout } from './streams.js';

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
  const run = startEval(engine, seq, maxChars);
  scoreWindows(run, run.windows, perTarget);
  return run.sum;
}

/** Windows scored between polls of `stop` in evaluateTokensUntil: one window of 16 × 128 is 2,048
 *  characters, a second at most for the time rule's largest models, and a poll costs microseconds. */
export const EVAL_POLL_WINDOWS = 1;

/** evaluateTokens for validation inside a run: it yields to the event loop every EVAL_POLL_WINDOWS
 *  windows, so a signal handler can run, and gives up (null) as soon as `stop()` is true, so
 *  Ctrl-C does not wait for a long validation. */
export async function evaluateTokensUntil(engine: Engine, seq: TokenArray, maxChars: number, stop: () => boolean): Promise<LossSum | null> {
  const run = startEval(engine, seq, maxChars);
  while (run.next < run.windows) {
    if (stop()) return null;
    scoreWindows(run, Math.min(run.windows, run.next + EVAL_POLL_WINDOWS));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return run.sum;
}

interface EvalRun {
  engine: Engine; seq: TokenArray; lay: StreamLayout; windows: number; next: number;
  x: Int32Array; y: Int32Array; sum: LossSum;
}

function startEval(engine: Engine, seq: TokenArray, maxChars: number): EvalRun {
  const lay = streamLayout(seq.length, engine.batch, engine.seqLen);
  const windows = maxChars > 0 ? Math.min(lay.windows, valWindows(maxChars, engine.batch, engine.seqLen)) : lay.windows;
  engine.resetState();
  return {
    engine, seq, lay, windows, next: 0,
    x: new Int32Array(engine.batch * engine.seqLen), y: new Int32Array(engine.batch * engine.seqLen), sum: { nats: 0, count: 0 },
  };
}

/** Score the run's windows up to (not including) `to`, carrying the state from one to the next. */
function scoreWindows(run: EvalRun, to: number, perTarget?: Float64Array): void {
  const { engine, seq, lay, x, y, sum } = run;
  const B = engine.batch, T = engine.seqLen;
  for (let w = run.next; w < to; w++) {
    fillWindow(seq, lay, w, x, y);
    sum.nats += engine.forwardLoss(x, y);
    sum.count += engine.lastCount;
    if (perTarget) {
      // Row (t, b) of window w predicts target s[p + 1], p = b·Lb + w·T + t (streams.ts).
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) if (y[t * B + b]! >= 0) perTarget[b * lay.streamLen + w * T + t + 1] = engine.rowLoss[t * B + b]!;
      }
    }
  }
  run.next = to;
}

/** Windows of B × T that cover about `chars` targets (at least one). */
export function valWindows(chars: number, B = EVAL_BATCH, T = EVAL_SEQ_LEN): number {
  return Math.max(1, Math.ceil(chars / (B * T)));
}
