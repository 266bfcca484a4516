// A step budget (--steps, --epochs, or the default 1,000 steps) with settings left out: dropout,
// learning rate and warmup come from the same tables as the time rule's (issue 18), for the
// passes and steps of that budget. Expected values are the tables written out by hand.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamLayout } from '../src/train/streams.js';
import { tempDir, TINY_NAMES, writeText } from './helpers/cli.js';
import { planTrain } from './helpers/plan.js';

/** The dropout table by hand: 0.1 under 4 passes, 0.2 under 10, 0.3 under 80, else 0.4. */
const byHand = (passes: number): number => (passes < 4 ? 0.1 : passes < 10 ? 0.2 : passes < 80 ? 0.3 : 0.4);

describe('defaults for a step budget', () => {
  const dir = tempDir();
  const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(40));
  const plan = (args: string[]) => planTrain([corpus, '--batch', '4', '--seq-len', '16', ...args, '--out', join(dir, 'run'), '--force']);
  const passesOf = async (args: string[]) => {
    const p = await plan(args);
    return { p, passes: p.settings.steps / streamLayout(p.data.train.length, 4, 16).windows };
  };

  it('takes dropout for the passes the steps make, across the table', async () => {
    // TINY_NAMES × 40: 7,440 tokens, about 115 windows of 4 × 16 an epoch
    for (const steps of [100, 700, 2000, 12000]) {
      const { p, passes } = await passesOf(['--steps', String(steps)]);
      expect(p.cfg.dropout, `${steps} steps, ${passes.toFixed(1)} passes`).toBe(byHand(passes));
    }
    const seen = await Promise.all([100, 700, 2000, 12000].map(async (n) => byHand((await passesOf(['--steps', String(n)])).passes)));
    expect(seen).toEqual([0.1, 0.2, 0.3, 0.4]); // the four rows are all reached
  });

  it("takes wsd's decay share for the passes: 0.2 under 10, else 0.4; a given share or schedule wins", async () => {
    const shares: number[] = [];
    for (const steps of [700, 2000, 12000]) {
      const { p, passes } = await passesOf(['--steps', String(steps)]);
      expect(p.settings.decayShare, `${steps} steps, ${passes.toFixed(1)} passes`).toBe(passes < 10 ? 0.2 : 0.4);
      shares.push(p.settings.decayShare);
    }
    expect(shares).toEqual([0.2, 0.4, 0.4]); // 700 steps are ~6 passes, 2,000 are ~17
    expect((await plan(['--epochs', '12'])).settings.flags).toContain('--decay-share 0.4 ');
    expect((await plan(['--epochs', '12', '--decay-share', '0.3'])).settings.decayShare).toBe(0.3);
    expect((await plan(['--epochs', '12', '--lr-schedule', 'cosine'])).settings.flags).not.toContain('--decay-share');
  });

  it('--epochs: the same, from the passes given', async () => {
    expect((await plan(['--epochs', '2'])).cfg.dropout).toBe(0.1);
    expect((await plan(['--epochs', '20'])).cfg.dropout).toBe(0.3);
  });

  it('takes the learning rate for the width, 4e-3 above 128 units, and warmup 200 or a twentieth of the steps', async () => {
    const wide = await plan(['--hidden', '256', '--steps', '1000']);
    expect([wide.settings.lr, wide.settings.warmup]).toEqual([4e-3, 50]);
    const narrow = await plan(['--hidden', '64', '--steps', '6000']);
    expect([narrow.settings.lr, narrow.settings.warmup]).toEqual([1e-2, 200]);
    expect((await plan(['--hidden', '128', '--steps', '30'])).settings.warmup).toBe(2); // 30 / 20 = 1.5, rounded
  });

  it('given flags win, and the printed flags carry what was chosen', async () => {
    const p = await plan(['--steps', '2000', '--dropout', '0.05', '--warmup', '7', '--lr', '1e-3']);
    expect([p.cfg.dropout, p.settings.warmup, p.settings.lr]).toEqual([0.05, 7, 1e-3]);
    const chosen = await plan(['--steps', '2000']);
    expect(chosen.settings.flags).toContain(`--dropout ${chosen.cfg.dropout} `);
    expect(chosen.settings.flags).toContain('--warmup 100 ');
    const again = await plan(chosen.settings.flags!.split(' '));
    expect([again.cfg, again.settings]).toEqual([chosen.cfg, chosen.settings]);
  });
});
