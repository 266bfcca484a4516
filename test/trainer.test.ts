// The training loop's cursor: the carried state survives between windows of an epoch and is reset
// to zero at each epoch boundary; the cursor counts epochs and windows.

import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { DEFAULT_TRAIN } from '../src/train/defaults.js';
import { runTraining, type TrainCursor } from '../src/train/trainer.js';

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
      settings: { ...DEFAULT_TRAIN, lr: 1e-3, steps: 3, evalEvery: 0, saveEvery: 1 },
      cursor: { step: 0, epoch: 0, window: 0, rng: createRng(1).state(), elapsedSec: 0, bestValLoss: null, bestStep: null, firstLoss: null, metrics: [] },
      hooks: { save: (_k, c) => { cursors.push(c); norms.push(Math.hypot(...engine.state)); } },
    });
    expect(cursors.map((c) => [c.step, c.epoch, c.window])).toEqual([[1, 0, 1], [2, 1, 0], [3, 1, 1]]);
    expect(norms[0]).toBeGreaterThan(0); // carried into window 1
    expect(norms[1]).toBe(0);            // reset at the epoch boundary
    expect(norms[2]).toBeGreaterThan(0);
  });
});
