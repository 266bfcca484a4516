// A setting's value checked against its table row, for callers that pass typed values rather
// than flags (the library's train()); the CLI checks the same ranges in its parsers (parse.ts).

import { UsageError } from '../errors.js';
import { parseDuration } from './duration.js';
import { inRange, intervalText } from './range.js';
import type { SettingRow } from './train-settings.js';

/** The value for `row` (a duration may be seconds or text such as '30m'), or a UsageError naming
 *  the option, as the CLI does for its flag. */
export function checkSettingValue(row: SettingRow, value: unknown): unknown {
  const bad = (expected: string): never => {
    throw new UsageError(`option ${row.key} must be ${expected}, got ${JSON.stringify(value)}`, 'see the settings of `rnn train --help`: the options are their camelCase keys');
  };
  switch (row.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inRange(row, value)) {
        bad(row.max === undefined ? `a whole number ≥ ${row.min}` : `a whole number between ${row.min} and ${row.max}`);
      }
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(row, value)) bad(`a number in ${intervalText(row)}`);
      return value;
    case 'choice':
      if (typeof value !== 'string' || !row.choices.includes(value)) bad(`one of ${row.choices.join(', ')}`);
      return value;
    case 'duration':
      if (typeof value === 'number') return value > 0 && Number.isFinite(value) ? value : bad('a number of seconds > 0');
      if (typeof value !== 'string') bad('seconds, or a duration such as 90s, 30m or 2h');
      {
        const sec = parseDuration(value as string);
        return sec !== null && sec > 0 ? sec : bad('seconds, or a duration such as 90s, 30m or 2h');
      }
    case 'switch':
      if (typeof value !== 'boolean') bad('true or false');
      return value;
    case 'path':
      if (typeof value !== 'string' || value === '') bad('a path');
      return value;
  }
}
