// A fingerprint of a run's token streams, kept in its checkpoint so that a resume can tell the
// corpus it is given from an edited one of the same length. Not a cryptographic hash: two 32-bit
// multiply-xorshift lanes (cyrb53's mixing), about a nanosecond a token, which is what a
// 100 MB corpus can afford at every resume.

import type { Tokens } from './vocab.js';

/** 53 bits of hash over the streams in order, as 14 hex digits. */
export function fingerprintTokens(...streams: readonly Tokens[]): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (const s of streams) {
    for (let i = 0; i < s.length; i++) {
      const t = s[i]!;
      h1 = Math.imul(h1 ^ t, 2654435761);
      h2 = Math.imul(h2 ^ t, 1597334677);
    }
    // A stream boundary counts, so [ab][c] and [a][bc] differ.
    h1 = Math.imul(h1 ^ 0xffff_ffff, 2654435761);
    h2 = Math.imul(h2 ^ s.length, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
