// The B-stream window layout: every training target is predicted exactly once per epoch, each
// stream continues where its previous window stopped, and padding is ignored by the loss.

import { describe, expect, it } from 'vitest';
import { fillWindow, streamLayout } from '../src/train/streams.js';

describe('stream layout', () => {
  for (const [n, B, T] of [[101, 4, 7], [64, 8, 8], [10, 3, 5], [5, 8, 2], [1000, 32, 64]] as const) {
    it(`predicts each of ${n - 1} targets exactly once per epoch (B=${B}, T=${T})`, () => {
      const seq = Uint16Array.from({ length: n }, (_, k) => k % 60000); // token value = position
      const lay = streamLayout(n, B, T);
      const seen = new Int32Array(n).fill(0);
      const x = new Int32Array(B * T), y = new Int32Array(B * T);
      const lastPos = new Int32Array(B).fill(-1);
      for (let w = 0; w < lay.windows; w++) {
        fillWindow(seq, lay, w, x, y);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < T; t++) {
            const k = t * B + b;
            if (y[k] === -1) continue;
            // input is the token right before its target, and a stream moves forward one position per step
            expect(y[k]).toBe(x[k]! + 1);
            if (lastPos[b] !== -1) expect(x[k]).toBe(lastPos[b]! + 1);
            lastPos[b] = x[k]!;
            seen[y[k]!]!++;
          }
        }
      }
      expect(seen[0]).toBe(0); // the leading EOS is context only
      for (let p = 1; p < n; p++) expect(seen[p], `target ${p}`).toBe(1);
    });
  }

  it('pads past a stream end with EOS input and an ignored target', () => {
    // 10 tokens → 9 targets; B = 2 gives streams of ceil(9/2) = 5 targets; stream 1 has 4.
    const seq = Uint16Array.from({ length: 10 }, (_, k) => k);
    const lay = streamLayout(10, 2, 5);
    expect(lay.streamLen).toBe(5);
    expect(lay.windows).toBe(1);
    const x = new Int32Array(10), y = new Int32Array(10);
    fillWindow(seq, lay, 0, x, y);
    expect(Array.from(y.filter((_, k) => k % 2 === 0))).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(y.filter((_, k) => k % 2 === 1))).toEqual([6, 7, 8, 9, -1]);
    expect(x[9]).toBe(0);
  });
});
