// Documents to one token stream and back. Stream layout: [EOS, d1..., EOS, d2..., EOS, ...]: the
// leading EOS is the context the first document starts from, and each document's closing EOS is
// the context of the next, so every document is predicted from the same start state.
// The array is sized from a code point count first (a cheap scan; touching 100 MB of output pages
// twice is not), so only skipped characters can leave slack.

import { DataError } from '../errors.js';
import { totalChars, type DocSet } from './documents.js';
import { printableChar } from './printable-char.js';
import { createLookup, EOS_ID, newTokens, vocabSize, type Tokens, type Vocab, type VocabLookup } from './vocab.js';

export type UnknownPolicy = 'error' | 'skip';

export interface EncodeOptions {
  /** What to do with characters outside the vocabulary. */
  unknown: UnknownPolicy;
}

export interface EncodedDocs {
  /** 1 + chars + docs ids (empty when there are no documents); one byte per id when V ≤ 256.
   *  May be a view on a slightly longer buffer when characters were skipped. */
  tokens: Tokens;
  /** Code points encoded (EOS and skipped characters not counted). */
  chars: number;
  docs: number;
  /** Code points dropped as unknown (always 0 with unknown: 'error'). */
  skipped: number;
}

/** Most unknown characters listed in the error message. */
const UNKNOWN_SHOWN = 10;

export function encodeDocuments(docs: DocSet, vocab: Vocab, opts: EncodeOptions): EncodedDocs {
  if (docs.count === 0) return { tokens: new Uint8Array(0), chars: 0, docs: 0, skipped: 0 };
  const lookup = createLookup(vocab);
  const bound = 1 + totalChars(docs) + docs.count;
  const tokens = newTokens(vocabSize(vocab), bound);
  const unknown = new Map<number, number>();
  let k = 0;
  tokens[k++] = EOS_ID;
  for (let d = 0; d < docs.count; d++) {
    k = encodeRange(docs.texts[docs.source[d]!]!, docs.start[d]!, docs.end[d]!, lookup, tokens, k, unknown);
    tokens[k++] = EOS_ID;
  }
  const skipped = checkUnknown(unknown, opts.unknown);
  // A view when the slack is small, a copy when many characters were skipped.
  const exact = k === bound ? tokens : bound - k <= bound >> 4 ? tokens.subarray(0, k) : tokens.slice(0, k);
  return { tokens: exact, chars: k - 1 - docs.count, docs: docs.count, skipped };
}

/** Encode text[start, end) into tokens from index k; returns the next index. Code points outside
 *  the vocabulary are counted in `unknown` and skipped. */
export function encodeRange(text: string, start: number, end: number, lookup: VocabLookup, tokens: Tokens, k: number, unknown: Map<number, number>): number {
  const { bmp, astral } = lookup;
  for (let i = start; i < end; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < end) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) { cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000; i++; }
    }
    const id = cp < 0x10000 ? bmp[cp]! : astral.get(cp) ?? -1;
    if (id >= 0) tokens[k++] = id;
    else unknown.set(cp, (unknown.get(cp) ?? 0) + 1);
  }
  return k;
}

/** Characters skipped as unknown; with policy 'error', a DataError listing them when there are any. */
export function checkUnknown(unknown: Map<number, number>, policy: UnknownPolicy): number {
  let skipped = 0;
  for (const n of unknown.values()) skipped += n;
  if (skipped > 0 && policy === 'error') throw unknownError(unknown);
  return skipped;
}

function unknownError(unknown: Map<number, number>): DataError {
  const ranked = [...unknown].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const shown = ranked.slice(0, UNKNOWN_SHOWN).map(([cp, n]) => `${printableChar(cp)} ×${n}`);
  if (ranked.length > UNKNOWN_SHOWN) shown.push(`… (${ranked.length - UNKNOWN_SHOWN} more)`);
  const what = ranked.length === 1 ? '1 character is' : `${ranked.length} characters are`;
  return new DataError(`${what} not in the model's vocabulary: ${shown.join(', ')}`,
    'use --unknown skip to drop them');
}

export interface DecodeOptions {
  /** How EOS is rendered; '' by default. */
  eos?: string;
}

/** Token ids back to text. Throws RangeError for an id outside [0, V). */
export function decodeTokens(ids: ArrayLike<number>, vocab: Vocab, opts: DecodeOptions = {}): string {
  const eos = opts.eos ?? '';
  const cps = vocab.codePoints;
  const parts: string[] = [];
  const chunk: number[] = [];
  // String.fromCodePoint over bounded chunks: one call per 4096 characters, no per-character string.
  const flush = (): void => {
    if (chunk.length > 0) { parts.push(String.fromCodePoint(...chunk)); chunk.length = 0; }
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === EOS_ID) {
      if (eos !== '') { flush(); parts.push(eos); }
      continue;
    }
    const cp = cps[id - 1];
    if (cp === undefined || !Number.isInteger(id)) throw new RangeError(`token id ${id} is outside the vocabulary [0, ${cps.length + 1})`);
    chunk.push(cp);
    if (chunk.length === 4096) flush();
  }
  flush();
  return parts.join('');
}
