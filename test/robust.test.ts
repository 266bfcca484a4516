// Bad situations during training end in one clear line and the right exit code, never a stack
// trace or a lost checkpoint: divergence, an unwritable output directory, and fine-tuning text
// that does not fit the model. --init-from starts a new run (step 0, fresh optimizer) from weights.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const dir = tempDir();
const corpus = writeText(dir, 'names.txt', TINY_NAMES);
const SMALL = ['--layers', '1', '--hidden', '12', '--batch', '4', '--seq-len', '8', '--quiet'];

describe('robust training', () => {
  it('stops on divergence with the step and a hint, and writes no non-finite checkpoint', async () => {
    const r = await rnn(['train', corpus, ...SMALL, '--optimizer', 'sgd', '--lr', '10', '--beta1', '0.99', '--clip', '0', '--steps', '200', '--out', join(dir, 'div')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rnn: training diverged at step \d+: /);
    expect(r.stderr).toContain('hint: try a lower --lr');
    // any checkpoint left behind is a finite, loadable one
    const ls = await rnn(['eval', join(dir, 'div'), corpus, '--json']);
    if (ls.code === 0) expect(Number.isFinite(JSON.parse(ls.stdout).loss)).toBe(true);
    else expect(ls.stderr).toMatch(/without best\.json or last\.json|no such file/);
  });

  it('refuses at once a model whose checkpoint could not be written (one JSON string over V8\'s limit)', async () => {
    // 3×2048 LSTM: about 84 M parameters; weights plus two Adam moments as base64 ≈ 1.3 GB of JSON.
    const t0 = Date.now();
    const r = await rnn(['train', corpus, '--layers', '3', '--hidden', '2048', '--steps', '1', '--out', join(dir, 'huge')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rnn: a checkpoint of this model would be \d+ MB of JSON/m);
    expect(r.stderr).toContain('hint: use a smaller --hidden or --layers');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('fails at once when the output directory cannot be written', async () => {
    const file = writeText(dir, 'a-file', 'x');
    const r = await rnn(['train', corpus, ...SMALL, '--steps', '5', '--out', join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rnn: cannot write to .*a-file\/sub: ENOTDIR/);
  });

  it('--init-from starts at step 0 from the given weights and keeps the architecture', async () => {
    expect((await rnn(['train', corpus, ...SMALL, '--steps', '30', '--out', join(dir, 'base')])).code).toBe(0);
    const base = JSON.parse(readFileSync(join(dir, 'base', 'last.json'), 'utf8'));
    const fine = writeText(dir, 'fine.txt', 'bob\nbobby\nanna\n');
    const r = await rnn(['train', fine, '--init-from', join(dir, 'base', 'last.json'), '--steps', '1', '--batch', '2', '--seq-len', '4',
      '--lr', '1e-9', '--warmup', '0', '--val-fraction', '0', '--out', join(dir, 'fine'), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ft = JSON.parse(readFileSync(join(dir, 'fine', 'last.json'), 'utf8'));
    expect(ft.training.step).toBe(1);
    // the architecture is the checkpoint's; dropout, a training setting, follows the new run's own passes
    expect({ ...ft.model, dropout: base.model.dropout }).toEqual(base.model);
    expect(ft.vocab.codePoints).toEqual(base.vocab.codePoints);
    // one Adam step of lr 1e-9 moves no weight by more than ~1e-9: the weights came from the checkpoint
    const a = Buffer.from(base.tensors[0].data, 'base64'), b = Buffer.from(ft.tensors[0].data, 'base64');
    const fa = new Float32Array(a.buffer, a.byteOffset, a.length / 4), fb = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    let maxDiff = 0;
    for (let k = 0; k < fa.length; k++) maxDiff = Math.max(maxDiff, Math.abs(fa[k]! - fb[k]!));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('--init-from refuses text with characters outside the vocabulary, listing them', async () => {
    writeFileSync(join(dir, 'new.txt'), 'zoë\nxavier\n');
    const r = await rnn(['train', join(dir, 'new.txt'), '--init-from', join(dir, 'base', 'last.json'), '--steps', '2', '--out', join(dir, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not in the vocabulary of the --init-from checkpoint: .*'x' ×1/);
  });

  it('--init-from with an architecture flag is a usage error', async () => {
    const r = await rnn(['train', corpus, '--init-from', join(dir, 'base', 'last.json'), '--hidden', '64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hidden cannot be set');
  });
});
