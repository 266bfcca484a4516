// `rnn train`: plan the run, create its engines, run it with progress and signal handling, and
// report. The plan step (src/train/plan.ts) decides everything; this file only shows it.

import { InterruptedError } from '../../errors.js';
import { createEngine, resolveEngine } from '../../kernels/create-engine.js';
import type { Engine } from '../../kernels/engine.js';
import { createRng } from '../../rng.js';
import { generate } from '../../sample/sampler.js';
import type { SettingKey, TrainFlags } from '../../settings/train-settings.js';
import { planRun, type RunPlan } from '../../train/plan.js';
import { createRunEngines, runPlan, type RunEngines, type RunOutcome } from '../../train/run.js';
import { streamLayout } from '../../train/streams.js';
import { trainSummary } from '../../train/summary.js';
import { formatDuration } from '../../format.js';
import { createReporter, type Reporter } from '../progress.js';

const LN2 = Math.log(2);

type Signal = 'SIGINT' | 'SIGTERM';

export async function trainMain(corpus: string[], flags: TrainFlags, given: (key: SettingKey) => boolean): Promise<void> {
  const report = createReporter({ quiet: !!flags.quiet, tty: !!process.stderr.isTTY });
  const plan = await planRun({ corpus, flags, given, log: (m) => report.info(m) });
  const engines = await createRunEngines(plan, { kernel: flags.kernel, threads: flags.threads, onNotice: (m) => report.info(`notice: ${m}`) });
  // On a terminal, one short sample after each evaluation shows learning happen. Its engine and
  // RNG are its own: the run is the same with or without it.
  const preview = report.wantsSamples ? await createEngine(plan.cfg, 1, 1, { kernel: flags.kernel, threads: 1 }) : null;
  const signals = watchSignals(report);
  try {
    report.info(modelLine(plan, engines, flags));
    const wall0 = performance.now();
    report.start(plan.settings.steps, plan.resumeFrom?.training?.step ?? 0);
    let outcome: RunOutcome;
    try {
      outcome = await runPlan(plan, engines, {
        log: (m) => report.info(m),
        onStep: (s) => report.step(s),
        onEval: (step, v, improved) => {
          report.evaluated(step, v, improved);
          if (preview) report.sample(previewSample(preview, engines.train, plan));
        },
        shouldStop: () => signals.first !== null,
        beforeSave: () => signals.throwIfQuit(plan.out),
      });
    } finally {
      report.stop();
    }
    reportOutcome(plan, outcome, (performance.now() - wall0) / 1000, flags, report, signals.first);
  } finally {
    signals.dispose();
    engines.dispose();
    preview?.dispose();
  }
}

function modelLine(plan: RunPlan, engines: RunEngines, flags: TrainFlags): string {
  const { cfg, settings: s } = plan;
  const { kernel, threads } = resolveEngine(flags);
  const epochs = s.steps / streamLayout(plan.data.train.length, s.batch, s.seqLen).windows;
  return `model: ${cfg.layers}×${cfg.hidden} ${cfg.cell.toUpperCase()}, ${engines.train.layout.size.toLocaleString('en-US')} parameters; `
    + `${s.steps} steps of ${s.batch}×${s.seqLen} chars (${epochs.toFixed(2)} epochs), lr ${s.lr} ${s.lrSchedule}, dropout ${cfg.dropout}; `
    + `${kernel} kernel${kernel === 'wasm' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}`;
}

/** The summary lines, the interruption error, and the --json object. */
function reportOutcome(plan: RunPlan, o: RunOutcome, wallSec: number, flags: TrainFlags, report: Reporter, signal: Signal | null): void {
  const { settings: s } = o;
  const c = o.cursor, best = c.bestValLoss;
  if (o.reason === 'patience') report.info(`stopped early at step ${c.step} of ${s.steps}: no new best validation loss in ${s.patience} evaluations (--patience)`);
  if (o.reason === 'time') report.info(`stopped at the --time budget after ${c.step} of the ${s.steps} steps planned`);
  const budget = plan.timeLimitSec !== undefined ? `, ${((100 * c.elapsedSec) / plan.timeLimitSec).toFixed(1)}% of the --time budget` : '';
  report.info(`trained ${c.step} steps in ${formatDuration(c.elapsedSec)}${budget} (${Math.round((c.step * s.batch * s.seqLen) / Math.max(c.elapsedSec, 1e-9)).toLocaleString('en-US')} chars/s; ${formatDuration(wallSec)} wall time with validation)`
    + (best !== null ? `; best val ${best.toFixed(4)} nats/char = ${(best / LN2).toFixed(4)} bits/char at step ${c.bestStep}` : ''));
  report.info(`saved ${o.lastPath}${o.bestPath ? ` and ${o.bestPath}` : ''}`);
  if (signal) throw new InterruptedError(`interrupted by ${signal} at step ${c.step}; saved ${o.lastPath}`, signal, `continue with: rnn train --resume ${o.lastPath}`);
  if (!flags.quiet) report.info(`next: rnn sample ${o.bestPath ?? o.lastPath}`);
  if (flags.json) {
    const { kernel, threads } = resolveEngine(flags);
    const summary = trainSummary(o, s, wallSec, kernel, threads);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}

/** Signals: the first asks the loop to save and stop; a second quits before the next write (the
 *  checkpoints on disk are complete, because every save is write-then-rename). */
function watchSignals(report: Reporter): { readonly first: Signal | null; throwIfQuit(out: string): void; dispose(): void } {
  let first: Signal | null = null, again = false;
  const on = (sig: Signal) => (): void => {
    if (first) { again = true; return; }
    first = sig;
    report.info(`${sig}: saving a checkpoint, then stopping (press Ctrl-C again to quit at once)`);
  };
  const handlers = { SIGINT: on('SIGINT'), SIGTERM: on('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  return {
    get first() { return first; },
    throwIfQuit(out) {
      if (again && first) throw new InterruptedError(`interrupted twice by ${first}: quit without saving`, first, `the checkpoints already in ${out}/ are complete`);
    },
    dispose() {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    },
  };
}

/** Up to 80 characters sampled (temperature 0.8) from the current weights, on one line. */
function previewSample(preview: Engine, engine: Engine, plan: RunPlan): string {
  preview.params.set(engine.params);
  preview.paramsChanged();
  const r = generate(preview, plan.data.vocab.codePoints, { prime: [], maxChars: 80, temperature: 0.8, topK: 0, topP: 1, eosStop: true, stops: [], eosText: '\n' },
    createRng(plan.settings.seed, 'preview'));
  return r.text.replace(/\n/g, '⏎') + (r.reason === 'eos' ? '' : '…');
}
