// train(): `rnn train` for library callers. The options are the settings table's rows as typed
// values (the same keys, defaults and ranges as the flags), planned by the same planRun, run by
// the same runPlan on the same engines; what `rnn train` shows on stderr comes to `onLog` and
// `onProgress`, and an AbortSignal stops the run as Ctrl-C does: last.json saved, resumable.

import { UsageError } from '../errors.js';
import { resolveEngine } from '../kernels/create-engine.js';
import { checkSettingValue } from '../settings/check-value.js';
import { SETTING_ROWS, TRAIN_DEFAULTS, type SettingKey, type TrainFlags } from '../settings/train-settings.js';
import { planRun } from '../train/plan.js';
import { createRunEngines, runPlan } from '../train/run.js';
import { trainSummary, type TrainSummary } from '../train/summary.js';
import type { StepInfo } from '../train/trainer.js';

/** The settings of `rnn train` by key (camelCase of the flag), each optional with the flag's
 *  default; `time` also takes text such as '30m'. Derived from the settings table. */
export type TrainSettingsInput = {
  -readonly [K in Exclude<keyof TrainFlags, 'quiet' | 'json'>]?: K extends 'time' ? number | string : NonNullable<TrainFlags[K]>;
};

export interface TrainOptions extends TrainSettingsInput {
  /** UTF-8 text files; none = the bundled names list. */
  corpus?: string | readonly string[];
  /** Every 10 steps and after the last: step, loss, lr, gradient norm, chars/s, validation loss. */
  onProgress?: (info: StepInfo) => void;
  /** After each validation. */
  onEval?: (step: number, valLoss: number, improved: boolean) => void;
  /** The lines `rnn train` logs about the data, the plan, the checkpoints, and notices. */
  onLog?: (message: string) => void;
  /** Aborting stops the run after the current step, saving last.json as Ctrl-C does; train()
   *  then resolves with stopReason 'signal', and `train({ resume: result.checkpoint })` continues. */
  signal?: AbortSignal;
}

export type TrainResult = TrainSummary;

const NOT_SETTINGS = new Set(['corpus', 'onProgress', 'onEval', 'onLog', 'signal']);

/** Train a model as `rnn train` would with the same settings; resolves with what `rnn train
 *  --json` prints. Throws the CLI's typed errors (UsageError, DataError, CheckpointError,
 *  RuntimeError). */
export async function train(options: TrainOptions = {}): Promise<TrainResult> {
  const rows = new Map(SETTING_ROWS.map((r) => [r.key, r]));
  const flags: Record<string, unknown> = { ...TRAIN_DEFAULTS };
  const given = new Set<string>();
  for (const [key, value] of Object.entries(options)) {
    if (NOT_SETTINGS.has(key) || value === undefined) continue;
    const row = rows.get(key);
    if (!row || key === 'quiet' || key === 'json') throw new UsageError(`unknown train option ${key}`, 'the options are the camelCase keys of `rnn train --help`, plus corpus, onProgress, onEval, onLog, signal');
    flags[key] = checkSettingValue(row, value);
    given.add(key);
  }
  const corpus = options.corpus === undefined ? [] : typeof options.corpus === 'string' ? [options.corpus] : [...options.corpus];
  const log = options.onLog ?? (() => {});
  const f = flags as TrainFlags;
  options.signal?.throwIfAborted();
  const plan = await planRun({ corpus, flags: f, given: (k: SettingKey) => given.has(k), log });
  const engines = await createRunEngines(plan, { kernel: f.kernel, threads: f.threads, onNotice: (m) => log(`notice: ${m}`) });
  try {
    const wall0 = performance.now();
    const outcome = await runPlan(plan, engines, {
      log,
      onStep: options.onProgress,
      onEval: options.onEval,
      shouldStop: () => options.signal?.aborted === true,
    });
    const { kernel, threads } = resolveEngine(f);
    return trainSummary(outcome, outcome.settings, (performance.now() - wall0) / 1000, kernel, threads);
  } finally {
    engines.dispose();
  }
}
