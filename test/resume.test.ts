// Exact resume: a run of N steps and a run stopped part-way then resumed with --resume give
// bit-identical checkpoints (weights, Adam moments, carried state, RNG, cursor, loss history), for
// LSTM and GRU with dropout on, whether it stopped at its own --steps or by Ctrl-C.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RNN, rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const dir = tempDir();
const corpus = writeText(dir, 'names.txt', TINY_NAMES);
const base = (cell: string) => ['train', corpus, '--cell', cell, '--layers', '2', '--hidden', '12', '--batch', '4', '--seq-len', '8',
  '--dropout', '0.2', '--warmup', '5', '--eval-every', '10', '--quiet']; // warmup and dropout given: their defaults follow --steps

function essence(path: string) {
  const c = JSON.parse(readFileSync(path, 'utf8'));
  const t = c.training;
  return { tensors: c.tensors, moments: t.moments, carry: t.carry, rng: t.rng, step: t.step, epoch: t.epoch, window: t.window,
    best: [t.bestValLoss, t.bestStep], losses: t.metrics.map((m: { step: number; trainLoss: number; valLoss: number | null }) => [m.step, m.trainLoss, m.valLoss]) };
}

describe('--resume', () => {
  for (const [cell, mode] of [['lstm', 'standard'], ['gru', 'standard'], ['gru', 'variational']]) {
    it(`${cell}, ${mode} dropout: 40 steps equal 20 steps resumed to 40 (constant schedule)`, async () => {
      const sched = ['--lr-schedule', 'constant', '--dropout-mode', mode!];
      const name = `${cell}-${mode}`;
      expect((await rnn([...base(cell!), ...sched, '--steps', '40', '--out', join(dir, `${name}-full`)])).code).toBe(0);
      expect((await rnn([...base(cell!), ...sched, '--steps', '20', '--out', join(dir, `${name}-half`)])).code).toBe(0);
      const r = await rnn(['train', '--resume', join(dir, `${name}-half`, 'last.json'), '--steps', '40']);
      expect(r.stderr).toContain('resuming');
      expect(r.code).toBe(0);
      expect(essence(join(dir, `${name}-half`, 'last.json'))).toEqual(essence(join(dir, `${name}-full`, 'last.json')));
    });
  }

  it('a run interrupted by SIGINT and resumed equals the uninterrupted run (cosine schedule)', async () => {
    const args = [...base('lstm'), '--lr-schedule', 'cosine', '--steps', '200'];
    expect((await rnn([...args, '--out', join(dir, 'sig-full')])).code).toBe(0);
    const out = join(dir, 'sig-cut');
    const child = spawn(process.execPath, [RNN, ...args.filter((a) => a !== '--quiet'), '--out', out]);
    let stderr = '', sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /step 50\//.test(stderr)) { sent = true; child.kill('SIGINT'); } // once: a second Ctrl-C quits at once
    });
    const code = await new Promise((res) => child.on('close', res));
    expect(code).toBe(130);
    expect(stderr).toContain(`rnn train --resume ${join(out, 'last.json')}`);
    const stoppedAt = JSON.parse(readFileSync(join(out, 'last.json'), 'utf8')).training.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(50);
    expect(stoppedAt).toBeLessThan(200);
    expect((await rnn(['train', '--resume', join(out, 'last.json')])).code).toBe(0);
    expect(essence(join(out, 'last.json'))).toEqual(essence(join(dir, 'sig-full', 'last.json')));
  });

  it('flags that would change the run conflict with --resume (exit 2)', async () => {
    const r = await rnn(['train', '--resume', join(dir, 'lstm-standard-full', 'last.json'), '--hidden', '20', '--lr', '0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hidden, --lr cannot change');
  });

  it('a different corpus is refused', async () => {
    const other = writeText(dir, 'other.txt', 'zebra\nyak\n');
    const r = await rnn(['train', other, '--resume', join(dir, 'lstm-standard-full', 'last.json'), '--steps', '80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not the one this run was trained on');
  });
});
