// The training loop, top to bottom: schedule → window → dropout masks → forward/backward →
// clip → update → advance cursor; report, evaluate and save on their cadence. Owns no I/O: saving,
// display and stop requests come in as hooks, so the caller decides where things go. Everything
// the loop carries from step to step is in the cursor, so a run stopped anywhere and resumed from
// its checkpoint continues exactly, metrics included.

import { METRICS_EVERY } from '../checkpoint/checkpoint-size.js';
import type { MetricRow } from '../checkpoint/types.js';
import type { Engine, OptimizerSpec, TokenArray } from '../kernels/engine.js';
import { RuntimeError } from '../errors.js';
import { createRng, rngFromState } from '../rng.js';
import type { TrainSettings } from '../settings/train-settings.js';
import { dropoutKeys, maskSpec, setMaskStep } from './dropout.js';
import { evaluateTokensUntil } from './evaluate.js';
import { lrAt } from './schedule.js';
import { median, TIMED_SKIP } from './time-budget.js';
import { fillWindow, streamLayout, type StreamLayout } from './streams.js';
import { createWeightDrop, fillWeightMask, forwardBackwardDropped, type WeightDrop } from './weight-drop.js';

/** The steps since the last metrics row: what that row will average. */
export interface RowSums {
  loss: number;
  steps: number;
  chars: number;
  sec: number;
}

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
  rowSums: RowSums;
  /** A stop request came during this step's validation: the step is taken, its validation (and
   *  what follows it: the metrics row's report, the saves) is still to do. Absent: false. */
  pendingEval?: boolean;
}

/** The cursor of a new run with this seed. */
export function freshCursor(seed: number): TrainCursor {
  return {
    step: 0, epoch: 0, window: 0, rng: createRng(seed, 'dropout').state(), elapsedSec: 0,
    bestValLoss: null, bestStep: null, firstLoss: null, metrics: [], rowSums: { loss: 0, steps: 0, chars: 0, sec: 0 },
    pendingEval: false,
  };
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
  /** A --time run's step count is fixed after its first `afterSteps` steps (whose learning rate
   *  does not depend on the count), or once `bySec` of training time have passed if sooner: `fix`
   *  gets their median or mean seconds per step (the first quarter left out: page faults,
   *  caches), the training time so far and the steps done, and returns the settings the rest of
   *  the run follows. Called once, by a run started at step 0. */
  measure?: { afterSteps: number; statistic: 'median' | 'mean'; bySec?: number; fix(secPerStep: number, elapsedSec: number, doneSteps: number): TrainSettings };
  /** With settings.ema > 0: the average of the weights (P), which validation scores; updated after
   *  every step, and started as a copy of the weights after the first. */
  average?: Float32Array | null;
  reportEvery?: number;
}

export type StopReason = 'steps' | 'time' | 'signal' | 'patience';

export interface TrainResult {
  cursor: TrainCursor;
  /** The settings the run ended with (a --time run's fixed step count in them). */
  settings: TrainSettings;
  reason: StopReason;
  lastValLoss: number | null;
}

/** Explosion guard as in char-rnn: a train loss above 3× the yardstick aborts the run. The
 *  yardstick is the first loss, or the loss of guessing uniformly (ln V) when that is higher: a
 *  fine-tune (--init-from) starts low, and an ordinary harder window must not trip it. */
const EXPLODE_FACTOR = 3;

export function optimizerSpec(s: TrainSettings): OptimizerSpec {
  return { kind: s.optimizer, beta1: s.beta1, beta2: s.beta2, eps: s.eps, weightDecay: s.weightDecay };
}

