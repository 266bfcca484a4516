// `rnn train`: read the corpus, build the model, run the training loop with checkpoints, progress
// and signal handling. Reads top to bottom as the list of steps it performs.

import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWritableDir } from '../../checkpoint/atomic-write.js';
import { checkCheckpointFits, loadCheckpoint, saveCheckpoint } from '../../checkpoint/io.js';
import type { Checkpoint, DocSplit, TrainSettings } from '../../checkpoint/types.js';
import { DataError, InterruptedError, UsageError } from '../../errors.js';
import type { Engine } from '../../kernels/engine.js';
import { createEngine, defaultThreads, resolveKernel, type EngineOptions, type KernelName } from '../../kernels/create-engine.js';
import { stateCount, type CellType, type ModelConfig } from '../../model/config.js';
import { buildLayout, initParams } from '../../model/layout.js';
import { createRng } from '../../rng.js';
import { DEFAULT_STEPS, defaultLr, EVAL_BATCH, EVAL_SEQ_LEN, OPTIMIZER_BETAS } from '../../train/defaults.js';
import { maskSpec } from '../../train/dropout.js';
import { MIN_CHARS_PER_PARAM, MIN_EPOCHS, pickSettings } from '../../train/auto-settings.js';
import { prepareData, type PreparedData } from '../../train/prepare-data.js';
import { loadParams, modelConfigOf, restoreTraining, toCheckpoint, type RunInfo } from '../../train/snapshot.js';
import { streamLayout } from '../../train/streams.js';
import { generate } from '../../sample/sampler.js';
import { runTraining, type TrainCursor } from '../../train/trainer.js';
import { createReporter, formatDuration, type Reporter } from '../progress.js';
import { BEST_FILE, LAST_FILE, METRICS_FILE, resolveOutDir } from '../run-dir.js';

interface TrainFlags {
  docSplit: DocSplit | 'auto'; valFraction: number; maxVocab: number;
  cell: CellType; layers: number; hidden: number; dropout: number; dropoutMode: TrainSettings['dropoutMode']; patience: number;
  batch: number; seqLen: number; optimizer: TrainSettings['optimizer']; lr?: number;
  beta1?: number; beta2?: number; eps: number; weightDecay: number; clip: number;
  lrSchedule: TrainSettings['lrSchedule']; warmup: number; lrMin: number; lrDecay: number; lrDecayEvery: number;
  steps?: number; epochs?: number; time?: number;
  out?: string; evalEvery: number; saveEvery: number; force?: boolean;
  seed: number; quiet?: boolean; json?: boolean; resume?: string; initFrom?: string;
  kernel: KernelName; threads?: number;
}

/** The bundled default corpus, materialised by the build step (corpora/build-names.mjs). */
export const DEFAULT_CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../corpora/names.txt');

const LN2 = Math.log(2);

/** Flags that fix the model, the data or the schedule: they conflict with --resume. */
const FIXED_BY_CHECKPOINT = ['initFrom', 'docSplit', 'valFraction', 'cell', 'layers', 'hidden', 'dropout', 'batch', 'seqLen',
  'optimizer', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'clip', 'lrSchedule', 'warmup', 'lrMin', 'lrDecay', 'lrDecayEvery',
  'epochs', 'time', 'seed', 'dropoutMode'];

/** Settings a time budget chooses unless the flag is given. */
const AUTO_FLAGS = ['cell', 'layers', 'hidden', 'dropout', 'batch', 'seqLen', 'lr', 'warmup'] as const;

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** What `rnn train` will run: fresh or resumed, everything decided before any step. */
interface RunPlan {
  data: PreparedData;
  cfg: ModelConfig;
  settings: TrainSettings;
  /** Set: continue this checkpoint's run exactly. */
  resumeFrom: Checkpoint | null;
  /** Set: a new run starting from these weights (fresh optimizer, step 0). */
  initFrom: Checkpoint | null;
  out: string;
  paths: string[];
  timeLimitSec?: number;
}

