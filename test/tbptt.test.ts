// Truncated BPTT with carried state: T=12 in one pass equals three windows of T=4 whose state is
// carried from one to the next: forward outputs exactly, and the gradients of the first window
// equal the one-pass gradients of its loss to 1e-6.

import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { CellType } from '../src/model/config.js';

const V = 6, H = 4, B = 2;

function setup(cell: CellType, T: number) {
  const e = createRefEngine({ cell, layers: 2, hidden: H, vocabSize: V, dropout: 0 }, B, T, { dtype: 'f64' });
  for (let k = 0; k < e.params.length; k++) e.params[k] = 0.4 * Math.sin(0.77 * k + 0.1);
  return e;
}

describe('TBPTT equivalence', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: one window of 12 equals three windows of 4 with carried state`, () => {
      const x = Int32Array.from({ length: 12 * B }, (_, k) => (k * 5 + 2) % V);
      const y = Int32Array.from({ length: 12 * B }, (_, k) => (k * 3 + 1) % V);
      const long = setup(cell, 12);
      const sumLong = long.forwardLoss(x, y);
      const logitsLong = Float64Array.from(long.logits);
      const short = setup(cell, 4);
      let sumShort = 0;
      for (let w = 0; w < 3; w++) {
        sumShort += short.forwardLoss(x.subarray(w * 4 * B, (w + 1) * 4 * B), y.subarray(w * 4 * B, (w + 1) * 4 * B));
        const part = logitsLong.subarray(w * 4 * B * V, (w + 1) * 4 * B * V);
        expect(Array.from(short.logits)).toEqual(Array.from(part));
      }
      expect(short.state).toEqual(long.state);
      expect(sumShort).toBeCloseTo(sumLong, 12);
    });

    it(`${cell}: gradients of a window equal the one-pass gradients restricted to its targets`, () => {
      // Targets only in the first 4 steps: the 12-step pass and the 4-step pass optimise the same loss.
      const x = Int32Array.from({ length: 12 * B }, (_, k) => (k * 5 + 2) % V);
      const y = Int32Array.from({ length: 12 * B }, (_, k) => (k < 4 * B ? (k * 3 + 1) % V : -1));
      const long = setup(cell, 12);
      long.forwardBackward(x, y);
      const short = setup(cell, 4);
      short.forwardBackward(x.subarray(0, 4 * B), y.subarray(0, 4 * B));
      for (let k = 0; k < long.grads.length; k++) expect(Math.abs(long.grads[k]! - short.grads[k]!)).toBeLessThan(1e-6);
    });
  }
});
