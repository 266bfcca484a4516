import { describe, expect, it } from 'vitest';
import { docSetFromStrings, splitDocuments } from '../src/data/documents.js';
import { decodeTokens, encodeDocuments } from '../src/data/encode.js';
import { encodeCorpusStream } from '../src/data/encode-corpus.js';
import { buildVocab, type Vocab } from '../src/data/vocab.js';
import { DataError } from '../src/errors.js';

// ids: EOS 0, '\n' 1, ' ' 2, 'a' 3, 'b' 4, 'c' 5, '🙂' 6
const vocab: Vocab = { codePoints: [0x0a, 0x20, 0x61, 0x62, 0x63, 0x1f642] };

function errorOf(f: () => unknown): DataError {
  try { f(); } catch (err) { if (err instanceof DataError) return err; throw err; }
  throw new Error('expected a DataError');
}

describe('encodeDocuments', () => {
  it('lays out [EOS, doc1, EOS, doc2, EOS, ...] with EOS = 0', () => {
    // the property: one leading EOS, then each document followed by EOS
    const out = encodeDocuments(docSetFromStrings(['ab', 'c', 'a b\nc']), vocab, { unknown: 'error' });
    expect(Array.from(out.tokens)).toEqual([0, 3, 4, 0, 5, 0, 3, 2, 4, 1, 5, 0]);
    expect(out.chars).toBe(8);
    expect(out.docs).toBe(3);
    expect(out.skipped).toBe(0);
    expect(out.tokens).toBeInstanceOf(Uint8Array); // V = 7 fits in a byte
  });

  it('encodes an emoji as one token', () => {
    // the property: a surrogate pair is one code point and one id
    const out = encodeDocuments(docSetFromStrings(['a🙂🙂b']), vocab, { unknown: 'error' });
    expect(Array.from(out.tokens)).toEqual([0, 3, 6, 6, 4, 0]);
    expect(out.chars).toBe(4);
  });

  it('encodes only the document ranges of a set', () => {
    // the property: characters outside [start, end) are not encoded
    const base = docSetFromStrings(['xxabxx']);
    const out = encodeDocuments({ ...base, start: Uint32Array.of(2), end: Uint32Array.of(4) }, vocab, { unknown: 'error' });
    expect(Array.from(out.tokens)).toEqual([0, 3, 4, 0]);
  });

  it('gives an empty stream for an empty document set', () => {
    // the property: no documents, no tokens (not even the leading EOS)
    const out = encodeDocuments(docSetFromStrings([]), vocab, { unknown: 'error' });
    expect(out.tokens.length).toBe(0);
    expect(out.docs).toBe(0);
  });

  it('lists unknown characters, most frequent first, with counts and a hint', () => {
    // the property: 'é' ×3 before '😀' ×2 before 'z' ×1 and U+0007 ×1 (ties by code point)
    const e = errorOf(() => encodeDocuments(docSetFromStrings(['aéz', 'é😀\u0007', 'é😀']), vocab, { unknown: 'error' }));
    expect(e.message).toBe("4 characters are not in the model's vocabulary: 'é' ×3, '😀' ×2, U+0007 ×1, 'z' ×1");
    expect(e.hint).toContain('--unknown skip');
    const one = errorOf(() => encodeDocuments(docSetFromStrings(['aé']), vocab, { unknown: 'error' }));
    expect(one.message).toBe("1 character is not in the model's vocabulary: 'é' ×1");
  });

  it('shows at most 10 unknown characters and says how many more there are', () => {
    // the property: 12 distinct unknowns -> 10 shown + "(2 more)"
    const text = 'defghijklmno';
    const e = errorOf(() => encodeDocuments(docSetFromStrings([text]), vocab, { unknown: 'error' }));
    expect(e.message).toBe("12 characters are not in the model's vocabulary: "
      + "'d' ×1, 'e' ×1, 'f' ×1, 'g' ×1, 'h' ×1, 'i' ×1, 'j' ×1, 'k' ×1, 'l' ×1, 'm' ×1, … (2 more)");
  });

  it('drops unknown characters with skip and counts them', () => {
    // the property: the stream is the known characters only; EOS layout unchanged
    const out = encodeDocuments(docSetFromStrings(['aéb', 'zz', '😀c']), vocab, { unknown: 'skip' });
    expect(Array.from(out.tokens)).toEqual([0, 3, 4, 0, 0, 5, 0]);
    expect(out.skipped).toBe(4);
    expect(out.chars).toBe(3);
    expect(out.tokens.length).toBe(1 + out.chars + out.docs);
  });

  it('uses Uint8Array up to V = 256, Uint16Array up to V = 65536 and Uint32Array above', () => {
    // the property: the narrowest array that holds every id
    const cps = (n: number): number[] => Array.from({ length: n }, (_, i) => 0x20000 + i);
    const byte = encodeDocuments(docSetFromStrings([String.fromCodePoint(0x20000 + 254)]), { codePoints: cps(255) }, { unknown: 'error' });
    expect(byte.tokens).toBeInstanceOf(Uint8Array);
    expect(Array.from(byte.tokens)).toEqual([0, 255, 0]);
    const two = encodeDocuments(docSetFromStrings([String.fromCodePoint(0x20000 + 255)]), { codePoints: cps(256) }, { unknown: 'error' });
    expect(two.tokens).toBeInstanceOf(Uint16Array);
    expect(Array.from(two.tokens)).toEqual([0, 256, 0]);
    const small = encodeDocuments(docSetFromStrings([String.fromCodePoint(0x20000 + 65534)]), { codePoints: cps(65535) }, { unknown: 'error' });
    expect(small.tokens).toBeInstanceOf(Uint16Array);
    expect(Array.from(small.tokens)).toEqual([0, 65535, 0]);
    const big = encodeDocuments(docSetFromStrings([String.fromCodePoint(0x20000 + 65535)]), { codePoints: cps(65536) }, { unknown: 'error' });
    expect(big.tokens).toBeInstanceOf(Uint32Array);
    expect(Array.from(big.tokens)).toEqual([0, 65536, 0]);
  });

  it('encodes a 10 MB document quickly', () => {
    // the property: linear time, one typed array
    const out = encodeDocuments(docSetFromStrings(['ab'.repeat(5_000_000)]), vocab, { unknown: 'error' });
    expect(out.tokens.length).toBe(10_000_002);
    expect(out.tokens[10_000_000]).toBe(4);
  });
});

