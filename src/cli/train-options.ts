// The commander options of a settings-table row: flag, parser with the row's range, choices,
// default and help group. `rnn train` adds every row; `sample` and `eval` reuse the system rows.

import { Option, type Command } from 'commander';
import { flagOf, settingRow, SETTING_ROWS, type Group, type HelpNotes, type SettingKey, type SettingRow } from '../settings/train-settings.js';
import { duration, float, int } from './parse.js';

const GROUP_TITLES: Record<Group, string> = {
  data: 'Data:',
  model: 'Model:',
  optimization: 'Optimization:',
  budget: 'Budget (the first given wins: steps, epochs, time):',
  checkpoints: 'Checkpoints:',
  system: 'System:',
};

export function optionOf(row: SettingRow, notes: HelpNotes, help?: string): Option {
  const text = help ?? (typeof row.help === 'string' ? row.help : row.help(notes));
  const opt = new Option(row.arg ? `${flagOf(row.key)} ${row.arg}` : flagOf(row.key), text);
  switch (row.kind) {
    case 'int': opt.argParser(int(row.min, row.max)); break;
    case 'float': opt.argParser(float(row.min, row.max, { minOpen: row.minOpen, maxOpen: row.maxOpen })); break;
    case 'choice': opt.choices(row.choices); break;
    case 'duration': opt.argParser(duration); break;
    case 'switch': case 'path': break;
  }
  if (row.default !== undefined) opt.default(row.default);
  return opt;
}

/** Every training setting as an option, grouped in table order. */
export function addTrainOptions(cmd: Command, notes: HelpNotes): Command {
  let group: Group | null = null;
  for (const row of SETTING_ROWS) {
    if (row.group !== group) cmd.optionsGroup(GROUP_TITLES[(group = row.group)]);
    cmd.addOption(optionOf(row, notes));
  }
  return cmd;
}

/** A training row's option for another command, with that command's own help text if given. */
export function sharedOption(key: SettingKey, help?: string): Option {
  return optionOf(settingRow(key), { timeRule: '' }, help);
}
