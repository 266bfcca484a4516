// The whole training step on the WASM engine (src/kernels/wasm/wasm-engine.ts: packed weights,
// fused recurrent steps, the worker pool) against the float64 reference engine
// (src/kernels/ref/ref-engine.ts, itself gradient-checked and matched to PyTorch by
// gradcheck.test.ts and golden-torch.test.ts). Both get the same float32 parameters, the same
// nonzero initial state and the same dropout masks, for 2-layer LSTM, GRU and tanh RNN models of
// odd sizes (hidden 13 and 40 are not multiples of 8, vocab 7 and 30 not of 4; one target ignored).
// Compared: the loss, every gradient tensor, the state after the pass, the initial-state gradient,
// the logits, the squared gradient norm, forwardLoss, and the parameters and optimizer moments after
// clipped Adam, SGD-with-momentum and RMSprop steps.
//
// Tolerance: a tensor `a` matches its reference `b` when max_k |a_k − b_k| ≤ 1e-5 · max_k |b_k|
// (scalars: |a − b| ≤ 1e-5 · |b|); float32 arithmetic through a whole window stays near 1e-6.
//
// Then: the WASM engine is bit-identical (every byte of grads, params, moments, state, dState and
// logits) with 1, 2, 3 and 4 threads over several optimizer steps; and a kernel that traps in a
// worker, or a worker thread that is stopped, surfaces promptly as a RuntimeError naming the
// worker, poisons the engine (the next pass throws instead of hanging), and dispose() still works.

import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { createWasmEngine } from '../src/kernels/wasm/wasm-engine.js';
import { kernelModule, kernelUnavailable } from '../src/kernels/wasm/module.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { scale } from '../src/kernels/wasm/kernel-calls.js';
import type { Pool } from '../src/kernels/wasm/pool.js';
import { RuntimeError } from '../src/errors.js';
import type { Engine, OptimizerSpec } from '../src/kernels/engine.js';
import type { CellType, ModelConfig } from '../src/model/config.js';

const TOL = 1e-5;
const DROPOUT = 0.25;

function module(): WebAssembly.Module {
  const m = kernelModule();
  expect(m, `kernel module: ${kernelUnavailable()}`).not.toBeNull();
  return m!;
}

/** Seeded from a label with the project's generator (src/rng.ts): every input below is reproducible. */
function rand(seedText: string): () => number {
  return createRng(0, seedText).next;
}

/** Max |a − b| over max |b|; an all-zero reference demands an exact match. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0, s = 0;
  for (let k = 0; k < b.length; k++) {
    const e = Math.abs(a[k]! - b[k]!);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
    s = Math.max(s, Math.abs(b[k]!));
  }
  return s === 0 ? (d === 0 ? 0 : Infinity) : d / s;
}

const worst = new Map<string, number>();
function close(key: string, what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const e = relErr(a, b);
  worst.set(key, Math.max(worst.get(key) ?? 0, e));
  expect(e, `${what}: max |wasm − ref| / max |ref|`).toBeLessThanOrEqual(TOL);
}
function closeScalar(key: string, what: string, a: number, b: number): void {
  close(key, what, [a], [b]);
}

afterAll(() => {
  if (process.env.RNN_TEST_REPORT) {
    console.log('largest relative error per quantity:');
    for (const [k, e] of [...worst].sort()) console.log(`  ${k.padEnd(14)} ${e.toExponential(2)}`);
  }
});

interface Case { H: number; V: number; B: number; T: number }
const CASES: Case[] = [{ H: 13, V: 7, B: 5, T: 4 }, { H: 40, V: 30, B: 6, T: 9 }];

interface Inputs { params: Float32Array; state: Float32Array; masks: Float32Array; x: Int32Array; y: Int32Array }

/** Parameters uniform in ±1.5/√H (PyTorch's init range, widened), a nonzero initial state, dropout
 *  masks of 0 and 1/(1-p), tokens, and targets with a few ignored (-1), all as float32/int32. */
function inputs(cfg: ModelConfig, e: Engine, seed: string, step = 0): Inputs {
  const r = rand(`${seed} ${step}`);
  const k = 1.5 / Math.sqrt(cfg.hidden), TB = e.seqLen * e.batch;
  const params = Float32Array.from({ length: e.params.length }, () => (2 * r() - 1) * k);
  const state = Float32Array.from({ length: e.state.length }, () => 1.6 * r() - 0.8);
  const masks = Float32Array.from({ length: e.masks.length }, () => (r() < DROPOUT ? 0 : 1 / (1 - DROPOUT)));
  const x = Int32Array.from({ length: TB }, () => Math.floor(r() * cfg.vocabSize));
  const y = Int32Array.from({ length: TB }, () => Math.floor(r() * cfg.vocabSize));
  y[1] = -1; y[TB - 2] = -1;
  return { params, state, masks, x, y };
}

