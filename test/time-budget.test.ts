// A --time budget fixed as a step count after the run's own warmup steps (src/train/time-budget.ts),
// and validation bounded to a share of the budget (--val-chars). Timing itself is never asserted:
// the measured seconds per step are handed in, so each figure below is computed by hand.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint/io.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { evaluateTokens } from '../src/train/evaluate.js';
import { lrAt } from '../src/train/schedule.js';
import { streamLayout } from '../src/train/streams.js';
import { PLAN_SHARE, stepsForBudget, timedSteps, valCharsForBudget, WSD_PLAN_SHARE } from '../src/train/time-budget.js';
import { freshCursor, runTraining } from '../src/train/trainer.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { tempDir, TINY_NAMES, writeText } from './helpers/cli.js';
import { planTrain } from './helpers/plan.js';
import { trainSettings } from './helpers/settings.js';

const cosine = (o: { steps: number; cosineFrom: 'warmup' | 'start' }) =>
  ({ lr: 0.01, lrSchedule: 'cosine', warmup: 5, lrMin: 0.05, lrDecay: 0.5, lrDecayEvery: 1000, decayShare: 0.2, ...o }) as const;
const wsd = (steps: number) =>
  ({ lr: 0.01, lrSchedule: 'wsd', warmup: 5, lrMin: 0.05, lrDecay: 0.5, lrDecayEvery: 1000, decayShare: 0.2, cosineFrom: 'warmup', steps }) as const;

describe('cosine decay from the end of warmup', () => {
  it('gives the warmup steps a learning rate that does not depend on the step count', () => {
    for (let step = 0; step < 5; step++) {
      const want = (0.01 * (step + 1)) / 5; // linear warmup, cosine factor 1
      for (const steps of [20, 100, 5000]) expect(lrAt(step, cosine({ steps, cosineFrom: 'warmup' }))).toBeCloseTo(want, 15);
    }
    // From step 0 (the old curve) the factor already moves: cos(π·4/20) at step 4 of 20.
    expect(lrAt(4, cosine({ steps: 20, cosineFrom: 'start' }))).toBeCloseTo(0.01 * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI / 5))), 15);
  });

  it('decays over the steps after the warmup, by hand: lr·(lrMin + (1 − lrMin)·½(1 + cos π(t − W)/(N − W)))', () => {
    // step 50 of 100, W 5: (50 − 5)/95; the old curve: 50/100 → 0.01 · (0.05 + 0.95 · 0.5) = 0.00525.
    expect(lrAt(50, cosine({ steps: 100, cosineFrom: 'warmup' }))).toBeCloseTo(0.01 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * 45) / 95))), 15);
    expect(lrAt(50, cosine({ steps: 100, cosineFrom: 'start' }))).toBeCloseTo(0.00525, 15);
    expect(lrAt(100, cosine({ steps: 100, cosineFrom: 'warmup' }))).toBeCloseTo(0.01 * 0.05, 15);
  });

  it('is what a checkpoint written before the setting existed resumes on: decay from step 0', () => {
    const ck = smallCheckpoint();
    delete (ck.training!.settings as { cosineFrom?: string }).cosineFrom;
    const path = join(tempDir(), 'old.json');
    saveCheckpoint(path, ck);
    expect(loadCheckpoint(path).training!.settings.cosineFrom).toBe('start');
  });
});

describe('warmup-stable-decay', () => {
  it('is flat after the warmup until the last 20% of the steps, then falls linearly to lr·lrMin, by hand', () => {
    // 100 steps: the decay starts at step ⌊100 · 0.8⌋ = 80; step t ≥ 80 gets 0.01 · (1 − 0.95 (t − 80)/20).
    expect(lrAt(2, wsd(100))).toBeCloseTo(0.01 * 3 / 5, 15);
    expect(lrAt(5, wsd(100))).toBe(0.01);
    expect(lrAt(79, wsd(100))).toBe(0.01);
    expect(lrAt(80, wsd(100))).toBe(0.01);
    expect(lrAt(90, wsd(100))).toBeCloseTo(0.01 * (1 - 0.95 * 0.5), 15);
    expect(lrAt(99, wsd(100))).toBeCloseTo(0.01 * (1 - 0.95 * 19 / 20), 15);
    expect(lrAt(100, wsd(100))).toBeCloseTo(0.01 * 0.05, 15);
  });

  it('gives every step before the decay the same rate for any longer run', () => {
    for (const step of [0, 3, 10, 79]) for (const steps of [100, 101, 400, 5000]) expect(lrAt(step, wsd(steps))).toBe(lrAt(step, wsd(100)));
  });
});