/** The loop's state: the options, the cursor it advances, and the buffers it reuses every step. */
interface Loop {
  o: TrainOptions;
  /** The settings in force: o.settings until a --time measurement fixes the step count. */
  s: TrainSettings;
  c: TrainCursor;
  lay: StreamLayout;
  x: Int32Array;
  y: Int32Array;
  opt: OptimizerSpec;
  keys: [number, number];
  masks: ReturnType<typeof maskSpec>;
  /** --weight-drop's mask and saved weights, or null. */
  wd: WeightDrop | null;
  lastVal: number | null;
  lastLr: number;
  lastNorm: number;
  /** --time: the timed steps' seconds, and the training time after the step before. */
  timed: { sec: Float64Array; lastElapsed: number; fromElapsed: number; done: boolean } | null;
}

export async function runTraining(o: TrainOptions): Promise<TrainResult> {
  const loop = startLoop(o);
  const { c } = loop, reportEvery = o.reportEvery ?? METRICS_EVERY;
  let reason: StopReason = 'steps';
  // A run stopped during a validation resumes with it: its step was taken, its validation was not.
  if (c.pendingEval) reason = (await finishStep(loop, true)) ?? 'steps';
  while (reason === 'steps' && c.step < loop.s.steps) {
    if (o.timeLimitSec !== undefined && c.elapsedSec >= o.timeLimitSec) { reason = 'time'; break; }
    if (o.hooks.shouldStop?.()) { reason = 'signal'; break; }
    trainStep(loop);
    if (o.measure) measureStep(loop, o.measure);
    const s = loop.s;
    const evalDue = (s.evalEvery > 0 && c.step % s.evalEvery === 0) || c.step === s.steps;
    if (c.step % reportEvery === 0 || evalDue) reportRow(loop);
    const stop = await finishStep(loop, evalDue);
    if (stop) { reason = stop; break; }
    // Yield to the event loop so signal handlers and the progress display can run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (reason === 'time') {
    // The last step gets its metrics row (steps since the last report), so the final validation
    // is recorded beside it for `rnn plot` and the metrics log, as at the end of a full run.
    const row = c.rowSums.steps > 0 ? pushRow(loop) : null;
    if (await validate(loop)) { if (row) o.hooks.onMetrics?.(row); } else { c.pendingEval = true; reason = 'signal'; }
  }
  // A signal stop keeps the row being accumulated in the cursor, so the resumed run's next row
  // averages the same steps as an uninterrupted run's.
  if (reason === 'time' || reason === 'signal') o.hooks.save('last', snapshot(c));
  return { cursor: snapshot(c), settings: loop.s, reason, lastValLoss: loop.lastVal };
}

function startLoop(o: TrainOptions): Loop {
  const { engine } = o;
  const keys = dropoutKeys(rngFromState(o.cursor.rng));
  const c: TrainCursor = { ...o.cursor, metrics: [...o.cursor.metrics], rowSums: { ...o.cursor.rowSums } };
  return {
    o, s: o.settings, c, lay: streamLayout(o.train.length, engine.batch, engine.seqLen),
    x: new Int32Array(engine.batch * engine.seqLen), y: new Int32Array(engine.batch * engine.seqLen),
    opt: optimizerSpec(o.settings), keys, masks: maskSpec(keys, c.step, engine.cfg.dropout, o.settings.dropoutMode),
    wd: o.settings.weightDrop > 0 ? createWeightDrop(engine.layout, o.settings.weightDrop) : null,
    lastVal: c.metrics.length ? lastValOf(c.metrics) : null, lastLr: 0, lastNorm: 0,
    // A mean needs only the training time where its steps begin; a median, every step (a warmup's few hundred).
    timed: o.measure ? { sec: new Float64Array(o.measure.statistic === 'median' ? o.measure.afterSteps : 0), lastElapsed: c.elapsedSec, fromElapsed: c.elapsedSec, done: false } : null,
  };
}

/** The --time measurement: the median or mean time of the steps from a quarter of afterSteps on
 *  (all of them when bySec comes first), then the count is fixed. */
