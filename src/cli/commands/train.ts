// `rnn train`: read the corpus, build the model, run the training loop with checkpoints, progress
// and signal handling. Reads top to bottom as the list of steps it performs.

import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWritableDir } from '../../checkpoint/atomic-write.js';
import { saveCheckpoint } from '../../checkpoint/io.js';
import type { DocSplit, TrainSettings } from '../../checkpoint/types.js';
import { DataError, InterruptedError } from '../../errors.js';
import type { Engine } from '../../kernels/engine.js';
import { createEngine } from '../../kernels/create-engine.js';
import type { CellType, ModelConfig } from '../../model/config.js';
import { initParams } from '../../model/layout.js';
import { createRng } from '../../rng.js';
import { DEFAULT_STEPS, defaultLr, EVAL_BATCH, EVAL_SEQ_LEN, OPTIMIZER_BETAS } from '../../train/defaults.js';
import { prepareData } from '../../train/prepare-data.js';
import { toCheckpoint, type RunInfo } from '../../train/snapshot.js';
import { streamLayout } from '../../train/streams.js';
import { runTraining, type TrainCursor } from '../../train/trainer.js';
import { createReporter, formatDuration } from '../progress.js';
import { BEST_FILE, LAST_FILE, METRICS_FILE, resolveOutDir } from '../run-dir.js';

interface TrainFlags {
  docSplit: DocSplit | 'auto'; valFraction: number; maxVocab: number;
  cell: CellType; layers: number; hidden: number; dropout: number;
  batch: number; seqLen: number; optimizer: TrainSettings['optimizer']; lr?: number;
  beta1?: number; beta2?: number; eps: number; weightDecay: number; clip: number;
  lrSchedule: TrainSettings['lrSchedule']; warmup: number; lrMin: number; lrDecay: number; lrDecayEvery: number;
  steps?: number; epochs?: number; time?: number;
  out?: string; evalEvery: number; saveEvery: number; force?: boolean;
  seed: number; quiet?: boolean; json?: boolean;
}

/** The bundled default corpus, materialised by the build step (corpora/build-names.mjs). */
export const DEFAULT_CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../corpora/names.txt');

const LN2 = Math.log(2);

