// Atomic writes: the target holds the old content or the new, never a mix; every failure (full disk,
// I/O error, refused rename, a directory in the way) leaves the previous file intact and no
// temporary file behind, and is one RuntimeError line naming the path and the errno. Tests run as
// root, so failures are injected through the AtomicFs seam rather than with permissions.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWritableDir, nodeFs, writeFileAtomic, type AtomicFs } from '../src/checkpoint/atomic-write.js';
import { RuntimeError } from '../src/errors.js';
import { tempDir } from './helpers/cli.js';
import { thrown } from './checkpoint-helpers.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected failure,\nsecond line`), { code });

/** A directory holding `ck.json` with the content 'previous'. */
function withPrevious(): { dir: string; target: string } {
  const dir = tempDir('rnn-atomic-');
  const target = join(dir, 'ck.json');
  writeFileSync(target, 'previous');
  return { dir, target };
}

function expectOneLine(e: RuntimeError, ...parts: string[]): void {
  expect(e.message).not.toContain('\n');
  for (const p of parts) expect(e.message).toContain(p);
}

describe('writeFileAtomic', () => {
  it('replaces the file through a temporary file in the same directory, leaving nothing else', () => {
    const { dir, target } = withPrevious();
    const opened: string[] = [];
    writeFileAtomic(target, 'new content', { ...nodeFs, open: (p, f, m) => { opened.push(p); return nodeFs.open(p, f, m); } });
    expect(readFileSync(target, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['ck.json']);
    expect(dirname(opened[0]!)).toBe(dir);
    expect(opened[0]!.slice(dir.length + 1)).toMatch(new RegExp(`^\\.ck\\.json\\.${process.pid}\\.[0-9a-f]+\\.tmp$`));
    expect(opened[1]).toBe(dir); // the directory, opened to be fsynced after the rename
  });

  it('writes bytes exactly, and completes when the OS accepts one byte per write call', () => {
    const { target } = withPrevious();
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
    writeFileAtomic(target, bytes, { ...nodeFs, write: (fd, b, off) => nodeFs.write(fd, b, off, 1) });
    expect(new Uint8Array(readFileSync(target))).toEqual(bytes);
  });

  const failures: [string, (fs: AtomicFs) => Partial<AtomicFs>, string, RegExp][] = [
    ['the disk fills up halfway through', (fs) => {
      let calls = 0;
      return { write: (fd, b, off, len) => { if (calls++ > 0) throw errno('ENOSPC'); return fs.write(fd, b, off, Math.min(len, 4)); } };
    }, 'ENOSPC', /disk is full/],
    ['fsync reports an I/O error', () => ({ fsync: () => { throw errno('EIO'); } }), 'EIO', /.*/],
    ['the rename is refused', () => ({ rename: () => { throw errno('EACCES'); } }), 'EACCES', /permissions/],
    ['the temporary file cannot be created', () => ({ open: () => { throw errno('EROFS'); } }), 'EROFS', /permissions/],
    ['close fails after fsync', () => ({ close: () => { throw errno('EIO'); } }), 'EIO', /.*/],
  ];
  for (const [what, inject, code, hint] of failures) {
    it(`when ${what}, the previous file is intact, no temporary file is left, and the error is one line`, () => {
      const { dir, target } = withPrevious();
      const e = thrown(() => writeFileAtomic(target, 'x'.repeat(64), { ...nodeFs, ...inject(nodeFs) }), RuntimeError);
      expect(e.message).toBe(`cannot write ${target}: ${code}`);
      expect(e.hint ?? '').toMatch(hint);
      expect(readFileSync(target, 'utf8')).toBe('previous');
      expect(readdirSync(dir)).toEqual(['ck.json']);
    });
  }

  it('a directory in the way of the target is left untouched, and the error says what it is', () => {
    const { dir } = withPrevious();
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'inside'), 'kept');
    const e = thrown(() => writeFileAtomic(sub, 'new'), RuntimeError);
    expectOneLine(e, sub, 'EISDIR');
    expect(e.hint).toContain('is a directory');
    expect(readFileSync(join(sub, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(dir).sort()).toEqual(['ck.json', 'sub']);
  });

  it('a missing directory is one line naming the path', () => {
    const dir = tempDir('rnn-atomic-');
    const e = thrown(() => writeFileAtomic(join(dir, 'no', 'ck.json'), 'x'), RuntimeError);
    expectOneLine(e, join(dir, 'no', 'ck.json'), 'ENOENT');
  });

  it('a file system that cannot fsync directories (EINVAL, EISDIR) still gets the new file, silently', () => {
    for (const code of ['EINVAL', 'EISDIR']) {
      const { target } = withPrevious();
      let fsyncs = 0;
      writeFileAtomic(target, 'new', { ...nodeFs, fsync: (fd) => { if (fsyncs++ === 1) throw errno(code); nodeFs.fsync(fd); } });
      expect(readFileSync(target, 'utf8')).toBe('new');
    }
  });

  it('a real I/O error syncing the directory is reported, after the new file is in place', () => {
    const { target } = withPrevious();
    let fsyncs = 0;
    const e = thrown(() => writeFileAtomic(target, 'new', { ...nodeFs, fsync: (fd) => { if (fsyncs++ === 1) throw errno('EIO'); nodeFs.fsync(fd); } }), RuntimeError);
    expectOneLine(e, target, 'EIO');
    expect(readFileSync(target, 'utf8')).toBe('new');
  });
});

describe('checkWritableDir', () => {
  it('creates missing directories and leaves no probe file behind', () => {
    const dir = join(tempDir('rnn-atomic-'), 'a', 'b');
    checkWritableDir(dir);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a file where the directory should be is one line with a hint', () => {
    const { target } = withPrevious();
    for (const dir of [target, join(target, 'run')]) {
      const e = thrown(() => checkWritableDir(dir), RuntimeError);
      expectOneLine(e, dir);
      expect(e.hint).toContain('is a file, not a directory');
    }
    expect(readFileSync(target, 'utf8')).toBe('previous');
  });

  it('an unwritable directory (injected EACCES, since tests run as root) names it and hints at permissions', () => {
    const dir = tempDir('rnn-atomic-');
    const e = thrown(() => checkWritableDir(dir, { ...nodeFs, open: () => { throw errno('EACCES'); } }), RuntimeError);
    expect(e.message).toBe(`cannot write to ${dir}: EACCES`);
    expect(e.hint).toMatch(/permissions/);
  });

  it('a probe that cannot be removed is reported and not left behind when a retry works', () => {
    const dir = tempDir('rnn-atomic-');
    let unlinks = 0;
    const e = thrown(() => checkWritableDir(dir, { ...nodeFs, unlink: (p) => { if (unlinks++ === 0) throw errno('EPERM'); nodeFs.unlink(p); } }), RuntimeError);
    expectOneLine(e, dir, 'EPERM');
    expect(readdirSync(dir)).toEqual([]);
  });
});
