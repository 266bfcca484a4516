// The library's sampling options: the flags of `rnn sample` as typed values, with the same
// defaults (sample/sampler.ts SAMPLE_DEFAULTS) and the same ranges (src/cli/main.ts), checked here
// with the UsageError the CLI gives for a flag out of range.

import { UsageError } from '../errors.js';
import { SAMPLE_DEFAULTS } from '../sample/sampler.js';

/** How the next character is chosen. */
export interface PickOptions {
  /** Softmax temperature in [0, 100]; 0 = greedy. Default 0.8. */
  temperature?: number;
  /** Sample among the k most likely characters; 0 or absent = all. */
  topK?: number;
  /** Sample among the most likely characters holding this probability mass, in (0, 1]. Default 1. */
  topP?: number;
}

export interface SampleOptions extends PickOptions {
  /** Text each sample starts with (after EOS). Default ''. */
  prime?: string;
  /** Stop a sample after this many characters. Default 500. */
  maxChars?: number;
  /** Also stop at these strings (not included in the text). */
  stop?: string[];
  /** Stop at EOS (default true); false keeps generating across documents up to maxChars. */
  eosStop?: boolean;
  /** Seed of the random stream, a uint32. Default 1. */
  seed?: number;
}

type Resolved = Required<Omit<SampleOptions, 'seed'>>;

function check(name: string, v: unknown, ok: (n: number) => boolean, range: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !ok(v)) throw new UsageError(`${name} must be ${range}, got ${String(v)}`, 'see the sample options in the README');
}
const whole = (lo: number, hi = Number.MAX_SAFE_INTEGER) => (n: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;

export function checkPick(o: PickOptions): Required<PickOptions> {
  check('temperature', o.temperature, (n) => n >= 0 && n <= 100, 'in [0, 100]');
  check('topK', o.topK, whole(0), 'a whole number ≥ 0 (0 = all)');
  check('topP', o.topP, (n) => n > 0 && n <= 1, 'in (0, 1]');
  return { temperature: o.temperature ?? SAMPLE_DEFAULTS.temperature, topK: o.topK ?? SAMPLE_DEFAULTS.topK, topP: o.topP ?? SAMPLE_DEFAULTS.topP };
}

export function checkSample(o: SampleOptions & { count?: number }): Resolved {
  const pick = checkPick(o);
  check('count', o.count, whole(1, 1_000_000), 'a whole number between 1 and 1000000');
  check('maxChars', o.maxChars, whole(1), 'a whole number ≥ 1');
  check('seed', o.seed, whole(0, 4294967295), 'a whole number between 0 and 4294967295');
  if (o.prime !== undefined && typeof o.prime !== 'string') throw new UsageError('prime must be a string');
  if (o.stop !== undefined && !(Array.isArray(o.stop) && o.stop.every((s) => typeof s === 'string'))) {
    throw new UsageError('stop must be a list of strings');
  }
  return {
    ...pick, prime: o.prime ?? SAMPLE_DEFAULTS.prime, maxChars: o.maxChars ?? SAMPLE_DEFAULTS.maxChars,
    stop: o.stop ?? [], eosStop: o.eosStop ?? SAMPLE_DEFAULTS.eosStop,
  };
}
