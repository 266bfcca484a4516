// The training loop's cursor: the carried state survives between windows of an epoch and is reset
// to zero at each epoch boundary; the cursor counts epochs and windows.

import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { trainSettings } from './helpers/settings.js';
import { freshCursor, runTraining, type TrainCursor } from '../src/train/trainer.js';

describe('training cursor', () => {
  it('carries state inside an epoch and resets it at the boundary', async () => {
    // 33 tokens → 32 targets; B = 2 streams of 16; T = 8 → 2 windows per epoch.
    const train = Uint16Array.from({ length: 33 }, (_, k) => (k * 3) % 5);
    const cfg = { cell: 'lstm' as const, layers: 1, hidden: 4, vocabSize: 5, dropout: 0 };
    const engine = createRefEngine(cfg, 2, 8);
    initParams(engine.params, cfg, createRng(3).next);
    const norms: number[] = [];
    const cursors: TrainCursor[] = [];
    await runTraining({
      engine, evalEngine: null, train, val: null,
      settings: trainSettings({ lr: 1e-3, steps: 3, evalEvery: 0, saveEvery: 1 }),
      cursor: freshCursor(1),
      hooks: { save: (_k, c) => { cursors.push(c); norms.push(Math.hypot(...engine.state)); } },
    });
    expect(cursors.map((c) => [c.step, c.epoch, c.window])).toEqual([[1, 0, 1], [2, 1, 0], [3, 1, 1]]);
    expect(norms[0]).toBeGreaterThan(0); // carried into window 1
    expect(norms[1]).toBe(0);            // reset at the epoch boundary
    expect(norms[2]).toBeGreaterThan(0);
  });
});

/** A 1×4 GRU training run whose validations cost known amounts: each validation (evaluateTokens)
 *  starts with resetState, then sums forwardLoss over the windows; the mock makes every target of
 *  validation k cost vals[k] nats, so when the best one falls is known in advance. */
function mockedValidation(vals: number[]) {
  const train = Uint16Array.from({ length: 65 }, (_, k) => (k * 3) % 5);
  const cfg = { cell: 'gru' as const, layers: 1, hidden: 4, vocabSize: 5, dropout: 0 };
  const engine = createRefEngine(cfg, 2, 4);
  initParams(engine.params, cfg, createRng(3).next);
  const evalEngine = createRefEngine(cfg, 1, 4);
  let k = -1;
  const reset = evalEngine.resetState.bind(evalEngine), forward = evalEngine.forwardLoss.bind(evalEngine);
  evalEngine.resetState = () => { reset(); k++; };
  evalEngine.forwardLoss = (x, y) => { forward(x, y); return evalEngine.lastCount * vals[k]!; };
  return { engine, evalEngine, train, val: Uint16Array.of(0, 1, 2, 3, 4, 0) };
}

describe('early stopping (--patience)', () => {
  /** A run of `steps` steps evaluating every step; val losses come from `vals` (the eval engine's
   *  forwardLoss is replaced), so when the best one falls is known in advance. */
  async function run(vals: number[], patience: number, steps = vals.length) {
    const saves: string[] = [];
    const r = await runTraining({
      ...mockedValidation(vals), cursor: freshCursor(1),
      settings: trainSettings({ lr: 1e-3, steps, evalEvery: 1, saveEvery: 1, patience }),
      hooks: { save: (kind, c) => saves.push(`${kind}@${c.step}`) },
    });
    return { r, saves };
  }

  it('stops after `patience` evaluations without a new best, saving last.json there; best stays at the best step', async () => {
    // best at step 2 (1.0); steps 3, 4, 5 do not beat it (1.0 again is not better) → stop at step 5
    const { r, saves } = await run([2, 1, 1.5, 1, 1.2, 0.5, 0.4], 3);
    expect(r.reason).toBe('patience');
    expect(r.cursor.step).toBe(5);
    expect([r.cursor.bestStep, r.cursor.bestValLoss]).toEqual([2, 1]);
    expect(saves.filter((s) => s.startsWith('best'))).toEqual(['best@1', 'best@2']);
    expect(saves[saves.length - 1]).toBe('last@5');
  });

  it('runs to the end when validation keeps improving, and never stops with patience 0', async () => {
    expect((await run([5, 4, 3, 2, 1], 2)).r.reason).toBe('steps');
    const never = await run([1, 2, 3, 4, 5, 6], 0);
    expect([never.r.reason, never.r.cursor.step]).toEqual(['steps', 6]);
  });
});

describe('time limit', () => {
  it('stops when the training clock passes the limit, validates, and records that step with its validation', async () => {
    const saves: string[] = [];
    const rows: number[] = [];
    // Any step takes longer than 1 ns, so the run stops after its first step: not a report step
    // (every 10) and not an evaluation step (every 100) of its 1,000.
    const r = await runTraining({
      ...mockedValidation([0.75]), timeLimitSec: 1e-9, // the one validation costs 0.75 nats per target
      cursor: freshCursor(1),
      settings: trainSettings({ lr: 1e-3, steps: 1000, evalEvery: 100, saveEvery: 100 }),
      hooks: { save: (kind, c) => saves.push(`${kind}@${c.step}`), onMetrics: (row) => rows.push(row.step) },
    });
    expect([r.reason, r.cursor.step, r.lastValLoss]).toEqual(['time', 1, 0.75]);
    const last = r.cursor.metrics[r.cursor.metrics.length - 1]!;
    expect([last.step, last.valLoss]).toEqual([1, 0.75]);
    expect(Number.isFinite(last.trainLoss)).toBe(true);
    expect(rows).toEqual([1]);
    expect(saves).toEqual(['best@1', 'last@1']);
  });
});
