// Checkpoint size: the fit check reserves room for the metrics history a run will record (a stated
// bound per row times a bound on the rows, both checked here against hand calculation, JavaScript's
// number printing and the real trainer), so a run that fits its tensors but not its history is
// refused before training with a UsageError saying how many steps fit; a save whose JSON is too
// long for V8 anyway is a one-line CheckpointError that leaves the previous file in place.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkCheckpointFits, checkpointChars, MAX_JSON_CHARS, METRIC_ROW_MAX_CHARS, metricRowsBound,
} from '../src/checkpoint/checkpoint-size.js';
import { checkCheckpointFits as fromIo, saveCheckpoint } from '../src/checkpoint/io.js';
import type { MetricRow } from '../src/checkpoint/types.js';
import { CheckpointError, UsageError } from '../src/errors.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { trainSettings } from './helpers/settings.js';
import { checkpointFloats } from '../src/train/snapshot.js';
import { runTraining, type TrainCursor } from '../src/train/trainer.js';
import { smallCheckpoint, thrown } from './checkpoint-helpers.js';
import { tempDir } from './helpers/cli.js';

afterEach(() => { vi.restoreAllMocks(); });

describe('the bound on one metrics row', () => {
  it('is 241 characters: 75 of keys and punctuation, 16 for the step, 25 for each of six other numbers', () => {
    // {"step": ,"time": ,"trainLoss": ,"valLoss": ,"lr": ,"gradNorm": ,"charsPerSec": } and the ',' between rows
    const punctuation = 8 + 8 + 13 + 11 + 6 + 12 + 15 + 1 + 1;
    expect(punctuation).toBe(75);
    expect(METRIC_ROW_MAX_CHARS).toBe(punctuation + 16 + 6 * 25);
  });

  it('is reached by the longest row JSON can print, and never exceeded', () => {
    const longest = -1.2345678901234567e-6; // "-0.0000012345678901234567"
    expect(String(longest).length).toBe(25);
    const row: MetricRow = { step: Number.MAX_SAFE_INTEGER, time: longest, trainLoss: longest, valLoss: longest, lr: longest, gradNorm: longest, charsPerSec: longest };
    expect(JSON.stringify(row).length + 1).toBe(METRIC_ROW_MAX_CHARS); // + the ',' before the next row
    const double = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), double, double, fc.option(double), double, double, double,
      (step, time, trainLoss, valLoss, lr, gradNorm, charsPerSec) => {
        const r: MetricRow = { step, time, trainLoss, valLoss, lr, gradNorm, charsPerSec };
        expect(JSON.stringify(r).length + 1).toBeLessThanOrEqual(METRIC_ROW_MAX_CHARS);
      }), { numRuns: 2000, seed: 5 });
  });
});

describe('the bound on the number of rows', () => {
  it('counts one row per 10 steps, one per validation off that grid, and two spare', () => {
    expect(metricRowsBound(1000, 100)).toBe(100 + 0 + 2);
    // every 7th step: 142 validations, of which 14 (every 70th) are on the 10-step grid
    expect(metricRowsBound(1000, 7)).toBe(100 + (142 - 14) + 2);
    expect(metricRowsBound(1000, 25)).toBe(100 + (40 - 20) + 2); // 25, 75, 125, …: every 50th is on the grid
    expect(metricRowsBound(5, 0)).toBe(0 + 0 + 2);
  });

  it('holds what the trainer records, for a run and for that run stopped and resumed', async () => {
    const train = Uint16Array.from({ length: 200 }, (_, k) => (k * 3) % 5);
    const cfg = { cell: 'lstm' as const, layers: 1, hidden: 4, vocabSize: 5, dropout: 0 };
    const run = async (cursor: TrainCursor, steps: number, evalEvery: number): Promise<TrainCursor> => {
      const engine = createRefEngine(cfg, 2, 4), evalEngine = createRefEngine(cfg, 1, 4);
      initParams(engine.params, cfg, createRng(3).next);
      const r = await runTraining({
        engine, evalEngine, train, val: Uint16Array.of(0, 1, 2, 3, 4, 0),
        settings: trainSettings({ lr: 1e-3, steps, evalEvery, saveEvery: 0 }), cursor, hooks: { save: () => {} },
      });
      return r.cursor;
    };
    const fresh = (): TrainCursor => ({ step: 0, epoch: 0, window: 0, rng: createRng(1).state(), elapsedSec: 0, bestValLoss: null, bestStep: null, firstLoss: null, metrics: [], rowSums: { loss: 0, steps: 0, chars: 0, sec: 0 } });
    for (const [steps, evalEvery] of [[53, 7], [60, 10], [41, 4], [33, 0]] as const) {
      const whole = await run(fresh(), steps, evalEvery);
      const bound = metricRowsBound(steps, evalEvery);
      expect(whole.metrics.length, `${steps} steps, eval every ${evalEvery}`).toBeLessThanOrEqual(bound);
      expect(bound - whole.metrics.length).toBeLessThanOrEqual(2); // and not loose beyond its two spare rows
      const resumed = await run(await run(fresh(), 23, evalEvery), steps, evalEvery); // the step-23 row is off the grid
      expect(resumed.metrics.length).toBe(whole.metrics.length + 1);
      expect(resumed.metrics.length).toBeLessThanOrEqual(bound);
    }
  });
});

