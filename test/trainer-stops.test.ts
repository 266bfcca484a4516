// How the training loop stops: a stop between metrics rows resumes into the same rows as a run
// that never stopped, and the divergence guard trips on an exploding loss but not on a fine-tune
// that starts low and meets a harder window.

import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/checkpoint/io.js';
import { RuntimeError } from '../src/errors.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { Engine } from '../src/kernels/engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { restoreTraining, toCheckpoint, type RunInfo } from '../src/train/snapshot.js';
import { freshCursor, runTraining, type TrainCursor } from '../src/train/trainer.js';
import { trainSettings } from './helpers/settings.js';

const cfg = { cell: 'gru' as const, layers: 1, hidden: 8, vocabSize: 5, dropout: 0.2 };
const train = Uint16Array.from({ length: 201 }, (_, k) => (k * 7 + (k >> 3)) % 5);
const settings = trainSettings({ lr: 1e-2, steps: 30, evalEvery: 0, saveEvery: 0, batch: 2, seqLen: 4 });
const info: RunInfo = {
  codePoints: [97, 98, 99, 100], docSplit: 'none', settings,
  corpus: { paths: ['/x.txt'], trainTokens: train.length, valTokens: 0, trainDocs: 1, valDocs: 0 },
};

function newEngine(): Engine {
  const e = createRefEngine(cfg, 2, 4);
  initParams(e.params, cfg, createRng(3, 'init').next);
  e.paramsChanged();
  return e;
}

/** Metrics rows without their wall-clock fields. */
const rows = (c: TrainCursor) => c.metrics.map(({ time: _t, charsPerSec: _c, ...rest }) => rest);

describe('stopping between metrics rows', () => {
  it('a run stopped at step 15 (rows come every 10) and resumed from its checkpoint logs the rows of the uninterrupted run', async () => {
    const whole = newEngine();
    const full = await runTraining({ engine: whole, evalEngine: null, train, val: null, settings, cursor: freshCursor(1), hooks: { save() {} } });

    const first = newEngine();
    let polls = 0, saved = '';
    const stopped = await runTraining({
      engine: first, evalEngine: null, train, val: null, settings, cursor: freshCursor(1),
      // Polled before each step: the 16th poll comes after step 15.
      hooks: { save: (_k, c) => { saved = JSON.stringify(toCheckpoint(first, c, info)); }, shouldStop: () => ++polls > 15 },
    });
    expect([stopped.reason, stopped.cursor.step]).toEqual(['signal', 15]);
    expect(stopped.cursor.metrics.map((r) => r.step)).toEqual([10]);

    const ck = parseCheckpoint(saved, 'stopped.json');
    const second = newEngine();
    const cursor = restoreTraining(second, ck);
    expect(cursor.rowSums.steps).toBe(5); // steps 11-15, waiting for the row at step 20
    const resumed = await runTraining({ engine: second, evalEngine: null, train, val: null, settings, cursor, hooks: { save() {} } });

    expect(rows(resumed.cursor)).toEqual(rows(full.cursor));
    expect(resumed.cursor.metrics.map((r) => r.step)).toEqual([10, 20, 30]);
    expect(Buffer.from(second.params.buffer).equals(Buffer.from(whole.params.buffer))).toBe(true);
  });
});

