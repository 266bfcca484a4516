// A byte-by-byte UTF-8 validator that says where and why a buffer is not UTF-8. It is the slow
// path: callers validate natively (buffer.isUtf8) and only scan when that fails.
// Well-formed sequences follow the Unicode Standard, Table 3-7
// (https://www.unicode.org/versions/Unicode15.0.0/ch03.pdf#G27506), the table WHATWG's decoder
// and simdutf implement, so this scanner, TextDecoder({ fatal: true }) and isUtf8 agree (tested).

export type Utf8Problem = 'unexpected continuation byte' | 'invalid lead byte' | 'overlong encoding'
  | 'encoded surrogate' | 'code point above U+10FFFF' | 'invalid continuation byte' | 'truncated sequence';

export interface Utf8Error {
  /** 0-based offset of the first byte of the ill-formed sequence. */
  offset: number;
  problem: Utf8Problem;
}

/** The first ill-formed sequence in `bytes`, or null when all of it is well-formed UTF-8. */
export function findInvalidUtf8(bytes: Uint8Array): Utf8Error | null {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) { i++; continue; }
    let len: number;
    // The allowed range of the second byte narrows for E0, ED, F0 and F4 (Table 3-7).
    let lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) { len = 3; if (b === 0xe0) lo = 0xa0; else if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; if (b === 0xf0) lo = 0x90; else if (b === 0xf4) hi = 0x8f; }
    else return { offset: i, problem: leadProblem(b) };
    for (let k = 1; k < len; k++) {
      if (i + k >= n) return { offset: i, problem: 'truncated sequence' };
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return { offset: i, problem: 'invalid continuation byte' };
      if (k === 1 && (c < lo || c > hi)) return { offset: i, problem: secondByteProblem(b) };
    }
    i += len;
  }
  return null;
}

function leadProblem(b: number): Utf8Problem {
  if (b <= 0xbf) return 'unexpected continuation byte';
  if (b <= 0xc1) return 'overlong encoding';
  if (b <= 0xf7) return 'code point above U+10FFFF';
  return 'invalid lead byte';
}

function secondByteProblem(lead: number): Utf8Problem {
  if (lead === 0xed) return 'encoded surrogate';
  if (lead === 0xf4) return 'code point above U+10FFFF';
  return 'overlong encoding';
}
