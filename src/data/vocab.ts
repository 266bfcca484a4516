// The character vocabulary. Id 0 is EOS (end of document, and the context a document starts
// from); ids 1..V-1 are the corpus's distinct code points in ascending order, so the vocabulary
// is a pure function of the set of characters. `codePoints` is exactly what the checkpoint stores.

import { DataError } from '../errors.js';
import type { DocSet } from './documents.js';

export const EOS_ID = 0;

export interface Vocab {
  /** Code points of ids 1..V-1, strictly ascending. */
  codePoints: number[];
}

/** V: vocabulary size, EOS included. */
export function vocabSize(vocab: Vocab): number {
  return vocab.codePoints.length + 1;
}

/** The vocabulary of `docs`. Throws DataError when there are more than `maxVocab` distinct
 *  characters (EOS not counted). */
export function buildVocab(docs: DocSet, maxVocab: number): Vocab {
  const seen = new Uint8Array(0x110000);
  for (let d = 0; d < docs.count; d++) {
    const text = docs.texts[docs.source[d]!]!;
    const end = docs.end[d]!;
    for (let i = docs.start[d]!; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          seen[((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000] = 1;
          i++;
          continue;
        }
      }
      seen[c] = 1;
    }
  }
  const codePoints: number[] = [];
  for (let cp = 0; cp < seen.length; cp++) if (seen[cp] === 1) codePoints.push(cp);
  if (codePoints.length > maxVocab) {
    throw new DataError(
      `corpus has ${codePoints.length} distinct characters, more than --max-vocab ${maxVocab}`,
      `raise --max-vocab to at least ${codePoints.length}, or clean the corpus of rare characters`,
    );
  }
  return { codePoints };
}

/** Code point -> id: a dense table for the BMP, a Map for the astral planes; -1 when absent. */
export interface VocabLookup {
  bmp: Int32Array;
  astral: Map<number, number>;
}

/** The lookup of a vocabulary. Throws RangeError when `codePoints` is not strictly ascending
 *  within [0, 0x10FFFF] (a corrupt checkpoint should have been refused before this). */
export function createLookup(vocab: Vocab): VocabLookup {
  const bmp = new Int32Array(0x10000).fill(-1);
  const astral = new Map<number, number>();
  let prev = -1;
  vocab.codePoints.forEach((cp, k) => {
    if (!Number.isInteger(cp) || cp <= prev || cp > 0x10ffff) {
      throw new RangeError(`vocabulary code points must be strictly ascending in [0, 0x10FFFF] (entry ${k}: ${cp})`);
    }
    prev = cp;
    if (cp < 0x10000) bmp[cp] = k + 1;
    else astral.set(cp, k + 1);
  });
  return { bmp, astral };
}

export function lookupId(lookup: VocabLookup, cp: number): number {
  if (cp >= 0 && cp < 0x10000) return lookup.bmp[cp]!;
  return lookup.astral.get(cp) ?? -1;
}
