import { describe, expect, it } from 'vitest';
import { docSetFromStrings } from '../src/data/documents.js';
import { printableChar } from '../src/data/printable-char.js';
import { buildVocab, createLookup, EOS_ID, lookupId, vocabSize } from '../src/data/vocab.js';
import { DataError } from '../src/errors.js';

describe('buildVocab', () => {
  it('lists distinct code points in ascending order, EOS being id 0 outside the list', () => {
    // the property: codePoints = sorted distinct code points; id k+1 <-> codePoints[k]; V = count + 1
    const vocab = buildVocab(docSetFromStrings(['cab\n', 'bé🙂', 'a a']), 100);
    // '\n' 0x0A, ' ' 0x20, 'a' 0x61, 'b' 0x62, 'c' 0x63, 'é' 0xE9, '🙂' 0x1F642
    expect(vocab.codePoints).toEqual([0x0a, 0x20, 0x61, 0x62, 0x63, 0xe9, 0x1f642]);
    expect(EOS_ID).toBe(0);
    expect(vocabSize(vocab)).toBe(8);
  });

  it('treats an astral character as one code point, not two surrogates', () => {
    // the property: no surrogate (D800-DFFF) enters the vocabulary from a well-formed pair
    const vocab = buildVocab(docSetFromStrings(['🙂😀🙂']), 10);
    expect(vocab.codePoints).toEqual([0x1f600, 0x1f642]);
  });

  it('only counts characters inside documents', () => {
    // the property: text between document ranges (e.g. skipped blank lines) is not in the vocabulary
    const base = docSetFromStrings(['ab\t\tcd']);
    const inner = { ...base, start: Uint32Array.of(0), end: Uint32Array.of(2) };
    expect(buildVocab(inner, 10).codePoints).toEqual([0x61, 0x62]);
  });

  it('refuses more distinct characters than --max-vocab, showing the count', () => {
    // the property: 5 distinct characters pass with max 5 and fail with max 4
    const docs = docSetFromStrings(['abcde', 'edcba']);
    expect(buildVocab(docs, 5).codePoints).toHaveLength(5);
    let err: unknown;
    try { buildVocab(docs, 4); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe('corpus has 5 distinct characters, more than --max-vocab 4');
    expect((err as DataError).hint).toContain('--max-vocab');
  });
});

describe('createLookup', () => {
  it('maps each code point to its id, BMP and astral, and -1 when absent', () => {
    // the property: lookupId inverts codePoints; unknown and out-of-range code points give -1
    const lookup = createLookup({ codePoints: [0x0a, 0x61, 0xe9, 0x1f642] });
    expect(lookupId(lookup, 0x0a)).toBe(1);
    expect(lookupId(lookup, 0x61)).toBe(2);
    expect(lookupId(lookup, 0xe9)).toBe(3);
    expect(lookupId(lookup, 0x1f642)).toBe(4);
    expect(lookupId(lookup, 0x62)).toBe(-1);
    expect(lookupId(lookup, 0x1f600)).toBe(-1);
    expect(lookupId(lookup, -5)).toBe(-1);
  });

  it('rejects a vocabulary that is not strictly ascending or out of range', () => {
    // the property: a corrupt list cannot silently produce a wrong mapping
    expect(() => createLookup({ codePoints: [0x62, 0x61] })).toThrow(RangeError);
    expect(() => createLookup({ codePoints: [0x61, 0x61] })).toThrow(RangeError);
    expect(() => createLookup({ codePoints: [0x110000] })).toThrow(RangeError);
    expect(() => createLookup({ codePoints: [1.5] })).toThrow(RangeError);
  });
});

describe('printableChar', () => {
  it('quotes visible characters and spells out escapes', () => {
    // the property: every output is unambiguous on one line
    expect(printableChar(0x61)).toBe("'a'");
    expect(printableChar(0xe9)).toBe("'é'");
    expect(printableChar(0x1f642)).toBe("'🙂'");
    expect(printableChar(0x0a)).toBe("'\\n'");
    expect(printableChar(0x09)).toBe("'\\t'");
    expect(printableChar(0x0d)).toBe("'\\r'");
    expect(printableChar(0x20)).toBe("' '");
    expect(printableChar(0x27)).toBe(`"'"`);
    expect(printableChar(0x5c)).toBe("'\\\\'");
  });

  it('shows invisible and combining characters as U+XXXX', () => {
    // the property: controls, format chars, non-space separators, marks, surrogates, unassigned -> U+ form
    expect(printableChar(0x07)).toBe('U+0007');
    expect(printableChar(0x7f)).toBe('U+007F');
    expect(printableChar(0xa0)).toBe('U+00A0');
    expect(printableChar(0x200b)).toBe('U+200B');
    expect(printableChar(0xfeff)).toBe('U+FEFF');
    expect(printableChar(0x0301)).toBe('U+0301');
    expect(printableChar(0x2028)).toBe('U+2028');
    expect(printableChar(0xd800)).toBe('U+D800');
    expect(printableChar(0xe000)).toBe('U+E000');
    expect(printableChar(0x10ffff)).toBe('U+10FFFF');
  });
});