describe('the step count of a --time budget', () => {
  it('times the steps whose learning rate the count does not change, when there are enough of them', () => {
    const d = { decayShare: 0.2 };
    expect(timedSteps({ lrSchedule: 'cosine', cosineFrom: 'warmup', warmup: 200, ...d }, 6000)).toBe(200);
    expect(timedSteps({ lrSchedule: 'cosine', cosineFrom: 'start', warmup: 200, ...d }, 6000)).toBe(0);
    expect(timedSteps({ lrSchedule: 'cosine', cosineFrom: 'warmup', warmup: 5, ...d }, 6000)).toBe(0); // under 8
    expect(timedSteps({ lrSchedule: 'cosine', cosineFrom: 'warmup', warmup: 50, ...d }, 60)).toBe(0); // over half the run
    expect(timedSteps({ lrSchedule: 'constant', cosineFrom: 'warmup', warmup: 0, ...d }, 1000)).toBe(50); // a twentieth
    expect(timedSteps({ lrSchedule: 'step', cosineFrom: 'warmup', warmup: 80, ...d }, 1000)).toBe(80);
    // wsd: 9/10 of the flat steps, ⌊0.9 · ⌊6000 · 0.8⌋⌋ = 4320; none when the warmup is longer
    expect(timedSteps({ lrSchedule: 'wsd', cosineFrom: 'warmup', warmup: 200, ...d }, 6000)).toBe(4320);
    expect(timedSteps({ lrSchedule: 'wsd', cosineFrom: 'warmup', warmup: 200, ...d }, 250)).toBe(0); // ⌊0.9 · 200⌋ = 180 < 200
  });

  it('plans 1.05 × the time left at the measured rate, never below the steps done or above the cap', () => {
    // 60 s budget, 2 s used by 100 steps, 40 ms a step: 100 + ⌊58 · 1.05 / 0.04⌋ = 100 + ⌊1522.5⌋.
    const c = { lrSchedule: 'cosine', decayShare: 0.2 } as const;
    expect(PLAN_SHARE).toBe(1.05);
    expect(stepsForBudget(c, 60, 0.04, 100, 2, 1e9)).toBe(1622);
    expect(stepsForBudget(c, 60, 0.04, 100, 2, 1500)).toBe(1500);
    expect(stepsForBudget(c, 60, 0.04, 100, 61, 1e9)).toBe(100);
  });

  it('wsd: plans all the time left, and at least the count whose decay starts after the steps done', () => {
    const w = { lrSchedule: 'wsd', decayShare: 0.2 } as const;
    // 60 s, 36 s used by 3600 steps, 1/64 s a step: 3600 + 24 · 64 = 5136 (its decay starts at
    // ⌊5136 · 0.8⌋ = 4108)
    expect(WSD_PLAN_SHARE).toBe(1);
    expect(stepsForBudget(w, 60, 1 / 64, 3600, 36, 1e9)).toBe(5136);
    // A machine that slowed down: 3600 steps used 58 s, so 3600 + 128 = 3728 would decay from 2982,
    // before the steps done; the least count that decays from 3600 is 4500 (⌊4500 · 0.8⌋ = 3600).
    expect(stepsForBudget(w, 60, 1 / 64, 3600, 58, 1e9)).toBe(4500);
  });

  it('bounds validation to a tenth of the budget, in whole evaluation windows, or all of a small held-out text', () => {
    // 16×128 chars per 10 ms step = 204,800 chars/s of training; validation at 2.5× that; 6000/600 + 1
    // = 11 validations share 6 s: 6/11 · 2.5 · 204,800 = 279,272.7 chars → ⌈/2048⌉ = 137 windows.
    const o = { budgetSec: 60, secPerStep: 0.01, batch: 16, seqLen: 128, steps: 6000, evalEvery: 600 };
    expect(valCharsForBudget({ ...o, valTokens: 10_000_000 })).toBe(137 * 2048);
    // 100,000 held-out tokens are 49 windows of 16 streams × 128 (⌈⌈99,999/16⌉/128⌉): all of it.
    expect(valCharsForBudget({ ...o, valTokens: 100_000 })).toBe(0);
    // A tiny budget still validates on 4 windows.
    expect(valCharsForBudget({ ...o, budgetSec: 0.01, valTokens: 10_000_000 })).toBe(4 * 2048);
  });

  it('fixes the count after the warmup from the measured rate; the flags it prints plan that same run', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(200));
    const p = await planTrain([corpus, '--time', '60', '--hidden', '32', '--warmup', '40', '--lr-schedule', 'cosine', '--out', join(dir, 'a')]);
    const said: string[] = [];
    expect(p.measure?.afterSteps).toBe(40);
    const fixed = p.measure!.fix(0.0625, 0.5, 40, (m) => said.push(m));
    // 40 + ⌊(60 − 0.5) · 1.05 / 0.0625⌋ = 40 + ⌊999.6⌋ (under the cap, twice the probe's count)
    expect(2 * p.settings.steps).toBeGreaterThan(1039);
    expect(fixed.steps).toBe(1039);
    expect(fixed.evalEvery).toBe(p.settings.evalEvery); // the validations already run stay where they were
    expect(said.join('\n')).toMatch(/steps 11-40 took a median 62\.5 ms .* ≈ --steps \d+\nto repeat this run exactly: rnn train /);
    const again = await planTrain([corpus, ...fixed.flags!.split(' '), '--out', join(dir, 'b')]);
    expect(again.settings).toEqual(fixed);
    expect(again.measure).toBeUndefined();
  });

  it("a --time pick of up to 128 units under 10 passes runs the rule's Adam, and prints it", async () => {
    // 300,000 chars of prose-like text; fakeMeasure: 1×64 at B16 T128 is 1e-9 · 4,096 · 2,048 = 8.4 ms
    // a step, so 2 s are 238 steps of 2,048 chars: 1.8 passes over the 270,000 training chars.
    const dir = tempDir();
    const words = Array.from({ length: 60_000 }, (_, k) => ['the', 'sea', 'was', 'calm', 'and', 'grey'][(k * 7 + (k >> 2)) % 6]);
    const corpus = writeText(dir, 'prose.txt', `${words.join(' ')}\n`.slice(0, 300_000));
    const p = await planTrain([corpus, '--time', '2', '--layers', '1', '--hidden', '64', '--doc-split', 'none', '--val-fraction', '0.1', '--out', join(dir, 'a')]);
    expect([p.settings.lr, p.settings.beta2]).toEqual([1.4e-2, 0.95]);
    expect(p.settings.flags).toContain('--lr 0.014 --beta1 0.9 --beta2 0.95 ');
    const given = await planTrain([corpus, '--time', '2', '--layers', '1', '--hidden', '64', '--beta2', '0.999', '--doc-split', 'none', '--val-fraction', '0.1', '--out', join(dir, 'b')]);
    expect([given.settings.lr, given.settings.beta2]).toEqual([1e-2, 0.999]);
    const steps = await planTrain([corpus, '--steps', '200', '--hidden', '64', '--out', join(dir, 'c')]);
    expect([steps.settings.lr, steps.settings.beta2]).toEqual([1e-2, 0.999]); // a step budget keeps Adam's own
  });

  it('wsd (the default schedule): times 9/10 of the flat steps the probe planned, or 72% of the budget, then fixes the count from their mean', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(1000));
    // (2×96, slow enough on the fake machine to stay under MAX_PASSES in the minute; and a 20%
    // decay, as the hand calculation below has it)
    const p = await planTrain([corpus, '--time', '60', '--hidden', '96', '--decay-share', '0.2', '--out', join(dir, 'a')]);
    expect(p.settings.lrSchedule).toBe('wsd');
    const timed = Math.floor(0.9 * Math.floor(p.settings.steps * 0.8));
    expect(p.measure).toMatchObject({ afterSteps: timed, statistic: 'mean' });
    expect(p.measure!.bySec).toBeCloseTo(0.72 * 60, 9); // fixed by 72% of the budget at the latest
    const said: string[] = [];
    // Say the timed steps took 36 s of the 60: the 24 s left at that rate are ⌊0.667 · timed⌋ more
    // steps, and the decay of that count starts at ⌊0.8 · 1.667 · timed⌋, after the timed steps.
    const sec = 36 / timed;
    const fixed = p.measure!.fix(sec, 36, timed, (m) => said.push(m));
    expect(fixed.steps).toBe(timed + Math.floor(24 / sec));
    expect(said[0]).toMatch(/took a mean [\d.]+ ms/);
    const again = await planTrain([corpus, ...fixed.flags!.split(' '), '--out', join(dir, 'b')]);
    expect(again.settings).toEqual(fixed);
  });

  it('on a small text stops at MAX_PASSES passes, early, and the count it fixes stays within them', async () => {
    // TINY_NAMES × 20 and a minute on the fake machine buy far more than 25 passes
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(20));
    const said: string[] = [];
    const p = await planTrain([corpus, '--time', '60', '--hidden', '32', '--out', join(dir, 'a')], (m) => said.push(m));
    const windows = streamLayout(p.data.train.length, p.settings.batch, p.settings.seqLen).windows;
    expect(p.settings.steps).toBe(Math.ceil(25 * windows));
    expect(said.join('\n')).toMatch(/buys about \d+ passes over this text; past 25 a model only overfits, so the run stops at 25 \(--steps \d+\), early \(--epochs \d+ uses the whole budget\)/);
    // a machine far faster than the probe said still plans no more
    const fixed = p.measure!.fix(1e-6, 1, p.measure!.afterSteps, () => {});
    expect(fixed.steps).toBe(Math.ceil(25 * windows));
    expect(p.cfg.dropout).toBe(0.3); // 25 passes: 10 ≤ passes < 80
  });

  it.each([['cosine', 8, 'median', undefined, 8], ['wsd', 20, 'mean', undefined, 20], ['wsd', 20, 'mean', 0, 1]] as const)('a %s run timing its first %i steps by their %s (fixed by %s s at the latest) equals the run given the fixed count from the start', async (lrSchedule, afterSteps, statistic, bySec, fixedAt) => {
    const train = Uint16Array.from({ length: 400 }, (_, k) => (k * 7 + (k >> 3)) % 5);
    const cfg = { cell: 'gru' as const, layers: 1, hidden: 6, vocabSize: 5, dropout: 0 };
    const settings = (steps: number) => trainSettings({ lr: 0.01, lrSchedule, warmup: 8, steps, evalEvery: 0, saveEvery: 0 });
    const run = async (steps: number, measure?: { afterSteps: number; statistic: 'median' | 'mean'; bySec?: number; fix(per: number, el: number, done: number): ReturnType<typeof trainSettings> }) => {
      const engine = createRefEngine(cfg, 2, 8);
      initParams(engine.params, cfg, createRng(3).next);
      const r = await runTraining({
        engine, evalEngine: null, train, val: null, cursor: freshCursor(1), ...(measure ? { measure } : {}),
        settings: settings(steps), hooks: { save: () => {} },
      });
      return { params: Float32Array.from(engine.params), r };
    };
    const calls: number[][] = [];
    // 90 steps planned; fixed at 30 (wsd: its decay starts at step 24, after the 20 timed steps)
    const timed = await run(90, { afterSteps, statistic, ...(bySec !== undefined ? { bySec } : {}), fix: (per, el, done) => { calls.push([per, el, done]); return settings(30); } });
    const plain = await run(30);
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBeGreaterThan(0);
    expect(calls[0]![1]).toBeGreaterThan(0);
    expect(calls[0]![0]).toBeLessThanOrEqual(calls[0]![1]); // seconds per step, at most the whole time of the timed steps
    expect(calls[0]![2]).toBe(fixedAt); // bySec 0: fixed after the first step
    expect([timed.r.cursor.step, timed.r.settings.steps]).toEqual([30, 30]);
    expect(timed.params).toEqual(plain.params);
  });
});

describe('--val-chars', () => {
  it('scores the start of each of the 16 streams: the same per-target losses as the whole text there', () => {
    const cfg = { cell: 'lstm' as const, layers: 1, hidden: 5, vocabSize: 7, dropout: 0 };
    const engine = createRefEngine(cfg, 16, 4);
    initParams(engine.params, cfg, createRng(5).next);
    const seq = Uint16Array.from({ length: 16 * 40 + 1 }, (_, k) => (k * 5 + (k >> 2)) % 7);
    const per = new Float64Array(seq.length);
    const all = evaluateTokens(engine, seq, per);
    expect(all.count).toBe(640);
    // 100 chars → ⌈100 / 64⌉ = 2 windows of 16 streams × 4: targets 1-8 of each 40-target stream.
    const part = evaluateTokens(engine, seq, undefined, 100);
    let want = 0;
    for (let b = 0; b < 16; b++) for (let t = 0; t < 8; t++) want += per[b * 40 + t + 1]!;
    expect(part.count).toBe(128);
    expect(part.nats).toBeCloseTo(want, 9);
  });
});
