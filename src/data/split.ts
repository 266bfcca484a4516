// The validation split, on the encoded stream [EOS, d1…, EOS, d2…, EOS]. Document rules hold out
// whole documents chosen by a seeded shuffle, so no document is partly seen in training; 'none'
// holds out the tail of the stream, the convention of char-rnn's tiny-shakespeare (first 90%
// train, last 10% val). Both sets keep the document order and the stream layout: each is again
// [EOS, d…, EOS, …].

import type { DocSplit } from '../checkpoint/types.js';
import { DataError, UsageError } from '../errors.js';
import { createRng } from '../rng.js';
import { EOS_ID, tokensLike, type Tokens } from './vocab.js';

export interface TokenSplit {
  train: Tokens;
  val: Tokens;
  trainDocs: number;
  valDocs: number;
}

/** Split the stream of `docs` documents (as cut by `rule`) into train and val with about
 *  `valFraction` of the characters in val. Deterministic in `seed`; val is empty when valFraction
 *  is 0, and otherwise neither set is. Consumes `tokens`: train is a view of it, rearranged in
 *  place, so the corpus is never held twice. */
export function splitTokens(tokens: Tokens, docs: number, rule: DocSplit, valFraction: number, seed: number): TokenSplit {
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new UsageError(`--val-fraction must be at least 0 and below 1 (got ${valFraction})`, 'e.g. --val-fraction 0.1');
  }
  if (valFraction === 0) return { train: tokens, val: tokens.subarray(0, 0), trainDocs: docs, valDocs: 0 };
  return rule === 'none' ? splitTail(tokens, docs, valFraction) : splitWhole(tokens, docs, rule, valFraction, seed);
}

/** Whole documents in a seeded random order until val holds >= valFraction of the characters;
 *  at least one document goes to val and at least one stays in train. */
function splitWhole(tokens: Tokens, n: number, rule: DocSplit, valFraction: number, seed: number): TokenSplit {
  if (n < 2) {
    throw new DataError(`--doc-split ${rule} gives ${n} document${n === 1 ? '' : 's'}, too few to hold out whole documents for validation`,
      'use --doc-split none to hold out the end of the text, or --val-fraction 0 to train without validation');
  }
  // Document i is tokens[at[i], at[i+1]): its leading EOS and its characters.
  const at = new Uint32Array(n + 1);
  for (let k = 0, d = 0; k < tokens.length; k++) if (tokens[k] === EOS_ID) at[d++] = k;
  const chars = (i: number): number => at[i + 1]! - at[i]! - 1;
  const total = tokens.length - 1 - n;

  // Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P) over document indices.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = createRng(seed, 'split');
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  const inVal = new Uint8Array(n);
  const target = valFraction * total;
  let valChars = 0, valDocs = 0;
  for (let k = 0; k < n - 1 && (k === 0 || valChars < target); k++) {
    inVal[order[k]!] = 1;
    valChars += chars(order[k]!);
    valDocs++;
  }

  // Val is copied out; train is compacted in place (its documents move only towards the front).
  const val = tokensLike(tokens, 1 + valChars + valDocs);
  let v = 0, w = 0;
  for (let i = 0; i < n; i++) {
    const a = at[i]!, b = at[i + 1]!;
    if (inVal[i]) { val.set(tokens.subarray(a, b), v); v += b - a; }
    else { tokens.copyWithin(w, a, b); w += b - a; }
  }
  val[v] = EOS_ID;
  tokens[w++] = EOS_ID;
  return { train: tokens.subarray(0, w), val, trainDocs: n - valDocs, valDocs };
}

/** The first round(n * (1 - valFraction)) code points of the stream are train, the rest val,
 *  clamped so that each gets at least one. */
function splitTail(tokens: Tokens, docs: number, valFraction: number): TokenSplit {
  if (docs !== 1) throw new RangeError(`--doc-split none expects one document, got ${docs}`);
  const n = tokens.length - 2;
  if (n < 2) {
    throw new DataError(`the corpus has ${n} character${n === 1 ? '' : 's'}, too few to split off a validation set`,
      'use --val-fraction 0, or a larger corpus');
  }
  const k = Math.min(n - 1, Math.max(1, Math.round(n * (1 - valFraction))));
  const val = tokensLike(tokens, n - k + 2);
  val.set(tokens.subarray(k + 1, n + 2), 1);
  val[0] = EOS_ID;
  tokens[k + 1] = EOS_ID;
  return { train: tokens.subarray(0, k + 2), val, trainDocs: 1, valDocs: 1 };
}
