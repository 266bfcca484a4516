// Carry out a run plan: its engines, where it starts (step 0, the --init-from weights, or the
// resumed checkpoint), and its run directory (last.json, best.json, metrics.jsonl). Display and
// stop requests come in as hooks, so the CLI and the library decide how they are shown and asked.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkWritableDir } from '../checkpoint/atomic-write.js';
import { saveCheckpoint } from '../checkpoint/io.js';
import { BEST_FILE, LAST_FILE, METRICS_FILE } from '../checkpoint/run-dir.js';
import { createEngine, type EngineOptions } from '../kernels/create-engine.js';
import type { Engine } from '../kernels/engine.js';
import { initParams } from '../model/layout.js';
import { createRng } from '../rng.js';
import { EVAL_BATCH, EVAL_SEQ_LEN } from './evaluate.js';
import type { RunPlan } from './plan.js';
import { loadParams, restoreTraining, toCheckpoint, type RunInfo } from './snapshot.js';
import { streamLayout } from './streams.js';
import { runTraining, type TrainCursor, type TrainHooks, type TrainResult } from './trainer.js';

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
  const cursor = startCursor(plan, engine);
  // The output directory is checked before any work is spent.
  checkWritableDir(out);
  const lastPath = join(out, LAST_FILE), bestPath = join(out, BEST_FILE), metricsPath = join(out, METRICS_FILE);
  if (!plan.resumeFrom) writeFileSync(metricsPath, '');
  const info: RunInfo = {
    codePoints: data.vocab.codePoints, docSplit: data.docSplit, settings,
    corpus: {
      paths: plan.paths.map((p) => (p === '-' ? '-' : resolve(p))), trainTokens: data.train.length, valTokens: data.val.length,
      trainDocs: data.trainDocs, valDocs: data.valDocs,
    },
  };
  hooks.log(`checkpoints: ${out}/`);
  const result = await runTraining({
    engine, evalEngine: engines.eval, train: data.train, val: data.val, settings, cursor, timeLimitSec: plan.timeLimitSec,
    hooks: {
      onStep: hooks.onStep,
      onEval: hooks.onEval,
      onMetrics: (row) => appendFileSync(metricsPath, `${JSON.stringify(row)}\n`),
      save: (kind, cur) => {
        hooks.beforeSave?.();
        saveCheckpoint(kind === 'best' ? bestPath : lastPath, toCheckpoint(engine, cur, info));
      },
      shouldStop: hooks.shouldStop,
    },
  });
  return {
    ...result, lastPath, bestPath: result.cursor.bestValLoss !== null ? bestPath : null, metricsPath,
    windows: streamLayout(data.train.length, settings.batch, settings.seqLen).windows,
  };
}

/** Where the run starts, with the engine's buffers loaded to match. */
function startCursor(plan: RunPlan, engine: Engine): TrainCursor {
  if (plan.resumeFrom) return restoreTraining(engine, plan.resumeFrom);
  if (plan.initFrom) loadParams(engine, plan.initFrom);
  else initParams(engine.params, plan.cfg, createRng(plan.settings.seed, 'init').next);
  engine.paramsChanged();
  return {
    step: 0, epoch: 0, window: 0, rng: createRng(plan.settings.seed, 'dropout').state(), elapsedSec: 0,
    bestValLoss: null, bestStep: null, firstLoss: null, metrics: [],
  };
}