/** Load the same float32 values into both engines (the reference widens them to float64). */
function load(engines: Engine[], inp: Inputs, what: ('params' | 'state' | 'masks')[]): void {
  for (const e of engines) {
    if (what.includes('params')) { e.params.set(inp.params); e.paramsChanged(); }
    if (what.includes('state')) e.state.set(inp.state);
    if (what.includes('masks')) e.masks.set(inp.masks);
  }
}

/** The (l, s) blocks of a state-shaped (L, S, B, H) tensor, compared one by one (c and h differ in scale). */
function closeState(key: string, what: string, cfg: ModelConfig, e: Engine, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const S = cfg.cell === 'lstm' ? 2 : 1, BH = e.batch * cfg.hidden;
  const A = Float64Array.from(a), Bv = Float64Array.from(b);
  for (let l = 0; l < cfg.layers; l++) for (let s = 0; s < S; s++) {
    const o = (l * S + s) * BH;
    close(key, `${what} layer ${l} ${s === 0 ? 'h' : 'c'}`, A.subarray(o, o + BH), Bv.subarray(o, o + BH));
  }
}

function closeTensors(key: string, what: string, e: Engine, a: ArrayLike<number>, b: ArrayLike<number>): void {
  const A = Float64Array.from(a), Bv = Float64Array.from(b);
  for (const t of e.layout.tensors) close(key, `${what} ${t.name}`, A.subarray(t.offset, t.offset + t.size), Bv.subarray(t.offset, t.offset + t.size));
}

const OPTIMIZERS: [string, OptimizerSpec, number][] = [
  ['adam', { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 }, 2e-3],
  ['adamw', { kind: 'adam', beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 }, 2e-3],
  ['sgd', { kind: 'sgd', beta1: 0.9, beta2: 0, eps: 0, weightDecay: 0 }, 0.1],
  ['rmsprop', { kind: 'rmsprop', beta1: 0, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 }, 1e-3],
];

