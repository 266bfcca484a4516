// Dynamic evaluation (rnn eval --adapt) against PyTorch: the fixture (test/fixtures/torch/
// make_golden.py, dynamic_eval) reads a token sequence as B streams in windows of T, scores each
// window with nn.GRU / nn.LSTM as the weights stand, then takes one torch.optim.SGD step on its
// mean cross-entropy. The float64 reference engine must give the same mean loss and end on the
// same weights; with lr 0 the figure is the static loss.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { adaptiveTokens } from '../src/train/dynamic-eval.js';
import { evaluateTokens } from '../src/train/evaluate.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

interface Named { name: string; data: number[] }
const FIX = join(__dirname, 'fixtures', 'torch');
const dyn = JSON.parse(readFileSync(join(FIX, 'dynamic-eval.json'), 'utf8')) as {
  V: number; H: number; L: number; T: number; B: number; lr: number; seq: number[];
  cells: Record<'gru' | 'lstm', { static: number; adaptive: number; params: Named[] }>;
};

/** The fixture's fixed starting weights: those of the golden forward/backward fixtures. */
function engineAt(cell: 'gru' | 'lstm') {
  const start = (JSON.parse(readFileSync(join(FIX, `${cell}.json`), 'utf8')) as { params: Named[] }).params;
  const e = createRefEngine({ cell, layers: dyn.L, hidden: dyn.H, vocabSize: dyn.V, dropout: 0 }, dyn.B, dyn.T, { dtype: 'f64' });
  e.layout.tensors.forEach((t, i) => { expect(t.name).toBe(start[i]!.name); e.params.set(start[i]!.data, t.offset); });
  return e;
}

describe('dynamic evaluation against PyTorch', () => {
  const seq = Int32Array.from(dyn.seq);
  for (const cell of ['gru', 'lstm'] as const) {
    const f = dyn.cells[cell];

    it(`${cell}: lr 0 is the static loss (PyTorch's, and rnn's own evaluation)`, () => {
      const e = engineAt(cell);
      const { nats, count } = adaptiveTokens(e, seq, 0);
      expect(count).toBe(seq.length - 1);
      expect(Math.abs(nats / count - f.static)).toBeLessThan(1e-12);
      const s = evaluateTokens(engineAt(cell), seq);
      expect(Math.abs(s.nats / s.count - f.static)).toBeLessThan(1e-12);
    });

    it(`${cell}: an SGD step after each scored window gives PyTorch's loss and final weights`, () => {
      const e = engineAt(cell);
      const { nats, count } = adaptiveTokens(e, seq, dyn.lr);
      expect(f.adaptive).toBeLessThan(f.static); // the fixture adapts: the test is not lr 0 twice
      expect(Math.abs(nats / count - f.adaptive)).toBeLessThan(1e-12);
      let d = 0;
      e.layout.tensors.forEach((t, i) => {
        expect(t.name).toBe(f.params[i]!.name);
        f.params[i]!.data.forEach((v, k) => { d = Math.max(d, Math.abs(e.params[t.offset + k]! - v)); });
      });
      expect(d).toBeLessThan(1e-12);
    });
  }
});

describe('rnn eval --adapt', () => {
  it('reports the adaptive figure apart from the loss; --adapt 0 equals the loss; the checkpoint is not changed', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const t = await rnn(['train', corpus, '--steps', '30', '--hidden', '16', '--batch', '4', '--seq-len', '16', '--out', join(dir, 'run'), '--seed', '3']);
    expect(t.code).toBe(0);
    const ck = join(dir, 'run', 'best.json');
    const before = readFileSync(ck, 'utf8');
    const plain = JSON.parse((await rnn(['eval', ck, corpus, '--json'])).stdout);
    expect(plain.adaptive).toBeUndefined();
    const zero = JSON.parse((await rnn(['eval', ck, corpus, '--json', '--adapt', '0'])).stdout);
    expect(zero.loss).toBe(plain.loss);
    expect(Math.abs(zero.adaptive.loss - plain.loss)).toBeLessThan(1e-6);
    const r = await rnn(['eval', ck, corpus, '--adapt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loss \d\.\d{4} nats\/char/m);
    expect(r.stdout).toMatch(/^adaptive \d\.\d{4} nats\/char .*dynamic evaluation: an SGD step of lr 0\.3 /m);
    expect(readFileSync(ck, 'utf8')).toBe(before);
    expect(r.stderr).toBe('');
    // A rate too high for this model (found by trying: 10 makes it worse, yet finite): a notice.
    const many = writeText(dir, 'many.txt', TINY_NAMES.repeat(Math.ceil(6000 / TINY_NAMES.length)));
    const high = await rnn(['eval', ck, many, '--json', '--adapt', '10']);
    expect(high.code).toBe(0);
    const h = JSON.parse(high.stdout);
    expect(h.adaptive.loss).toBeGreaterThan(h.loss);
    expect(high.stderr).toBe(`notice: dynamic evaluation did worse than the static loss (${h.adaptive.loss.toFixed(4)} > ${h.loss.toFixed(4)} nats/char): its rate is too high for this model; try --adapt 3.3\n`);
    const bad = await rnn(['eval', ck, corpus, '--adapt', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rnn eval: option '--adapt \[lr\]' argument 'fast' is invalid\. expected a number, got 'fast': put --adapt after the files for its default rate 0\.3, or give one \(--adapt 0\.3\)\.\nhint: /);
    // The optional value takes the next word, here the checkpoint: the message says where the flag goes.
    const first = await rnn(['eval', '--adapt', ck, corpus]);
    expect(first.code).toBe(2);
    expect(first.stderr.split('\n')[0]).toContain(`got '${ck}': put --adapt after the files`);
  });
});
