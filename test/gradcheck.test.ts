// Float64 finite-difference gradient checks of the reference kernels: every parameter of every
// cell and of the projection + softmax cross-entropy, through a whole 2-layer model, and the
// gradient with respect to the carried initial state. Central differences with h = 1e-5 have an
// error around 1e-10 here, far below the 1e-6 relative tolerance.

import type { DropoutMode } from '../src/settings/train-settings.js';
import { maskSpec } from '../src/train/dropout.js';
import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { CellType } from '../src/model/config.js';
import type { Engine } from '../src/kernels/engine.js';
import { fillParams, fillState, tokens } from './helpers/model-fixtures.js';

const EPS = 1e-5;

/** Max over elements of |analytic − numeric|, relative to the tensor's largest numeric entry. */
function relErr(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let maxDiff = 0, scale = 1e-8;
  for (let k = 0; k < numeric.length; k++) {
    maxDiff = Math.max(maxDiff, Math.abs(analytic[k]! - numeric[k]!));
    scale = Math.max(scale, Math.abs(numeric[k]!));
  }
  return maxDiff / scale;
}

function lossAt(e: Engine, x: Int32Array, y: Int32Array, state0: Float64Array): number {
  e.state.set(state0);
  return e.forwardBackward(x, y);
}

function check(cell: CellType, layers: number, dropout: number, mode: DropoutMode = 'standard'): void {
  const V = 5, H = 3, B = 2, T = 3;
  const e = createRefEngine({ cell, layers, hidden: H, vocabSize: V, dropout }, B, T, { dtype: 'f64' });
  fillParams(e);
  fillState(e);
  if (dropout > 0 && mode === 'standard') for (let k = 0; k < e.masks.length; k++) e.masks[k] = (k * 7) % 3 === 0 ? 0 : 1 / (1 - dropout);
  if (mode === 'variational') {
    // The engine's own fill, from fixed keys: one (B, H) mask per layer, repeated over the T steps.
    e.fillMasks(maskSpec([11, 12], 0, dropout, 'variational'));
    const BH = B * H;
    for (let l = 0; l < layers; l++) {
      const first = Array.from(e.masks.subarray(l * T * BH, l * T * BH + BH));
      expect(first.some((v) => v === 0) && first.some((v) => v !== 0), 'the fixed mask drops some units and keeps others').toBe(true);
      for (let t = 1; t < T; t++) expect(Array.from(e.masks.subarray((l * T + t) * BH, (l * T + t + 1) * BH))).toEqual(first);
    }
  }
  const { x, y } = tokens(T, B, V);
  const state0 = Float64Array.from(e.state);
  lossAt(e, x, y, state0);
  const grads = Float64Array.from(e.grads);
  const dState = Float64Array.from(e.dState);

  for (const spec of e.layout.tensors) {
    const numeric = new Float64Array(spec.size);
    for (let k = 0; k < spec.size; k++) {
      const i = spec.offset + k;
      const p = e.params[i]!;
      e.params[i] = p + EPS; const lp = lossAt(e, x, y, state0);
      e.params[i] = p - EPS; const lm = lossAt(e, x, y, state0);
      e.params[i] = p;
      numeric[k] = (lp - lm) / (2 * EPS);
    }
    const err = relErr(grads.subarray(spec.offset, spec.offset + spec.size), numeric);
    expect(err, `${cell} ${spec.name}`).toBeLessThan(1e-6);
    expect(Math.max(...numeric.map(Math.abs)), `${spec.name} gradient is not trivially zero`).toBeGreaterThan(1e-6);
  }
  const numericState = new Float64Array(state0.length);
  for (let k = 0; k < state0.length; k++) {
    const s = state0[k]!;
    state0[k] = s + EPS; const lp = lossAt(e, x, y, state0);
    state0[k] = s - EPS; const lm = lossAt(e, x, y, state0);
    state0[k] = s;
    numericState[k] = (lp - lm) / (2 * EPS);
  }
  expect(relErr(dState, numericState), `${cell} initial state`).toBeLessThan(1e-6);
}

describe('float64 gradient check of the reference kernels', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: one layer, every parameter and the initial state`, () => check(cell, 1, 0));
    it(`${cell}: two layers, every parameter and the initial state`, () => check(cell, 2, 0));
    it(`${cell}: two layers with a fixed dropout mask`, () => check(cell, 2, 0.25));
    it(`${cell}: two layers with a fixed variational dropout mask (the same at every step)`, () => check(cell, 2, 0.4, 'variational'));
  }
});