function measureStep(loop: Loop, m: NonNullable<TrainOptions['measure']>): void {
  const { c } = loop, t = loop.timed!, M = m.afterSteps, from = Math.floor(M / TIMED_SKIP);
  if (t.done) return;
  if (m.statistic === 'median') t.sec[c.step - 1] = c.elapsedSec - t.lastElapsed;
  if (c.step === from) t.fromElapsed = c.elapsedSec;
  t.lastElapsed = c.elapsedSec;
  if (c.step < M && !(m.bySec !== undefined && c.elapsedSec >= m.bySec)) return;
  t.done = true;
  const k = c.step > from ? from : 0, k0 = k ? t.fromElapsed : 0;
  const per = m.statistic === 'mean' ? (c.elapsedSec - k0) / (c.step - k) : median(t.sec.subarray(k, c.step));
  loop.s = m.fix(per, c.elapsedSec, c.step);
}

/** One optimizer step on the cursor's window, then the cursor moves to the next window. */
function trainStep(loop: Loop): void {
  const { o: { engine }, s, c } = loop;
  const t0 = performance.now();
  const lr = lrAt(c.step, s);
  fillWindow(loop.o.train, loop.lay, c.window, loop.x, loop.y);
  if (engine.cfg.dropout > 0) engine.fillMasks(setMaskStep(loop.masks, loop.keys, c.step));
  if (loop.wd) fillWeightMask(loop.wd, loop.keys, c.step);
  const loss = loop.wd ? forwardBackwardDropped(engine, loop.wd, loop.x, loop.y) : engine.forwardBackward(loop.x, loop.y);
  const norm = Math.sqrt(engine.gradNormSq());
  checkDiverged(c, loss, norm, s, engine.cfg.vocabSize);
  if (s.clip > 0 && norm > s.clip) engine.scaleGrads(s.clip / (norm + 1e-6));
  engine.optimizerStep(loop.opt, lr, c.step + 1);
  c.step++;
  if (loop.o.average) updateAverage(loop.o.average, engine.params, s.ema, c.step);
  c.window++;
  if (c.window >= loop.lay.windows) { c.window = 0; c.epoch++; engine.resetState(); }
  const dt = (performance.now() - t0) / 1000;
  c.elapsedSec += dt;
  const r = c.rowSums;
  r.sec += dt; r.chars += engine.lastCount; r.loss += loss; r.steps++;
  loop.lastLr = lr;
  loop.lastNorm = norm;
}

function checkDiverged(c: TrainCursor, loss: number, norm: number, s: TrainSettings, V: number): void {
  const hint = `try a lower --lr (now ${s.lr}) or a smaller --clip (now ${s.clip})`;
  if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
    throw new RuntimeError(`training diverged at step ${c.step + 1}: ${!Number.isFinite(loss) ? 'loss' : 'gradient norm'} is ${!Number.isFinite(loss) ? loss : norm}`, hint);
  }
  c.firstLoss ??= loss;
  const yardstick = Math.max(c.firstLoss, Math.log(V));
  if (loss > EXPLODE_FACTOR * yardstick) {
    throw new RuntimeError(`training diverged at step ${c.step + 1}: loss ${loss.toFixed(3)} is over ${EXPLODE_FACTOR}× ${yardstick === c.firstLoss ? `the first loss ${c.firstLoss.toFixed(3)}` : `ln V = ${yardstick.toFixed(3)}, the loss of a uniform guess`}`, hint);
  }
}

/** The exponential moving average of torch.optim.swa_utils.AveragedModel with
 *  get_ema_multi_avg_fn(decay): the weights themselves after the first step, then
 *  avg ← decay·avg + (1 − decay)·w after each (in float32, entry by entry: the same for any thread
 *  count). */
export function updateAverage(avg: Float32Array, w: ArrayLike<number>, decay: number, step: number): void {
  if (step === 1) { for (let i = 0; i < avg.length; i++) avg[i] = w[i]!; return; }
  const keep = 1 - decay;
  for (let i = 0; i < avg.length; i++) avg[i] = decay * avg[i]! + keep * w[i]!;
}

