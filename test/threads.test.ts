// Determinism across thread counts: the WASM kernel splits every op's output between threads and
// never splits a floating-point sum, so the same seed gives bit-identical checkpoints (weights,
// optimizer moments, carried state, RNG, loss history) for --threads 1, 2, 3 and 4 — and a run may
// be resumed with a different thread count and still equal the uninterrupted run.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const dir = tempDir();
const corpus = writeText(dir, 'names.txt', TINY_NAMES);
// hidden 40 = five 8-unit blocks, so 3 and 4 threads get uneven shares; batch 5 is not a multiple of 4.
const base = (cell: string) => ['train', corpus, '--cell', cell, '--layers', '2', '--hidden', '40', '--batch', '5', '--seq-len', '12',
  '--dropout', '0.1', '--eval-every', '10', '--steps', '24', '--quiet', '--kernel', 'wasm'];

function essence(path: string) {
  const c = JSON.parse(readFileSync(path, 'utf8'));
  const t = c.training;
  return { tensors: c.tensors, moments: t.moments, carry: t.carry, rng: t.rng, step: t.step,
    best: [t.bestValLoss, t.bestStep], losses: t.metrics.map((m: { step: number; trainLoss: number; valLoss: number | null; gradNorm: number }) => [m.step, m.trainLoss, m.valLoss, m.gradNorm]) };
}

describe('--threads', () => {
  for (const cell of ['lstm', 'gru']) {
    it(`${cell}: checkpoints are bit-identical for 1, 2, 3 and 4 threads`, async () => {
      const runs = [];
      for (const n of [1, 2, 3, 4]) {
        const out = join(dir, `${cell}-t${n}`);
        const r = await rnn([...base(cell), '--threads', String(n), '--out', out]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        runs.push(essence(join(out, 'last.json')));
      }
      expect(runs[0]!.step).toBe(24);
      for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
    });
  }

  it('a run resumed on another thread count equals the uninterrupted one', async () => {
    // A constant schedule, so that 10 steps then 10 more follow the same learning rates as 20, and
    // the cut falls on a validation step, so the loss history has the same rows.
    const args = [...base('lstm').map((a) => (a === '24' ? '20' : a)), '--lr-schedule', 'constant'];
    expect((await rnn([...args, '--threads', '2', '--out', join(dir, 'full')])).code).toBe(0);
    const out = join(dir, 'cut');
    expect((await rnn([...args.map((a) => (a === '20' ? '10' : a)), '--threads', '1', '--out', out])).code).toBe(0);
    const r = await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '20', '--threads', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--threads 3');
    expect(essence(join(out, 'last.json'))).toEqual(essence(join(dir, 'full', 'last.json')));
  });

  it('sample and eval give identical output for 1, 2 and 3 threads', async () => {
    const ck = join(dir, 'lstm-t1', 'last.json');
    const samples = [];
    for (const n of [1, 2, 3]) samples.push(await rnn(['sample', ck, '--count', '5', '--seed', '7', '--json', '--threads', String(n)]));
    for (const r of samples) expect(r.code).toBe(0);
    expect(samples[0]!.stdout.trim().split('\n')).toHaveLength(5);
    expect(samples[1]!.stdout).toBe(samples[0]!.stdout);
    expect(samples[2]!.stdout).toBe(samples[0]!.stdout);
    const evals = [];
    for (const n of [1, 2, 3]) evals.push(await rnn(['eval', ck, corpus, '--json', '--threads', String(n)]));
    for (const r of evals) expect(r.code).toBe(0);
    const losses = evals.map((r) => JSON.parse(r.stdout).loss);
    expect(losses[1]).toBe(losses[0]);
    expect(losses[2]).toBe(losses[0]);
  });

  it('--threads 0 is a usage error', async () => {
    const r = await rnn([...base('lstm'), '--threads', '0', '--out', join(dir, 'zero')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads/);
  });
});
