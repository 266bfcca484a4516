// Dynamic evaluation (`rnn eval --adapt`; Krause et al. 2018, "Dynamic Evaluation of Neural
// Sequence Models"): the text is read in the same B × T windows as the static evaluation
// (src/train/evaluate.ts), each window is scored with the weights as they stand, and then one SGD
// step on that window's mean loss moves the weights before the next window is read. Every target
// is still predicted before the model has trained on it, so the figure is a fair compression rate
// of the text, but it is a different quantity from the static loss: a model that adapts to the
// text it reads. It is reported apart from the static loss and never used to pick a model.
//
// The engine's weights change: callers that need the checkpoint's weights again reload them.

import { RuntimeError } from '../errors.js';
import type { Engine, OptimizerSpec, TokenArray } from '../kernels/engine.js';
import type { LossSum } from './evaluate.js';
import { fillWindow, streamLayout } from './streams.js';

/** SGD's learning rate when `--adapt` is given without one: the best stable one of 0.03, 0.1, 0.3
 *  and 1 on three 1-minute GRU 1×128 models (tiny-shakespeare, glibc headers, email; 1 diverged on
 *  the headers). BENCHMARKS.md, "Dynamic evaluation". */
export const ADAPT_LR = 0.3;
/** The largest rate `rnn eval --adapt` and `model.score({ adapt })` accept. */
export const ADAPT_LR_MAX = 100;

/** Plain SGD, no momentum or decay: the step of Krause et al.'s SGD dynamic evaluation. */
const SGD: OptimizerSpec = { kind: 'sgd', beta1: 0, beta2: 0, eps: 0, weightDecay: 0 };

/** The engine must have been built without dropout: its training pass would drop otherwise. With
 *  lr = 0 the figure is the static one, window for window. */
export function adaptiveTokens(engine: Engine, seq: TokenArray, lr: number): LossSum {
  if (engine.cfg.dropout !== 0) throw new Error('adaptiveTokens: the engine must be built with dropout 0');
  const lay = streamLayout(seq.length, engine.batch, engine.seqLen);
  const x = new Int32Array(engine.batch * engine.seqLen);
  const y = new Int32Array(engine.batch * engine.seqLen);
  engine.resetState();
  let nats = 0, count = 0;
  for (let w = 0; w < lay.windows; w++) {
    fillWindow(seq, lay, w, x, y);
    const mean = engine.forwardBackward(x, y);
    const n = engine.lastCount;
    if (n === 0) continue;
    if (!Number.isFinite(mean)) {
      throw new RuntimeError(`adaptive evaluation diverged at window ${w + 1} of ${lay.windows} (loss ${mean})`, `try a lower --adapt learning rate (now ${lr})`);
    }
    nats += mean * n;
    count += n;
    if (lr !== 0) engine.optimizerStep(SGD, lr, w + 1);
  }
  return { nats, count };
}

/** Dynamic evaluation's figure as `rnn eval --adapt` and `model.score({ adapt })` report it. */
export interface AdaptiveFigure { loss: number; bitsPerChar: number; perplexity: number; lr: number }

export function adaptiveFigure(engine: Engine, seq: TokenArray, lr: number): AdaptiveFigure {
  const { nats, count } = adaptiveTokens(engine, seq, lr);
  const loss = nats / count;
  return { loss, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss), lr };
}
