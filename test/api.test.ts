// The library API, imported by the package's name as users do: its samples are `rnn sample`'s
// for the same seed and options, its score is `rnn eval`'s loss, its train() is `rnn train`
// (same checkpoint bit for bit, the same --json object), an AbortSignal stops a run as Ctrl-C does
// and the run resumes to the uninterrupted result, and every source (path, run directory,
// safetensors, file: and http: URLs, bytes) loads the same model. Expected values come from the
// CLI run on the same files, or from the definitions (a probability is exp of its log-probability).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, DataError, loadModel, RuntimeError, train, UsageError, type Model } from 'rnn';
import { rnn, run, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const SMALL = ['--steps', '40', '--hidden', '16', '--batch', '4', '--seq-len', '16', '--seed', '3'];
let dir: string, corpus: string, ckPath: string;
let model: Model;

beforeAll(async () => {
  dir = tempDir('rnn-api-');
  corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const r = await rnn(['train', corpus, ...SMALL, '--out', join(dir, 'run'), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  ckPath = join(dir, 'run', 'best.json');
  model = await loadModel(ckPath);
});
afterAll(() => model?.dispose());

const jsonLines = (s: string): unknown[] => s.trim().split('\n').map((l) => JSON.parse(l));

describe('sampling', () => {
  it('gives the samples of rnn sample for the same seed, count, temperature, top-k and top-p', async () => {
    const cli = await rnn(['sample', ckPath, '--count', '8', '--seed', '7', '--temperature', '0.9', '--top-k', '5', '--top-p', '0.9', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(model.sample({ count: 8, seed: 7, temperature: 0.9, topK: 5, topP: 0.9 })).toEqual(jsonLines(cli.stdout));
  });

  it('and with a prime, stop strings, --no-eos-stop and --max-chars', async () => {
    const cli = await rnn(['sample', ckPath, '--count', '3', '--seed', '2', '--prime', 'a', '--stop', 'nn', 'y', '--no-eos-stop', '--max-chars', '30', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(model.sample({ count: 3, seed: 2, prime: 'a', stop: ['nn', 'y'], eosStop: false, maxChars: 30 })).toEqual(jsonLines(cli.stdout));
  });

  it('streams the text of the same sample, prime first', async () => {
    let text = '';
    for await (const piece of model.stream({ seed: 5, prime: 'e' })) text += piece;
    expect(text).toBe(model.sample({ seed: 5, prime: 'e' })[0]!.text);
  });

  it('generators of one model keep their own state and random stream', async () => {
    const alone = model.generator({ seed: 9 }).sample({ maxChars: 20 }).text;
    const a = model.generator({ seed: 9 }), b = model.generator({ seed: 4 });
    const it = a.stream({ maxChars: 20 });
    let text = '';
    for await (const piece of it) { text += piece; b.next(); b.feed('a'); }
    expect(text).toBe(alone);
  });

  it("next-character probabilities replay a sample's log-probability, and sum to 1", () => {
    const [sample] = model.sample({ seed: 6, prime: 'b', temperature: 1 });
    const g = model.generator().feed('b');
    let lp = 0;
    for (const ch of [...sample!.text.slice(1)]) {
      const p = g.probabilities();
      expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      lp += Math.log(p[model.chars.indexOf(ch)]!);
      g.feed(ch);
    }
    if (sample!.stop === 'eos') lp += Math.log(g.probabilities()[0]!);
    expect(lp).toBeCloseTo(sample!.logProb, 9);
    expect(g.reset().top(1)[0]!.p).toBe(Math.max(...model.generator().probabilities()));
  });
});

describe('scoring', () => {
  it('equals rnn eval on the same text and kernel, to 1e-9 relative', async () => {
    const text = 'anna\nbob\ncarla\nemily\ndan\n';
    const file = writeText(dir, 'held.txt', text);
    const cli = await rnn(['eval', ckPath, file, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const e = JSON.parse(cli.stdout) as { loss: number; tokens: number; chars: number; docs: number };
    const s = await model.score(text);
    expect(Math.abs(s.loss - e.loss) / e.loss).toBeLessThan(1e-9);
    expect([s.tokens, s.chars, s.docs]).toEqual([e.tokens, e.chars, e.docs]);
    expect(s.logProbs.reduce((x, y) => x - y, 0)).toBeCloseTo(s.nats, 9);
    expect(s.bitsPerChar).toBeCloseTo(s.loss / Math.LN2, 12);
  });

  it('adapt gives rnn eval --adapt\'s figure beside the static loss, and leaves the model\'s weights as they were', async () => {
    // Several windows of 16 streams × 128: the first window is scored before any step.
    const text = 'anna\nbob\ncarla\nemily\ndan\n'.repeat(300);
    const file = writeText(dir, 'held-adapt.txt', text);
    const cli = await rnn(['eval', ckPath, file, '--json', '--adapt', '0.5']);
    expect(cli.code, cli.stderr).toBe(0);
    const e = JSON.parse(cli.stdout) as { loss: number; adaptive: { loss: number } };
    const first = await model.score(text);
    expect(first.adaptive).toBeUndefined();
    const s = await model.score(text, { adapt: 0.5 });
    expect(Math.abs(s.adaptive!.loss - e.adaptive.loss) / e.adaptive.loss).toBeLessThan(1e-9);
    expect(s.adaptive!.loss).not.toBe(s.loss); // it adapted: not the static figure again
    expect(s.adaptive!.lr).toBe(0.5);
    expect(s.loss).toBe(first.loss);
    expect((await model.score(text)).loss, 'the static loss after adapting').toBe(first.loss);
    expect((await model.score(text, { adapt: true })).adaptive!.lr).toBe(0.3);
    await expect(model.score(text, { adapt: -1 })).rejects.toThrow(UsageError);
  });
});

describe('loading', () => {
  it('a run directory, rnn export safetensors (path, file: URL, bytes) and an http: URL give the same model', async () => {
    const st = join(dir, 'model.safetensors');
    const ex = await rnn(['export', ckPath, '--out', st]);
    expect(ex.code, ex.stderr).toBe(0);
    const bytes = readFileSync(ckPath);
    const server = createServer((_, res) => res.end(bytes));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/best.json`;
    try {
      const want = model.sample({ count: 4, seed: 11 });
      for (const source of [join(dir, 'run'), st, pathToFileURL(st), readFileSync(st), url]) {
        await using m = await loadModel(source);
        expect(m.sample({ count: 4, seed: 11 }), String(source)).toEqual(want);
      }
    } finally {
      server.close();
    }
  });

  it.skipIf(!existsSync('/proc/self/task'))('dispose() ends the worker threads of both engines', async () => {
    const threads = (): number => readdirSync('/proc/self/task').length;
    const t0 = threads();
    const m = await loadModel(ckPath, { threads: 3 });
    await m.score('anna\nbob\n'); // the scoring engine too
    expect(threads()).toBeGreaterThanOrEqual(t0 + 4); // 2 workers and a watcher per engine
    await m[Symbol.asyncDispose]();
    for (let i = 0; i < 100 && threads() > t0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(threads()).toBe(t0);
  });

  it('fails with the typed errors the CLI prints', async () => {
    await expect(loadModel(join(dir, 'missing.json'))).rejects.toBeInstanceOf(CheckpointError);
    await expect(loadModel(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(CheckpointError);
    expect(() => model.sample({ temperature: -1 })).toThrow(UsageError);
    expect(() => model.generator().feed('€')).toThrow(DataError);
    const m = await loadModel(ckPath);
    m.dispose();
    expect(() => m.sample()).toThrow(RuntimeError);
  });
});

describe('the built package', () => {
  it("resolves import from 'rnn' through package.json exports to dist/, with its types", async () => {
    const root = join(__dirname, '..');
    const code = `import { loadModel } from 'rnn'; const m = await loadModel(${JSON.stringify(ckPath)}); `
      + `console.log(JSON.stringify(m.sample({ count: 3, seed: 8 }))); m.dispose();`;
    const r = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(model.sample({ count: 3, seed: 8 }));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    for (const e of Object.values(pkg.exports)) if (typeof e === 'object') for (const f of [e.types, e.default]) expect(existsSync(join(root, f)), f).toBe(true);
  });
});

describe('train()', () => {
  const opts = { steps: 40, hidden: 16, batch: 4, seqLen: 16, seed: 3 };
  const tensors = (p: string): unknown => (JSON.parse(readFileSync(p, 'utf8')) as { tensors: unknown }).tensors;

  it('is rnn train: the same checkpoint bit for bit and the same --json object', async () => {
    const cli = await rnn(['train', corpus, ...SMALL, '--out', join(dir, 'cli'), '--quiet', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const want = JSON.parse(cli.stdout) as Record<string, unknown>;
    const steps: number[] = [];
    const got = await train({ corpus, ...opts, out: join(dir, 'api'), onProgress: (s) => steps.push(s.step) });
    expect(tensors(got.checkpoint)).toEqual(tensors(join(dir, 'cli', 'last.json')));
    const drop = ({ elapsedSec, wallSec, checkpoint, best, metrics, ...rest }: Record<string, unknown>) => rest;
    expect(drop(got as unknown as Record<string, unknown>)).toEqual(drop(want));
    expect(steps.at(-1)).toBe(40);
  });

  it('stops on an AbortSignal as on Ctrl-C, and the resumed run ends where an uninterrupted one does', async () => {
    const ac = new AbortController();
    const out = join(dir, 'abort');
    const stopped = await train({ corpus, ...opts, out, onProgress: (s) => { if (s.step >= 10) ac.abort(); }, signal: ac.signal });
    expect(stopped.stopReason).toBe('signal');
    expect(stopped.steps).toBeLessThan(40);
    const done = await train({ resume: stopped.checkpoint });
    expect(done.steps).toBe(40);
    expect(tensors(done.checkpoint)).toEqual(tensors(join(dir, 'cli', 'last.json')));
  });

  it('checks option values against the settings table', async () => {
    await expect(train({ hidden: 0 })).rejects.toThrow(/hidden must be a whole number between 1 and 8192/);
    await expect(train({ cell: 'tcn' as 'lstm' })).rejects.toBeInstanceOf(UsageError);
    await expect(train({ bogus: 1 } as object)).rejects.toThrow(/unknown train option bogus/);
  });
});
