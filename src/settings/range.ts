// A numeric setting's range as its table row states it: the one test of a value against it and
// the one way it is written, shared by the checkpoint validator and the library's option check
// (the command line's parsers in src/cli/parse.ts take the same bounds).

import type { FloatRow, IntRow } from './train-settings.js';

export function inRange(row: IntRow | FloatRow, n: number): boolean {
  const max = row.max ?? Number.MAX_SAFE_INTEGER;
  const minOpen = row.kind === 'float' && row.minOpen, maxOpen = row.kind === 'float' && row.maxOpen;
  return (minOpen ? n > row.min : n >= row.min) && (maxOpen ? n < max : n <= max);
}

/** [0, 1), (0, 10], [0, ∞). */
export function intervalText(row: IntRow | FloatRow): string {
  const max = row.max ?? Number.MAX_SAFE_INTEGER;
  const minOpen = row.kind === 'float' && row.minOpen, maxOpen = row.kind === 'float' && row.maxOpen;
  return `${minOpen ? '(' : '['}${row.min}, ${max === Infinity ? '∞)' : `${max}${maxOpen ? ')' : ']'}`}`;
}