describe('decodeTokens', () => {
  it('inverts encoding, rendering EOS as nothing by default or as given', () => {
    // the property: decode(encode(docs)) is the documents joined by the EOS rendering
    const tokens = encodeDocuments(docSetFromStrings(['ab 🙂', 'c\n']), vocab, { unknown: 'error' }).tokens;
    expect(decodeTokens(tokens, vocab)).toBe('ab 🙂c\n');
    expect(decodeTokens(tokens, vocab, { eos: '|' })).toBe('|ab 🙂|c\n|');
    expect(decodeTokens([6, 6, 6], vocab)).toBe('🙂🙂🙂');
  });

  it('decodes long streams (more than one internal chunk)', () => {
    // the property: chunking does not drop or reorder characters
    const ids = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? 3 : 6));
    expect(decodeTokens(ids, vocab)).toBe('a🙂'.repeat(5_000));
  });

  it('rejects ids outside the vocabulary', () => {
    // the property: an out-of-range id is an error, not a silent undefined
    expect(() => decodeTokens([7], vocab)).toThrow(RangeError);
    expect(() => decodeTokens([-1], vocab)).toThrow(RangeError);
    expect(() => decodeTokens([1.5], vocab)).toThrow(RangeError);
  });
});

describe('encodeCorpusStream (the training path: documents cut on the fly, no range arrays)', () => {
  // The same corpora through the two paths: documents as ranges then encodeDocuments (the eval
  // path, tested above) and the streaming encoder must give the same tokens, vocabulary and counts.
  const corpora: [string, string[]][] = [
    ['one file of lines, blank lines and a CRLF', ['alpha\n\nbeta  \r\n   \ngamma🙂\n']],
    ['paragraphs over two files', ['p1 l1\np1 l2\n\n\np2\n', '\n\nq1\n\nq2 l1\nq2 l2']],
    ['a file that is only whitespace between two', ['x\n', ' \n\t\n', 'y🙂z']],
  ];
  for (const [what, texts] of corpora) {
    for (const rule of ['line', 'blank', 'file', 'none'] as const) {
      it(`${what}, --doc-split ${rule}`, () => {
        const sources = texts.map((text, i) => ({ name: `f${i}.txt`, text }));
        const docs = splitDocuments(sources, rule);
        const want = encodeDocuments(docs, buildVocab(docs, 100), { unknown: 'error' });
        const got = encodeCorpusStream(texts, rule, { maxVocab: 100 });
        expect(got.vocab).toEqual(buildVocab(docs, 100));
        expect(Array.from(got.tokens)).toEqual(Array.from(want.tokens));
        expect([got.docs, got.chars]).toEqual([want.docs, want.chars]);
        expect(got.tokens.length).toBe(got.tokens.buffer.byteLength / got.tokens.BYTES_PER_ELEMENT); // exact size, no slack
      });
    }
  }

  it('refuses a corpus of only whitespace, and characters outside a given vocabulary (listing them)', () => {
    expect(errorOf(() => encodeCorpusStream([' \n\n'], 'line', { maxVocab: 100 })).message).toContain('no documents');
    expect(errorOf(() => encodeCorpusStream([' \n\n'], 'none', { maxVocab: 100 })).message).toContain('no documents');
    expect(errorOf(() => encodeCorpusStream(['abd\nd'], 'line', { vocab, maxVocab: 100 })).message).toContain("'d' ×2");
  });

  it('refuses more distinct characters than maxVocab, with the count', () => {
    expect(errorOf(() => encodeCorpusStream(['abcdef'], 'none', { maxVocab: 5 })).message).toContain('6 distinct characters');
  });
});