describe('WASM engine vs the float64 reference engine', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as CellType[]) {
    for (const c of CASES) {
      const cfg: ModelConfig = { cell, layers: 2, hidden: c.H, vocabSize: c.V, dropout: DROPOUT };
      const label = `${cell} 2×${c.H}, vocab ${c.V}, batch ${c.B}, seq ${c.T}`;

      it(`${label}: loss, gradients, state, dState, logits, gradNormSq and forwardLoss`, async () => {
        const w = await createWasmEngine(cfg, c.B, c.T, { threads: 2, module: module() });
        try {
          const ref = createRefEngine(cfg, c.B, c.T, { dtype: 'f64' });
          const inp = inputs(cfg, w, label);
          load([w, ref], inp, ['params', 'state', 'masks']);

          const lw = w.forwardBackward(inp.x, inp.y), lr = ref.forwardBackward(inp.x, inp.y);
          expect(w.lastCount).toBe(ref.lastCount);
          expect(w.lastCount).toBe(c.T * c.B - 2);
          closeScalar('loss', 'loss', lw, lr);
          closeTensors('grads', 'gradient of', ref, w.grads, ref.grads);
          closeState('state', 'state after the pass', cfg, ref, w.state, ref.state);
          closeState('dState', 'dState', cfg, ref, w.dState, ref.dState);
          close('logits', 'logits', w.logits, ref.logits);
          closeScalar('gradNormSq', 'gradNormSq', w.gradNormSq(), ref.gradNormSq());
          // Every gradient tensor carries signal (a kernel that zeroed one would pass a comparison
          // against a reference that is also near zero only by accident).
          for (const t of ref.layout.tensors) {
            expect(Math.max(...ref.grads.subarray(t.offset, t.offset + t.size).map(Math.abs)), `${t.name} gradient nonzero`).toBeGreaterThan(1e-6);
          }

          // forwardLoss: no dropout, summed loss, from the same initial state again.
          load([w, ref], inp, ['state']);
          closeScalar('forwardLoss', 'forwardLoss', w.forwardLoss(inp.x, inp.y), ref.forwardLoss(inp.x, inp.y));
          close('logits', 'logits of forwardLoss', w.logits, ref.logits);
          closeState('state', 'state after forwardLoss', cfg, ref, w.state, ref.state);

          // And with new parameters written from outside (paramsChanged must repack the weights).
          const inp2 = inputs(cfg, w, label, 1);
          load([w, ref], inp2, ['params', 'state', 'masks']);
          closeScalar('forwardLoss', 'forwardLoss after paramsChanged', w.forwardLoss(inp2.x, inp2.y), ref.forwardLoss(inp2.x, inp2.y));
          load([w, ref], inp2, ['state']);
          closeScalar('loss', 'loss after paramsChanged', w.forwardBackward(inp2.x, inp2.y), ref.forwardBackward(inp2.x, inp2.y));
          closeTensors('grads', 'gradient (new params) of', ref, w.grads, ref.grads);
          closeState('dState', 'dState (new params)', cfg, ref, w.dState, ref.dState);
        } finally {
          w.dispose();
        }
      });

      it(`${label}: parameters and moments after clipped adam, adamw, sgd and rmsprop steps`, async () => {
        const w = await createWasmEngine(cfg, c.B, c.T, { threads: 2, module: module() });
        try {
          const ref = createRefEngine(cfg, c.B, c.T, { dtype: 'f64' });
          for (const [name, opt, lr] of OPTIMIZERS) {
            const inp = inputs(cfg, w, `${label} ${name}`);
            load([w, ref], inp, ['params', 'state', 'masks']);
            for (const e of [w, ref]) for (const m of e.moments) m.fill(0);
            // Two steps: the first initialises the moments (sgd: buf = g), the second reuses them.
            // The gradient is halved first, as clipping does.
            for (let t = 1; t <= 2; t++) {
              closeScalar('loss', `${name} step ${t} loss`, w.forwardBackward(inp.x, inp.y), ref.forwardBackward(inp.x, inp.y));
              closeScalar('gradNormSq', `${name} step ${t} gradNormSq`, w.gradNormSq(), ref.gradNormSq());
              w.scaleGrads(0.5); ref.scaleGrads(0.5);
              closeTensors('grads', `${name} step ${t} scaled gradient of`, ref, w.grads, ref.grads);
              // The step itself then runs on identical gradients. Adam's first step moves each
              // parameter by ≈ lr·g/(|g| + eps): for an element with |g| ≈ eps (there are some, at
              // 1e-7 of the tensor's largest gradient) it multiplies float32 noise of 1e-11 in g by
              // lr/eps ≈ 2e5, which says nothing about the kernel. The gradients were compared above.
              ref.grads.set(w.grads);
              w.optimizerStep(opt, lr, t); ref.optimizerStep(opt, lr, t);
              closeTensors(name, `${name} step ${t} parameter`, ref, w.params, ref.params);
              const nMoments = opt.kind === 'adam' ? 2 : 1;
              for (let k = 0; k < nMoments; k++) closeTensors(name, `${name} step ${t} moment ${k} of`, ref, w.moments[k]!, ref.moments[k]!);
            }
          }
        } finally {
          w.dispose();
        }
      });
    }
  }
});

describe('WASM engine across thread counts', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as CellType[]) {
    it(`${cell}: grads, params, moments, state, dState and logits are bit-identical for 1, 2, 3 and 4 threads`, async () => {
      // hidden 40: five 8-unit blocks, so 3 and 4 threads get uneven shares; batch 5, vocab 30.
      const cfg: ModelConfig = { cell, layers: 2, hidden: 40, vocabSize: 30, dropout: DROPOUT };
      const B = 5, T = 6;
      const opt: OptimizerSpec = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
      const snaps: Uint8Array[][] = [];
      for (const threads of [1, 2, 3, 4]) {
        const w = await createWasmEngine(cfg, B, T, { threads, module: module() });
        try {
          const inp = inputs(cfg, w, `threads ${cell}`);
          load([w], inp, ['params', 'state', 'masks']);
          for (let t = 1; t <= 3; t++) {
            const step = inputs(cfg, w, `threads ${cell}`, t);
            w.masks.set(step.masks);
            w.forwardBackward(step.x, step.y);
            w.scaleGrads(Math.min(1, 1 / Math.sqrt(w.gradNormSq())));
            w.optimizerStep(opt, 3e-3, t);
          }
          w.forwardLoss(inp.x, inp.y);
          const bytes = (a: Float32Array | Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
          snaps.push([w.grads, w.params, w.moments[0]!, w.moments[1]!, w.state, w.dState, w.logits].map(bytes));
        } finally {
          w.dispose();
        }
      }
      const names = ['grads', 'params', 'moment 0', 'moment 1', 'state', 'dState', 'logits'];
      for (let i = 1; i < snaps.length; i++) {
        snaps[i]!.forEach((s, k) => {
          expect(s.length).toBe(snaps[0]![k]!.length);
          expect(Buffer.compare(s, snaps[0]![k]!) === 0, `${cell} ${names[k]} with ${i + 1} threads equals 1 thread, byte for byte`).toBe(true);
        });
      }
    });
  }
});

