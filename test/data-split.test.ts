import { describe, expect, it } from 'vitest';
import type { DocSplit } from '../src/data/doc-split.js';
import { docSetFromStrings, splitDocuments, type DocSet } from '../src/data/documents.js';
import { decodeTokens, encodeDocuments } from '../src/data/encode.js';
import { splitTokens } from '../src/data/split.js';
import { buildVocab, type Tokens } from '../src/data/vocab.js';
import { DataError, UsageError } from '../src/errors.js';
import { createRng } from '../src/rng.js';

interface Side { docs: string[]; count: number; tokens: Tokens }
/** Encode `set` as one stream, as rnn train does, split it, and decode each side's documents. */
function splitTrainVal(set: DocSet, rule: DocSplit, f: number, seed: number): { train: Side; val: Side } {
  const vocab = buildVocab(set, 65535);
  const enc = encodeDocuments(set, vocab, { unknown: 'error' });
  const r = splitTokens(enc.tokens, set.count, rule, f, seed);
  const side = (tokens: Tokens, count: number): Side => {
    // [EOS, d1…, EOS, d2…, EOS] decodes to "\0d1\0d2\0"
    const docs = tokens.length ? decodeTokens(tokens, vocab, { eos: '\0' }).split('\0').slice(1, -1) : [];
    expect(docs).toHaveLength(count);
    return { docs, count, tokens };
  };
  return { train: side(r.train, r.trainDocs), val: side(r.val, r.valDocs) };
}
const all = (side: Side): string[] => side.docs;
const src = (text: string) => [{ name: 'c.txt', text }];
// 40 distinct documents of varied length: "d00", "d01xx", ...
const names = Array.from({ length: 40 }, (_, i) => `d${String(i).padStart(2, '0')}${'x'.repeat(i % 7)}`);
const docs = docSetFromStrings(names);
const chars = (list: string[]): number => list.reduce((n, s) => n + [...s].length, 0);

function errorOf(f: () => unknown): Error & { hint?: string } {
  try { f(); } catch (err) { return err as Error; }
  throw new Error('expected an error');
}

describe('splitTokens with document rules', () => {
  it('is deterministic in the seed and differs between seeds', () => {
    // the property: same seed, same split; the seed actually matters
    const a = splitTrainVal(docs, 'line', 0.25, 7);
    const b = splitTrainVal(docs, 'line', 0.25, 7);
    expect(all(a.val)).toEqual(all(b.val));
    const others = [8, 9, 10].map((s) => all(splitTrainVal(docs, 'line', 0.25, s).val).join());
    expect(others.some((v) => v !== all(a.val).join())).toBe(true);
  });

  it('partitions whole documents, each set in the original order', () => {
    // the property: train ∪ val = all documents, disjoint, no document cut, order kept
    for (const seed of [1, 2, 3]) {
      const { train, val } = splitTrainVal(docs, 'line', 0.3, seed);
      const t = all(train), v = all(val);
      expect(t.length + v.length).toBe(40);
      expect([...t, ...v].sort()).toEqual([...names].sort());
      expect(t).toEqual(names.filter((n) => t.includes(n)));
      expect(v).toEqual(names.filter((n) => v.includes(n)));
      // each side is a stream of its own: the encoding of exactly its documents
      expect(Array.from(train.tokens)).toEqual(Array.from(encodeDocuments(docSetFromStrings(t), buildVocab(docs, 99), { unknown: 'error' }).tokens));
    }
  });

  it('takes shuffled documents until val holds at least the fraction of characters', () => {
    // the property: val chars >= f * total, and the documented procedure (Fisher-Yates with
    // createRng(seed, 'split'), take in shuffled order until the target) gives exactly this set
    const f = 0.2, seed = 42;
    const { val } = splitTrainVal(docs, 'blank', f, seed);
    const total = chars(names);
    expect(chars(all(val))).toBeGreaterThanOrEqual(f * total);
    const order = names.map((_, i) => i);
    const rng = createRng(seed, 'split');
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const picked: number[] = [];
    let got = 0;
    for (const i of order) { if (got >= f * total) break; picked.push(i); got += [...names[i]!].length; }
    expect(all(val)).toEqual(picked.sort((p, q) => p - q).map((i) => names[i]));
  });

  it('holds out at least one document for a tiny fraction and keeps at least one for training', () => {
    // the property: f > 0 never gives an empty val, f near 1 never an empty train
    const two = docSetFromStrings(['aaaaaaaaaa', 'b']);
    for (const seed of [1, 2, 3, 4]) {
      expect(splitTrainVal(two, 'file', 0.0001, seed).val.count).toBe(1);
      const high = splitTrainVal(two, 'file', 0.999, seed);
      expect([high.train.count, high.val.count]).toEqual([1, 1]);
    }
  });

  it('gives an empty val and the whole set as train when the fraction is 0', () => {
    // the property: valFraction 0 disables validation
    const { train, val } = splitTrainVal(docs, 'line', 0, 1);
    expect(train.count).toBe(40);
    expect(val.count).toBe(0);
  });

  it('measures the fraction in code points, not UTF-16 units', () => {
    // the property: 4 one-emoji docs and 'abcdefgh': 12 code points (16 units); f = 0.25 needs 3
    // code points in val, so when emoji come first 3 are taken (counting units, 2 would reach 4 of 16)
    const set = docSetFromStrings(['🙂', '😀', '😎', '🤖', 'abcdefgh']);
    let emojiFirst = 0;
    for (let seed = 0; seed < 20; seed++) {
      const v = all(splitTrainVal(set, 'line', 0.25, seed).val);
      expect(chars(v)).toBeGreaterThanOrEqual(3);
      if (!v.includes('abcdefgh')) { emojiFirst++; expect(v).toHaveLength(3); }
    }
    expect(emojiFirst).toBeGreaterThan(0);
  });

  it('refuses a document rule that gives fewer than 2 documents when validation is asked for', () => {
    // the property: DataError naming the rule, hinting --doc-split none or --val-fraction 0
    const one = splitDocuments(src('only one line\n'), 'line');
    const e = errorOf(() => splitTrainVal(one, 'line', 0.1, 1));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toContain('--doc-split line gives 1 document');
    expect(e.hint).toContain('--doc-split none');
    expect(e.hint).toContain('--val-fraction 0');
    expect(splitTrainVal(one, 'line', 0, 1).train.count).toBe(1);
  });

  it('refuses a fraction outside [0, 1)', () => {
    // the property: 1, negatives and NaN are usage errors
    for (const f of [1, -0.1, Number.NaN, 2]) expect(errorOf(() => splitTrainVal(docs, 'line', f, 1))).toBeInstanceOf(UsageError);
  });
});

