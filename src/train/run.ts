// Carry out a run plan: its engines, where it starts (step 0, the --init-from weights, or the
// resumed checkpoint), and its run directory (last.json, best.json, metrics.jsonl). Display and
// stop requests come in as hooks, so the CLI and the library decide how they are shown and asked.

import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWritableDir } from '../checkpoint/atomic-write.js';
import { saveCheckpoint } from '../checkpoint/io.js';
import { BEST_FILE, LAST_FILE, METRICS_FILE, RUN_FILES } from '../checkpoint/run-dir.js';
import { RuntimeError } from '../errors.js';
import { createEngine, type EngineOptions } from '../kernels/create-engine.js';
import type { Engine } from '../kernels/engine.js';
import { initParams } from '../model/layout.js';
import { createRng } from '../rng.js';
import { EVAL_BATCH, EVAL_SEQ_LEN } from './evaluate.js';
import type { RunPlan } from './plan.js';
import { loadParams, restoreTraining, toCheckpoint, type RunInfo } from './snapshot.js';
import { streamLayout } from './streams.js';
import { freshCursor, runTraining, type TrainCursor, type TrainHooks, type TrainResult } from './trainer.js';

export interface RunEngines {
  train: Engine;
  /** Validation runs on its own batch shape; null when there is no validation text. */
  eval: Engine | null;
  dispose(): void;
}

/** The plan's engines; a kernel fallback notice comes once, from the training engine. */
export async function createRunEngines(plan: RunPlan, opts: EngineOptions): Promise<RunEngines> {
  const { cfg, settings: s } = plan;
  const train = await createEngine(cfg, s.batch, s.seqLen, opts);
  const evalEngine = plan.data.val.length > 1 ? await createEngine(cfg, EVAL_BATCH, EVAL_SEQ_LEN, { ...opts, onNotice: undefined }) : null;
  return { train, eval: evalEngine, dispose: () => { train.dispose(); evalEngine?.dispose(); } };
}

export interface RunHooks extends Pick<TrainHooks, 'onStep' | 'onEval' | 'shouldStop'> {
  log(message: string): void;
  /** Called before each checkpoint write; throwing ends the run without writing it. */
  beforeSave?(): void;
}

export interface RunOutcome extends TrainResult {
  lastPath: string;
  /** Null when no validation ran. */
  bestPath: string | null;
  metricsPath: string;
  /** Windows per epoch. */
  windows: number;
}

export async function runPlan(plan: RunPlan, engines: RunEngines, hooks: RunHooks): Promise<RunOutcome> {
  const { data, settings, out } = plan;
  const engine = engines.train;
  // With --ema, the average of the weights lives beside the engine's buffers, allocated once.
  const average = settings.ema > 0 ? new Float32Array(engine.params.length) : null;
  const cursor = startCursor(plan, engine, average);
  // The output directory is checked before any work is spent.
  checkWritableDir(out);
  const lastPath = join(out, LAST_FILE), bestPath = join(out, BEST_FILE), metricsPath = join(out, METRICS_FILE);
  prepareRunDir(plan, cursor);
  const info: RunInfo = { codePoints: data.vocab.codePoints, docSplit: data.docSplit, settings, corpus: plan.corpus };
  const trainedOn = plan.resumeFrom?.training?.kernel;
  if (trainedOn !== undefined && trainedOn !== engine.variant) {
    hooks.log(`notice: this run was trained on the ${trainedOn} kernel and continues on ${engine.variant}: the two agree to about 1e-6, not bit for bit, so it will not repeat an uninterrupted run exactly`);
  }
  hooks.log(`checkpoints: ${out}/`);
  let metricsError: NodeJS.ErrnoException | null = null;
  const result = await runTraining({
    engine, evalEngine: engines.eval, train: data.train, val: data.val, settings, cursor, timeLimitSec: plan.timeLimitSec, average,
    // A --time run's fixed step count goes into every checkpoint saved after it.
    ...(plan.measure && cursor.step === 0 ? {
      measure: { ...plan.measure, fix: (per: number, el: number, done: number) => (info.settings = plan.measure!.fix(per, el, done, hooks.log)) },
    } : {}),
    hooks: {
      onStep: hooks.onStep,
      onEval: hooks.onEval,
      onMetrics: (row) => {
        try {
          appendFileSync(metricsPath, `${JSON.stringify(row)}\n`);
        } catch (err) {
          metricsError ??= err as NodeJS.ErrnoException;
        }
      },
      save: (kind, cur) => {
        hooks.beforeSave?.();
        saveCheckpoint(kind === 'best' ? bestPath : lastPath, toCheckpoint(engine, cur, info, average));
      },
      // A metrics row that cannot be written stops the run as Ctrl-C does: last.json is saved
      // (it holds the whole history, and a resume rewrites metrics.jsonl from it).
      shouldStop: () => metricsError !== null || (hooks.shouldStop?.() ?? false),
    },
  });
  if (metricsError) {
    throw new RuntimeError(`cannot append to ${metricsPath}: ${ioFailure(metricsError)}; saved ${lastPath} at step ${result.cursor.step}`,
      `free some space, then continue with: rnn train --resume ${lastPath}`);
  }
  return {
    ...result, lastPath, bestPath: result.cursor.bestValLoss !== null ? bestPath : null, metricsPath,
    windows: streamLayout(data.train.length, settings.batch, settings.seqLen).windows,
  };
}

/** A new run replaces every file of a run before it (its directory was refused unless empty of
 *  checkpoints or --force was given), so no best.json or metrics of another run stays behind. A
 *  resume rewrites metrics.jsonl from the checkpoint's history: rows logged after that checkpoint
 *  (before a crash) are dropped, so each step is logged once. */
function prepareRunDir(plan: RunPlan, cursor: TrainCursor): void {
  const metricsPath = join(plan.out, METRICS_FILE);
  try {
    if (plan.replaceOut) for (const f of RUN_FILES) rmSync(join(plan.out, f), { force: true });
    writeFileSync(metricsPath, cursor.metrics.map((row) => `${JSON.stringify(row)}\n`).join(''));
  } catch (err) {
    throw new RuntimeError(`cannot write ${metricsPath}: ${ioFailure(err as NodeJS.ErrnoException)}`, `check the permissions and free space of ${plan.out}`);
  }
}

function ioFailure(e: NodeJS.ErrnoException): string {
  return `${e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EISDIR' ? 'it is a directory' : e.message} (${e.code ?? 'error'})`;
}

/** Where the run starts, with the engine's buffers loaded to match. */
function startCursor(plan: RunPlan, engine: Engine, average: Float32Array | null): TrainCursor {
  if (plan.resumeFrom) return restoreTraining(engine, plan.resumeFrom, average);
  if (plan.initFrom) loadParams(engine, plan.initFrom);
  else initParams(engine.params, plan.cfg, createRng(plan.settings.seed, 'init').next);
  engine.paramsChanged();
  return freshCursor(plan.settings.seed);
}
