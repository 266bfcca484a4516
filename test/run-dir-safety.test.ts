// A run directory holds one run: a new run there (--force) leaves nothing of the old one, a resume
// never overwrites another run's or a newer checkpoint, metrics.jsonl logs each step once however
// the run was stopped and resumed, and a resume refuses a corpus that was edited in place.

import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/io.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const SMALL = ['--layers', '1', '--batch', '4', '--seq-len', '8', '--threads', '1', '--quiet'];

function steps(metricsPath: string): number[] {
  return readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
}

describe('run directories', () => {
  it('--force replaces every file of the run before: no best.json of the old model stays when the new run never validates', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'x');
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '20', '--out', out])).code).toBe(0);
    expect(existsSync(join(out, 'best.json'))).toBe(true);
    const r = await rnn(['train', corpus, ...SMALL, '--hidden', '32', '--val-fraction', '0', '--steps', '20', '--out', out, '--force']);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'best.json'))).toBe(false);
    // `rnn info runs/x` picks best.json when there is one: it must describe the new model.
    const info = JSON.parse((await rnn(['info', out, '--json'])).stdout);
    expect(info.model.hidden).toBe(32);
    // Only the new run's rows: --eval-every defaults to a tenth of the 20 steps, so one row every 2.
    expect(steps(join(out, 'metrics.jsonl'))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  });

  it('a resume from an older checkpoint rewrites metrics.jsonl from its history: each step once', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    const base = [...SMALL, '--hidden', '16', '--lr-schedule', 'constant', '--eval-every', '10'];
    expect((await rnn(['train', corpus, ...base, '--steps', '20', '--out', out])).code).toBe(0);
    const at20 = join(dir, 'at20.json');
    copyFileSync(join(out, 'last.json'), at20);
    expect((await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '40', ...SMALL.slice(-3)])).code).toBe(0);
    expect(steps(join(out, 'metrics.jsonl'))).toEqual([10, 20, 30, 40]);
    // A crash after step 40 was logged but before its checkpoint: last.json is still at step 20.
    copyFileSync(at20, join(out, 'last.json'));
    expect((await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '40', ...SMALL.slice(-3)])).code).toBe(0);
    expect(steps(join(out, 'metrics.jsonl'))).toEqual([10, 20, 30, 40]);
    const history = loadCheckpoint(join(out, 'last.json')).training!.metrics;
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(history.map((row) => `${JSON.stringify(row)}\n`).join(''));
  });

  it('a resume into --out refuses another run\'s checkpoints there unless --force, which replaces them', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const a = join(dir, 'a'), b = join(dir, 'b');
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '40', '--eval-every', '10', '--out', a])).code).toBe(0);
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '40', '--out', b])).code).toBe(0);
    const other = await rnn(['train', '--resume', join(a, 'last.json'), '--steps', '60', '--out', b]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`${b} already holds checkpoints of another run`);
    expect(loadCheckpoint(join(b, 'last.json')).training!.step).toBe(40);
    const forced = await rnn(['train', '--resume', join(a, 'last.json'), '--steps', '60', '--out', b, '--force', '--quiet']);
    expect(forced.code).toBe(0);
    expect(loadCheckpoint(join(b, 'last.json')).training!.step).toBe(60);
    expect(steps(join(b, 'metrics.jsonl'))).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('the best.json of the run refuses a resume that would overwrite its newer last.json', async () => {
    // Made deterministic: best.json is copied from the step-20 checkpoint of the same run.
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '20', '--out', out])).code).toBe(0);
    const at20 = readFileSync(join(out, 'last.json'));
    expect((await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '40', '--quiet'])).code).toBe(0);
    writeFileSync(join(out, 'best.json'), at20);
    const r = await rnn(['train', '--resume', join(out, 'best.json'), '--steps', '60']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is at step 40, past step 20');
    expect(loadCheckpoint(join(out, 'last.json')).training!.step).toBe(40);
  });

  it('a resume refuses a corpus edited in place to the same length and characters', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '20', '--out', out])).code).toBe(0);
    // "anna" → "naan" everywhere: the same characters, lines and length, other text.
    writeFileSync(corpus, TINY_NAMES.replaceAll('anna', 'naan'));
    const r = await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '40']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the corpus is not the one this run was trained on');
  });

  it('a checkpoint records the kernel build that trained it, and a resume on another build says it will not repeat the run exactly', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    expect((await rnn(['train', corpus, ...SMALL, '--hidden', '16', '--steps', '20', '--kernel', 'ts', '--out', out])).code).toBe(0);
    expect(loadCheckpoint(join(out, 'last.json')).training!.kernel).toBe('ts');
    const again = await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '30', '--kernel', 'ts']);
    expect(again.stderr).not.toContain('notice: this run was trained on');
    const r = await rnn(['train', '--resume', join(out, 'last.json'), '--steps', '40', '--kernel', 'wasm', '--threads', '1']);
    expect(r.code).toBe(0);
    const now = loadCheckpoint(join(out, 'last.json')).training!.kernel;
    expect(['wasm', 'wasm-fma']).toContain(now);
    expect(r.stderr).toContain(`notice: this run was trained on the ts kernel and continues on ${now}: the two agree to about 1e-6, not bit for bit`);
  });
});