describe("splitTokens with 'none'", () => {
  it('holds out the tail: the first round(n(1-f)) code points are train', () => {
    // the property: 10 chars, f = 0.25 -> round(7.5) = 8 train chars, 2 val chars
    const set = splitDocuments(src('abcdefghij'), 'none');
    const { train, val } = splitTrainVal(set, 'none', 0.25, 1);
    expect(all(train)).toEqual(['abcdefgh']);
    expect(all(val)).toEqual(['ij']);
  });

  it('counts code points and never cuts a surrogate pair', () => {
    // the property: 'a🙂b🙂c' has 5 code points; f = 0.5 -> round(2.5) = 3 train chars = 'a🙂b'
    const set = splitDocuments(src('a🙂b🙂c'), 'none');
    expect(all(splitTrainVal(set, 'none', 0.5, 1).train)).toEqual(['a🙂b']);
    // 4 emoji, f = 0.25 -> 3 train; the cut is at UTF-16 offset 6, between pairs
    const emoji = splitDocuments(src('🙂😀😎🤖'), 'none');
    const { train, val } = splitTrainVal(emoji, 'none', 0.25, 1);
    expect(all(train)).toEqual(['🙂😀😎']);
    expect(all(val)).toEqual(['🤖']);
  });

  it('does not depend on the seed and spans files', () => {
    // the property: the tail is the tail of the concatenated stream, whatever the seed
    const set = splitDocuments([{ name: 'a', text: 'aaaa' }, { name: 'b', text: 'bbbbbb' }], 'none');
    for (const seed of [1, 99]) {
      const { train, val } = splitTrainVal(set, 'none', 0.5, seed);
      expect(all(train)).toEqual(['aaaab']);
      expect(all(val)).toEqual(['bbbbb']);
    }
  });

  it('keeps at least one character on each side, and refuses a 1-character corpus', () => {
    // the property: 3 chars, f = 0.01 -> round(2.97) = 3 clamped to 2; f = 0.9 -> round(0.3) = 0 clamped to 1
    const set = splitDocuments(src('xyz'), 'none');
    expect(all(splitTrainVal(set, 'none', 0.01, 1).val)).toEqual(['z']);
    expect(all(splitTrainVal(set, 'none', 0.9, 1).train)).toEqual(['x']);
    const tiny = splitDocuments(src('x'), 'none');
    const e = errorOf(() => splitTrainVal(tiny, 'none', 0.1, 1));
    expect(e).toBeInstanceOf(DataError);
    expect(e.hint).toContain('--val-fraction 0');
  });
});
