// Training steps of an rnn engine, driven as src/train/trainer.ts drives them: fillWindow →
// forwardBackward → gradNormSq → scaleGrads when the norm is over the clip → Adam step, carrying
// the state from window to window (reset when the streams wrap). No dropout. Each step trains on
// B·T characters.

import { createEngine } from '../dist/kernels/create-engine.js';
import { initParams } from '../dist/model/layout.js';
import { createRng } from '../dist/rng.js';
import { fillWindow, streamLayout } from '../dist/train/streams.js';

export const ADAM = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
export const LR = 2e-3;
export const CLIP = 5;

/** An engine of `shape`'s model with batch × seq windows over `tokens`; `time(n)` runs n training
 *  steps and returns the seconds they took. engineOpts: { kernel: 'wasm' | 'ts', threads }. */
export async function createTrainer(shape, V, tokens, engineOpts, batch = shape.batch, seq = shape.seq) {
  const cfg = { cell: shape.cell, layers: shape.layers, hidden: shape.hidden, vocabSize: V, dropout: 0 };
  const e = await createEngine(cfg, batch, seq, engineOpts);
  initParams(e.params, cfg, createRng(1, 'init').next);
  e.paramsChanged();
  const lay = streamLayout(tokens.length, batch, seq);
  const x = new Int32Array(batch * seq), y = new Int32Array(batch * seq);
  let window = 0, t = 0;
  const step = () => {
    fillWindow(tokens, lay, window, x, y);
    e.forwardBackward(x, y);
    const norm = Math.sqrt(e.gradNormSq());
    if (norm > CLIP) e.scaleGrads(CLIP / (norm + 1e-6));
    e.optimizerStep(ADAM, LR, ++t);
    if (++window >= lay.windows) { window = 0; e.resetState(); }
  };
  return {
    charsPerStep: batch * seq,
    time(n) {
      const t0 = performance.now();
      for (let k = 0; k < n; k++) step();
      return (performance.now() - t0) / 1000;
    },
    dispose: () => e.dispose(),
  };
}
