// A stdout that cannot be written (a full disk, a descriptor opened read-only) ends every command
// with one error line, a hint and exit code 1: no stack trace, no hang, whether the error is emitted
// after the command returned or thrown by write() itself. A stderr that cannot be written ends none.

import { closeSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../src/checkpoint/io.js';
import { guardWrites, stdoutWriteError } from '../src/cli/write-guard.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { rnn, tempDir, writeText } from './helpers/cli.js';

const ENOSPC_LINES = 'rnn: cannot write to standard output: no space left on device (ENOSPC)\n'
  + 'hint: the disk or device behind stdout is full\n';

describe('stdout write errors (CLI)', () => {
  let dir: string, ck: string, text: string, full: number;
  beforeAll(() => {
    dir = tempDir();
    ck = `${dir}/ck.json`;
    saveCheckpoint(ck, smallCheckpoint()); // vocabulary: \n a b 😀
    text = writeText(dir, 'text.txt', 'ab\nba\nabba\n');
    full = openSync('/dev/full', 'w'); // every write fails with ENOSPC
  });
  afterAll(() => closeSync(full));

  const commands: [string, () => string[]][] = [
    ['sample', () => ['sample', ck, '--count', '3']],
    ['sample --json', () => ['sample', ck, '--count', '3', '--json']],
    ['info', () => ['info', ck]],
    ['info --json', () => ['info', ck, '--json']],
    ['eval --json', () => ['eval', ck, text, '--json']],
    ['train --json', () => ['train', text, '--steps', '2', '--hidden', '4', '--layers', '1', '--batch', '1', '--seq-len', '4', '--out', `${dir}/run`, '--force', '--quiet', '--json', '--kernel', 'ts']],
  ];
  for (const [name, args] of commands) {
    it(`rnn ${name} > /dev/full: one line, a hint, exit 1`, async () => {
      const r = await rnn(args(), { stdoutFd: full });
      expect(r.stderr).toBe(ENOSPC_LINES);
      expect(r.code).toBe(1);
    });
  }

  it('rnn eval --per-doc > /dev/full: the summary (stderr) then the one error', async () => {
    const r = await rnn(['eval', ck, text, '--per-doc'], { stdoutFd: full });
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(/^loss \d/);
    expect(lines.slice(1).join('\n')).toBe(ENOSPC_LINES);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(1);
  });

  it('rnn train 2> /dev/full: trains on without its diagnostics, saves, and exits 0', async () => {
    const out = `${dir}/quiet-run`;
    const r = await rnn(['train', text, '--steps', '6', '--hidden', '4', '--layers', '1', '--batch', '1', '--seq-len', '4', '--eval-every', '2', '--out', out, '--kernel', 'ts', '--json'], { stderrFd: full });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).steps).toBe(6);
    expect(JSON.parse(readFileSync(`${out}/last.json`, 'utf8')).training.step).toBe(6);
  });

  it('rnn info 1<file (stdout opened read-only): EBADF, exit 1', async () => {
    const readOnly = openSync(text, 'r');
    try {
      const r = await rnn(['info', ck], { stdoutFd: readOnly });
      expect(r.stderr).toBe('rnn: cannot write to standard output: bad file descriptor (EBADF)\n'
        + 'hint: stdout is not open for writing (redirected with 1<file, or closed by the caller)\n');
      expect(r.code).toBe(1);
    } finally {
      closeSync(readOnly);
    }
  });
});

describe('guardWrites', () => {
  const errno = (code: string, errnoValue: number, message: string): NodeJS.ErrnoException =>
    Object.assign(new Error(message), { code, errno: errnoValue, syscall: 'write' });

  it('routes a write() that throws synchronously to the handler instead of the caller', () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = () => { throw errno('EIO', -5, 'EIO: i/o error, write'); };
    const seen: string[] = [];
    guardWrites(stream, (e) => seen.push(e.code!));
    expect(stream.write('x')).toBe(false);
    expect(seen).toEqual(['EIO']);
  });

  it("routes an 'error' event to the same handler", async () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb(errno('ENOSPC', -28, 'ENOSPC: no space left on device, write')) });
    const seen: string[] = [];
    guardWrites(stream, (e) => seen.push(e.code!));
    stream.write('x');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['ENOSPC']);
  });

  it('lets a non-errno exception from write() through (a bug, not an I/O error)', () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() });
    stream.write = () => { throw new TypeError('bad chunk'); };
    guardWrites(stream, () => { throw new Error('must not be called'); });
    expect(() => stream.write('x')).toThrow(TypeError);
  });
});

describe('stdoutWriteError', () => {
  it("names the OS reason even when the message is libuv's bare 'write EIO' (pipes, TTYs)", () => {
    const e = stdoutWriteError(Object.assign(new Error('write EIO'), { code: 'EIO', errno: -5, syscall: 'write' }));
    expect(e.message).toBe('cannot write to standard output: i/o error (EIO)');
    expect(e.hint).toBe('the device behind stdout failed (a disk error, or a terminal that hung up)');
    expect(e.exitCode).toBe(1);
  });

  it('falls back to the message without the code prefix, and a generic hint, for an unknown errno', () => {
    const e = stdoutWriteError(Object.assign(new Error('EWEIRD: something odd, write'), { code: 'EWEIRD', syscall: 'write' }));
    expect(e.message).toBe('cannot write to standard output: something odd (EWEIRD)');
    expect(e.hint).toBe('check where stdout is redirected to');
  });
});
