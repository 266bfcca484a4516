// The plan step of `rnn train`: from the given flags, the corpus and, when resuming, the
// checkpoint, to an immutable plan that fixes everything before the first step: the data, the
// model, every setting (a --time budget resolved to a step count), the output directory. It never
// rewrites the flags; `rnn train` and, later, the library API both call it.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCheckpointFits, loadCheckpoint } from '../checkpoint/io.js';
import { hasCheckpoints, LAST_FILE, resolveOutDir } from '../checkpoint/run-dir.js';
import type { Checkpoint } from '../checkpoint/types.js';
import { fingerprintTokens } from '../data/fingerprint.js';
import { prepareData, type PreparedData } from '../data/prepare-data.js';
import { DataError, UsageError } from '../errors.js';
import type { ModelConfig } from '../model/config.js';
import { equivalentFlags, resumeConflicts, storedSettings, type RunValues } from '../settings/derive.js';
import {
  DEFAULT_STEPS, decayShareFor, defaultLr, defaultWarmup, dropoutFor, flagOf, OPTIMIZER_BETAS, SETTING_ROWS, type AutoKey, type SettingKey, type TrainFlags, type TrainSettings,
} from '../settings/train-settings.js';
import { MAX_PASSES, MIN_CHARS_PER_PARAM, MIN_STEPS, passCapSteps, pickSettings } from './auto-settings.js';
import { stepTimer, type MeasureStep } from './calibrate.js';
import { stepsForBudget, TIMED_SKIP, timedBySec, timedStatistic, timedSteps, VAL_SHARE, valCharsForBudget } from './time-budget.js';
import { EVAL_BATCH } from './evaluate.js';
import { checkpointFloats } from './snapshot.js';
import { streamLayout } from './streams.js';
import { formatDuration } from '../format.js';

/** The bundled default corpus, materialised by the build step (corpora/build-names.mjs). */
export const DEFAULT_CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '../../corpora/names.txt');

export interface PlanInput {
  /** Corpus files as given; none means the bundled default. */
  corpus: readonly string[];
  flags: TrainFlags;
  /** Whether a flag was given (rather than left at its default). */
  given: (key: SettingKey) => boolean;
  log: (message: string) => void;
  /** Seconds per step on this machine; by default measured on the run's kernel. */
  measure?: MeasureStep;
}

/** What `rnn train` will run: fresh or resumed, everything decided before any step. */
export interface RunPlan {
  readonly data: PreparedData;
  readonly cfg: ModelConfig;
  readonly settings: Readonly<TrainSettings>;
  /** Set: continue this checkpoint's run exactly. */
  readonly resumeFrom: Checkpoint | null;
  /** Set: a new run starting from these weights (fresh optimizer, step 0). */
  readonly initFrom: Checkpoint | null;
  readonly out: string;
  /** Whether the run replaces the files in `out` (a new run, or a resume into another run's
   *  directory with --force) rather than continuing them (a resume in its own directory). */
  readonly replaceOut: boolean;
  /** The corpus files read (the bundled default when none was given). */
  readonly paths: readonly string[];
  /** What the checkpoints record of the corpus. */
  readonly corpus: Checkpoint['corpus'];
  /** Set when a --time budget is the stop rule: stop once this much training time has passed. */
  readonly timeLimitSec?: number;
  /** Set when a --time run fixes its step count after timing its first steps (time-budget.ts):
   *  `fix` returns the settings the rest of the run follows, and says what it fixed. */
  readonly measure?: {
    readonly afterSteps: number; readonly statistic: 'median' | 'mean';
    /** Fix the count here at the latest, in training seconds, even before afterSteps. */
    readonly bySec?: number;
    fix(secPerStep: number, elapsedSec: number, doneSteps: number, log: (message: string) => void): TrainSettings;
  };
}

export async function planRun(input: PlanInput): Promise<RunPlan> {
  if (input.flags.resume !== undefined && input.flags.initFrom !== undefined) {
    throw new UsageError('--resume and --init-from cannot be combined', '--resume continues a run; --init-from starts a new one from its weights');
  }
  const plan = input.flags.resume !== undefined ? await planResume(input, input.flags.resume) : await planFresh(input);
  return Object.freeze(plan);
}

