import { describe, expect, it } from 'vitest';
import { decodeSource } from '../src/data/decode-source.js';
import { DataError } from '../src/errors.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const BOM = [0xef, 0xbb, 0xbf];

function errorOf(f: () => unknown): DataError {
  try { f(); } catch (err) { if (err instanceof DataError) return err; throw err; }
  throw new Error('expected a DataError');
}

describe('decodeSource', () => {
  it('decodes UTF-8 and keeps astral characters as surrogate pairs of one code point', () => {
    // the property: text round-trips; an emoji is one code point (two UTF-16 units)
    const text = decodeSource('a.txt', bytes('héllo 🙂'));
    expect(text).toBe('héllo 🙂');
    expect([...text]).toHaveLength(7);
  });

  it('strips one leading BOM and keeps a second one as a character', () => {
    // the property: only the first three bytes EF BB BF are dropped
    expect(decodeSource('a.txt', bytes(BOM, 'abc'))).toBe('abc');
    expect(decodeSource('a.txt', bytes(BOM, BOM, 'a'))).toBe('\uFEFFa');
    expect(decodeSource('a.txt', bytes('a', BOM))).toBe('a\uFEFF');
  });

  it('turns CRLF and lone CR into LF, and leaves LF alone', () => {
    // the property: every line end becomes exactly one LF
    expect(decodeSource('a', bytes('a\r\nb\rc\n\r\nd\r'))).toBe('a\nb\nc\n\nd\n');
    expect(decodeSource('a', bytes('\r\r\n'))).toBe('\n\n');
    expect(decodeSource('a', bytes('x\ry\rz'))).toBe('x\ny\nz');
    expect(decodeSource('a', bytes('no line ends'))).toBe('no line ends');
    expect(decodeSource('a', bytes(BOM, 'é\r\n🙂\r'))).toBe('é\n🙂\n');
  });

  it('names the file and the 0-based byte offset of invalid UTF-8, counting a BOM', () => {
    // the property: offsets are positions in the file as given
    let e = errorOf(() => decodeSource('corpus.txt', bytes('ab', [0xff])));
    expect(e.message).toBe('corpus.txt: invalid UTF-8 at byte 2 (invalid lead byte)');
    expect(e.hint).toMatch(/UTF-8/);
    // BOM (3 bytes) + 'ab' (2) puts the bad byte at 5
    e = errorOf(() => decodeSource('corpus.txt', bytes(BOM, 'ab', [0xc0, 0xaf])));
    expect(e.message).toBe('corpus.txt: invalid UTF-8 at byte 5 (overlong encoding)');
    // 1000 ASCII bytes + 'é' (2) + truncated '€'
    e = errorOf(() => decodeSource('big.txt', bytes('x'.repeat(1000), 'é', [0xe2, 0x82])));
    expect(e.message).toBe('big.txt: invalid UTF-8 at byte 1002 (truncated sequence)');
    e = errorOf(() => decodeSource('s.txt', bytes('line\r\n', [0xed, 0xb0, 0x80])));
    expect(e.message).toBe('s.txt: invalid UTF-8 at byte 6 (encoded surrogate)');
  });

  it('refuses NUL bytes with their offset, and reports whichever problem comes first', () => {
    // the property: NUL offset is a file offset; a NUL before invalid UTF-8 wins and vice versa
    let e = errorOf(() => decodeSource('bin.dat', bytes('hello', [0])));
    expect(e.message).toBe('bin.dat: NUL byte at byte 5 (binary file?)');
    expect(e.hint).toBeTruthy();
    e = errorOf(() => decodeSource('bin.dat', bytes(BOM, 'hello', [0])));
    expect(e.message).toBe('bin.dat: NUL byte at byte 8 (binary file?)');
    e = errorOf(() => decodeSource('x', bytes('a', [0, 0xff])));
    expect(e.message).toBe('x: NUL byte at byte 1 (binary file?)');
    e = errorOf(() => decodeSource('x', bytes([0xff, 0])));
    expect(e.message).toBe('x: invalid UTF-8 at byte 0 (invalid lead byte)');
  });

  it('accepts an empty file and a file that is only a BOM', () => {
    // the property: emptiness is the corpus reader's concern, not the decoder's
    expect(decodeSource('e', new Uint8Array(0))).toBe('');
    expect(decodeSource('e', bytes(BOM))).toBe('');
  });

  it('does not modify the caller\'s bytes, including a view into a larger buffer', () => {
    // the property: normalisation copies; byteOffset of a view is respected
    const whole = bytes('zz', BOM, 'a\r\nb');
    const view = whole.subarray(2);
    expect(decodeSource('v', view)).toBe('a\nb');
    expect([...whole]).toEqual([...bytes('zz', BOM, 'a\r\nb')]);
  });
});
