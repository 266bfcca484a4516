// Documents as ranges over the normalised source texts, so a corpus of millions of lines costs
// 12 bytes per document and no string per document. A DocSet is cut from sources by a DocSplit
// rule; train/val subsets share the same `texts`.

import type { DocSplit } from './doc-split.js';
import { DataError } from '../errors.js';
import type { Source } from './read-sources.js';
import { countCodePoints, isBlankRange } from './text-scan.js';

export interface DocSet {
  /** The texts documents point into (the sources' texts; one concatenated text for 'none'). */
  texts: readonly string[];
  /** Documents; each array below has exactly `count` entries. */
  count: number;
  /** Index into `texts` of each document. */
  source: Uint32Array;
  /** UTF-16 offsets [start, end) of each document in its text; never inside a surrogate pair. */
  start: Uint32Array;
  end: Uint32Array;
}

/** The text of document i (allocates a string: for tests and small use). */
export function docText(set: DocSet, i: number): string {
  if (i < 0 || i >= set.count) throw new RangeError(`document ${i} out of range [0, ${set.count})`);
  return set.texts[set.source[i]!]!.slice(set.start[i]!, set.end[i]!);
}

/** Code points in document i. */
export function docChars(set: DocSet, i: number): number {
  return countCodePoints(set.texts[set.source[i]!]!, set.start[i]!, set.end[i]!);
}

/** Code points over all documents (document separators not counted). */
export function totalChars(set: DocSet): number {
  let n = 0;
  for (let i = 0; i < set.count; i++) n += docChars(set, i);
  return n;
}

/** One document per string, verbatim (for tests and for text that is already split). */
export function docSetFromStrings(docs: readonly string[]): DocSet {
  const list = createRangeList(docs.length);
  docs.forEach((d, i) => list.push(i, 0, d.length));
  return list.finish(docs);
}

/** Cut sources into documents by `rule`:
 *  line   each line that is not empty or whitespace-only, verbatim;
 *  blank  paragraphs: runs of non-blank lines joined by \n, split at one or more blank lines;
 *  file   each file minus its trailing newlines (files that are only whitespace are skipped);
 *  none   all files concatenated verbatim as one document.
 *  Documents never span files except under 'none'. Throws DataError when no document remains. */
export function splitDocuments(sources: readonly Source[], rule: DocSplit): DocSet {
  const texts = sources.map((s) => s.text);
  let set: DocSet;
  if (rule === 'none') set = joinAll(texts);
  else {
    const list = createRangeList(rule === 'file' ? texts.length : 1024);
    forEachDocument(texts, rule, (s, a, b) => list.push(s, a, b));
    set = list.finish(texts);
  }
  if (set.count === 0) throw noDocuments();
  return set;
}

export const noDocuments = (): DataError =>
  new DataError('corpus has no documents: it is empty or only whitespace', 'give at least one file with some text in it');

/** Call `emit(text, start, end)` for each document `rule` cuts from `texts`, in order, without
 *  storing them (the 'none' rule, whose one document spans files, is left to the caller). */
export function forEachDocument(texts: readonly string[], rule: Exclude<DocSplit, 'none'>, emit: (text: number, start: number, end: number) => void): void {
  switch (rule) {
    case 'line': texts.forEach((t, s) => splitLines(t, s, emit)); break;
    case 'blank': texts.forEach((t, s) => splitParagraphs(t, s, emit)); break;
    case 'file': texts.forEach((t, s) => splitFile(t, s, emit)); break;
  }
}

type Emit = (text: number, start: number, end: number) => void;

function splitLines(text: string, s: number, emit: Emit): void {
  for (let a = 0; a < text.length;) {
    const nl = text.indexOf('\n', a);
    const b = nl < 0 ? text.length : nl;
    if (!isBlankRange(text, a, b)) emit(s, a, b);
    a = b + 1;
  }
}

function splitParagraphs(text: string, s: number, emit: Emit): void {
  let paraStart = -1, paraEnd = -1;
  for (let a = 0; a < text.length;) {
    const nl = text.indexOf('\n', a);
    const b = nl < 0 ? text.length : nl;
    if (isBlankRange(text, a, b)) {
      if (paraStart >= 0) emit(s, paraStart, paraEnd);
      paraStart = -1;
    } else {
      if (paraStart < 0) paraStart = a;
      paraEnd = b;
    }
    a = b + 1;
  }
  if (paraStart >= 0) emit(s, paraStart, paraEnd);
}

function splitFile(text: string, s: number, emit: Emit): void {
  let b = text.length;
  while (b > 0 && text.charCodeAt(b - 1) === 0x0a) b--;
  if (!isBlankRange(text, 0, b)) emit(s, 0, b);
}

export interface RangeList {
  push(source: number, start: number, end: number): void;
  finish(texts: readonly string[]): DocSet;
}

/** A growable list of document ranges (doubling typed arrays). */
export function createRangeList(capacity: number): RangeList {
  let cap = Math.max(1, capacity);
  let source = new Uint32Array(cap), start = new Uint32Array(cap), end = new Uint32Array(cap);
  let count = 0;
  const grow = (): void => {
    cap *= 2;
    const s2 = new Uint32Array(cap), a2 = new Uint32Array(cap), b2 = new Uint32Array(cap);
    s2.set(source); a2.set(start); b2.set(end);
    source = s2; start = a2; end = b2;
  };
  return {
    push(s, a, b) {
      if (count === cap) grow();
      source[count] = s; start[count] = a; end[count] = b;
      count++;
    },
    finish: (texts) => ({
      texts, count, source: source.subarray(0, count), start: start.subarray(0, count), end: end.subarray(0, count),
    }),
  };
}

function joinAll(texts: readonly string[]): DocSet {
  let joined: string;
  try {
    joined = texts.length === 1 ? texts[0]! : texts.join('');
  } catch (err) {
    throw new DataError(`the corpus is too large to hold as one stream (${err instanceof Error ? err.message : String(err)})`,
      'use --doc-split file or line, which keep the files apart');
  }
  const list = createRangeList(1);
  if (!isBlankRange(joined, 0, joined.length)) list.push(0, 0, joined.length);
  return list.finish([joined]);
}
