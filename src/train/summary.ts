// What a finished run reports: the object `rnn train --json` prints and the library's train()
// returns, built in one place so the two cannot differ.

import type { KernelName } from '../kernels/create-engine.js';
import type { TrainSettings } from '../settings/train-settings.js';
import type { RunOutcome } from './run.js';
import type { StopReason } from './trainer.js';

export interface TrainSummary {
  steps: number;
  /** Epochs done, fractional. */
  epochs: number;
  /** Training time in seconds, validation excluded. */
  elapsedSec: number;
  /** Wall time in seconds, validation included. */
  wallSec: number;
  /** 'signal': stopped on request (Ctrl-C, SIGTERM, or the library's AbortSignal), last.json saved. */
  stopReason: StopReason;
  bestValLoss: number | null;
  bestValBitsPerChar: number | null;
  bestStep: number | null;
  lastValLoss: number | null;
  /** last.json */
  checkpoint: string;
  /** best.json, or null when no validation ran. */
  best: string | null;
  metrics: string;
  /** The settings as stored; `settings.flags` repeats the run. */
  settings: TrainSettings;
  kernel: KernelName;
  threads: number;
}

export function trainSummary(o: RunOutcome, settings: TrainSettings, wallSec: number, kernel: KernelName, threads: number): TrainSummary {
  const c = o.cursor, best = c.bestValLoss;
  return {
    steps: c.step, epochs: c.epoch + c.window / o.windows, elapsedSec: c.elapsedSec, wallSec, stopReason: o.reason,
    bestValLoss: best, bestValBitsPerChar: best === null ? null : best / Math.LN2, bestStep: c.bestStep,
    lastValLoss: o.lastValLoss, checkpoint: o.lastPath, best: o.bestPath, metrics: o.metricsPath, settings,
    kernel, threads,
  };
}
