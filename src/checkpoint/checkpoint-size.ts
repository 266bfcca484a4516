// How large a run's checkpoint can grow, checked before any training: a checkpoint is one JSON
// string, written and read whole, and V8 builds no longer string. Tensors are fixed by the model;
// the metrics history grows with the steps (one row per 10), so a long enough run of a large model
// would otherwise fail at a save, and at every resume of it.

import { UsageError } from '../errors.js';
import type { MetricRow } from './types.js';

/** The longest string V8 builds (Node 20, 64-bit: String::kMaxLength = 2^29 − 24). */
export const MAX_JSON_CHARS = 2 ** 29 - 24;

/** The trainer's metrics cadence: one row every this many steps (src/train/trainer.ts, reportEvery),
 *  plus one at each validation off that grid. */
export const METRICS_EVERY = 10;

/** Everything but tensors and metrics: settings and flags (under 2 KB), the vocabulary (at most
 *  65,535 code points of at most 8 characters, "1114111,": 0.52 MB), tensor names, shapes and
 *  checksums (about 100 characters each) and base64 padding (at most 3 characters a tensor), the
 *  corpus paths. */
const OTHER_CHARS = 1_000_000;

/** The longest JSON text of each MetricRow value. `step` is a safe integer: at most 16 digits
 *  (9007199254740991). Any other finite double prints in at most 25 characters: Number::toString
 *  (ECMA-262, Number::toString) writes the shortest digits that round-trip, at most 17, and its
 *  longest layout is fixed notation for a magnitude in [1e-6, 1e-5): sign, "0.", five zeros and 17
 *  digits, 1 + 2 + 5 + 17 = 25 ("-0.0000012345678901234567"). The exponent form is at most 24
 *  ("-1.2345678901234567e-308"), a large integer 22 ("-123456789012345680000"), `null` 4. A
 *  Record over keyof MetricRow, so a new field does not typecheck until its bound is written here. */
const METRIC_VALUE_CHARS: Record<keyof MetricRow, number> = {
  step: 16, time: 25, trainLoss: 25, valLoss: 25, lr: 25, gradNorm: 25, charsPerSec: 25,
};

/** One row of `training.metrics` as JSON, at most: per field `"key":` plus the `{` or `,` before
 *  it (key length + 4) and its value; then `}` and the `,` between rows (2). With today's seven
 *  fields: 45 key characters + 7·4 + 2 = 75 of punctuation and keys, 16 + 6·25 = 166 of values,
 *  241 in all (a typical row is about 165). */
export const METRIC_ROW_MAX_CHARS = Object.entries(METRIC_VALUE_CHARS)
  .reduce((n, [key, value]) => n + key.length + 4 + value, 2);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** At most how many metrics rows a run of `steps` steps records: one per METRICS_EVERY steps, one
 *  per validation step off that grid (every `evalEvery` steps; 0 = none), one for the last step
 *  and one for a stop at a --time limit. Each resume of a run adds at most one more (the row of
 *  the step it stopped at); OTHER_CHARS holds thousands of those. */
export function metricRowsBound(steps: number, evalEvery = 0): number {
  const grid = Math.floor(steps / METRICS_EVERY);
  const lcm = evalEvery > 0 ? (evalEvery / gcd(evalEvery, METRICS_EVERY)) * METRICS_EVERY : 0;
  const offGrid = evalEvery > 0 ? Math.floor(steps / evalEvery) - Math.floor(steps / lcm) : 0;
  return grid + offGrid + 2;
}

export interface CheckpointPlan {
  /** float32 values in the checkpoint: parameters, optimizer moments, carried state. */
  floats: number;
  /** The run's planned total steps (the metrics history grows with them); 0 or absent: none. */
  steps?: number;
  /** The validation cadence (settings.evalEvery): each validation off the 10-step grid adds a row. */
  evalEvery?: number;
}

export interface CheckpointChars { tensors: number; metrics: number; other: number; total: number }

/** An upper bound on the checkpoint's JSON length at the end of the planned run. */
export function checkpointChars(plan: CheckpointPlan): CheckpointChars {
  const tensors = Math.ceil(plan.floats / 3) * 16; // 3 floats = 12 bytes = 16 base64 characters
  const metrics = plan.steps ? metricRowsBound(plan.steps, plan.evalEvery) * METRIC_ROW_MAX_CHARS : 0;
  return { tensors, metrics, other: OTHER_CHARS, total: tensors + metrics + OTHER_CHARS };
}

const mb = (chars: number): string => (chars / 2 ** 20).toFixed(0);

/** Refuse, before any training, a run whose checkpoints could not be written, with a UsageError
 *  saying how many steps would fit. A bare number is the float count alone (no metrics history),
 *  as before the plan form existed. `maxChars` is for tests. */
export function checkCheckpointFits(plan: number | CheckpointPlan, maxChars = MAX_JSON_CHARS): void {
  const p: CheckpointPlan = typeof plan === 'number' ? { floats: plan } : plan;
  const c = checkpointChars(p);
  if (c.total <= maxChars) return;
  const modelHint = 'use a smaller --hidden or --layers (about 30 million parameters is the limit with Adam)';
  if (c.tensors + c.other + checkpointChars({ ...p, floats: 0, steps: 1 }).metrics > maxChars) {
    throw new UsageError(`a checkpoint of this model would be ${mb(c.tensors + c.other)} MB of JSON, over the ${mb(maxChars)} MB a checkpoint can hold`, modelHint);
  }
  // The most steps that fit: the bound grows with the steps, so bisect on it.
  let lo = 1, hi = p.steps!;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (checkpointChars({ ...p, steps: mid }).total <= maxChars) lo = mid;
    else hi = mid;
  }
  throw new UsageError(`a checkpoint of this run could reach ${mb(c.total)} MB of JSON by step ${p.steps} (${mb(c.tensors)} MB of tensors, `
    + `${mb(c.metrics)} MB of metrics history), over the ${mb(maxChars)} MB a checkpoint can hold`,
  `use --steps ${lo} or fewer with this model, or a smaller --hidden or --layers`);
}
