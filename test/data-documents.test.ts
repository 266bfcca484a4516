import { describe, expect, it } from 'vitest';
import { docChars, docSetFromStrings, docText, splitDocuments, totalChars, type DocSet } from '../src/data/documents.js';
import type { Source } from '../src/data/read-sources.js';
import { DataError } from '../src/errors.js';

const src = (...texts: string[]): Source[] => texts.map((text, i) => ({ name: `f${i}.txt`, text }));
const all = (set: DocSet): string[] => Array.from({ length: set.count }, (_, i) => docText(set, i));

describe('splitDocuments', () => {
  it("'line': each line with visible text is a document, verbatim; blank lines are skipped", () => {
    // the property: leading/trailing spaces of kept lines survive; whitespace-only lines vanish
    const set = splitDocuments(src('alpha\n\n  beta  \n \t \n\u00a0\ngamma 🙂'), 'line');
    expect(all(set)).toEqual(['alpha', '  beta  ', 'gamma 🙂']);
    expect(set.count).toBe(3);
  });

  it("'line': documents do not span files and a file without a final newline still ends its line", () => {
    // the property: file boundaries are line boundaries
    const set = splitDocuments(src('a\nb', 'c\n', '', '\n\nd'), 'line');
    expect(all(set)).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(set.source)).toEqual([0, 0, 1, 3]);
  });

  it("'line': documents are ranges into the source text, not copies", () => {
    // the property: source/start/end are UTF-16 offsets into texts[source]
    const text = 'ab\n\ncd🙂\n';
    const set = splitDocuments(src(text), 'line');
    expect(set.texts[0]).toBe(text);
    expect(Array.from(set.start)).toEqual([0, 4]);
    // 'cd' (2 units) + '🙂' (2 units) ends at 4 + 4 = 8
    expect(Array.from(set.end)).toEqual([2, 8]);
    expect(set.source.length).toBe(set.count);
  });

  it("'blank': paragraphs are runs of non-blank lines joined by \\n, split at one or more blank lines", () => {
    // the property: inner line breaks kept, any number of blank (incl. whitespace-only) lines separate
    const text = '\n\nl1\nl2\n\n   \n\nl3\n \t\nl4a\n  l4b  \n';
    expect(all(splitDocuments(src(text), 'blank'))).toEqual(['l1\nl2', 'l3', 'l4a\n  l4b  ']);
  });

  it("'blank': a paragraph ends at the end of its file", () => {
    // the property: two files without a blank line between them still give separate paragraphs
    expect(all(splitDocuments(src('p1a\np1b', 'p2\n\np3\n'), 'blank'))).toEqual(['p1a\np1b', 'p2', 'p3']);
  });

  it("'file': each file is a document minus its trailing newlines; blank files are skipped", () => {
    // the property: inner blank lines and trailing spaces stay; only final \n's go
    const set = splitDocuments(src('one\n\ntwo\n\n\n', '  ', 'three  \n', '\n\n', 'x'), 'file');
    expect(all(set)).toEqual(['one\n\ntwo', 'three  ', 'x']);
    expect(Array.from(set.source)).toEqual([0, 2, 4]);
  });

  it("'none': all files concatenated verbatim are one document", () => {
    // the property: nothing is inserted, removed or trimmed
    const set = splitDocuments(src('a\n', 'b', '\n\n', 'c 🙂\n'), 'none');
    expect(set.count).toBe(1);
    expect(docText(set, 0)).toBe('a\nb\n\nc 🙂\n');
    expect(set.texts).toEqual(['a\nb\n\nc 🙂\n']);
  });

  it('refuses sources that give no document', () => {
    // the property: an all-blank corpus is a DataError with a hint under every rule
    for (const rule of ['line', 'blank', 'file', 'none'] as const) {
      let err: unknown;
      try { splitDocuments(src(' \n', '\n\t'), rule); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).hint).toBeTruthy();
    }
  });

  it('handles a 10 MB single line and 200k short lines in linear time', () => {
    // the property: no quadratic behaviour (would take minutes at these sizes)
    const t0 = performance.now();
    const long = 'x'.repeat(10_000_000);
    const one = splitDocuments(src(long + '\n'), 'line');
    expect(one.count).toBe(1);
    expect(one.end[0]).toBe(10_000_000);
    const many = splitDocuments(src('ab\n'.repeat(200_000)), 'line');
    expect(many.count).toBe(200_000);
    expect(many.start[199_999]).toBe(3 * 199_999);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('document helpers', () => {
  it('counts characters as code points', () => {
    // the property: an emoji counts once, a lone surrogate counts once
    const set = docSetFromStrings(['a🙂b', '', '\ud800x']);
    expect([docChars(set, 0), docChars(set, 1), docChars(set, 2)]).toEqual([3, 0, 2]);
    expect(totalChars(set)).toBe(5);
  });

  it('docText rejects an index out of range', () => {
    // the property: no silent undefined for a bad index
    const set = docSetFromStrings(['a']);
    expect(() => docText(set, 1)).toThrow(RangeError);
    expect(() => docText(set, -1)).toThrow(RangeError);
  });
});
