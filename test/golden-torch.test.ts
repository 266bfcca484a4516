// Golden tests against PyTorch 1.13 (fixtures made by test/fixtures/torch/make_golden.py): with
// the same fixed weights, the float64 reference engine gives PyTorch's logits, loss, final state,
// every parameter gradient and the initial-state gradients of a 2-layer LSTM, GRU and tanh RNN,
// and three clipped Adam steps land on PyTorch's parameters. This is what catches a formula that
// is differentiable but not PyTorch's (a gradient check cannot).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { CellType } from '../src/model/config.js';

interface OptimizerFixture { lr: number; betas: [number, number]; eps: number; clip: number; steps: { loss: number; gradNorm: number; params: Named[] }[] }
interface Named { name: string; shape?: number[]; data: number[] }
interface Fixture {
  cell: CellType; V: number; H: number; L: number; T: number; B: number;
  params: Named[]; x: number[][]; y: number[][]; h0: number[]; c0?: number[];
  logits: number[]; loss: number; hT: number[]; cT?: number[]; grads: Named[]; dh0: number[]; dc0?: number[];
  adam: OptimizerFixture;
  adamw: OptimizerFixture & { weightDecay: number };
}

const load = (cell: string): Fixture => JSON.parse(readFileSync(join(__dirname, 'fixtures', 'torch', `${cell}.json`), 'utf8'));

/** Max |a − b| relative to max |b| (at least 1e-12). */
function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0, s = 1e-12;
  for (let k = 0; k < b.length; k++) { d = Math.max(d, Math.abs(a[k]! - b[k]!)); s = Math.max(s, Math.abs(b[k]!)); }
  return d / s;
}

/** PyTorch state (L, B, H) → engine state (L, S, B, H). */
function setState(state: Float64Array | Float32Array, f: Fixture): void {
  const S = f.cell === 'lstm' ? 2 : 1, BH = f.B * f.H;
  for (let l = 0; l < f.L; l++) {
    state.set(f.h0.slice(l * BH, (l + 1) * BH), l * S * BH);
    if (f.c0) state.set(f.c0.slice(l * BH, (l + 1) * BH), (l * S + 1) * BH);
  }
}
function stateSlice(state: ArrayLike<number>, f: Fixture, s: number): number[] {
  const S = f.cell === 'lstm' ? 2 : 1, BH = f.B * f.H, out: number[] = [];
  for (let l = 0; l < f.L; l++) for (let k = 0; k < BH; k++) out.push(state[(l * S + s) * BH + k]!);
  return out;
}

function setup(f: Fixture) {
  const e = createRefEngine({ cell: f.cell, layers: f.L, hidden: f.H, vocabSize: f.V, dropout: 0 }, f.B, f.T, { dtype: 'f64' });
  expect(e.layout.tensors.map((t) => t.name)).toEqual(f.params.map((p) => p.name));
  e.layout.tensors.forEach((t, i) => { expect(t.shape).toEqual(f.params[i]!.shape); e.params.set(f.params[i]!.data, t.offset); });
  return { e, x: Int32Array.from(f.x.flat()), y: Int32Array.from(f.y.flat()) };
}

describe('golden tests against PyTorch', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    const f = load(cell);

    it(`${cell}: logits, loss and final state match PyTorch`, () => {
      const { e, x, y } = setup(f);
      setState(e.state, f);
      const loss = e.forwardBackward(x, y);
      expect(Math.abs(loss - f.loss) / f.loss).toBeLessThan(1e-12);
      expect(rel(e.logits, f.logits)).toBeLessThan(1e-12);
      expect(rel(stateSlice(e.state, f, 0), f.hT)).toBeLessThan(1e-12);
      if (f.cT) expect(rel(stateSlice(e.state, f, 1), f.cT)).toBeLessThan(1e-12);
    });

    it(`${cell}: every parameter gradient and the initial-state gradients match PyTorch`, () => {
      const { e, x, y } = setup(f);
      setState(e.state, f);
      e.forwardBackward(x, y);
      e.layout.tensors.forEach((t, i) => {
        expect(rel(e.grads.subarray(t.offset, t.offset + t.size), f.grads[i]!.data), t.name).toBeLessThan(1e-10);
      });
      expect(rel(stateSlice(e.dState, f, 0), f.dh0)).toBeLessThan(1e-10);
      if (f.dc0) expect(rel(stateSlice(e.dState, f, 1), f.dc0)).toBeLessThan(1e-10);
    });

    for (const kind of ['adam', 'adamw'] as const) {
      it(`${cell}: three clipped ${kind === 'adam' ? 'Adam' : 'AdamW (weight decay 0.1)'} steps land on PyTorch's parameters`, () => {
        const { e, x, y } = setup(f);
        const { lr, betas, eps, clip, steps } = f[kind];
        const weightDecay = kind === 'adamw' ? f.adamw.weightDecay : 0;
        steps.forEach((step, s) => {
          setState(e.state, f);
          const loss = e.forwardBackward(x, y);
          expect(Math.abs(loss - step.loss) / step.loss).toBeLessThan(1e-10);
          const norm = Math.sqrt(e.gradNormSq());
          expect(Math.abs(norm - step.gradNorm) / step.gradNorm).toBeLessThan(1e-10);
          if (norm > clip) e.scaleGrads(clip / (norm + 1e-6)); // torch.nn.utils.clip_grad_norm_
          e.optimizerStep({ kind: 'adam', beta1: betas[0], beta2: betas[1], eps, weightDecay }, lr, s + 1);
          e.layout.tensors.forEach((t, i) => {
            expect(rel(e.params.subarray(t.offset, t.offset + t.size), step.params[i]!.data), `${t.name} after step ${s + 1}`).toBeLessThan(1e-9);
          });
        });
      });
    }
  }
});
