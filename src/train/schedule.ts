// Learning-rate schedules over a known number of steps: linear warmup, then constant, cosine
// decay to lr·lrMin (from the end of warmup, or for old runs from step 0), warmup-stable-decay
// (constant, then a linear fall to lr·lrMin over the last decayShare of the steps), or step decay
// (×lrDecay every lrDecayEvery steps). A pure function of the step, so a resumed run continues on
// the same curve.

import type { TrainSettings } from '../settings/train-settings.js';

export type ScheduleSettings = Pick<TrainSettings, 'lr' | 'lrSchedule' | 'warmup' | 'lrDecay' | 'lrDecayEvery' | 'lrMin' | 'steps' | 'cosineFrom' | 'decayShare'>;

/** Learning rate for the update that takes the optimizer from `step` to `step + 1` (0-based). */
export function lrAt(step: number, s: ScheduleSettings): number {
  const warm = s.warmup > 0 ? Math.min(1, (step + 1) / s.warmup) : 1;
  switch (s.lrSchedule) {
    case 'constant':
      return s.lr * warm;
    case 'cosine': {
      // 'warmup': flat (×1) through the warmup, then the half cosine over the steps left.
      const from = s.cosineFrom === 'warmup' ? s.warmup : 0;
      const frac = Math.min(1, Math.max(0, step - from) / Math.max(1, s.steps - from));
      return s.lr * warm * (s.lrMin + (1 - s.lrMin) * 0.5 * (1 + Math.cos(Math.PI * frac)));
    }
    case 'wsd': {
      // Flat until the decay: the rate of every step before it does not depend on the step count,
      // so a --time run can time most of its budget before fixing the count (time-budget.ts).
      const from = decayStart(s);
      const frac = Math.min(1, Math.max(0, step - from) / Math.max(1, s.steps - from));
      return s.lr * warm * (1 - (1 - s.lrMin) * frac);
    }
    case 'step':
      return s.lr * warm * s.lrDecay ** Math.floor(step / Math.max(1, s.lrDecayEvery));
  }
}

/** wsd: the first step of the decay. */
export function decayStart(s: Pick<TrainSettings, 'steps' | 'decayShare'>): number {
  return Math.floor(s.steps * (1 - s.decayShare));
}