async function planFresh(input: PlanInput): Promise<RunPlan> {
  const { flags: f, given, log } = input;
  const paths = input.corpus.length ? [...input.corpus] : [DEFAULT_CORPUS];
  if (!input.corpus.length) log(`corpus: ${paths[0]} (the bundled default)`);
  const v: Record<string, unknown> = { ...f };
  const init = f.initFrom !== undefined ? loadCheckpoint(f.initFrom) : null;
  if (init) {
    const arch = (['cell', 'layers', 'hidden'] as const).filter(given);
    if (arch.length) throw new UsageError(`--init-from takes the architecture from the checkpoint, so ${arch.map(flagOf).join(', ')} cannot be set`, 'drop those flags');
    Object.assign(v, { cell: init.model.cell, layers: init.model.layers, hidden: init.model.hidden });
    if (!given('docSplit')) v.docSplit = init.vocab.docSplit;
    log(`starting from the weights of ${f.initFrom} (${init.model.layers}×${init.model.hidden} ${init.model.cell.toUpperCase()}), with a fresh optimizer`);
  }
  const data = await prepareData(paths, v.docSplit as TrainFlags['docSplit'], f.valFraction, f.maxVocab, f.seed, init ? { codePoints: init.vocab.codePoints } : undefined);
  log(dataLine(data));
  const targets = data.train.length - 1;
  if (targets < 2) throw new DataError('the training text is too small: it needs at least 2 characters', 'give a larger corpus, or lower --val-fraction');
  const V = data.vocab.codePoints.length + 1;
  const measure = input.measure ?? stepTimer({ kernel: f.kernel, threads: f.threads }, f.dropoutMode, f.weightDrop);

  // A time budget without model flags: pick the model for this corpus, budget and machine.
  const timeBudget = f.steps === undefined && f.epochs === undefined ? f.time : undefined;
  let autoSecPerStep: number | null = null;
  if (timeBudget !== undefined && !init) {
    const choice = await pickAuto(input, timeBudget, targets, V, measure);
    Object.assign(v, choice.values);
    autoSecPerStep = choice.secPerStep;
  }

  // Batch shape: shrink B, then T, for a corpus too small for one full window.
  const B0 = v.batch as number, T0 = v.seqLen as number;
  if (targets < B0 * T0) {
    v.seqLen = Math.min(T0, targets);
    v.batch = Math.max(1, Math.min(B0, Math.floor(targets / (v.seqLen as number))));
    log(`notice: the training text (${targets} targets) is smaller than one window of --batch ${B0} × --seq-len ${T0}; using --batch ${v.batch} --seq-len ${v.seqLen}`);
  }
  const B = v.batch as number, T = v.seqLen as number;

  // Budget, resolved to a step count so the schedule is fixed from the start.
  const windows = streamLayout(data.train.length, B, T).windows;
  let steps = f.steps ?? (f.epochs !== undefined ? Math.max(1, Math.ceil(f.epochs * windows)) : DEFAULT_STEPS);
  let probeSecPerStep = 0;
  if (timeBudget !== undefined) {
    // (a dropout not yet chosen is timed at the time rule's middle value; masks cost little)
    const probe: ModelConfig = { cell: v.cell as ModelConfig['cell'], layers: v.layers as number, hidden: v.hidden as number, vocabSize: V, dropout: (v.dropout as number | undefined) ?? 0.2 };
    probeSecPerStep = autoSecPerStep !== null && B === B0 && T === T0 ? autoSecPerStep : await measure(probe, B, T, Math.min(3, timeBudget / 20));
    steps = Math.max(1, Math.floor(timeBudget / probeSecPerStep));
  }
  // A small text: the budget ends early rather than overfit (MAX_PASSES), and the count fixed
  // while the run times itself stays within it.
  const passCap = timeBudget !== undefined ? passCapSteps(windows) : Infinity;
  const cap = Math.min(2 * steps, passCap); // a machine up to twice as fast as the probe said fills the budget
  if (steps > passCap) {
    const passes = Math.round(steps / windows);
    log(`notice: --time ${formatDuration(timeBudget!)} buys about ${passes} passes over this text; past ${MAX_PASSES} a model only overfits, so the run stops at ${MAX_PASSES} (--steps ${passCap}), early (--epochs ${passes} uses the whole budget)`);
    steps = passCap;
  }
  // What the user did not give and the time rule did not pick follows from the budget, by the
  // same tables: dropout and wsd's decay share for the passes the steps make, warmup for the steps.
  v.dropout ??= dropoutFor(steps / windows);
  v.decayShare ??= decayShareFor(steps / windows);
  v.warmup ??= defaultWarmup(steps);
  const cfg: ModelConfig = { cell: v.cell as ModelConfig['cell'], layers: v.layers as number, hidden: v.hidden as number, vocabSize: V, dropout: v.dropout as number };
  const betas = OPTIMIZER_BETAS[f.optimizer];
  v.lr ??= defaultLr(cfg.hidden);
  v.beta1 ??= betas.beta1;
  v.beta2 ??= betas.beta2;
  v.docSplit = data.docSplit;
  const repeatLine = (flags: string): string => `to repeat this run exactly: rnn train ${input.corpus.map((p) => `${p} `).join('')}${flags}`;
  // The settings that follow from the step count (and, for a --time run, from the machine's rate).
  // `every`: a fixed count keeps the validation interval of the steps already run, so the printed
  // flags repeat those validations too.
  const withSteps = (n: number, secPerStep: number, every?: number): TrainSettings => {
    const w: Record<string, unknown> = { ...v, steps: n };
    w.evalEvery = f.evalEvery || every || Math.max(1, Math.round(n / 10));
    w.saveEvery = f.saveEvery || w.evalEvery;
    if (timeBudget !== undefined && !given('valChars')) {
      w.valChars = valCharsForBudget({ budgetSec: timeBudget, secPerStep, batch: B, seqLen: T, steps: n, evalEvery: w.evalEvery as number, valTokens: data.val.length });
    }
    return { ...storedSettings(w), flags: equivalentFlags(w) };
  };
  const settings = withSteps(steps, probeSecPerStep);
  const timed = timeBudget !== undefined ? timedSteps(settings, steps) : 0;
  const bySec = timed ? timedBySec(settings, timeBudget) : undefined;
  // the checkpoint must fit the largest count the run may fix
  checkFits(cfg, timed ? withSteps(cap, probeSecPerStep) : settings);
  if (timeBudget !== undefined) {
    log(`calibrated: --time ${formatDuration(timeBudget)} ≈ --steps ${steps} on this machine${timed ? ` (to be fixed after the first ${timed} steps${bySec !== undefined ? ` or ${formatDuration(bySec)} of training, whichever comes first` : ''}, timed)` : ''}`);
    if (!timed) log(repeatLine(settings.flags!));
  }
  const measureRun: RunPlan['measure'] = timed ? {
    afterSteps: timed,
    statistic: timedStatistic(settings),
    ...(bySec !== undefined ? { bySec } : {}),
    fix: (secPerStep, elapsedSec, done, say) => {
      const n = stepsForBudget(settings, timeBudget!, secPerStep, done, elapsedSec, cap);
      const fixed = withSteps(n, secPerStep, settings.evalEvery);
      say(`steps ${Math.floor(done / TIMED_SKIP) + 1}-${done} took a ${timedStatistic(settings)} ${(secPerStep * 1000).toFixed(1)} ms (the probe: ${(probeSecPerStep * 1000).toFixed(1)}); --time ${formatDuration(timeBudget!)} ≈ --steps ${n}`);
      if (fixed.valChars > 0) say(valLine(fixed.valChars, data.val.length, given('valChars')));
      say(repeatLine(fixed.flags!));
      return fixed;
    },
  } : undefined;
  if (!timed && settings.valChars > 0) log(valLine(settings.valChars, data.val.length, given('valChars')));
  const out = resolveOutDir(f.out, input.corpus.length ? [...input.corpus] : ['names'], !!f.force);
  return {
    data, cfg, settings, resumeFrom: null, initFrom: init, out, replaceOut: true, paths, corpus: corpusRecord(paths, data),
    ...(timeBudget !== undefined ? { timeLimitSec: timeBudget } : {}), ...(measureRun ? { measure: measureRun } : {}),
  };
}

