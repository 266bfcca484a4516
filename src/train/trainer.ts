// The training loop, top to bottom: schedule → window → dropout masks → forward/backward →
// clip → update → advance cursor; evaluate and save on their cadence. Owns no I/O: saving,
// display and stop requests come in as hooks, so the CLI decides where things go.

import type { Engine, OptimizerSpec, TokenArray } from '../kernels/engine.js';
import type { MetricRow } from '../checkpoint/types.js';
import type { TrainSettings } from '../settings/train-settings.js';
import { RuntimeError } from '../errors.js';
import { rngFromState } from '../rng.js';
import { dropoutKeys, maskSpec, setMaskStep } from './dropout.js';
import { evaluateTokens } from './evaluate.js';
import { lrAt } from './schedule.js';
import { fillWindow, streamLayout, type StreamLayout } from './streams.js';

/** Where a run stands: everything besides the engine's buffers that a resume needs. */
export interface TrainCursor {
  step: number;
  epoch: number;
  window: number;
  rng: [number, number, number, number];
  elapsedSec: number;
  bestValLoss: number | null;
  bestStep: number | null;
  /** The run's first training loss, the divergence guard's yardstick (kept across resumes). */
  firstLoss: number | null;
  metrics: MetricRow[];
}

export interface StepInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean train loss since the last report. */
  trainLoss: number;
  lr: number;
  gradNorm: number;
  charsPerSec: number;
  elapsedSec: number;
  valLoss: number | null;
}

export interface TrainHooks {
  /** Called every `reportEvery` steps and after the last step. */
  onStep?(info: StepInfo): void;
  onEval?(step: number, valLoss: number, improved: boolean): void;
  /** A finished metrics row (after its step's validation, if any). */
  onMetrics?(row: MetricRow): void;
  /** Write a checkpoint of the current engine + cursor. `best` also means "new best validation". */
  save(kind: 'last' | 'best', cursor: TrainCursor): void;
  /** Polled between steps; true ends the run after saving. */
  shouldStop?(): boolean;
}

export interface TrainOptions {
  engine: Engine;
  /** An engine for validation (same config, its own batch shape); params are copied in. */
  evalEngine: Engine | null;
  train: TokenArray;
  val: TokenArray | null;
  settings: TrainSettings;
  cursor: TrainCursor;
  hooks: TrainHooks;
  /** Stop once this much training time has passed (validation excluded). */
  timeLimitSec?: number;
  reportEvery?: number;
}

export type StopReason = 'steps' | 'time' | 'signal' | 'patience';

export interface TrainResult {
  cursor: TrainCursor;
  reason: StopReason;
  lastValLoss: number | null;
}

/** Explosion guard as in char-rnn: a train loss above 3× the first one aborts the run. */
const EXPLODE_FACTOR = 3;

export function optimizerSpec(s: TrainSettings): OptimizerSpec {
  return { kind: s.optimizer, beta1: s.beta1, beta2: s.beta2, eps: s.eps, weightDecay: s.weightDecay };
}

