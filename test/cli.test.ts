// The CLI end to end through the real bin/rnn: train a few steps, sample deterministically,
// evaluate with JSON output, and answer bad input with a one-line message and the documented
// exit code (0 ok, 1 data/runtime error, 2 usage error).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RNN, rnn, run, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const SMALL = ['--layers', '1', '--hidden', '24', '--batch', '4', '--seq-len', '16', '--lr', '0.01', '--warmup', '5'];

function expectOneLineError(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^rnn/);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('rnn CLI', () => {
  let dir = '';
  let corpus = '';
  let summary: Record<string, unknown> = {};

  beforeAll(async () => {
    dir = tempDir();
    corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const r = await rnn(['train', corpus, ...SMALL, '--steps', '120', '--out', join(dir, 'run'), '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    summary = JSON.parse(r.stdout);
  });

  it('--help lists the commands and exits 0', async () => {
    const r = await rnn(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['train', 'sample', 'eval']) expect(r.stdout).toContain(c);
  });

  it('train --help groups options and ends with examples', async () => {
    const r = await rnn(['train', '--help']);
    expect(r.code).toBe(0);
    for (const g of ['Data:', 'Model:', 'Optimization:', 'Checkpoints:', 'System:', 'Examples:']) expect(r.stdout).toContain(g);
    expect(r.stdout).toContain('(default: 32)');
    // --time states the README's rule ("How to pick settings"): 2,000 steps, 6 characters per
    // parameter and at most 25 passes
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('the largest (GRU unless --cell) that gets 2000 steps and 6 characters per parameter in the budget on this machine (passes over the same text counting less and less)');
    expect(help).toContain('at most 25 passes, so a small text ends early');
  });

  it('train --json prints one parseable summary on stdout with the files it wrote', async () => {
    expect(summary.steps).toBe(120);
    expect(typeof summary.bestValLoss).toBe('number');
    expect(summary.bestValBitsPerChar).toBeCloseTo((summary.bestValLoss as number) / Math.LN2, 12);
    const metrics = readFileSync(summary.metrics as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // a row every 10 steps and at every validation (every 120/10 = 12 steps): 12 + 10 − 2 shared (60, 120)
    expect(metrics.length).toBe(20);
    expect(metrics.filter((m) => m.valLoss !== null).map((m) => m.step)).toEqual([12, 24, 36, 48, 60, 72, 84, 96, 108, 120]);
    expect(metrics.at(-1).step).toBe(120);
  });

  it('sample --temperature 0 is deterministic and stops at EOS', async () => {
    const a = await rnn(['sample', join(dir, 'run'), '--temperature', '0', '--count', '2', '--json']);
    const b = await rnn(['sample', join(dir, 'run'), '--temperature', '0', '--count', '2', '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const rows = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(rows[0].stop).toBe('eos');
    expect(rows[0].text).toBe(rows[1].text); // greedy from the same start state
    expect(rows[0].length).toBe([...rows[0].text].length);
  });

  it('sample with a seed repeats exactly, and a prime starts every sample', async () => {
    const args = ['sample', join(dir, 'run', 'best.json'), '--seed', '7', '--count', '5', '--prime', 'a'];
    const a = await rnn(args), b = await rnn(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const lines = a.stdout.split('\n').slice(0, 5);
    for (const l of lines) expect(l.startsWith('a')).toBe(true);
  });

  it('eval --json reports loss, bits per char and perplexity consistently', async () => {
    const r = await rnn(['eval', join(dir, 'run', 'best.json'), corpus, '--json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.bitsPerChar).toBeCloseTo(e.loss / Math.LN2, 12);
    expect(e.perplexity).toBeCloseTo(Math.exp(e.loss), 9);
    // 36 names of known lengths, each followed by EOS
    const chars = TINY_NAMES.replace(/\n/g, '').length;
    expect(e.chars).toBe(chars);
    expect(e.tokens).toBe(chars + 36);
  });

  it('sample options through the CLI: --top-k 1 and a tiny --top-p are greedy, --no-eos-stop runs to --max-chars, --stop cuts', async () => {
    const ck = join(dir, 'run', 'best.json');
    const sample = (...extra: string[]) => rnn(['sample', ck, '--count', '4', '--json', ...extra]);
    const texts = (r: { stdout: string }) => r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const greedy = texts(await sample('--temperature', '0')).map((o) => o.text);
    expect(texts(await sample('--temperature', '1', '--top-k', '1')).map((o) => o.text)).toEqual(greedy);
    expect(texts(await sample('--temperature', '1', '--top-p', '0.000001')).map((o) => o.text)).toEqual(greedy);
    for (const o of texts(await sample('--no-eos-stop', '--max-chars', '30'))) expect(o).toMatchObject({ length: 30, stop: 'max-chars' });
    for (const o of texts(await sample('--no-eos-stop', '--max-chars', '200', '--stop', 'n'))) {
      expect(o.text).not.toContain('n');
      expect(o.stop).toBe('stop-string');
    }
  });

  it('sample into a pipe closed early (| head -1) stops quietly with exit 0', async () => {
    const ck = join(dir, 'run', 'best.json');
    const r = await run('bash', ['-c', `"${process.execPath}" "${RNN}" sample "${ck}" --count 2000 --max-chars 200 | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`]);
    expect(r.stdout.split('\n')).toHaveLength(2); // one line, then the final newline
    expect(r.stderr).toBe('rc=0\n');
  });

  it('eval --per-doc prints one JSON line per document that add up to the total, on either kernel', async () => {
    const ck = join(dir, 'run', 'best.json');
    const total = JSON.parse((await rnn(['eval', ck, corpus, '--json'])).stdout);
    const r = await rnn(['eval', ck, corpus, '--per-doc']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^loss \d\.\d{4} nats\/char/m); // the summary moves to stderr
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const names = TINY_NAMES.trim().split('\n');
    expect(docs.map((d) => d.index)).toEqual(names.map((_, i) => i));
    expect(docs.map((d) => d.length)).toEqual(names.map((n) => n.length));
    const sum = docs.reduce((a, d) => a + d.nats, 0);
    expect(sum).toBeCloseTo(total.loss * total.tokens, 6);
    const ts = (await rnn(['eval', ck, corpus, '--per-doc', '--kernel', 'ts'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    ts.forEach((d, i) => expect(Math.abs(d.nats - docs[i].nats)).toBeLessThan(1e-5 * Math.max(1, d.nats)));
  });

  it('eval of the held-out tail agrees with the validation loss training reported', async () => {
    const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(20);
    const src = writeText(dir, 'stream.txt', text);
    const out = join(dir, 'tail');
    const t = await rnn(['train', src, ...SMALL, '--doc-split', 'none', '--val-fraction', '0.2', '--steps', '40', '--out', out, '--json', '--quiet']);
    expect(t.code).toBe(0);
    const best = JSON.parse(t.stdout).bestValLoss;
    const cut = Math.round(text.length * 0.8); // ASCII: code points = UTF-16 units
    const tail = writeText(dir, 'tail.txt', text.slice(cut));
    const e = JSON.parse((await rnn(['eval', join(out, 'best.json'), tail, '--json'])).stdout);
    expect(e.loss).toBe(best);
  });

  it('the same seed gives identical checkpoints', async () => {
    const ck = async (name: string) => {
      const r = await rnn(['train', corpus, ...SMALL, '--dropout', '0.1', '--steps', '20', '--out', join(dir, name), '--quiet']);
      expect(r.code).toBe(0);
      const c = JSON.parse(readFileSync(join(dir, name, 'last.json'), 'utf8'));
      return { tensors: c.tensors, moments: c.training.moments, carry: c.training.carry, rng: c.training.rng, step: c.training.step,
        losses: c.training.metrics.map((m: { trainLoss: number; valLoss: number | null }) => [m.trainLoss, m.valLoss]) };
    };
    expect(await ck('seed-a')).toEqual(await ck('seed-b'));
  });

  it('info --json describes the model, with the parameter count of a 1×24 LSTM', async () => {
    const r = await rnn(['info', join(dir, 'run'), '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    const V = new Set(TINY_NAMES.replace(/\n/g, '')).size + 1; // characters + EOS
    const H = 24;
    // 0.3, the default dropout for 10 to 80 passes: 120 steps of 4 × 16 over about 180 characters
    expect(summary.epochs).toBeGreaterThanOrEqual(10);
    expect(summary.epochs).toBeLessThan(80);
    expect(info.model).toEqual({ cell: 'lstm', layers: 1, hidden: H, vocabSize: V, dropout: 0.3 });
    expect(info.parameters).toBe(4 * H * V + 4 * H * H + 2 * 4 * H + V * H + V); // W_ih, W_hh, two biases, head
    expect(info.training.step).toBe(120);
    expect(info.docSplit).toBe('line');
    const text = await rnn(['info', join(dir, 'run')]);
    expect(text.stdout).toMatch(/^model {8}1×24 LSTM, dropout 0.3, [\d,]+ parameters$/m);
  });

  describe('bad input', () => {
    it('an invalid number is a usage error (exit 2) with one line and a hint', async () => {
      for (const args of [['--layers', '0'], ['--hidden', '-3'], ['--batch', '2.5'], ['--lr', '0'], ['--dropout', '1'], ['--seq-len', 'ten']]) {
        const r = await rnn(['train', corpus, ...args]);
        expect(r.code, args.join(' ')).toBe(2);
        expectOneLineError(r.stderr);
      }
    });

    it('an unknown option is a usage error (exit 2)', async () => {
      const r = await rnn(['train', corpus, '--hiden', '10']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("rnn train: unknown option '--hiden' (did you mean --hidden?)\nhint: see 'rnn train --help'\n");
      expectOneLineError(r.stderr);
    });

    it('a missing corpus file is a data error (exit 1) naming the path', async () => {
      const r = await rnn(['train', join(dir, 'nope.txt')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('nope.txt');
      expectOneLineError(r.stderr);
    });

    it('invalid UTF-8 names the file and byte offset', async () => {
      const bad = writeText(dir, 'bad.txt', new Uint8Array([0x61, 0x62, 0x0a, 0xff, 0x63]));
      const r = await rnn(['train', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('bad.txt: invalid UTF-8 at byte 3');
    });

    it('a truncated checkpoint is a one-line error (exit 1)', async () => {
      const full = readFileSync(join(dir, 'run', 'best.json'), 'utf8');
      const cut = writeText(dir, 'cut.json', full.slice(0, full.length / 2));
      const r = await rnn(['sample', cut]);
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr);
      expect(r.stderr).toContain('cut.json');
    });

    it('a prime character outside the vocabulary is named', async () => {
      const r = await rnn(['sample', join(dir, 'run'), '--prime', 'aZ']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("'Z'");
    });

    it('eval of text with unknown characters lists them, and --unknown skip counts them', async () => {
      const f = writeText(dir, 'odd.txt', 'anna\nzoë\n');
      const r = await rnn(['eval', join(dir, 'run'), f]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/'z' ×1/);
      const s = await rnn(['eval', join(dir, 'run'), f, '--unknown', 'skip', '--json']);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.stdout).skipped).toBe(2); // z and ë; 'o' is in bob
    });
  });
});

describe('rnn train --time without model flags', () => {
  it('measures, picks the settings, prints them as flags that repeat the run exactly, and stores them in the checkpoint', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(20));
    // One thread: two test files run at once on 2 cores, and spinning worker threads would make the
    // step time swing between the calibration and the run (the repeat below runs every step).
    const r = await rnn(['train', corpus, '--time', '2s', '--threads', '1', '--out', join(dir, 'auto'), '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/measured: 1×64 [\d.]+ epochs/);
    const flags = /to repeat this run exactly: rnn train \S+ (.*)$/m.exec(r.stderr)?.[1];
    expect(flags).toMatch(/--cell gru .*--steps \d+ .*--seed 1$/);
    const auto = JSON.parse(r.stdout);
    expect(auto.settings.flags).toBe(flags);
    expect(JSON.parse((await rnn(['info', join(dir, 'auto', 'last.json'), '--json'])).stdout).training.settings.flags).toBe(flags);

    // The same flags, no --time: the same run, loss for loss, up to where the timed run stopped
    // (it may stop early on a slower moment; the repeat always runs the full --steps).
    const again = await rnn(['train', corpus, ...flags!.split(' '), '--threads', '1', '--out', join(dir, 'again'), '--json', '--quiet']);
    expect(again.code).toBe(0);
    const rows = (run: string) => readFileSync(join(dir, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const a = rows('auto'), b = rows('again');
    expect(a.length).toBeGreaterThan(1);
    a.slice(0, -1).forEach((row, i) => expect([row.step, row.trainLoss, row.valLoss]).toEqual([b[i].step, b[i].trainLoss, b[i].valLoss]));
  });
});
