// The validation split, on the encoded stream [EOS, d1…, EOS, d2…, EOS]. Document rules hold out
// whole documents chosen by a seeded shuffle, so no document is partly seen in training; 'none'
// holds out the tail of the stream, the convention of char-rnn's tiny-shakespeare (first 90%
// train, last 10% val). Both sets keep the document order and the stream layout: each is again
// [EOS, d…, EOS, …].

import type { DocSplit } from './doc-split.js';
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
 *  at least one document goes to val and at least one stays in train. Memory beyond the tokens:
 *  the shuffled order (4 bytes per document) and the lengths of the first few shuffled documents,
 *  so 17 M one-line documents cost 70 MB, not three arrays of them. */
function splitWhole(tokens: Tokens, n: number, rule: DocSplit, valFraction: number, seed: number): TokenSplit {
  if (n < 2) {
    throw new DataError(`--doc-split ${rule} gives ${n} document${n === 1 ? '' : 's'}, too few to hold out whole documents for validation`,
      'use --doc-split none to hold out the end of the text, or --val-fraction 0 to train without validation');
  }
  // Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P) over document indices.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = createRng(seed, 'split');
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  // Take documents in shuffled order until val holds the target: the first K of `order`. Their
  // lengths are read from the stream for a prefix of m candidates, doubled until it suffices.
  const target = valFraction * (tokens.length - 1 - n);
  let K = 0, valChars = 0;
  for (let m = Math.min(n - 1, Math.max(64, Math.ceil(2 * valFraction * n))); ; m = Math.min(n - 1, 2 * m)) {
    const len = docLengths(tokens, order.subarray(0, m));
    K = 0; valChars = 0;
    while (K < m && (K === 0 || valChars < target)) valChars += len[K++]!;
    if (valChars >= target || K === n - 1) break;
  }
  const valDocs = sortedCopy(order.subarray(0, K));

  // Val is copied out; train is compacted in place (its documents move only towards the front).
  const val = tokensLike(tokens, 1 + valChars + K);
  let v = 0, w = 0, d = 0, next = 0, a = 0;
  for (let p = 1; p < tokens.length; p++) {
    if (tokens[p] !== EOS_ID) continue;
    // document d is tokens[a, p): its leading EOS and its characters
    if (next < K && valDocs[next] === d) { val.set(tokens.subarray(a, p), v); v += p - a; next++; }
    else { tokens.copyWithin(w, a, p); w += p - a; }
    d++; a = p;
  }
  val[v] = EOS_ID;
  tokens[w++] = EOS_ID;
  return { train: tokens.subarray(0, w), val, trainDocs: n - K, valDocs: K };
}

/** Characters of each document in `docs` (indices, any order), in that order: one pass over the stream. */
function docLengths(tokens: Tokens, docs: Uint32Array): Float64Array {
  const sorted = sortedCopy(docs);
  const lenSorted = new Float64Array(docs.length);
  for (let p = 1, d = 0, a = 0, i = 0; p < tokens.length && i < sorted.length; p++) {
    if (tokens[p] !== EOS_ID) continue;
    if (sorted[i] === d) lenSorted[i++] = p - a - 1;
    d++; a = p;
  }
  const len = new Float64Array(docs.length);
  for (let k = 0; k < docs.length; k++) len[k] = lenSorted[lowerBound(sorted, docs[k]!)]!;
  return len;
}

const sortedCopy = (a: Uint32Array): Uint32Array => Uint32Array.from(a).sort();

function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid]! < x) lo = mid + 1; else hi = mid; }
  return lo;
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
