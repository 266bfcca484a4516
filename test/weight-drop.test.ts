// --weight-drop p (DropConnect on weight_hh): the gradient through W' = W ⊙ M/(1-p) matches float64
// finite differences of the loss as a function of the raw W with a fixed mask; the mask of a step
// is a pure function of the run's keys and the step, drops a share p; and a run with it gives the
// same checkpoint for any thread count and when stopped and resumed.

import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { Engine } from '../src/kernels/engine.js';
import { createWeightDrop, fillWeightMask, forwardBackwardDropped } from '../src/train/weight-drop.js';
import { fillParams, fillState, tokens } from './helpers/model-fixtures.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const EPS = 1e-5;

describe('--weight-drop', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: float64 gradient check of every parameter with a fixed recurrent-weight mask`, () => {
      const V = 5, H = 3, B = 2, T = 3, p = 0.4;
      const e: Engine = createRefEngine({ cell, layers: 2, hidden: H, vocabSize: V, dropout: 0 }, B, T, { dtype: 'f64' });
      fillParams(e);
      fillState(e);
      const wd = createWeightDrop(e.layout, p);
      // A fixed mask by hand: every third recurrent weight dropped, the rest scaled by 1/(1-p).
      for (let k = 0; k < wd.mask.length; k++) wd.mask[k] = k % 3 === 1 ? 0 : 1 / (1 - p);
      const { x, y } = tokens(T, B, V);
      const state0 = Float64Array.from(e.state);
      const lossAt = (): number => { e.state.set(state0); return forwardBackwardDropped(e, wd, x, y); };
      const before = Float64Array.from(e.params);
      lossAt();
      expect(Array.from(e.params)).toEqual(Array.from(before)); // the raw weights are restored
      const grads = Float64Array.from(e.grads);
      let maxDiff = 0, scale = 1e-8;
      for (let i = 0; i < e.params.length; i++) {
        const w = e.params[i]!;
        e.params[i] = w + EPS; const lp = lossAt();
        e.params[i] = w - EPS; const lm = lossAt();
        e.params[i] = w;
        const numeric = (lp - lm) / (2 * EPS);
        maxDiff = Math.max(maxDiff, Math.abs(grads[i]! - numeric));
        scale = Math.max(scale, Math.abs(numeric));
      }
      expect(maxDiff / scale).toBeLessThan(1e-6);
      // Dropped recurrent weights get no gradient at all.
      let j = 0;
      for (const r of wd.ranges) for (let k = r.offset; k < r.offset + r.size; k++, j++) if (wd.mask[j] === 0) expect(Math.abs(grads[k]!)).toBe(0);
      expect(wd.ranges.length).toBe(2);
    });
  }

  it('a step\'s mask is a function of the keys and the step, dropping a share p, independent across steps', () => {
    const e = createRefEngine({ cell: 'gru', layers: 2, hidden: 128, vocabSize: 5, dropout: 0 }, 1, 1);
    const p = 0.3;
    const a = createWeightDrop(e.layout, p), b = createWeightDrop(e.layout, p);
    const n = a.mask.length; // 2 layers × 3H × H = 98,304
    expect(n).toBe(2 * 3 * 128 * 128);
    fillWeightMask(a, [7, 9], 5);
    fillWeightMask(b, [7, 9], 5);
    expect(Buffer.from(a.mask.buffer).equals(Buffer.from(b.mask.buffer))).toBe(true);
    const zeros = a.mask.filter((v) => v === 0).length / n;
    // Binomial standard deviation sqrt(p(1-p)/n) = 0.0015: 0.01 is more than six of them.
    expect(Math.abs(zeros - p)).toBeLessThan(0.01);
    expect(a.mask.every((v) => v === 0 || v === 1 / (1 - p))).toBe(true);
    fillWeightMask(b, [7, 9], 6);
    let agree = 0;
    for (let k = 0; k < n; k++) if ((a.mask[k] === 0) === (b.mask[k] === 0)) agree++;
    expect(Math.abs(agree / n - (p * p + (1 - p) * (1 - p)))).toBeLessThan(0.01);
  });

  it('the same checkpoint for 1 and 2 threads, and for a run stopped at step 20 and resumed to 40', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const flags = ['--cell', 'gru', '--hidden', '24', '--layers', '2', '--weight-drop', '0.3', '--batch', '4', '--seq-len', '8', '--lr-schedule', 'constant', '--warmup', '5', '--dropout', '0.1', '--quiet'];
    const essence = (p: string) => { const ck = JSON.parse(readFileSync(p, 'utf8')); return { tensors: ck.tensors, moments: ck.training.moments, carry: ck.training.carry }; };
    expect((await rnn(['train', corpus, ...flags, '--steps', '40', '--threads', '1', '--out', join(dir, 'one')])).code).toBe(0);
    expect((await rnn(['train', corpus, ...flags, '--steps', '40', '--threads', '2', '--out', join(dir, 'two')])).code).toBe(0);
    expect(essence(join(dir, 'two', 'last.json'))).toEqual(essence(join(dir, 'one', 'last.json')));
    expect((await rnn(['train', corpus, ...flags, '--steps', '20', '--threads', '2', '--out', join(dir, 'half')])).code).toBe(0);
    expect((await rnn(['train', '--resume', join(dir, 'half', 'last.json'), '--steps', '40', '--quiet'])).code).toBe(0);
    expect(essence(join(dir, 'half', 'last.json'))).toEqual(essence(join(dir, 'one', 'last.json')));
    // And it does something: the run without it ends elsewhere.
    expect((await rnn(['train', corpus, ...flags.filter((f, i, a) => f !== '--weight-drop' && a[i - 1] !== '--weight-drop'), '--steps', '40', '--out', join(dir, 'none')])).code).toBe(0);
    expect(essence(join(dir, 'none', 'last.json')).tensors).not.toEqual(essence(join(dir, 'one', 'last.json')).tensors);
  });
});