function valLine(valChars: number, valTokens: number, given: boolean): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `validation: on ${n(Math.min(valChars, valTokens))} of the ${n(valTokens)} held-out characters (the start of each of ${EVAL_BATCH} streams over it, the same every time)`
    + (given ? '' : `, to keep it within about ${Math.round(VAL_SHARE * 100)}% of the budget; --val-chars 0 for all`) + ' (rnn eval scores the whole text)';
}

/** The time-budget rule's pick, with the flags the user gave held fixed. */
async function pickAuto(input: PlanInput, budgetSec: number, targets: number, V: number, measure: MeasureStep): Promise<{ values: RunValues; secPerStep: number }> {
  const { flags: f, given, log } = input;
  const fixed = Object.fromEntries(SETTING_ROWS.filter((r) => r.auto && given(r.key as SettingKey)).map((r) => [r.key, f[r.key as AutoKey]]));
  log(`choosing settings for --time ${formatDuration(budgetSec)}: measuring this machine…`);
  const choice = await pickSettings({
    trainChars: targets, vocabSize: V, budgetSec, optimizer: f.optimizer, given: fixed,
    // about a second per size, less for short budgets (at least two steps each)
    measure: (m, b, t) => measure({ ...m, vocabSize: V }, b, t, Math.min(1, budgetSec / 100)),
  });
  log(`measured: ${choice.measured.map((m) => `${m.layers}×${m.hidden} ${m.epochs.toFixed(1)} epochs ${m.charsPerParam.toFixed(m.charsPerParam < 100 ? 1 : 0)} chars/param`).join(', ')}; `
    + `picked the largest with ≥ ${MIN_STEPS} steps and ≥ ${MIN_CHARS_PER_PARAM} chars/param (or the smallest), repeated passes counting less`);
  const { cell, layers, hidden, dropout, batch, seqLen, lr, warmup, beta2 } = choice;
  const values: Record<AutoKey, unknown> = { cell, layers, hidden, dropout, batch, seqLen, lr, warmup, beta2 };
  return { values, secPerStep: choice.secPerStep };
}

