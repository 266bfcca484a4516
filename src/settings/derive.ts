// What follows from the settings table alone: the settings a checkpoint keeps, the flags that
// repeat a run, and the flags --resume refuses to change.

import { flagOf, SETTING_ROWS, type SettingKey, type TrainSettings } from './train-settings.js';

/** A run's settings by key, wherever the checkpoint keeps them (model, vocab or settings). */
export type RunValues = Readonly<Record<string, unknown>>;

/** The settings of `values` that a checkpoint keeps in `training.settings`, in table order. */
export function storedSettings(values: RunValues): TrainSettings {
  const out: Record<string, unknown> = {};
  for (const r of SETTING_ROWS) if (r.stored === 'settings') out[r.key] = values[r.key];
  return out as TrainSettings;
}

/** The run as explicit flags, in table order: every setting that shapes it, with the budget as
 *  --steps, so `rnn train <corpus> <flags>` repeats it exactly. */
export function equivalentFlags(values: RunValues): string {
  return SETTING_ROWS
    .filter((r) => r.repeat === true || (r.repeat !== undefined && r.repeat(values)))
    .map((r) => `${flagOf(r.key)} ${String(values[r.key])}`)
    .join(' ');
}

/** Settings the checkpoint fixes that were given with another value than it holds (a flag may
 *  repeat the checkpoint's value, as when the same command is re-run with --resume). A fixed
 *  setting the checkpoint does not keep (--epochs, --time, --init-from) conflicts whenever given. */
export function resumeConflicts(given: (key: SettingKey) => boolean, flags: RunValues, checkpoint: RunValues): SettingKey[] {
  return SETTING_ROWS
    .filter((r) => r.resume === 'fixed' && given(r.key as SettingKey) && !(r.key in checkpoint && checkpoint[r.key] === flags[r.key]))
    .map((r) => r.key as SettingKey);
}