describe('a stop request during a validation', () => {
  // Held-out text of 16 streams × 8 windows of 4: the eval engine scores 8 windows, polling for a
  // stop before each (EVAL_POLL_WINDOWS).
  const val = Uint16Array.from({ length: 16 * 4 * 8 + 1 }, (_, k) => (k * 3 + (k >> 2)) % 5);
  const vs = { ...settings, evalEvery: 10, saveEvery: 10 };
  const evalEngine = (): Engine => createRefEngine({ ...cfg, dropout: 0 }, 16, 4);

  it('stops without waiting for it to finish, and the resumed run validates that step first: best, rows and weights as if never stopped', async () => {
    const whole = newEngine();
    const evals: [number, number][] = [];
    const full = await runTraining({
      engine: whole, evalEngine: evalEngine(), train, val, settings: vs, cursor: freshCursor(1),
      hooks: { save() {}, onEval: (step, v) => evals.push([step, v]) },
    });
    expect(evals.map(([st]) => st)).toEqual([10, 20, 30]);

    // The stop request comes once step 20's validation has begun: onStep reports step 20 just
    // before it, and the validation's first poll sees the request.
    const first = newEngine();
    let stopNow = false, saved = '';
    const seenEvals: number[] = [], seenRows: number[] = [];
    const stopped = await runTraining({
      engine: first, evalEngine: evalEngine(), train, val, settings: vs, cursor: freshCursor(1),
      hooks: {
        save: (k, c) => { if (k === 'last') saved = JSON.stringify(toCheckpoint(first, c, info)); },
        onStep: (i) => { if (i.step === 20) stopNow = true; },
        onEval: (step) => seenEvals.push(step),
        onMetrics: (r) => seenRows.push(r.step),
        shouldStop: () => stopNow,
      },
    });
    expect([stopped.reason, stopped.cursor.step, stopped.cursor.pendingEval]).toEqual(['signal', 20, true]);
    expect(seenEvals).toEqual([10]); // step 20's validation was abandoned, not waited for
    expect(seenRows).toEqual([10]);

    const ck = parseCheckpoint(saved, 'stopped.json');
    expect(ck.training!.pendingEval).toBe(true);
    const second = newEngine();
    const cursor = restoreTraining(second, ck);
    const resumedEvals: [number, number][] = [];
    const resumed = await runTraining({
      engine: second, evalEngine: evalEngine(), train, val, settings: vs, cursor,
      hooks: { save() {}, onEval: (step, v) => resumedEvals.push([step, v]) },
    });
    expect(resumedEvals).toEqual(evals.slice(1)); // steps 20 and 30, the same losses
    expect(rows(resumed.cursor)).toEqual(rows(full.cursor));
    expect([resumed.cursor.bestStep, resumed.cursor.bestValLoss]).toEqual([full.cursor.bestStep, full.cursor.bestValLoss]);
    expect(resumed.cursor.pendingEval).toBe(false);
    expect(Buffer.from(second.params.buffer).equals(Buffer.from(whole.params.buffer))).toBe(true);
  });
});

describe('the divergence guard', () => {
  /** A run whose training losses are `losses`, step by step (the real step runs, its loss is replaced). */
  async function withLosses(losses: number[]) {
    const engine = newEngine();
    const forwardBackward = engine.forwardBackward.bind(engine);
    let k = 0;
    engine.forwardBackward = (x, y) => { forwardBackward(x, y); return losses[k++]!; };
    return runTraining({
      engine, evalEngine: null, train, val: null, settings: { ...settings, steps: losses.length }, cursor: freshCursor(1), hooks: { save() {} },
    });
  }

  it('a fine-tune that starts at 0.5 nats and meets a window at 1.6 goes on: the bar is 3 × ln 5 = 4.83, not 3 × 0.5', async () => {
    const r = await withLosses([0.5, 1.6, 0.45, 1.2]);
    expect([r.reason, r.cursor.step]).toEqual(['steps', 4]);
  });

  it('a loss above 3 × ln V stops a run that started low', async () => {
    const err = await withLosses([0.5, 0.6, 4.9]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toBe('training diverged at step 3: loss 4.900 is over 3× ln V = 1.609, the loss of a uniform guess');
  });

  it('a run that starts above ln V keeps 3 × its first loss as the bar', async () => {
    expect((await withLosses([1.7, 5.0])).reason).toBe('steps'); // 5.0 < 5.1
    const err = await withLosses([1.7, 5.2]).catch((e: unknown) => e);
    expect((err as Error).message).toBe('training diverged at step 2: loss 5.200 is over 3× the first loss 1.700');
  });
});
