// File-system failures that cannot be staged as root in a temporary directory (a file without read
// permission, an I/O error): node:fs/promises is replaced so that reading a named file fails with
// the errno the kernel would give, and the message must be one line naming the file, with a hint.

import { describe, expect, it, vi } from 'vitest';
import { readSources } from '../src/data/read-sources.js';
import { DataError } from '../src/errors.js';

const FAILS: Record<string, string> = { 'locked.txt': 'EACCES', 'flaky.txt': 'EIO' };

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const code = (p: unknown): string | undefined => FAILS[String(p).split('/').pop()!];
  return {
    ...fs,
    stat: async (p: string) => (code(p) ? { isDirectory: () => false, isCharacterDevice: () => false, isBlockDevice: () => false, isSocket: () => false } : fs.stat(p)),
    readFile: async (p: string) => {
      const c = code(p);
      if (c) throw Object.assign(new Error(`${c}: failed, open '${p}'`), { code: c });
      return fs.readFile(p);
    },
  };
});

async function rejection(p: Promise<unknown>): Promise<DataError> {
  try { await p; } catch (err) { return err as DataError; }
  throw new Error('expected a rejection');
}

describe('unreadable corpus files', () => {
  it('a file without read permission: "permission denied" and a chmod hint', async () => {
    const e = await rejection(readSources(['/data/locked.txt']));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('/data/locked.txt: permission denied');
    expect(e.hint).toBe('make it readable, e.g. chmod u+r /data/locked.txt');
  });

  it('any other read error names the file and the error code', async () => {
    const e = await rejection(readSources(['/data/flaky.txt']));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('/data/flaky.txt: cannot read (EIO)');
  });
});