export async function runTraining(o: TrainOptions): Promise<TrainResult> {
  const { engine, settings: s, hooks } = o;
  const lay: StreamLayout = streamLayout(o.train.length, engine.batch, engine.seqLen);
  const x = new Int32Array(engine.batch * engine.seqLen);
  const y = new Int32Array(engine.batch * engine.seqLen);
  const opt = optimizerSpec(s);
  const keys = dropoutKeys(rngFromState(o.cursor.rng));
  const masks = maskSpec(keys, o.cursor.step, engine.cfg.dropout, s.dropoutMode);
  const c = { ...o.cursor, metrics: [...o.cursor.metrics] };
  const reportEvery = o.reportEvery ?? 10;
  const snapshot = (): TrainCursor => ({ ...c, metrics: c.metrics });
  let lastVal: number | null = c.metrics.length ? lastValOf(c.metrics) : null;
  let sumLoss = 0, sumN = 0, charsSince = 0, timeSince = 0;
  let lastLr = 0, lastNorm = 0;
  /** The metrics row of the steps since the last one (the last step's rate and gradient norm). */
  const pushRow = (): MetricRow => {
    const row = { step: c.step, time: c.elapsedSec, trainLoss: sumLoss / sumN, valLoss: null, lr: lastLr, gradNorm: lastNorm, charsPerSec: charsSince / Math.max(timeSince, 1e-9) };
    c.metrics.push(row);
    return row;
  };
  let reason: StopReason = 'steps';

  const validate = (): void => {
    if (!o.evalEngine || !o.val || o.val.length < 2) return;
    o.evalEngine.params.set(engine.params);
    o.evalEngine.paramsChanged();
    const { nats, count } = evaluateTokens(o.evalEngine, o.val);
    const v = nats / count;
    lastVal = v;
    const improved = c.bestValLoss === null || v < c.bestValLoss;
    if (improved) { c.bestValLoss = v; c.bestStep = c.step; }
    const row = c.metrics[c.metrics.length - 1];
    if (row && row.step === c.step) row.valLoss = v;
    hooks.onEval?.(c.step, v, improved);
    if (improved) hooks.save('best', snapshot());
  };
  // Early stopping counts evaluations since the best one, from the metrics, so a resumed run
  // counts on where it left off.
  const evalsSinceBest = (): number => {
    let n = 0;
    for (let i = c.metrics.length - 1; i >= 0; i--) {
      const r = c.metrics[i]!;
      if (r.valLoss === null) continue;
      if (r.step === c.bestStep) return n;
      n++;
    }
    return n;
  };

  while (c.step < s.steps) {
    if (o.timeLimitSec !== undefined && c.elapsedSec >= o.timeLimitSec) { reason = 'time'; break; }
    if (hooks.shouldStop?.()) { reason = 'signal'; break; }
    const t0 = performance.now();
    const lr = lrAt(c.step, s);
    lastLr = lr;
    fillWindow(o.train, lay, c.window, x, y);
    if (engine.cfg.dropout > 0) engine.fillMasks(setMaskStep(masks, keys, c.step));
    const loss = engine.forwardBackward(x, y);
    const norm = Math.sqrt(engine.gradNormSq());
    lastNorm = norm;
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      throw new RuntimeError(`training diverged at step ${c.step + 1}: ${!Number.isFinite(loss) ? 'loss' : 'gradient norm'} is ${!Number.isFinite(loss) ? loss : norm}`,
        `try a lower --lr (now ${s.lr}) or a smaller --clip (now ${s.clip})`);
    }
    c.firstLoss ??= loss;
    if (loss > EXPLODE_FACTOR * c.firstLoss) {
      throw new RuntimeError(`training diverged at step ${c.step + 1}: loss ${loss.toFixed(3)} is over ${EXPLODE_FACTOR}× the first loss ${c.firstLoss.toFixed(3)}`,
        `try a lower --lr (now ${s.lr}) or a smaller --clip (now ${s.clip})`);
    }
    if (s.clip > 0 && norm > s.clip) engine.scaleGrads(s.clip / (norm + 1e-6));
    engine.optimizerStep(opt, lr, c.step + 1);
    c.step++;
    c.window++;
    if (c.window >= lay.windows) { c.window = 0; c.epoch++; engine.resetState(); }
    const dt = (performance.now() - t0) / 1000;
    c.elapsedSec += dt;
    timeSince += dt;
    charsSince += engine.lastCount;
    sumLoss += loss; sumN++;

    const isLast = c.step === s.steps;
    const evalDue = (s.evalEvery > 0 && c.step % s.evalEvery === 0) || isLast;
    if (c.step % reportEvery === 0 || evalDue) {
      const r = pushRow();
      hooks.onStep?.({
        step: c.step, totalSteps: s.steps, epoch: c.epoch + c.window / lay.windows, trainLoss: r.trainLoss,
        lr, gradNorm: norm, charsPerSec: r.charsPerSec, elapsedSec: c.elapsedSec, valLoss: lastVal,
      });
      sumLoss = 0; sumN = 0; charsSince = 0; timeSince = 0;
    }
    if (evalDue) validate();
    const row = c.metrics[c.metrics.length - 1];
    if (row && row.step === c.step) hooks.onMetrics?.(row);
    const patient = s.patience > 0 && row?.step === c.step && row.valLoss !== null && evalsSinceBest() >= s.patience;
    if ((s.saveEvery > 0 && c.step % s.saveEvery === 0) || isLast || patient) hooks.save('last', snapshot());
    if (patient && !isLast) { reason = 'patience'; break; }
    // Yield to the event loop so signal handlers and the progress display can run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (reason === 'time' || reason === 'signal') {
    if (reason === 'time') {
      // The last step gets its metrics row (steps since the last report), so the final validation
      // is recorded beside it for `rnn plot` and the metrics log, as at the end of a full run.
      const row = sumN > 0 ? pushRow() : null;
      validate();
      if (row) hooks.onMetrics?.(row);
    }
    hooks.save('last', snapshot());
  }
  return { cursor: snapshot(), reason, lastValLoss: lastVal };
}

function lastValOf(rows: MetricRow[]): number | null {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.valLoss !== null) return rows[i]!.valLoss;
  return null;
}
