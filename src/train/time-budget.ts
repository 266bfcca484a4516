// A --time budget as a step count. The schedule is a function of the step count, so the count
// is fixed once, and then the run is exactly what `--steps N` with the printed flags gives. A
// one-second probe before the run (calibrate.ts) gives a first count; the run's own first steps,
// whose learning rate does not depend on the count, then time this machine on the real run and
// fix it. A probe read the machine 13-22% slower than it ran (issue 18: budgets left that unused).
// Cosine from the end of warmup can time only the warmup, a few seconds, and this machine's speed
// drifts ±20% in stretches of seconds: 1-minute runs used 78-100% of their budgets. Warmup-stable-
// decay (wsd, the default schedule) keeps its rate flat until the decay, so it times the first 72%
// of the budget (54% when it decays over the last 40%) and plans only the rest: a slow stretch of seconds early on then moves the plan
// for the last 28% by little (at 60%, 1-minute runs still used only 93-95%).

import type { TrainSettings } from '../settings/train-settings.js';
import { decayStart } from './schedule.js';
import { EVAL_BATCH, EVAL_SEQ_LEN, valWindows } from './evaluate.js';
import { streamLayout } from './streams.js';

/** The time left, as a share of it, that the fixed count plans for. More than all of it: in the
 *  1-minute cells of the quality matrix the steps after the warmup ran 3-7% faster than the
 *  warmup's median (at 0.98 the runs used 90-95% of their budgets), and the machine's speed drifts
 *  ±15% over a run in stretches of seconds. A run that does not get through its steps stops at the
 *  budget, a few steps into the cosine's flat tail short of its end (at 95% of it the rate is
 *  5.6% of the peak rather than 5%); its printed flags repeat it step for step up to there. */
export const PLAN_SHARE = 1.05;
/** Validation's share of the training budget, at most (the wall time is about 1 + this). */
export const VAL_SHARE = 0.1;
/** Characters per second of validation (forward only, B 16 × T 128) over those of a training step
 *  (forward, backward, update), estimated low so the share holds. */
export const EVAL_SPEEDUP = 2.5;
/** Fewer timed steps than this leave the probe's count in place. */
const MIN_TIMED = 8;
/** The first 1/TIMED_SKIP of the timed steps are left out of their median (page faults, caches). */
export const TIMED_SKIP = 4;

/** The median; one slow step (another process, a page fault) does not move it. */
export function median(xs: ArrayLike<number>): number {
  const s = Float64Array.from(xs).sort();
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** wsd: the timed steps are this share of the flat steps the probe's count has (72% of the steps
 *  with a 20% decay, 54% with 40%), so that a machine faster than the probe said fixes its count
 *  before its decay would begin. */
export const WSD_TIMED_SHARE = 0.9;

/** How many of a run's first steps have a learning rate that does not depend on the step count,
 *  and so can time the machine before the count is fixed; 0 when too few (the probe's count
 *  stands). Cosine from the end of warmup: the warmup. wsd: WSD_TIMED_SHARE of its flat steps.
 *  Constant and step decay never depend on it: the warmup, or a twentieth of the run when that is
 *  longer. */
export function timedSteps(s: Pick<TrainSettings, 'lrSchedule' | 'cosineFrom' | 'warmup' | 'decayShare'>, steps: number): number {
  if (s.lrSchedule === 'wsd') {
    const n = Math.floor(WSD_TIMED_SHARE * decayStart({ steps, decayShare: s.decayShare }));
    return n >= MIN_TIMED && n >= s.warmup ? n : 0;
  }
  const n = s.lrSchedule === 'cosine' ? (s.cosineFrom === 'warmup' ? s.warmup : 0) : Math.max(s.warmup, Math.round(steps / 20));
  return n >= MIN_TIMED && n <= steps / 2 ? n : 0;
}

/** wsd: the share of the budget by which the count is fixed at the latest, even before the timed
 *  steps are done: a machine much slower than the probe said would otherwise reach the budget's
 *  end in the flat phase, never decaying. */
export const WSD_FIX_SHARE = 0.72;

/** Training seconds by which the count is fixed at the latest (wsd), or undefined. */
export function timedBySec(s: Pick<TrainSettings, 'lrSchedule'>, budgetSec: number | undefined): number | undefined {
  return s.lrSchedule === 'wsd' && budgetSec !== undefined ? WSD_FIX_SHARE * budgetSec : undefined;
}

/** How the timed steps are summed up: the median of a warmup's few hundred steps, which one slow
 *  step (another process, a page fault) does not move; the mean of wsd's thousands, which is the
 *  rate the rest of the run will have, its occasional slow steps included. */
export function timedStatistic(s: Pick<TrainSettings, 'lrSchedule'>): 'median' | 'mean' {
  return s.lrSchedule === 'wsd' ? 'mean' : 'median';
}

/** wsd: the time left, as a share of it, that the fixed count plans for: all of it, since 54-72%
 *  of the budget timed predict the rest closely; a run that falls a little short of its steps
 *  stops in the last of its decay. */
export const WSD_PLAN_SHARE = 1;

/** The step count that fills the budget: the steps done, plus PLAN_SHARE (WSD_PLAN_SHARE) of the
 *  time left at the measured rate; never fewer than done, nor more than `cap`. A wsd count is at
 *  least the one whose decay begins after the steps done, so the steps already taken are the
 *  fixed count's steps too. */
export function stepsForBudget(s: Pick<TrainSettings, 'lrSchedule' | 'decayShare'>, budgetSec: number, secPerStep: number, doneSteps: number, elapsedSec: number, cap: number): number {
  const share = s.lrSchedule === 'wsd' ? WSD_PLAN_SHARE : PLAN_SHARE;
  const more = Math.floor((Math.max(0, budgetSec - elapsedSec) * share) / secPerStep);
  let n = Math.max(doneSteps, Math.min(cap, doneSteps + more));
  if (s.lrSchedule === 'wsd') while (decayStart({ steps: n, decayShare: s.decayShare }) < doneSteps) n++;
  return n;
}

/** --val-chars for a --time run: validations (every evalEvery steps, plus the last) that together
 *  take about VAL_SHARE of the budget at EVAL_SPEEDUP × the training rate; 0 (all of it) when the
 *  held-out text is that small already. Whole evaluation windows, at least 4. */
export function valCharsForBudget(o: { budgetSec: number; secPerStep: number; batch: number; seqLen: number; steps: number; evalEvery: number; valTokens: number }): number {
  const evals = Math.floor(o.steps / Math.max(1, o.evalEvery)) + 1;
  const chars = ((VAL_SHARE * o.budgetSec) / evals) * EVAL_SPEEDUP * ((o.batch * o.seqLen) / o.secPerStep);
  const windows = Math.max(4, valWindows(chars));
  return windows >= streamLayout(o.valTokens, EVAL_BATCH, EVAL_SEQ_LEN).windows ? 0 : windows * EVAL_BATCH * EVAL_SEQ_LEN;
}
