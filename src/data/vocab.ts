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

/** A token stream: one byte per token when the vocabulary fits (most corpora: V ≤ 256), else two,
 *  else four. */
export type Tokens = Uint8Array | Uint16Array | Uint32Array;

/** A zeroed token array of length n for a vocabulary of V tokens (EOS included). */
export function newTokens(V: number, n: number): Tokens {
  return V <= 0x100 ? new Uint8Array(n) : V <= 0x10000 ? new Uint16Array(n) : new Uint32Array(n);
}

/** A zeroed token array of length n of the same element type as `like`. */
export function tokensLike(like: Tokens, n: number): Tokens {
  return like instanceof Uint8Array ? new Uint8Array(n) : like instanceof Uint16Array ? new Uint16Array(n) : new Uint32Array(n);
}

/** V: vocabulary size, EOS included. */
export function vocabSize(vocab: Vocab): number {
  return vocab.codePoints.length + 1;
}

/** The vocabulary of `docs`. Throws DataError when there are more than `maxVocab` distinct
 *  characters (EOS not counted). */
export function buildVocab(docs: DocSet, maxVocab: number): Vocab {
  const seen = newSeenTable();
  for (let d = 0; d < docs.count; d++) markCodePoints(docs.texts[docs.source[d]!]!, docs.start[d]!, docs.end[d]!, seen);
  return vocabFromSeen(seen, maxVocab);
}

/** A mark per code point, for markCodePoints. */
export const newSeenTable = (): Uint8Array => new Uint8Array(0x110000);

/** Mark the code points of text[start, end) in `seen`; returns how many there were. */
export function markCodePoints(text: string, start: number, end: number, seen: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++, n++) {
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
  return n;
}

/** The vocabulary of the marked code points; DataError above `maxVocab` of them. */
export function vocabFromSeen(seen: Uint8Array, maxVocab: number): Vocab {
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