async function planResume(input: PlanInput, resumePath: string): Promise<RunPlan> {
  const { flags: f, given, log } = input;
  const ck = loadCheckpoint(resumePath);
  const tr = ck.training;
  if (!tr) throw new UsageError(`${resumePath} holds weights only, no training state to resume`, 'use --init-from to start a new run from these weights');
  const conflicts = resumeConflicts(given, f, { ...tr.settings, ...ck.model, docSplit: ck.vocab.docSplit });
  if (conflicts.length) {
    throw new UsageError(`--resume continues the checkpoint's run exactly, so ${conflicts.map(flagOf).join(', ')} cannot change`,
      'drop those flags, or start a new run from these weights with --init-from');
  }
  const paths = input.corpus.length ? [...input.corpus] : ck.corpus.paths;
  const s0 = tr.settings;
  const data = await prepareData(paths, ck.vocab.docSplit, s0.valFraction, 65535, s0.seed);
  const corpus = corpusRecord(paths, data);
  const same = data.vocab.codePoints.length === ck.vocab.codePoints.length && data.vocab.codePoints.every((c, i) => c === ck.vocab.codePoints[i]);
  if (!same || data.train.length !== ck.corpus.trainTokens || data.val.length !== ck.corpus.valTokens
    || (ck.corpus.fingerprint !== undefined && ck.corpus.fingerprint !== corpus.fingerprint)) {
    throw new DataError(`the corpus is not the one this run was trained on (${paths.join(', ')})`,
      'give the original corpus files after --resume, or start a new run with --init-from');
  }
  log(dataLine(data));
  const steps = f.steps ?? s0.steps;
  const evalEvery = given('evalEvery') ? f.evalEvery || s0.evalEvery : s0.evalEvery;
  const saveEvery = given('saveEvery') ? f.saveEvery || s0.saveEvery : s0.saveEvery;
  const patience = given('patience') ? f.patience : s0.patience;
  const changed = [
    ...(steps !== s0.steps ? [`--steps ${s0.steps} → ${steps} (the schedule now spans ${steps} steps)`] : []),
    ...(evalEvery !== s0.evalEvery ? [`--eval-every ${evalEvery}`] : []),
    ...(patience !== s0.patience ? [`--patience ${patience}`] : []),
    ...(saveEvery !== s0.saveEvery ? [`--save-every ${saveEvery}`] : []),
    ...(given('threads') ? [`--threads ${f.threads}`] : []),
  ];
  if (steps <= tr.step) throw new UsageError(`the checkpoint is already at step ${tr.step} of ${s0.steps}`, `give a larger --steps to train further, e.g. --steps ${tr.step * 2}`);
  log(`resuming ${resumePath} at step ${tr.step} (epoch ${tr.epoch}, window ${tr.window})${changed.length ? `; changed: ${changed.join(', ')}` : ''}`);
  const settings = { ...s0, steps, evalEvery, saveEvery, patience };
  checkFits(ck.model, settings);
  const out = f.out ?? dirname(resumePath);
  checkResumeTarget(out, resumePath, tr.step, !!f.force);
  return {
    data, cfg: { ...ck.model }, settings, resumeFrom: ck, initFrom: null, out, replaceOut: resolve(out) !== resolve(dirname(resumePath)), paths, corpus,
  };
}

