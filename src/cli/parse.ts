// Value parsers for command-line options. Each throws commander's InvalidArgumentError, which the
// entry point turns into a one-line usage error with exit code 2.

import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../settings/duration.js';

export function int(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number, got '${v}'.`);
    if (n < min || n > max) throw new InvalidArgumentError(`must be ${rangeText(min, max)}, got ${n}.`);
    return n;
  };
}

/** A float in [min, max] (or [min, max) when maxOpen). minOpen excludes min. */
export function float(min: number, max: number, opts: { minOpen?: boolean; maxOpen?: boolean } = {}): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${v}'.`);
    const lo = opts.minOpen ? n > min : n >= min;
    const hi = opts.maxOpen ? n < max : n <= max;
    if (!lo || !hi) {
      const l = `${opts.minOpen ? '(' : '['}${min}`, r = `${max}${opts.maxOpen ? ')' : ']'}`;
      throw new InvalidArgumentError(`must be in ${l}, ${r === 'Infinity]' ? '∞)' : r}, got ${n}.`);
    }
    return n;
  };
}

/** A duration: plain seconds (`90`), or with a unit (`90s`, `30m`, `2h`, `1h30m`). */
export function duration(v: string): number {
  const sec = parseDuration(v);
  if (sec === null) throw new InvalidArgumentError(`expected a duration such as 90, 90s, 30m or 2h, got '${v}'.`);
  if (!(sec > 0)) throw new InvalidArgumentError(`must be longer than 0 seconds, got '${v}'.`);
  return sec;
}

function rangeText(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
}
