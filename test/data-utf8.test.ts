import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInvalidUtf8 } from '../src/data/utf8.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('findInvalidUtf8', () => {
  it('accepts well-formed text of every sequence length, including the boundary code points', () => {
    // the property: 1-, 2-, 3- and 4-byte sequences at the edges of Table 3-7 are all valid
    expect(findInvalidUtf8(bytes('plain ascii', [0x7f]))).toBeNull();
    expect(findInvalidUtf8(bytes([0xc2, 0x80], [0xdf, 0xbf]))).toBeNull(); // U+0080, U+07FF
    expect(findInvalidUtf8(bytes([0xe0, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbf]))).toBeNull();
    expect(findInvalidUtf8(bytes([0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf]))).toBeNull(); // U+10000, U+10FFFF
    expect(findInvalidUtf8(bytes('é€🙂'))).toBeNull();
    expect(findInvalidUtf8(new Uint8Array(0))).toBeNull();
  });

  it('reports the offset of the first byte of each kind of ill-formed sequence', () => {
    // the property: offset = index of the lead byte of the first bad sequence, with the reason
    // 'ab' is 2 bytes, so a bad byte after it is at offset 2
    expect(findInvalidUtf8(bytes('ab', [0xff]))).toEqual({ offset: 2, problem: 'invalid lead byte' });
    expect(findInvalidUtf8(bytes('a', [0x80]))).toEqual({ offset: 1, problem: 'unexpected continuation byte' });
    // overlong '/' (U+002F) in 2, 3 and 4 bytes
    expect(findInvalidUtf8(bytes('A', [0xc0, 0xaf]))).toEqual({ offset: 1, problem: 'overlong encoding' });
    expect(findInvalidUtf8(bytes([0xe0, 0x80, 0xaf]))).toEqual({ offset: 0, problem: 'overlong encoding' });
    expect(findInvalidUtf8(bytes([0xf0, 0x80, 0x80, 0xaf]))).toEqual({ offset: 0, problem: 'overlong encoding' });
    // U+D800 encoded directly
    expect(findInvalidUtf8(bytes('ab', [0xed, 0xa0, 0x80]))).toEqual({ offset: 2, problem: 'encoded surrogate' });
    // U+110000 and a lead byte of a 5th plane beyond
    expect(findInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toEqual({ offset: 0, problem: 'code point above U+10FFFF' });
    expect(findInvalidUtf8(bytes('x', [0xf5, 0x80, 0x80, 0x80]))).toEqual({ offset: 1, problem: 'code point above U+10FFFF' });
    // '€' is E2 82 AC: cut short at the end, and interrupted by an ASCII byte
    expect(findInvalidUtf8(bytes('abc', [0xe2, 0x82]))).toEqual({ offset: 3, problem: 'truncated sequence' });
    expect(findInvalidUtf8(bytes([0xe2, 0x82, 0x41]))).toEqual({ offset: 0, problem: 'invalid continuation byte' });
    // 'é' (2 bytes) + '€' (3) + '🙂' (4) = 9 bytes before the bad one
    expect(findInvalidUtf8(bytes('é€🙂', [0xfe]))?.offset).toBe(9);
  });

  it('agrees with TextDecoder on every pair of first and second bytes', () => {
    // the property: Table 3-7 (which second bytes each lead byte allows) is implemented exactly;
    // two trailing 0x80 bytes complete any 3- or 4-byte sequence the pair starts
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const mismatches: string[] = [];
    const b = new Uint8Array(4);
    for (let lead = 0; lead < 256; lead++) {
      for (let second = 0; second < 256; second++) {
        b[0] = lead; b[1] = second; b[2] = 0x80; b[3] = 0x80;
        // cut to the length the lead byte announces, so the 0x80 padding is never a stray continuation
        const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        const seq = b.subarray(0, len);
        let ok = true;
        try { decoder.decode(seq); } catch { ok = false; }
        if ((findInvalidUtf8(seq) === null) !== ok) mismatches.push(`${lead.toString(16)} ${second.toString(16)}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('agrees with TextDecoder and buffer.isUtf8 on arbitrary bytes', () => {
    // the property: the slow scanner accepts exactly what the native fast paths accept
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const accepts = (b: Uint8Array): boolean => { try { decoder.decode(b); return true; } catch { return false; } };
    // bytes biased toward the interesting ranges: continuations, lead bytes, a lead byte followed by
    // continuations (overlongs, surrogates, > U+10FFFF), and real text
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    const nearValid = fc.tuple(fc.integer({ min: 0xc0, max: 0xff }), fc.array(fc.integer({ min: 0x80, max: 0xbf }), { minLength: 1, maxLength: 3 }))
      .map(([lead, rest]) => [lead, ...rest]);
    const scalar = fc.oneof(fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }));
    const text = fc.array(scalar, { maxLength: 3 }).map((cps) => [...Buffer.from(String.fromCodePoint(...cps))]);
    const chunk = fc.oneof(fc.array(byte, { maxLength: 6 }), nearValid, text);
    fc.assert(fc.property(fc.array(chunk, { maxLength: 8 }), (chunks) => {
      const b = Uint8Array.from(chunks.flat());
      const scanned = findInvalidUtf8(b) === null;
      return scanned === accepts(b) && scanned === isUtf8(b);
    }), { numRuns: 3000 });
  });
});
