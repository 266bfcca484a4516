// The time-budget rule (src/train/auto-settings.ts) with a fake machine: seconds per step are
// given by a formula, so the expected pick is worked out by hand below.

import { describe, expect, it } from 'vitest';
import { dropoutFor, MAX_PARAMS_PER_CHAR, MIN_CHARS_PER_PARAM, MIN_EPOCHS, pickSettings } from '../src/train/auto-settings.js';

/** A machine on which a step costs 1e-9 s per (layers · hidden² · B · T): 2×384 at B16 T128 is
 *  2·147456·2048·1e-9 = 0.604 s. */
const fake = (log: string[] = []) => async (m: { layers: number; hidden: number }, B: number, T: number): Promise<number> => {
  log.push(`${m.layers}x${m.hidden}`);
  return 1e-9 * m.layers * m.hidden ** 2 * B * T;
};

describe('pickSettings', () => {
  it('picks the largest size that still gets MIN_EPOCHS epochs, measuring no size past the first that fails', async () => {
    // 1 M training chars, 30 min, B16 T128 (2,048 chars per step). epochs = 1800 / secPerStep · 2048 / 1e6:
    //   2×384: 1800 / 0.604 · 0.002048 = 6.10 < 10;  2×256: 1800 / 0.268 · 0.002048 = 13.7 ≥ 10
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 1800, given: {}, measure: fake(log) });
    expect(MIN_EPOCHS).toBe(10);
    expect([c.layers, c.hidden, c.batch, c.seqLen]).toEqual([2, 256, 16, 128]);
    expect(c.epochs).toBeCloseTo(1800 / (1e-9 * 2 * 65536 * 2048) * 2048 / 1e6, 6);
    expect(log).toEqual(['1x64', '1x128', '2x128', '2x192', '2x256', '2x384']);
    expect(c.steps).toBe(Math.floor(1800 / (1e-9 * 2 * 65536 * 2048))); // 6,705
    expect(c.cell).toBe('gru');
    expect(c.dropout).toBe(0.3);  // 13.7 epochs: 10 ≤ epochs < 80
    expect(c.lr).toBe(4e-3);      // ≥ 256 units
    expect(c.warmup).toBe(200);   // min(200, 6,705 / 20)
  });

  it('passes over a size with enough epochs but too few characters per parameter', async () => {
    // 1 M chars, 2 hours. GRU (the default cell), V = 66: 2×512 has 3·512·(66+512) + 6·512 +
    // 3·512·1024 + 6·512 + 66·512 + 66 = 2,500,674 parameters; a step takes 1e-9·2·512²·2048 =
    // 1.0737 s, so 7200 s train 6,705.7 steps of 2,048 chars = 13.73 M chars: 13.7 epochs (≥ 10) but
    // 5.49 chars per parameter (< 6). 2×384 (3·384·450 + 2,304 + 3·384·768 + 2,304 + 66·384 + 66 =
    // 1,433,154 parameters, 0.604 s a step): 24.4 M chars, 24.4 epochs, 17.0 chars per parameter.
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 7200, given: {}, measure: fake(log) });
    expect(MIN_CHARS_PER_PARAM).toBe(6);
    expect(log.at(-1)).toBe('2x512');
    const m512 = c.measured.at(-1)!;
    expect(m512.epochs).toBeCloseTo(7200 / (1e-9 * 2 * 512 ** 2 * 2048) * 2048 / 1e6, 6);
    expect(m512.charsPerParam).toBeCloseTo(7200 / (1e-9 * 2 * 512 ** 2 * 2048) * 2048 / 2_500_674, 6);
    expect([c.layers, c.hidden]).toEqual([2, 384]);
    expect(c.measured.at(-2)!.charsPerParam).toBeCloseTo(7200 / (1e-9 * 2 * 384 ** 2 * 2048) * 2048 / 1_433_154, 6);
  });

  it('takes the smallest size when even it cannot reach MIN_EPOCHS, with less dropout', async () => {
    // 100 M chars in 60 s: 1×64 gets 60 / (64²·4096e-9) · 4096 / 1e8 = 0.15 epochs
    const c = await pickSettings({ trainChars: 1e8, vocabSize: 66, budgetSec: 60, given: {}, measure: fake() });
    expect([c.layers, c.hidden]).toEqual([1, 64]);
    expect(c.dropout).toBe(0.1);
    expect(c.lr).toBe(1e-2); // the size default for ≤ 64 units
  });

  it('given flags win: the search keeps them and works around them', async () => {
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 1e6, vocabSize: 66, budgetSec: 1800, given: { hidden: 512, cell: 'lstm', dropout: 0.35, lr: 1e-3 }, measure: fake(log) });
    expect(log).toEqual(['2x512']);
    expect([c.cell, c.layers, c.hidden, c.dropout, c.lr]).toEqual(['lstm', 2, 512, 0.35, 1e-3]);
  });

  it('halves T for a small corpus until an epoch has 64 windows (not below 16)', async () => {
    // 50,000 chars: B16·T128 gives 24 windows, T64 48, T32 97 → T = 32
    const c = await pickSettings({ trainChars: 50_000, vocabSize: 66, budgetSec: 60, given: {}, measure: fake() });
    expect(c.seqLen).toBe(32);
    const tiny = await pickSettings({ trainChars: 1000, vocabSize: 66, budgetSec: 60, given: {}, measure: fake() });
    expect(tiny.seqLen).toBe(16);
  });

  it('skips sizes with more than MAX_PARAMS_PER_CHAR parameters per training character', async () => {
    // 48,000 chars → at most 480,000 parameters. GRU, V = 54 (weights, both biases, then the head):
    // 1×64 = 3·64·(54+64) + 6·64 + 54·64 + 54 = 26,550;
    // 2×192 = 3·192·(54+192) + 6·192 + 3·192·384 + 6·192 + 54·192 + 54 = 375,606;
    // 2×256 = 3·256·(54+256) + 6·256 + 3·256·512 + 6·256 + 54·256 + 54 = 648,246 > 480,000.
    const log: string[] = [];
    const c = await pickSettings({ trainChars: 48_000, vocabSize: 54, budgetSec: 3600, given: {}, measure: fake(log) });
    expect(MAX_PARAMS_PER_CHAR).toBe(10);
    expect(log).toEqual(['1x64', '1x128', '2x128', '2x192']);
    expect([c.layers, c.hidden]).toEqual([2, 192]);
  });

  it('dropout grows with the passes over the data', () => {
    expect([1, 3.9, 4, 9.9, 10, 79, 80, 500].map(dropoutFor)).toEqual([0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4]);
  });
});