export async function trainMain(corpusArgs: string[], raw: Record<string, unknown>, given: (flag: string) => boolean = () => false): Promise<void> {
  const f = raw as unknown as TrainFlags;
  const report = createReporter({ quiet: !!f.quiet, tty: !!process.stderr.isTTY });
  if (f.resume !== undefined && f.initFrom !== undefined) throw new UsageError('--resume and --init-from cannot be combined', '--resume continues a run; --init-from starts a new one from its weights');
  const plan = f.resume !== undefined ? await planResume(f, corpusArgs, given, report) : await planFresh(f, corpusArgs, given, report);
  await execute(plan, f, report);
}

async function planFresh(f: TrainFlags, corpusArgs: string[], given: (flag: string) => boolean, report: Reporter): Promise<RunPlan> {
  const paths = corpusArgs.length ? corpusArgs : [DEFAULT_CORPUS];
  if (!corpusArgs.length) report.info(`corpus: ${paths[0]} (the bundled default)`);
  const init = f.initFrom !== undefined ? loadCheckpoint(f.initFrom) : null;
  if (init) {
    const arch = ['cell', 'layers', 'hidden'].filter(given);
    if (arch.length) throw new UsageError(`--init-from takes the architecture from the checkpoint, so ${arch.map((k) => `--${k}`).join(', ')} cannot be set`, 'drop those flags');
    f.cell = init.model.cell; f.layers = init.model.layers; f.hidden = init.model.hidden;
    if (!given('docSplit')) f.docSplit = init.vocab.docSplit;
    report.info(`starting from the weights of ${f.initFrom} (${init.model.layers}×${init.model.hidden} ${init.model.cell.toUpperCase()}), with a fresh optimizer`);
  }
  const data = await prepareData(paths, f.docSplit, f.valFraction, f.maxVocab, f.seed, init ? { codePoints: init.vocab.codePoints } : undefined);
  reportData(data, report);

  const targets = data.train.length - 1;
  if (targets < 2) throw new DataError('the training text is too small: it needs at least 2 characters', 'give a larger corpus, or lower --val-fraction');
  const V = data.vocab.codePoints.length + 1;

  // A time budget without model flags: pick the model for this corpus, budget and machine.
  const auto = f.steps === undefined && f.epochs === undefined && f.time !== undefined && !init;
  let autoSec = 0;
  if (auto) {
    const fixed = Object.fromEntries(AUTO_FLAGS.filter(given).map((k) => [k, f[k]]));
    report.info(`choosing settings for --time ${formatDuration(f.time!)}: measuring this machine…`);
    const choice = await pickSettings({
      trainChars: targets, vocabSize: V, budgetSec: f.time!, given: fixed,
      // about a second per size, less for short budgets (at least two steps each)
      measure: (m, b, t) => measureStep({ ...m, vocabSize: V }, b, t, f, Math.min(1, f.time! / 100)),
    });
    report.info(`measured: ${choice.measured.map((m) => `${m.layers}×${m.hidden} ${m.epochs.toFixed(1)} epochs ${m.charsPerParam.toFixed(m.charsPerParam < 100 ? 1 : 0)} chars/param`).join(', ')}; `
      + `picked the largest with ≥ ${MIN_EPOCHS} epochs and ≥ ${MIN_CHARS_PER_PARAM} chars/param (or the smallest)`);
    f.cell = choice.cell; f.layers = choice.layers; f.hidden = choice.hidden; f.dropout = choice.dropout;
    f.batch = choice.batch; f.seqLen = choice.seqLen; f.lr = choice.lr; f.warmup = choice.warmup;
    autoSec = choice.secPerStep;
  }

  // Batch shape: shrink B, then T, for a corpus too small for one full window.
  let B = f.batch, T = f.seqLen;
  if (targets < B * T) {
    T = Math.min(T, targets);
    B = Math.max(1, Math.min(B, Math.floor(targets / T)));
    report.info(`notice: the training text (${targets} targets) is smaller than one window of --batch ${f.batch} × --seq-len ${f.seqLen}; using --batch ${B} --seq-len ${T}`);
  }
  const cfg: ModelConfig = { cell: f.cell, layers: f.layers, hidden: f.hidden, vocabSize: V, dropout: f.dropout };

  // Budget, resolved to a step count so the schedule is fixed from the start.
  const windows = streamLayout(data.train.length, B, T).windows;
  let steps = f.steps ?? (f.epochs !== undefined ? Math.max(1, Math.ceil(f.epochs * windows)) : DEFAULT_STEPS);
  if (f.steps === undefined && f.epochs === undefined && f.time !== undefined) {
    const per = auto && B === f.batch && T === f.seqLen ? autoSec : await measureStep(cfg, B, T, f, Math.min(3, f.time / 20));
    steps = Math.max(1, Math.floor(f.time / per));
    report.info(`calibrated: --time ${formatDuration(f.time)} ≈ --steps ${steps} on this machine`);
  }
  const evalEvery = f.evalEvery || Math.max(1, Math.round(steps / 10));
  const betas = OPTIMIZER_BETAS[f.optimizer];
  const settings: TrainSettings = {
    batch: B, seqLen: T, lr: f.lr ?? defaultLr(f.hidden), lrSchedule: f.lrSchedule, warmup: f.warmup, lrDecay: f.lrDecay,
    lrDecayEvery: f.lrDecayEvery, lrMin: f.lrMin, optimizer: f.optimizer, beta1: f.beta1 ?? betas.beta1,
    beta2: f.beta2 ?? betas.beta2, eps: f.eps, weightDecay: f.weightDecay, clip: f.clip, steps, seed: f.seed,
    evalEvery, saveEvery: f.saveEvery || evalEvery, valFraction: f.valFraction, dropoutMode: f.dropoutMode, patience: f.patience,
  };
  settings.flags = equivalentFlags(cfg, settings, data.docSplit);
  if (f.time !== undefined) report.info(`to repeat this run exactly: rnn train ${corpusArgs.join(' ')}${corpusArgs.length ? ' ' : ''}${settings.flags}`);
  const out = resolveOutDir(f.out, corpusArgs.length ? corpusArgs : ['names'], !!f.force);
  return { data, cfg, settings, resumeFrom: null, initFrom: init, out, paths, timeLimitSec: f.steps === undefined && f.epochs === undefined ? f.time : undefined };
}