describe('checkCheckpointFits', () => {
  // A 2×1024 LSTM over 100 characters, batch 32, counted by hand: per layer 4H·(D + H) weights and
  // 2·4H biases (D = 100, then 1024), the head V·H + V; parameters, two moments, carry (L, 2, B, H).
  const cfg = { cell: 'lstm' as const, layers: 2, hidden: 1024, vocabSize: 100, dropout: 0 };
  const P = 4096 * (100 + 1024) + 2 * 4096 + 4096 * (1024 + 1024) + 2 * 4096 + 100 * 1024 + 100;
  const floats = 3 * P + 2 * 2 * 32 * 1024;
  const tensorChars = Math.ceil(floats / 3) * 16; // 12 bytes per 3 floats, 16 base64 characters

  it('the float count for the fit check is parameters, two moments and the carried state', () => {
    expect(checkpointFloats(cfg, 32)).toBe(floats);
  });

  it('refuses a run whose tensors fit but whose metrics history would not, which the float-count check passed', () => {
    // P = 13,111,396: 39,465,260 floats, 210,481,392 characters (201 MB); the old check passes
    expect(tensorChars).toBe(210_481_392);
    expect(tensorChars + 1_000_000).toBeLessThan(MAX_JSON_CHARS);
    expect(() => checkCheckpointFits(floats)).not.toThrow();
    // 2,000,002 rows of at most 241 characters: 482,000,482 (460 MB); in all 693,481,874 (661 MB)
    const steps = 20_000_000;
    const e = thrown(() => checkCheckpointFits({ floats, steps, evalEvery: 1000 }), UsageError);
    expect(e.message).not.toContain('\n');
    expect(e.message).toBe('a checkpoint of this run could reach 661 MB of JSON by step 20000000 (201 MB of tensors, 460 MB of metrics history), over the 512 MB a checkpoint can hold');
    // the most steps that fit: rows = floor(steps / 10) + 2 (every validation is on the grid)
    const rowsThatFit = Math.floor((MAX_JSON_CHARS - tensorChars - 1_000_000) / 241);
    const maxSteps = (rowsThatFit - 2) * 10 + 9;
    expect(e.hint).toBe(`use --steps ${maxSteps} or fewer with this model, or a smaller --hidden or --layers`);
    expect(() => checkCheckpointFits({ floats, steps: maxSteps, evalEvery: 1000 })).not.toThrow();
    expect(() => checkCheckpointFits({ floats, steps: maxSteps + 1, evalEvery: 1000 })).toThrow(UsageError);
    expect(fromIo).toBe(checkCheckpointFits); // train.ts imports it from io.ts
  });

  it('with a small limit: the same arithmetic, and a model too large for any run gets the model hint', () => {
    // 30,000 floats: 160,000 characters of tensors; 1,000,000 reserved; 300 rows of 241 = 72,300
    expect(checkpointChars({ floats: 30_000, steps: 2980, evalEvery: 10 })).toEqual({ tensors: 160_000, metrics: 300 * 241, other: 1_000_000, total: 1_232_300 });
    expect(() => checkCheckpointFits({ floats: 30_000, steps: 2980, evalEvery: 10 }, 1_232_300)).not.toThrow();
    const e = thrown(() => checkCheckpointFits({ floats: 30_000, steps: 2990, evalEvery: 10 }, 1_232_300), UsageError);
    expect(e.hint).toBe('use --steps 2989 or fewer with this model, or a smaller --hidden or --layers');
    const big = thrown(() => checkCheckpointFits({ floats: 300_000, steps: 10 }, 1_232_300), UsageError);
    // 1,600,000 characters of tensors + 1,000,000 = 2.48 MB, over 1.18 MB
    expect(big.message).toBe('a checkpoint of this model would be 2 MB of JSON, over the 1 MB a checkpoint can hold');
    expect(big.hint).toMatch(/smaller --hidden or --layers/);
  });
});

describe('saveCheckpoint of a checkpoint too long for one string', () => {
  it('is a one-line CheckpointError, and the previous file stays as it was', () => {
    // V8's own error for a string past its limit, without building one
    const real = ((): unknown => { try { 'x'.repeat(2 ** 30); } catch (e) { return e; } return null; })();
    expect(real).toBeInstanceOf(RangeError);
    const dir = tempDir('rnn-size-');
    const path = join(dir, 'last.json');
    writeFileSync(path, 'previous');
    vi.spyOn(JSON, 'stringify').mockImplementation(() => { throw real; });
    const e = thrown(() => saveCheckpoint(path, smallCheckpoint()), CheckpointError);
    vi.restoreAllMocks();
    expect(e.message).toBe(`refusing to write ${path}: the checkpoint is over the 512 MB of JSON a checkpoint can hold`);
    expect(e.hint).toMatch(/previous checkpoint is intact.*--steps/);
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['last.json']);
  });
});
