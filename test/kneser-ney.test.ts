// The n-gram baseline of `rnn eval --baseline`: modified interpolated Kneser-Ney checked against a
// hand calculation, against the rule that probabilities sum to one, and end to end.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitKneserNey, kneserNeyNats, kneserNeyProb } from '../src/baseline/kneser-ney.js';
import { createRng } from '../src/rng.js';
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