/** A resume writes last.json (and best.json) into `out`: refuse, unless --force, when that would
 *  overwrite another run's checkpoints, or a later checkpoint of this run than the one resumed
 *  (`--resume runs/x/best.json` beside a newer runs/x/last.json). A last.json that does not load
 *  holds nothing to lose: resuming from last.prev.json beside it is the way out. */
function checkResumeTarget(out: string, resumePath: string, step: number, force: boolean): void {
  const last = join(out, LAST_FILE);
  if (force || resolve(last) === resolve(resumePath)) return;
  if (resolve(out) !== resolve(dirname(resumePath))) {
    if (hasCheckpoints(out)) throw new UsageError(`${out} already holds checkpoints of another run`, 'choose another --out, or add --force to replace them');
    return;
  }
  if (!existsSync(last)) return;
  let lastStep: number;
  try {
    lastStep = loadCheckpoint(last).training?.step ?? 0;
  } catch {
    return;
  }
  if (lastStep > step) {
    throw new UsageError(`${last} is at step ${lastStep}, past step ${step} of ${resumePath}: resuming would overwrite it`,
      `continue from it with --resume ${last}, or add --force to go back to step ${step}`);
  }
}

/** What a checkpoint records of the corpus: absolute paths, sizes and the tokens' fingerprint. */
function corpusRecord(paths: readonly string[], data: PreparedData): Checkpoint['corpus'] {
  return {
    paths: paths.map((p) => (p === '-' ? '-' : resolve(p))), trainTokens: data.train.length, valTokens: data.val.length,
    trainDocs: data.trainDocs, valDocs: data.valDocs, fingerprint: fingerprintTokens(data.train, data.val),
  };
}

/** Refuse, before any work, a run whose checkpoint could not be written: its tensors, and the
 *  metrics history it will have grown by its last step. */
function checkFits(cfg: ModelConfig, s: TrainSettings): void {
  checkCheckpointFits({ floats: checkpointFloats(cfg, s.batch, s.ema > 0), steps: s.steps, evalEvery: s.evalEvery });
}

function dataLine(data: PreparedData): string {
  const V = data.vocab.codePoints.length + 1;
  const n = (x: number): string => x.toLocaleString('en-US');
  return `data: ${data.docSplit} split, vocabulary ${V} (EOS + ${V - 1} characters); `
    + `train ${n(data.trainChars)} chars in ${n(data.trainDocs)} docs, val ${n(data.valChars)} chars in ${n(data.valDocs)} docs`;
}