/** The metrics row of the steps since the last one (the last step's rate and gradient norm). */
function pushRow(loop: Loop): MetricRow {
  const { c } = loop, r = c.rowSums;
  const row = { step: c.step, time: c.elapsedSec, trainLoss: r.loss / r.steps, valLoss: null, lr: loop.lastLr, gradNorm: loop.lastNorm, charsPerSec: r.chars / Math.max(r.sec, 1e-9) };
  c.metrics.push(row);
  r.loss = 0; r.steps = 0; r.chars = 0; r.sec = 0; // in place: snapshots take copies
  return row;
}

function reportRow(loop: Loop): void {
  const { c, o } = loop;
  const row = pushRow(loop);
  o.hooks.onStep?.({
    step: c.step, totalSteps: loop.s.steps, epoch: c.epoch + c.window / loop.lay.windows, trainLoss: row.trainLoss,
    lr: loop.lastLr, gradNorm: loop.lastNorm, charsPerSec: row.charsPerSec, elapsedSec: c.elapsedSec, valLoss: loop.lastVal,
  });
}

/** After a step: its validation when due, its metrics row, its saves, and whether to stop here:
 *  'signal' when a stop request came during the validation (the cursor then marks it pending, and
 *  a resumed run validates this step first), 'patience' when early stopping ends the run. */
async function finishStep(loop: Loop, evalDue: boolean): Promise<'signal' | 'patience' | null> {
  const { o, c } = loop, s = loop.s;
  if (evalDue && !(await validate(loop))) { c.pendingEval = true; return 'signal'; }
  c.pendingEval = false;
  const isLast = c.step === s.steps;
  const row = c.metrics[c.metrics.length - 1];
  if (row && row.step === c.step) o.hooks.onMetrics?.(row);
  const patient = s.patience > 0 && row?.step === c.step && row.valLoss !== null && evalsSinceBest(c) >= s.patience;
  if ((s.saveEvery > 0 && c.step % s.saveEvery === 0) || isLast || patient) o.hooks.save('last', snapshot(c));
  return patient && !isLast ? 'patience' : null;
}

/** Validate the current weights; false when a stop request cut it short (nothing recorded). */
async function validate(loop: Loop): Promise<boolean> {
  const { o, c } = loop;
  if (!o.evalEngine || !o.val || o.val.length < 2) return true;
  o.evalEngine.params.set(o.average ?? o.engine.params);
  o.evalEngine.paramsChanged();
  const sum = await evaluateTokensUntil(o.evalEngine, o.val, loop.s.valChars, () => o.hooks.shouldStop?.() ?? false);
  if (!sum) return false;
  const v = sum.nats / sum.count;
  loop.lastVal = v;
  const improved = c.bestValLoss === null || v < c.bestValLoss;
  if (improved) { c.bestValLoss = v; c.bestStep = c.step; }
  const row = c.metrics[c.metrics.length - 1];
  if (row && row.step === c.step) row.valLoss = v;
  o.hooks.onEval?.(c.step, v, improved);
  if (improved) o.hooks.save('best', snapshot(c));
  return true;
}

/** Early stopping counts evaluations since the best one, from the metrics, so a resumed run
 *  counts on where it left off. */
function evalsSinceBest(c: TrainCursor): number {
  let n = 0;
  for (let i = c.metrics.length - 1; i >= 0; i--) {
    const r = c.metrics[i]!;
    if (r.valLoss === null) continue;
    if (r.step === c.bestStep) return n;
    n++;
  }
  return n;
}

function snapshot(c: TrainCursor): TrainCursor {
  return { ...c, rowSums: { ...c.rowSums } };
}

function lastValOf(rows: MetricRow[]): number | null {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i]!.valLoss !== null) return rows[i]!.valLoss;
  return null;
}
