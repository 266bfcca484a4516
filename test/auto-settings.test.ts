// The time-budget rule (src/train/auto-settings.ts) with a fake machine: seconds per step are
// given by a formula, so the expected pick is worked out by hand below.

import { describe, expect, it } from 'vitest';
import { dropoutFor } from '../src/settings/train-settings.js';
import { effectiveChars, MAX_PASSES, MIN_CHARS_PER_PARAM, MIN_STEPS, pickSettings, REPEAT_DECAY } from '../src/train/auto-settings.js';

/** A machine on which a step costs 1e-9 s per (layers · hidden² · B · T): 2×384 at B16 T128 is
 *  2·147456·2048·1e-9 = 0.604 s, and a budget of S seconds trains S · 1e9 / (layers · hidden²)
 *  characters. */
const fake = (log: string[] = []) => async (m: { layers: number; hidden: number }, B: number, T: number): Promise<number> => {
  log.push(`${m.layers}x${m.hidden}`);
  return 1e-9 * m.layers * m.hidden ** 2 * B * T;
};

describe('pickSettings', () => {
  // GRU parameters, V = 66 (weights, both biases, then the head): layer 1 3H(V+H) + 6H, layer 2
  // 3H·2H + 6H, head VH + V. 2×256: 247,296 + 1,536 + 393,216 + 1,536 + 16,962 = 660,546;
  // 2×384: 1,433,154; 2×512: 2,500,674. Effective characters of E passes over U (E > 1):
  // U · (1 + 15 · (1 − e^(−(E − 1)/15))), written out below with the numbers.
  it('picks the largest size that still gets 6 effective characters per parameter, measuring no size past the first that fails', async () => {
    // 1 M training chars, 30 min. 2×256: 1.8e12 / 131,072 = 13.73 M chars, 13.73 passes, worth
    // 1e6 · (1 + 15 · (1 − e^(−12.73/15))) = 9.58 M: 14.5 per parameter. 2×384: 1.8e12 / 294,912
    // = 6.10 M chars, worth 1e6 · (1 + 15 · (1 − e^(−5.10/15))) = 5.32 M: 3.7 per parameter < 6.
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 1800, optimizer: 'adam', given: {}, measure: fake(log) });
    expect([MIN_CHARS_PER_PARAM, REPEAT_DECAY]).toEqual([6, 15]);
    expect([c.layers, c.hidden, c.batch, c.seqLen]).toEqual([2, 256, 16, 128]);
    const e256 = 1.8e12 / 131072 / 1e6, e384 = 1.8e12 / 294912 / 1e6;
    expect(c.epochs).toBeCloseTo(e256, 6);
    expect(c.measured.at(-2)!.charsPerParam).toBeCloseTo((1e6 * (1 + 15 * (1 - Math.exp(-(e256 - 1) / 15)))) / 660_546, 6);
    expect(c.measured.at(-1)!.charsPerParam).toBeCloseTo((1e6 * (1 + 15 * (1 - Math.exp(-(e384 - 1) / 15)))) / 1_433_154, 6);
    expect(log).toEqual(['1x64', '1x128', '2x128', '2x192', '2x256', '2x384']);
    expect(c.steps).toBe(Math.floor(1800 / (1e-9 * 2 * 65536 * 2048))); // 6,705
    expect(c.cell).toBe('gru');
    expect(c.dropout).toBe(0.3);  // 13.7 epochs: 10 ≤ epochs < 80
    expect(c.lr).toBe(4e-3);      // > 128 units
    expect(c.warmup).toBe(200);   // min(200, 6,705 / 20)
  });

  it('counts repeated passes for less: many passes over a small text do not make a large model fit', async () => {
    // 1 M chars, 2 hours. 2×512: 7.2e12 / 524,288 = 13.73 M chars, worth 9.58 M: 3.83 per
    // parameter. 2×384: 7.2e12 / 294,912 = 24.41 M chars, worth 1e6 · (1 + 15 · (1 − e^(−23.41/15)))
    // = 12.85 M: 8.97 per parameter. Counted as new text, 2×512 would have had 5.5 per parameter.
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 7200, optimizer: 'adam', given: {}, measure: fake() });
    const e512 = 7.2e12 / 524288 / 1e6;
    expect(c.measured.at(-1)!.charsPerParam).toBeCloseTo((1e6 * (1 + 15 * (1 - Math.exp(-(e512 - 1) / 15)))) / 2_500_674, 6);
    expect([c.layers, c.hidden]).toEqual([2, 384]);
  });

  it('on a corpus larger than the budget can read, sizes the model to the characters it will see', async () => {
    // 100 M chars in 10 minutes, no pass repeated: 2×256 (660,546 parameters) reads 600e9 /
    // 131,072 = 4.58 M chars, 6.93 per parameter, in 600 / (1e-9 · 131,072 · 2048) = 2,235 steps
    // (≥ 2,000); 2×384 (1,433,154) reads 600e9 / 294,912 = 2.03 M, 1.42 per parameter.
    const c = await pickSettings({ trainChars: 1e8, vocabSize: 66, budgetSec: 600, optimizer: 'adam', given: {}, measure: fake() });
    expect([c.layers, c.hidden]).toEqual([2, 256]);
    expect(c.steps).toBe(2235);
    expect(c.measured.at(-2)!.charsPerParam).toBeCloseTo(600e9 / (2 * 256 ** 2) / 660_546, 6);
    expect(c.measured.at(-1)!.charsPerParam).toBeCloseTo(600e9 / (2 * 384 ** 2) / 1_433_154, 6);
    expect(c.dropout).toBe(0.1); // 0.05 passes
    expect(c.lr).toBe(4e-3);     // > 128 units
  });

  it('needs MIN_STEPS optimizer steps: a minute on a large corpus takes the size that gets them', async () => {
    // 100 M chars in 60 s: 1×128 (83,778 parameters) would read 60e9 / 16,384 = 3.66 M chars, 43.7
    // per parameter, but in 60 / (1e-9 · 16,384 · 2048) = 1,788 steps (< 2,000); 1×64 takes 7,152.
    const c = await pickSettings({ trainChars: 1e8, vocabSize: 66, budgetSec: 60, optimizer: 'adam', given: {}, measure: fake() });
    expect(MIN_STEPS).toBe(2000);
    expect([c.layers, c.hidden]).toEqual([1, 64]);
    expect(c.steps).toBe(Math.floor(60 / (1e-9 * 4096 * 2048)));
    expect([c.lr, c.beta2]).toEqual([1.4e-2, 0.95]); // the rule's Adam for ≤ 64 units
  });

  it('takes the smallest size when even it falls short', async () => {
    // 10 s on 100 M chars: 1×64 (29,634 parameters) reads 10e9 / 4,096 = 2.44 M, 82 per
    // parameter; 1 ms: 244 chars, under 6 per parameter, and still the pick.
    const c = await pickSettings({ trainChars: 1e8, vocabSize: 66, budgetSec: 1e-3, optimizer: 'adam', given: {}, measure: fake() });
    expect([c.layers, c.hidden]).toEqual([1, 64]);
    expect([c.lr, c.beta2]).toEqual([1.4e-2, 0.95]); // the rule's Adam for ≤ 64 units
  });

  it('given flags win: the search keeps them and works around them', async () => {
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 1800, optimizer: 'adam', given: { hidden: 512, cell: 'lstm', dropout: 0.35, lr: 1e-3 }, measure: fake(log) });
    expect(log).toEqual(['2x512']);
    expect([c.cell, c.layers, c.hidden, c.dropout, c.lr]).toEqual(['lstm', 2, 512, 0.35, 1e-3]);
  });

  it('Adam for picks of up to 128 units under 10 passes: β2 0.95 with 1.4× the width default rate; a given β2 keeps the width default', async () => {
    // 100 M chars in 10 minutes on a machine 30× slower than fake(), the size given: 1×128 takes
    // 600 / (3e-8 · 16,384 · 2048) = 596 steps, 1.2 M chars, 0.012 passes.
    const slow = (m: { layers: number; hidden: number }, B: number, T: number) => fake()(m, B, T).then((s) => 30 * s);
    const pick = (given: Parameters<typeof pickSettings>[0]['given'], optimizer: 'adam' | 'rmsprop' = 'adam') =>
      pickSettings({ trainChars: 1e8, vocabSize: 66, budgetSec: 600, optimizer, given: { hidden: 128, layers: 1, ...given }, measure: slow });
    const small = await pick({});
    expect(small.epochs).toBeLessThan(10);
    expect([small.lr, small.beta2]).toEqual([7e-3, 0.95]); // 1.4 × 5e-3
    const narrow = await pick({ hidden: 64 });
    expect([narrow.lr, narrow.beta2]).toEqual([1.4e-2, 0.95]); // 1.4 × 1e-2
    const wide = await pick({ hidden: 256 });
    expect([wide.lr, wide.beta2]).toEqual([4e-3, undefined]); // Adam's own 0.999 in the plan
    const b2 = await pick({ beta2: 0.999 });
    expect([b2.lr, b2.beta2]).toEqual([5e-3, 0.999]);
    const lr = await pick({ lr: 1e-3 });
    expect([lr.lr, lr.beta2]).toEqual([1e-3, 0.95]);
    const rms = await pick({}, 'rmsprop');
    expect([rms.lr, rms.beta2]).toEqual([5e-3, undefined]); // RMSprop's α stays its own
    // The names list and an hour: 1×128 at hundreds of passes (the test below) keeps the defaults.
    const names = await pickSettings({ trainChars: 48_000, vocabSize: 54, budgetSec: 3600, optimizer: 'adam', given: {}, measure: fake() });
    expect([names.hidden, names.epochs > 10, names.lr, names.beta2]).toEqual([128, true, 5e-3, undefined]);
  });

  it('halves T for a small corpus until an epoch has 64 windows (not below 16)', async () => {
    // 50,000 chars: B16·T128 gives 24 windows, T64 48, T32 97 → T = 32
    const c = await pickSettings({ trainChars: 50_000, vocabSize: 66, budgetSec: 60, optimizer: 'adam', given: {}, measure: fake() });
    expect(c.seqLen).toBe(32);
    const tiny = await pickSettings({ trainChars: 1000, vocabSize: 66, budgetSec: 60, optimizer: 'adam', given: {}, measure: fake() });
    expect(tiny.seqLen).toBe(16);
  });

  it('a names list (48,000 chars) and an hour: at most MAX_PASSES passes, so 1×128, and a run that ends early', async () => {
    // GRU, V = 54: 1×128 = 3·128·182 + 768 + 54·128 + 54 = 77,622; 2×128 = 69,888 + 768 + 98,304
    // + 768 + 6,966 = 176,694. An hour buys thousands of passes, of which the rule makes 25. T is
    // 32 (48,000 / (16 · 64) < 64 windows), so an epoch is ⌈⌈48,000 / 16⌉ / 32⌉ = 94 windows (the
    // last one part padding) and 25 passes are ⌈25 · 94⌉ = 2,350 steps, the count the run itself
    // stops at (plan.ts): 2,350 · 512 / 48,000 = 25.07 passes' characters, worth
    // 48,000 · (1 + 15 · (1 − e^(−24.07/15))) ≈ 623,000 chars: 8.0 per parameter for 1×128, 3.5
    // for 2×128.
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 48_000, vocabSize: 54, budgetSec: 3600, optimizer: 'adam', given: {}, measure: fake(log) });
    expect(MAX_PASSES).toBe(25);
    expect(log).toEqual(['1x64', '1x128', '2x128']);
    expect([c.layers, c.hidden, c.seqLen]).toEqual([1, 128, 32]);
    const epochs = (2350 * 512) / 48_000;
    const worth = 48_000 * (1 + 15 * (1 - Math.exp(-(epochs - 1) / 15)));
    expect(c.measured.at(-2)!.charsPerParam).toBeCloseTo(worth / 77_622, 6);
    expect(c.measured.at(-1)!.charsPerParam).toBeCloseTo(worth / 176_694, 6);
    expect(c.epochs).toBeCloseTo(epochs, 9);
    expect(c.steps).toBe(2350);
  });

  it('counts a first pass in full, and the passes after it for less and less', () => {
    expect(effectiveChars(1000, 0.5)).toBe(500);
    expect(effectiveChars(1000, 1)).toBe(1000);
    expect(effectiveChars(1000, 2)).toBeCloseTo(1000 * (1 + 15 * (1 - Math.exp(-1 / 15))), 9); // 1,967.7
    expect(effectiveChars(1000, 1e6)).toBeCloseTo(16_000, 6);
  });

  it('dropout grows with the passes over the data', () => {
    expect([1, 3.9, 4, 9.9, 10, 79, 80, 500].map(dropoutFor)).toEqual([0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4]);
  });
});