/** A real trap from a shipped op: `scale` over 128 floats that end 256 bytes past the memory, so
 *  with two threads (64-float shares) only thread 1's share is out of bounds; with one thread the
 *  main thread's is. */
function trapOn(pool: Pool, e: Engine): void {
  const end = e.params.buffer.byteLength;
  if (pool.nth === 1) scale(pool, 1, end, 2);
  else scale(pool, 128, end - 256, 2);
}

describe('a kernel that traps in a worker', () => {
  it('throws a RuntimeError naming the worker, promptly; the next pass throws too; dispose() succeeds', async () => {
    const cfg: ModelConfig = { cell: 'lstm', layers: 2, hidden: 13, vocabSize: 7, dropout: 0 };
    let pool: Pool | null = null;
    const w = await createWasmEngine(cfg, 5, 4, { threads: 2, module: module(), __testOnlyPool: (p) => { pool = p; } });
    expect(pool!.nth).toBe(2);
    const inp = inputs(cfg, w, 'crash');
    load([w], inp, ['params', 'state']);
    w.forwardBackward(inp.x, inp.y); // healthy before the crash

    let t0 = performance.now();
    let err: unknown = null;
    try { trapOn(pool!, w); } catch (e) { err = e; }
    expect(performance.now() - t0, 'the trap is reported without waiting for a timeout').toBeLessThan(5000);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/worker 1: memory access out of bounds/);

    t0 = performance.now();
    let again: unknown = null;
    try { w.forwardBackward(inp.x, inp.y); } catch (e) { again = e; }
    expect(performance.now() - t0, 'the next pass fails fast rather than hanging').toBeLessThan(5000);
    expect(again).toBeInstanceOf(RuntimeError);
    expect((again as Error).message).toMatch(/worker 1/);

    expect(() => w.dispose()).not.toThrow();
    expect(() => w.dispose(), 'dispose is idempotent').not.toThrow();
  });
});

describe('a kernel that traps on the main thread', () => {
  it('throws the project RuntimeError with one thread too (no raw WebAssembly error)', async () => {
    const cfg: ModelConfig = { cell: 'gru', layers: 1, hidden: 8, vocabSize: 5, dropout: 0 };
    let pool: Pool | null = null;
    const w = await createWasmEngine(cfg, 2, 3, { threads: 1, module: module(), __testOnlyPool: (p) => { pool = p; } });
    let err: unknown = null;
    try { trapOn(pool!, w); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/^kernel error: memory access out of bounds/);
    expect(() => w.dispose()).not.toThrow();
  });
});

describe('a kernel worker thread that is stopped between passes', () => {
  it('fails the next pass with a RuntimeError naming it within seconds, not the 60 s stall limit', async () => {
    const cfg: ModelConfig = { cell: 'gru', layers: 2, hidden: 24, vocabSize: 9, dropout: 0.25 };
    let pool: Pool | null = null;
    const w = await createWasmEngine(cfg, 4, 6, { threads: 3, module: module(), __testOnlyPool: (p) => { pool = p; } });
    const inp = inputs(cfg, w, 'stopped');
    load([w], inp, ['params', 'state', 'masks']);
    w.forwardBackward(inp.x, inp.y); // healthy first

    // Not awaited: the pass starts before the main thread could see the Worker's 'exit' event.
    void pool!.__testOnlyWorkers()[0]!.terminate();
    let t0 = performance.now();
    let err: unknown = null;
    try { w.forwardBackward(inp.x, inp.y); } catch (e) { err = e; }
    expect(performance.now() - t0, 'the dead worker is noticed promptly').toBeLessThan(10_000);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/^kernel worker 1 exited (before|during) \w+$/);

    t0 = performance.now();
    expect(() => w.forwardLoss(inp.x, inp.y)).toThrow(/kernel worker 1 exited/);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(() => w.dispose()).not.toThrow();
  }, 30_000);
});
