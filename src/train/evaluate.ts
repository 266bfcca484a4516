// Validation / evaluation loss over a whole token sequence: the same stream layout as training
// (every target predicted once), no dropout, state starting from zero. Returns summed nats and
// the number of targets so callers can combine or average.

import type { Engine, TokenArray } from '../kernels/engine.js';
import { fillWindow, streamLayout } from './streams.js';

export interface LossSum {
  nats: number;
  count: number;
}

export function evaluateTokens(engine: Engine, seq: TokenArray): LossSum {
  const lay = streamLayout(seq.length, engine.batch, engine.seqLen);
  const x = new Int32Array(engine.batch * engine.seqLen);
  const y = new Int32Array(engine.batch * engine.seqLen);
  engine.resetState();
  let nats = 0, count = 0;
  for (let w = 0; w < lay.windows; w++) {
    fillWindow(seq, lay, w, x, y);
    nats += engine.forwardLoss(x, y);
    count += engine.lastCount;
  }
  return { nats, count };
}
