// The n-gram baseline of `rnn eval --baseline`: modified interpolated Kneser-Ney checked against a
// hand calculation, against the rule that probabilities sum to one, and end to end.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitKneserNey, kneserNeyNats, kneserNeyProb } from '../src/baseline/kneser-ney.js';
import { saveCheckpoint } from '../src/checkpoint/io.js';
import { createRng } from '../src/rng.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const hist = (...ids: number[]): string => String.fromCharCode(...ids);

describe('Kneser-Ney', () => {
  it('matches a hand calculation on "ababac" (order 2)', async () => {
    // ids a=0 b=1 c=2. Bigrams: ab×2, ba×2, ac×1 → n1 = 1, n2 = 2, Y = 1/5,
    // D1 = 1 − 2·(1/5)·(2/1) = 0.2, D2 = 2 − 3·(1/5)·(0/2) = 2, D3+ = 1.5 (no n3).
    // Unigram continuation counts (distinct left neighbours): a 1, b 1, c 1 → no n2, so the
    // fallback discounts [0.5, 1, 1.5]: P1(w) = (1 − 0.5)/3 + (3·0.5/3)·(1/3) = 1/3.
    // After a: c(a•) = 3, γ·c = D2·1 (ab) + D1·1 (ac) = 2.2.
    const m = fitKneserNey([0, 1, 0, 1, 0, 2], 2, 3);
    expect(m.discount[2]![0]).toBeCloseTo(0.2, 12);
    expect(m.discount[2]![1]).toBeCloseTo(2, 12);
    for (const w of [0, 1, 2]) expect(kneserNeyProb(m, '', w)).toBeCloseTo(1 / 3, 12);
    expect(kneserNeyProb(m, hist(0), 1)).toBeCloseTo((2 - 2) / 3 + (2.2 / 3) / 3, 12);
    expect(kneserNeyProb(m, hist(0), 2)).toBeCloseTo((1 - 0.2) / 3 + (2.2 / 3) / 3, 12);
    expect(kneserNeyProb(m, hist(0), 0)).toBeCloseTo((2.2 / 3) / 3, 12);
    // an unseen history defers to the lower order
    expect(kneserNeyProb(m, hist(2), 0)).toBeCloseTo(1 / 3, 12);
  });

  it('gives a distribution that sums to one for any history, at every order', async () => {
    const rng = createRng(4);
    const V = 6;
    const tokens = Array.from({ length: 3000 }, () => Math.min(V - 1, Math.floor(rng.next() ** 2 * V)));
    for (const order of [1, 3, 5]) {
      const m = fitKneserNey(tokens, order, V);
      for (let trial = 0; trial < 20; trial++) {
        const h = hist(...Array.from({ length: order - 1 }, () => Math.floor(rng.next() * V)));
        let sum = 0;
        for (let w = 0; w < V; w++) sum += kneserNeyProb(m, h, w);
        expect(sum).toBeCloseTo(1, 12);
      }
    }
  });

  // "ab", "ab", "bab" one per line: EOS=0 a=1 b=2, tokens 0 1 2 0 1 2 0 2 1 2 0.
  const REPEATED = [0, 1, 2, 0, 1, 2, 0, 2, 1, 2, 0];

  it('falls back to discounts [0.5, 1, 1.5] where the estimate leaves a history no back-off mass', async () => {
    // Trigrams: 012×2, 120×3, 201, 202, 021, 212 → n1 = 4, n2 = 1, n3 = 1, n4 = 0, Y = 4/6 = 2/3,
    // D1 = 1 − 2·(2/3)·(1/4) = 2/3, D2 = 2 − 3·(2/3)·(1/1) = 0: history "0 1" (only 012, a doubleton)
    // would keep nothing for P(1 | 0 1). Its order takes the fallback.
    // Bigram continuations: 12 ← {0, 2} → 2; 20, 01, 02, 21 → 1: n1 = 4, n2 = 1, n3 = 0, so
    // D1 = 2/3, D2 = 2 − 0 = 2, D3+ = 1.5 (no n3). Unigram continuations: 1 ← {0, 2}, 2 ← {1, 0},
    // 0 ← {2}: n1 = 1, n2 = 2, Y = 1/5, D1 = 1 − 2·(1/5)·2 = 0.2, D2 = 2.
    const m = fitKneserNey(REPEATED, 3, 3);
    expect(m.discount[3]).toEqual([0.5, 1, 1.5]);
    expect(m.discount[2]![0]).toBeCloseTo(2 / 3, 12);
    expect(m.discount[2]![1]).toBeCloseTo(2, 12);
    expect(m.discount[1]![0]).toBeCloseTo(0.2, 12);
    // P1: c(•) = 2 + 2 + 1 = 5, γ·c = 2 + 2 + 0.2 = 4.2 → P1(0) = 0.8/5 + 0.84/3 = 0.44, P1(1) = P1(2) = 0.28.
    // P2(· | 1): only 12 (cont. 2, D2 = 2) → γ = 1: P2(w | 1) = P1(w); P2(· | 0): 01, 02 (each 1,
    // D1 = 2/3) → γ = (4/3)/2: P2(1 | 0) = (1/3)/2 + (2/3)·0.28.
    // P3(· | 0 1): 012 (count 2, D2 = 1) → γ = 1/2: P3(1 | 0 1) = 0.28 / 2 = 0.14 (was 0).
    expect(kneserNeyProb(m, hist(0, 1), 1)).toBeCloseTo(0.14, 12);
    expect(kneserNeyProb(m, hist(0, 1), 2)).toBeCloseTo((2 - 1) / 2 + 0.14, 12);
    expect(kneserNeyProb(m, hist(0, 1), 0)).toBeCloseTo(0.44 / 2, 12);
    // The held-out line "aa": targets a | EOS, a | EOS a (unseen continuation), EOS | a a.
    const r = kneserNeyNats(m, [0, 1, 1, 0]);
    expect(r.nats).toBeCloseTo(-Math.log(1 / 6 + (2 / 3) * 0.28) - Math.log(0.14) - Math.log(0.44), 12);
  });

  it('gives every character a positive probability and sums to one, also on repetitive text', async () => {
    const lines = (...ls: string[]): number[] => {
      const alphabet = 'abdehlorw ';
      return [0, ...ls.flatMap((l) => [...[...l].map((c) => 1 + alphabet.indexOf(c)), 0])];
    };
    const texts: [string, number[], number, number][] = [ // name, tokens, order, V
      ['ab / ab / bab', REPEATED, 3, 3],
      // D2 ≤ 0 at order 4 before the fallback: the line seen 3 times makes n3 ≫ n2
      ['hello world ×3 / ab', lines('hello world', 'hello world', 'hello world', 'ab'), 4, 11],
      ['abab ×3 / hello / world', lines('abab', 'abab', 'abab', 'hello', 'world'), 4, 11],
      ['abab… (one line)', lines('ab'.repeat(40)), 5, 11],
    ];
    for (const [name, tokens, order, V] of texts) {
      const m = fitKneserNey(tokens, order, V);
      // every history of the text, and histories it never had
      const histories = new Set<string>(['', hist(V - 1), hist(0, V - 1)]);
      for (let i = 0; i < tokens.length; i++) {
        for (let k = 1; k < order && k <= i; k++) histories.add(hist(...tokens.slice(i - k, i)));
      }
      for (const h of histories) {
        let sum = 0;
        for (let w = 0; w < V; w++) {
          const p = kneserNeyProb(m, h, w);
          expect(p, `${name}: P(${w} | ${[...h].map((c) => c.charCodeAt(0))})`).toBeGreaterThan(0);
          sum += p;
        }
        expect(Math.abs(sum - 1), `${name}: sum over history ${[...h].map((c) => c.charCodeAt(0))}`).toBeLessThan(1e-9);
      }
      expect(Number.isFinite(kneserNeyNats(m, tokens.slice().reverse()).nats), name).toBe(true);
    }
  });

  it('sums −ln P over every target after the first token', async () => {
    const m = fitKneserNey([0, 1, 0, 1, 0, 2], 2, 3);
    const r = kneserNeyNats(m, [0, 1, 2]);
    expect(r.count).toBe(2);
    expect(r.nats).toBeCloseTo(-Math.log(kneserNeyProb(m, hist(0), 1)) - Math.log(kneserNeyProb(m, hist(1), 2)), 12);
  });
});