export async function trainMain(corpusArgs: string[], raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as TrainFlags;
  const report = createReporter({ quiet: !!f.quiet, tty: !!process.stderr.isTTY });
  const paths = corpusArgs.length ? corpusArgs : [DEFAULT_CORPUS];
  if (!corpusArgs.length) report.info(`corpus: ${paths[0]} (the bundled default)`);

  // 1. Data.
  const data = await prepareData(paths, f.docSplit, f.valFraction, f.maxVocab, f.seed);
  const V = data.vocab.codePoints.length + 1;
  report.info(`data: ${data.docSplit} split, vocabulary ${V} (EOS + ${V - 1} characters); `
    + `train ${data.trainChars.toLocaleString('en-US')} chars in ${data.trainDocs.toLocaleString('en-US')} docs, `
    + `val ${data.valChars.toLocaleString('en-US')} chars in ${data.valDocs.toLocaleString('en-US')} docs`);

  // 2. Batch shape: shrink B, then T, for a corpus too small for one full window.
  const targets = data.train.length - 1;
  if (targets < 2) throw new DataError('the training text is too small: it needs at least 2 characters', 'give a larger corpus, or lower --val-fraction');
  let B = f.batch, T = f.seqLen;
  if (targets < B * T) {
    T = Math.min(T, targets);
    B = Math.max(1, Math.min(B, Math.floor(targets / T)));
    report.info(`notice: the training text (${targets} targets) is smaller than one window of --batch ${f.batch} × --seq-len ${f.seqLen}; using --batch ${B} --seq-len ${T}`);
  }

  // 3. Model and engines.
  const cfg: ModelConfig = { cell: f.cell, layers: f.layers, hidden: f.hidden, vocabSize: V, dropout: f.dropout };
  const engine = await createEngine(cfg, B, T);
  const evalEngine = data.val.length > 1 ? await createEngine(cfg, EVAL_BATCH, EVAL_SEQ_LEN) : null;
  try {
    initParams(engine.params, cfg, createRng(f.seed, 'init').next);

    // 4. Budget, resolved to a step count so the schedule is fixed from the start.
    const windows = streamLayout(data.train.length, B, T).windows;
    const steps = f.steps ?? (f.epochs !== undefined ? Math.max(1, Math.ceil(f.epochs * windows))
      : f.time !== undefined ? calibrateSteps(engine, f.time) : DEFAULT_STEPS);
    if (f.steps === undefined && f.time !== undefined) report.info(`calibrated: --time ${formatDuration(f.time)} ≈ --steps ${steps} on this machine`);
    const evalEvery = f.evalEvery || Math.max(1, Math.round(steps / 10));
    const betas = OPTIMIZER_BETAS[f.optimizer];
    const settings: TrainSettings = {
      batch: B, seqLen: T, lr: f.lr ?? defaultLr(f.hidden), lrSchedule: f.lrSchedule, warmup: f.warmup, lrDecay: f.lrDecay,
      lrDecayEvery: f.lrDecayEvery, lrMin: f.lrMin, optimizer: f.optimizer, beta1: f.beta1 ?? betas.beta1,
      beta2: f.beta2 ?? betas.beta2, eps: f.eps, weightDecay: f.weightDecay, clip: f.clip, steps, seed: f.seed,
      evalEvery, saveEvery: f.saveEvery || evalEvery, valFraction: f.valFraction,
    };
    report.info(`model: ${cfg.layers}×${cfg.hidden} ${cfg.cell.toUpperCase()}, ${engine.layout.size.toLocaleString('en-US')} parameters; `
      + `${steps} steps of ${B}×${T} chars (${(steps / windows).toFixed(2)} epochs), lr ${settings.lr}`);

    // 5. Output directory, checked before any work is spent.
    const out = resolveOutDir(f.out, corpusArgs.length ? corpusArgs : ['names'], !!f.force);
    checkWritableDir(out);
    const lastPath = join(out, LAST_FILE), bestPath = join(out, BEST_FILE), metricsPath = join(out, METRICS_FILE);
    writeFileSync(metricsPath, '');
    const info: RunInfo = {
      codePoints: data.vocab.codePoints, docSplit: data.docSplit, settings,
      corpus: {
        paths: paths.map((p) => (p === '-' ? '-' : resolve(p))), trainTokens: data.train.length, valTokens: data.val.length,
        trainDocs: data.trainDocs, valDocs: data.valDocs,
      },
    };
    report.info(`checkpoints: ${out}/`);

    // 6. Signals: the first asks the loop to save and stop; a second exits at once (the last
    //    checkpoint on disk is complete, because every save is write-then-rename).
    let signal: 'SIGINT' | 'SIGTERM' | null = null;
    const onSignal = (sig: 'SIGINT' | 'SIGTERM') => (): void => {
      if (signal) process.exit(sig === 'SIGINT' ? 130 : 143);
      signal = sig;
      report.info(`${sig}: saving a checkpoint, then stopping (press Ctrl-C again to quit at once)`);
    };
    const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);

    // 7. Train.
    const cursor: TrainCursor = {
      step: 0, epoch: 0, window: 0, rng: createRng(f.seed, 'dropout').state(), elapsedSec: 0,
      bestValLoss: null, bestStep: null, metrics: [],
    };
    report.start(steps, 0);
    let result;
    try {
      result = await runTraining({
        engine, evalEngine, train: data.train, val: data.val, settings, cursor,
        timeLimitSec: f.steps === undefined ? f.time : undefined,
        hooks: {
          onStep: (s) => report.step(s),
          onEval: (step, v, improved) => report.evaluated(step, v, improved),
          onMetrics: (row) => appendFileSync(metricsPath, `${JSON.stringify(row)}\n`),
          save: (kind, cur) => saveCheckpoint(kind === 'best' ? bestPath : lastPath, toCheckpoint(engine, cur, info)),
          shouldStop: () => signal !== null,
        },
      });
    } finally {
      report.stop();
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    }

    // 8. Summary.
    const c = result.cursor;
    const best = c.bestValLoss;
    report.info(`trained ${c.step} steps in ${formatDuration(c.elapsedSec)} (${Math.round((c.step * B * T) / Math.max(c.elapsedSec, 1e-9)).toLocaleString('en-US')} chars/s)`
      + (best !== null ? `; best val ${best.toFixed(4)} nats/char = ${(best / LN2).toFixed(4)} bits/char at step ${c.bestStep}` : ''));
    report.info(`saved ${lastPath}${best !== null ? ` and ${bestPath}` : ''}`);
    if (signal) throw new InterruptedError(`interrupted by ${signal} at step ${c.step}; saved ${lastPath}`, signal);
    if (!f.quiet) report.info(`next: rnn sample ${best !== null ? bestPath : lastPath}`);
    if (f.json) {
      process.stdout.write(`${JSON.stringify({
        steps: c.step, epochs: c.epoch + c.window / windows, elapsedSec: c.elapsedSec, stopReason: result.reason,
        bestValLoss: best, bestValBitsPerChar: best === null ? null : best / LN2, bestStep: c.bestStep,
        lastValLoss: result.lastValLoss, checkpoint: lastPath, best: best !== null ? bestPath : null, metrics: metricsPath, settings,
      })}\n`);
    }
  } finally {
    engine.dispose();
    evalEngine?.dispose();
  }
}

/** Steps that fit in `seconds` on this machine: time a few forward/backward passes without
 *  changing anything (state is restored, no update is applied), so the run itself is exactly what
 *  `--steps N` with the printed N would give. */
function calibrateSteps(engine: Engine, seconds: number): number {
  const saved = Float64Array.from(engine.state);
  const x = new Int32Array(engine.batch * engine.seqLen), y = new Int32Array(engine.batch * engine.seqLen);
  if (engine.masks.length) engine.masks.fill(1);
  engine.forwardBackward(x, y); // warm-up
  const t0 = performance.now();
  let n = 0;
  while (n < 3 || (performance.now() - t0 < Math.min(3000, seconds * 20) && n < 50)) { engine.forwardBackward(x, y); n++; }
  const per = (performance.now() - t0) / 1000 / n;
  engine.state.set(saved);
  return Math.max(1, Math.floor(seconds / (per * 1.03)));
}
