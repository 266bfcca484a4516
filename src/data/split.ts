// The validation split. Document rules hold out whole documents chosen by a seeded shuffle, so no
// document is partly seen in training; 'none' holds out the tail of the stream, the convention of
// char-rnn's tiny-shakespeare (first 90% train, last 10% val).

import type { DocSplit } from '../checkpoint/types.js';
import { DataError, UsageError } from '../errors.js';
import { createRng } from '../rng.js';
import { createRangeList, docChars, type DocSet } from './documents.js';
import { advanceCodePoints, countCodePoints } from './text-scan.js';

export interface TrainVal {
  train: DocSet;
  val: DocSet;
}

/** Split `docs` (as cut by `rule`) into train and val with about `valFraction` of the characters
 *  in val. Deterministic in `seed`; both sets keep the original document order; val is empty when
 *  valFraction is 0, and otherwise neither set is. */
export function splitTrainVal(docs: DocSet, rule: DocSplit, valFraction: number, seed: number): TrainVal {
  if (!(valFraction >= 0 && valFraction < 1)) {
    throw new UsageError(`--val-fraction must be at least 0 and below 1 (got ${valFraction})`, 'e.g. --val-fraction 0.1');
  }
  if (valFraction === 0) return { train: docs, val: createRangeList(0).finish(docs.texts) };
  return rule === 'none' ? splitTail(docs, valFraction) : splitWhole(docs, rule, valFraction, seed);
}

/** Whole documents in a seeded random order until val holds >= valFraction of the characters;
 *  at least one document goes to val and at least one stays in train. */
function splitWhole(docs: DocSet, rule: DocSplit, valFraction: number, seed: number): TrainVal {
  const n = docs.count;
  if (n < 2) {
    throw new DataError(`--doc-split ${rule} gives ${n} document${n === 1 ? '' : 's'}, too few to hold out whole documents for validation`,
      'use --doc-split none to hold out the end of the text, or --val-fraction 0 to train without validation');
  }
  const chars = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) { chars[i] = docChars(docs, i); total += chars[i]!; }

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
  let valChars = 0;
  for (let k = 0; k < n - 1 && (k === 0 || valChars < target); k++) {
    inVal[order[k]!] = 1;
    valChars += chars[order[k]!]!;
  }
  return { train: subset(docs, inVal, 0), val: subset(docs, inVal, 1) };
}

function subset(docs: DocSet, inVal: Uint8Array, want: 0 | 1): DocSet {
  const list = createRangeList(docs.count);
  for (let i = 0; i < docs.count; i++) {
    if (inVal[i] === want) list.push(docs.source[i]!, docs.start[i]!, docs.end[i]!);
  }
  return list.finish(docs.texts);
}

/** The first round(n * (1 - valFraction)) code points of the stream are train, the rest val,
 *  clamped so that each gets at least one. */
function splitTail(docs: DocSet, valFraction: number): TrainVal {
  if (docs.count !== 1) throw new RangeError(`--doc-split none expects one document, got ${docs.count}`);
  const text = docs.texts[docs.source[0]!]!;
  const start = docs.start[0]!, end = docs.end[0]!;
  const n = countCodePoints(text, start, end);
  if (n < 2) {
    throw new DataError(`the corpus has ${n} character${n === 1 ? '' : 's'}, too few to split off a validation set`,
      'use --val-fraction 0, or a larger corpus');
  }
  const trainChars = Math.min(n - 1, Math.max(1, Math.round(n * (1 - valFraction))));
  const cut = advanceCodePoints(text, start, end, trainChars);
  const train = createRangeList(1), val = createRangeList(1);
  train.push(docs.source[0]!, start, cut);
  val.push(docs.source[0]!, cut, end);
  return { train: train.finish(docs.texts), val: val.finish(docs.texts) };
}