describe('rnn eval --baseline', () => {
  const dir = tempDir();
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const run = join(dir, 'run');

  it("fits on the checkpoint's training split, or on --baseline-corpus, and reports both losses", async () => {
    expect((await rnn(['train', corpus, '--hidden', '8', '--batch', '4', '--seq-len', '8', '--steps', '30', '--out', run, '--quiet'])).code).toBe(0);
    const r = await rnn(['eval', run, corpus, '--baseline', '--baseline-order', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^baseline \d\.\d{4} nats\/char {2}\d\.\d{4} bits\/char {2}\(3-gram Kneser-Ney on [\d,]+ tokens of .*names\.txt \(training split\)\); the model is (better|worse) by \d\.\d{4} nats\/char$/m);
    const j = JSON.parse((await rnn(['eval', run, corpus, '--json', '--baseline-corpus', corpus, '--baseline-order', '2'])).stdout);
    expect(j.baseline.order).toBe(2);
    expect(j.baseline.bitsPerChar).toBeCloseTo(j.baseline.loss / Math.LN2, 12);
    // fitted on the whole file: 36 names + EOS each, + the leading EOS
    expect(j.baseline.trainTokens).toBe(TINY_NAMES.replace(/\n/g, '').length + 36 + 1);
  });

  it('reports a finite baseline loss on a repetitive --baseline-corpus (it printed Infinity)', async () => {
    const ck = join(dir, 'small.json');
    saveCheckpoint(ck, smallCheckpoint()); // vocabulary \n a b 😀, line split
    const rep = writeText(dir, 'repeated.txt', 'ab\nab\nbab\n');
    const held = writeText(dir, 'held-out.txt', 'aa\n');
    const r = await rnn(['eval', ck, held, '--baseline-corpus', rep, '--baseline-order', '3', '--json']);
    expect(r.code).toBe(0);
    const loss = JSON.parse(r.stdout).baseline.loss; // JSON.stringify writes Infinity as null
    expect(typeof loss).toBe('number');
    expect(Number.isFinite(loss)).toBe(true);
  });

  it('says what to do when the recorded corpus is gone', async () => {
    const ck = JSON.parse(readFileSync(join(run, 'last.json'), 'utf8'));
    ck.corpus.paths = [join(dir, 'moved-away.txt')];
    writeFileSync(join(dir, 'moved.json'), JSON.stringify(ck));
    const r = await rnn(['eval', join(dir, 'moved.json'), corpus, '--baseline']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rnn: the checkpoint's training corpus is not readable here (${join(dir, 'moved-away.txt')})\n`
      + 'hint: give the text to fit the baseline on with --baseline-corpus\n');
  });
});
