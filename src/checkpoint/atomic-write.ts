// Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it
// over the target, fsync the directory. A crash at any moment leaves the old file or the new one,
// never a mix. https://lwn.net/Articles/457667/

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RuntimeError } from '../errors.js';

function hintFor(code: string | undefined): string | undefined {
  if (code === 'ENOSPC') return 'the disk is full: free some space; the previous checkpoint is intact';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'check the permissions of the output directory, or choose another --out';
  return undefined;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd >= 0) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* never created */ }
    const e = err as NodeJS.ErrnoException;
    throw new RuntimeError(`cannot write ${path}: ${e.code ?? e.message}`, hintFor(e.code));
  }
  try {
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* directory fsync is unsupported on some file systems; the rename has happened */ }
}

/** Create `dir` if needed and prove it is writable, before any training time is spent. */
export function checkWritableDir(dir: string): void {
  const probe = join(dir, `.rnn-write-test.${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(probe, 'w'));
    rmSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RuntimeError(`cannot write to ${dir}: ${e.code ?? e.message}`, hintFor(e.code) ?? 'choose another --out');
  }
}