async function planResume(f: TrainFlags, corpusArgs: string[], given: (flag: string) => boolean, report: Reporter): Promise<RunPlan> {
  const ck = loadCheckpoint(f.resume!);
  const tr = ck.training;
  if (!tr) throw new UsageError(`${f.resume} holds weights only, no training state to resume`, 'use --init-from to start a new run from these weights');
  // A flag may repeat the checkpoint's value (re-running the same command with --resume); it may not change it.
  const fixed: Record<string, unknown> = { ...tr.settings, ...ck.model, docSplit: ck.vocab.docSplit };
  const flags = f as unknown as Record<string, unknown>;
  const conflicts = FIXED_BY_CHECKPOINT.filter((k) => given(k) && !(k in fixed && fixed[k] === flags[k]));
  if (conflicts.length) {
    throw new UsageError(`--resume continues the checkpoint's run exactly, so ${conflicts.map((k) => `--${kebab(k)}`).join(', ')} cannot change`,
      'drop those flags, or start a new run from these weights with --init-from');
  }
  const paths = corpusArgs.length ? corpusArgs : ck.corpus.paths;
  const s0 = tr.settings;
  const data = await prepareData(paths, ck.vocab.docSplit, s0.valFraction, 65535, s0.seed);
  const same = data.vocab.codePoints.length === ck.vocab.codePoints.length && data.vocab.codePoints.every((c, i) => c === ck.vocab.codePoints[i]);
  if (!same || data.train.length !== ck.corpus.trainTokens || data.val.length !== ck.corpus.valTokens) {
    throw new DataError(`the corpus is not the one this run was trained on (${paths.join(', ')})`,
      'give the original corpus files after --resume, or start a new run with --init-from');
  }
  reportData(data, report);
  const steps = f.steps ?? s0.steps;
  const changed: string[] = [];
  if (steps !== s0.steps) changed.push(`--steps ${s0.steps} → ${steps} (the schedule now spans ${steps} steps)`);
  const evalEvery = given('evalEvery') ? f.evalEvery || s0.evalEvery : s0.evalEvery;
  const saveEvery = given('saveEvery') ? f.saveEvery || s0.saveEvery : s0.saveEvery;
  const patience = given('patience') ? f.patience : s0.patience;
  if (evalEvery !== s0.evalEvery) changed.push(`--eval-every ${evalEvery}`);
  if (patience !== s0.patience) changed.push(`--patience ${patience}`);
  if (saveEvery !== s0.saveEvery) changed.push(`--save-every ${saveEvery}`);
  if (given('threads')) changed.push(`--threads ${f.threads}`);
  if (steps <= tr.step) throw new UsageError(`the checkpoint is already at step ${tr.step} of ${s0.steps}`, `give a larger --steps to train further, e.g. --steps ${tr.step * 2}`);
  report.info(`resuming ${f.resume} at step ${tr.step} (epoch ${tr.epoch}, window ${tr.window})${changed.length ? `; changed: ${changed.join(', ')}` : ''}`);
  return {
    data, cfg: modelConfigOf(ck), settings: { ...s0, steps, evalEvery, saveEvery, patience }, resumeFrom: ck, initFrom: null,
    out: f.out ?? dirname(f.resume!), paths,
  };
}

