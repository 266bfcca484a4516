// Every kind of bad input gets one line naming the problem, usually a hint, and exit code 2
// (usage) or 1 (data/runtime): never a stack trace, never a hang.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const dir = tempDir();
const corpus = writeText(dir, 'names.txt', TINY_NAMES);
const FAST = ['--layers', '1', '--hidden', '8', '--batch', '4', '--seq-len', '8', '--steps', '2', '--quiet', '--force'];

function expectOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
}

describe('bad input to rnn train', () => {
  it('a directory', async () => {
    const d = join(dir, 'adir');
    mkdirSync(d);
    const r = await rnn(['train', d]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /adir: is a directory/);
  });

  it('an empty file and a whitespace-only file', async () => {
    for (const text of ['', '  \n\n\t\n']) {
      const r = await rnn(['train', writeText(dir, 'empty.txt', text)]);
      expect(r.code).toBe(1);
      expectOneLine(r.stderr, /^rnn: corpus (is empty|contains only whitespace)/);
    }
  });

  it('a NUL byte (binary file) with its byte offset', async () => {
    const r = await rnn(['train', writeText(dir, 'bin.dat', new Uint8Array([0x61, 0x62, 0x63, 0x00, 0x64]))]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /bin\.dat: NUL byte at byte 3/);
  });

  it('more distinct characters than --max-vocab, with the count', async () => {
    const r = await rnn(['train', corpus, '--max-vocab', '5']);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /corpus has \d+ distinct characters, more than --max-vocab 5/);
  });

  it('a corpus smaller than one batch window shrinks B and T with a notice', async () => {
    const tiny = writeText(dir, 'tiny.txt', 'abcabcabcabc\nabc\n');
    const r = await rnn(['train', tiny, '--batch', '32', '--seq-len', '64', '--steps', '3', '--layers', '1', '--hidden', '8', '--out', join(dir, 'tiny'), '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/notice: the training text \(\d+ targets\) is smaller than one window of --batch 32 × --seq-len 64; using --batch \d+ --seq-len \d+/);
  });

  it('a 10 MB single line trains', async () => {
    const big = writeText(dir, 'big.txt', 'abcdefghij'.repeat(1_000_000));
    const r = await rnn(['train', big, ...FAST, '--val-fraction', '0.001', '--out', join(dir, 'big'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).steps).toBe(2);
  });

  it('numeric options out of range or not numbers, for every command', async () => {
    const cases: string[][] = [
      ['train', corpus, '--layers', '1.5'], ['train', corpus, '--hidden', '0'], ['train', corpus, '--batch', '-1'],
      ['train', corpus, '--seq-len', '0'], ['train', corpus, '--lr', '-0.1'], ['train', corpus, '--dropout', '-0.1'],
      ['train', corpus, '--val-fraction', '0.9'], ['train', corpus, '--steps', 'many'], ['train', corpus, '--time', '10x'],
      ['train', corpus, '--cell', 'transformer'], ['sample', 'x.json', '--temperature', '-1'], ['sample', 'x.json', '--top-k', '-2'],
      ['sample', 'x.json', '--top-k', '0'], ['sample', 'x.json', '--top-p', '0'], ['train', corpus, '--layers', '0'],
      ['train', corpus, '--dropout', '1'], ['train', corpus, '--lr', '0'], ['train', corpus, '--patience', '-1'],
      ['train', corpus, '--dropout-mode', 'locked'], ['eval', 'x.json', corpus, '--threads', '0'], ['sample', 'x.json', '--count', '0'], ['eval', 'x.json', corpus, '--unknown', 'ignore'],
    ];
    for (const args of cases) {
      const r = await rnn(args);
      expect(r.code, args.join(' ')).toBe(2);
      expectOneLine(r.stderr, /^rnn \w+: option '--[a-z-]+ <[a-z-]+>' argument '[^']*' is invalid\./);
    }
  });

  it('an unknown command and a missing argument are usage errors', async () => {
    expect((await rnn(['trian'])).code).toBe(2);
    expect((await rnn(['eval'])).code).toBe(2);
  });

  it('a checkpoint that is not a file', async () => {
    const r = await rnn(['sample', join(dir, 'missing.json')]);
    expect(r.code).toBe(1);
    expectOneLine(r.stderr, /missing\.json: no such file/);
  });
});
