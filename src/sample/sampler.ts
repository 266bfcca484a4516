// Generating text: each sample starts from the state after EOS (a fresh document), is continued
// by the prime, then draws one token at a time until EOS, a stop string or the length limit.

import type { Engine } from '../kernels/engine.js';
import type { Rng } from '../rng.js';
import { logProb, pickToken, type PickOptions } from './pick-token.js';

export type StopReason = 'eos' | 'max-chars' | 'stop-string';

/** The defaults of `rnn sample` and of the library's sample options, written once. */
export const SAMPLE_DEFAULTS = {
  count: 10,
  prime: '',
  temperature: 0.8, // char-rnn's suggestion: fewer odd characters than 1, less repetition than 0.5
  /** 0 = every character. */
  topK: 0,
  topP: 1,
  maxChars: 500,
  eosStop: true,
  seed: 1,
} as const;

export interface SampleOptions extends PickOptions {
  /** Prime token ids (already encoded), fed after EOS. */
  prime: number[];
  maxChars: number;
  /** Stop at EOS (default true). */
  eosStop: boolean;
  /** Extra stop strings; the matched string is not included in the output. */
  stops: string[];
  /** What an EOS becomes inside the text when eosStop is off (the split rule's separator). */
  eosText: string;
}

export interface SampleResult {
  /** Generated text, not including the prime. */
  text: string;
  reason: StopReason;
  /** Model log-probability (nats, temperature 1) of the generated tokens, EOS included when it stopped there. */
  logProb: number;
  /** Generated characters (code points). */
  length: number;
}

/** `engine` must have batch 1 and seqLen 1. `codePoints[id - 1]` is the character of id; id 0 is EOS.
 *  `onChar` receives each character as it is produced (for streaming to a terminal). */
export function generate(
  engine: Engine, codePoints: readonly number[], o: SampleOptions, rng: Rng, onChar?: (ch: string) => void,
): SampleResult {
  const steps = generateSteps(engine, codePoints, o, rng);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    onChar?.(r.value);
  }
}

/** generate() one token at a time: yields the text as it becomes final (held back while it could
 *  still end in a stop string) and returns the result, so a caller may pause between tokens (the
 *  library's async stream) without changing what is drawn. */
export function* generateSteps(
  engine: Engine, codePoints: readonly number[], o: SampleOptions, rng: Rng,
): Generator<string, SampleResult, void> {
  const V = engine.cfg.vocabSize;
  const x = new Int32Array(1), y = new Int32Array(1).fill(-1);
  const work = new Float64Array(2 * V);
  engine.resetState();
  const feed = (id: number): void => { x[0] = id; engine.forwardLoss(x, y); };
  feed(0);
  for (const id of o.prime) feed(id);
  let text = '', lp = 0, length = 0, emitted = 0;
  let reason: StopReason = 'max-chars';
  // Hold back enough characters that a stop string can still be removed before anything is shown.
  const holdBack = o.stops.reduce((m, s) => Math.max(m, s.length - 1), 0);
  while (length < o.maxChars) {
    const id = pickToken(engine.logits, V, o, rng, work);
    lp += logProb(engine.logits, V, id);
    if (id === 0 && o.eosStop) { reason = 'eos'; break; }
    text += id === 0 ? o.eosText : String.fromCodePoint(codePoints[id - 1]!);
    length++;
    const hit = o.stops.find((s) => text.endsWith(s));
    if (hit !== undefined) { text = text.slice(0, text.length - hit.length); reason = 'stop-string'; break; }
    let safe = text.length - holdBack;
    if (safe > emitted && isHighSurrogate(text.charCodeAt(safe - 1))) safe--;
    if (safe > emitted) { yield text.slice(emitted, safe); emitted = safe; }
    feed(id);
  }
  if (text.length > emitted) yield text.slice(emitted);
  return { text, reason, logProb: lp, length };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