function reportData(data: PreparedData, report: Reporter): void {
  const V = data.vocab.codePoints.length + 1;
  report.info(`data: ${data.docSplit} split, vocabulary ${V} (EOS + ${V - 1} characters); `
    + `train ${data.trainChars.toLocaleString('en-US')} chars in ${data.trainDocs.toLocaleString('en-US')} docs, `
    + `val ${data.valChars.toLocaleString('en-US')} chars in ${data.valDocs.toLocaleString('en-US')} docs`);
}

async function execute(plan: RunPlan, f: TrainFlags, report: Reporter): Promise<void> {
  const { data, cfg, settings, out } = plan;
  const B = settings.batch, T = settings.seqLen;
  const windows = streamLayout(data.train.length, B, T).windows;
  const P = buildLayout(cfg).size;
  checkCheckpointFits(3 * P + cfg.layers * stateCount(cfg.cell) * B * cfg.hidden);
  const engine = await createEngine(cfg, B, T, engineOptions(f, report));
  const evalEngine = data.val.length > 1 ? await createEngine(cfg, EVAL_BATCH, EVAL_SEQ_LEN, engineOptions(f, null)) : null;
  const kernel = resolveKernel(f.kernel), threads = kernel === 'wasm' ? f.threads ?? defaultThreads() : 1;
  let preview: Engine | null = null;
  try {
    let cursor: TrainCursor;
    if (plan.resumeFrom) cursor = restoreTraining(engine, plan.resumeFrom);
    else {
      if (plan.initFrom) loadParams(engine, plan.initFrom);
      else initParams(engine.params, cfg, createRng(settings.seed, 'init').next);
      engine.paramsChanged();
      cursor = {
        step: 0, epoch: 0, window: 0, rng: createRng(settings.seed, 'dropout').state(), elapsedSec: 0,
        bestValLoss: null, bestStep: null, firstLoss: null, metrics: [],
      };
    }
    report.info(`model: ${cfg.layers}×${cfg.hidden} ${cfg.cell.toUpperCase()}, ${engine.layout.size.toLocaleString('en-US')} parameters; `
      + `${settings.steps} steps of ${B}×${T} chars (${(settings.steps / windows).toFixed(2)} epochs), lr ${settings.lr}; `
      + `${kernel} kernel${kernel === 'wasm' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}`);

    // Output directory, checked before any work is spent.
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
    report.info(`checkpoints: ${out}/`);

    // Signals: the first asks the loop to save and stop; a second exits at once (the last
    // checkpoint on disk is complete, because every save is write-then-rename).
    let signal: 'SIGINT' | 'SIGTERM' | null = null;
    const onSignal = (sig: 'SIGINT' | 'SIGTERM') => (): void => {
      if (signal) process.exit(sig === 'SIGINT' ? 130 : 143);
      signal = sig;
      report.info(`${sig}: saving a checkpoint, then stopping (press Ctrl-C again to quit at once)`);
    };
    const handlers = { SIGINT: onSignal('SIGINT'), SIGTERM: onSignal('SIGTERM') };
    process.on('SIGINT', handlers.SIGINT);
    process.on('SIGTERM', handlers.SIGTERM);

    // On a terminal, one short sample after each evaluation shows learning happen. Its engine and
    // RNG are its own: the run is the same with or without it.
    preview = report.wantsSamples ? await createEngine(cfg, 1, 1, { kernel: f.kernel, threads: 1 }) : null;
    const wall0 = performance.now();
    report.start(settings.steps, cursor.step);
    let result;
    try {
      result = await runTraining({
        engine, evalEngine, train: data.train, val: data.val, settings, cursor, timeLimitSec: plan.timeLimitSec,
        hooks: {
          onStep: (s) => report.step(s),
          onEval: (step, v, improved) => {
            report.evaluated(step, v, improved);
            if (preview) report.sample(previewSample(preview, engine, data.vocab.codePoints, settings.seed));
          },
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

    const c = result.cursor;
    const best = c.bestValLoss;
    if (result.reason === 'patience') report.info(`stopped early at step ${c.step} of ${settings.steps}: no new best validation loss in ${settings.patience} evaluations (--patience)`);
    if (result.reason === 'time') report.info(`stopped at the time limit after ${c.step} of ${settings.steps} steps (this machine ran slower than calibrated)`);
    const wallSec = (performance.now() - wall0) / 1000;
    report.info(`trained ${c.step} steps in ${formatDuration(c.elapsedSec)} (${Math.round((c.step * B * T) / Math.max(c.elapsedSec, 1e-9)).toLocaleString('en-US')} chars/s; ${formatDuration(wallSec)} wall time with validation)`
      + (best !== null ? `; best val ${best.toFixed(4)} nats/char = ${(best / LN2).toFixed(4)} bits/char at step ${c.bestStep}` : ''));
    report.info(`saved ${lastPath}${best !== null ? ` and ${bestPath}` : ''}`);
    if (signal) {
      throw new InterruptedError(`interrupted by ${signal} at step ${c.step}; saved ${lastPath}`, signal,
        `continue with: rnn train --resume ${lastPath}`);
    }
    if (!f.quiet) report.info(`next: rnn sample ${best !== null ? bestPath : lastPath}`);
    if (f.json) {
      process.stdout.write(`${JSON.stringify({
        steps: c.step, epochs: c.epoch + c.window / windows, elapsedSec: c.elapsedSec, wallSec, stopReason: result.reason,
        bestValLoss: best, bestValBitsPerChar: best === null ? null : best / LN2, bestStep: c.bestStep,
        lastValLoss: result.lastValLoss, checkpoint: lastPath, best: best !== null ? bestPath : null, metrics: metricsPath, settings,
        kernel, threads,
      })}\n`);
    }
  } finally {
    engine.dispose();
    evalEngine?.dispose();
    preview?.dispose();
  }
}

/** Up to 80 characters sampled (temperature 0.8) from the current weights, on one line. */
function previewSample(preview: Engine, engine: Engine, codePoints: readonly number[], seed: number): string {
  preview.params.set(engine.params);
  preview.paramsChanged();
  const r = generate(preview, codePoints, { prime: [], maxChars: 80, temperature: 0.8, topK: 0, topP: 1, eosStop: true, stops: [], eosText: '\n' },
    createRng(seed, 'preview'));
  return r.text.replace(/\n/g, '⏎') + (r.reason === 'eos' ? '' : '…');
}

/** The kernel choice for an engine; the fallback notice is printed once (by the training engine). */
function engineOptions(f: TrainFlags, report: Reporter | null): EngineOptions {
  return { kernel: f.kernel, threads: f.threads, onNotice: report ? (m) => report.info(`notice: ${m}`) : undefined };
}

/** The run as explicit flags: every setting that shapes it, with the budget as --steps. */
function equivalentFlags(cfg: ModelConfig, s: TrainSettings, docSplit: DocSplit): string {
  const flags: [string, string | number][] = [
    ['doc-split', docSplit], ['val-fraction', s.valFraction], ['cell', cfg.cell], ['layers', cfg.layers], ['hidden', cfg.hidden],
    ['dropout', cfg.dropout], ['dropout-mode', s.dropoutMode], ['batch', s.batch], ['seq-len', s.seqLen], ['optimizer', s.optimizer],
    ['lr', s.lr], ['beta1', s.beta1], ['beta2', s.beta2], ['eps', s.eps], ['weight-decay', s.weightDecay], ['clip', s.clip],
    ['lr-schedule', s.lrSchedule], ['warmup', s.warmup],
    ...(s.lrSchedule === 'cosine' ? [['lr-min', s.lrMin] as [string, number]] : s.lrSchedule === 'step' ? [['lr-decay', s.lrDecay], ['lr-decay-every', s.lrDecayEvery]] as [string, number][] : []),
    ['steps', s.steps], ['eval-every', s.evalEvery], ['seed', s.seed],
  ];
  return flags.map(([k, v]) => `--${k} ${v}`).join(' ');
}

/** Seconds per training step of this model and batch shape on this machine: a probe engine runs
 *  steps (dropout masks, forward/backward, gradient norm, Adam) for about `seconds` after two
 *  warm-up steps, and the median step is the figure (one slow step, a page fault or another
 *  process, does not shorten the schedule; the mean read 2-5% slow against the runs it planned).
 *  The run's clock counts the same work (validation and saving are outside it), so no margin is
 *  added: a machine slower than measured stops at the time limit with its best checkpoint kept.
 *  The run's own engine and RNG are untouched, so the run is exactly what `--steps N` gives. */
async function measureStep(cfg: ModelConfig, B: number, T: number, f: TrainFlags, seconds = 1): Promise<number> {
  const engine = await createEngine(cfg, B, T, { kernel: f.kernel, threads: f.threads });
  try {
    const x = new Int32Array(B * T), y = new Int32Array(B * T);
    const adam = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;
    const pass = (n: number): void => {
      engine.fillMasks(maskSpec([1, 2], n, cfg.dropout, f.dropoutMode));
      engine.forwardBackward(x, y);
      engine.gradNormSq();
      engine.optimizerStep(adam, 0, n + 1); // the probe's weights do not matter
    };
    pass(0); pass(1); // warm-up
    const times: number[] = [];
    const t0 = performance.now();
    while (times.length < 3 || (performance.now() - t0 < seconds * 1000 && times.length < 50)) {
      const t = performance.now();
      pass(times.length + 2);
      times.push((performance.now() - t) / 1000);
    }
    return median(times);
  } finally {
    engine.dispose();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
