// Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it
// over the target, fsync the directory. A crash or error at any moment leaves the old file or the
// new one, never a mix (rename is atomic within one file system). https://lwn.net/Articles/457667/
// Optionally the old file is kept under a second name, by renames that leave a complete copy of it
// under one of the two names at every instant (see writeFileAtomic).

import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RuntimeError } from '../errors.js';

/** The file-system calls made here; tests pass a copy of `nodeFs` that fails on cue. */
export interface AtomicFs {
  open(path: string, flags: string, mode?: number): number;
  write(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  fsync(fd: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  mkdir(path: string): void;
  /** A second name for an existing file (a hard link); fails where the file system has none. */
  link(existing: string, newPath: string): void;
  /** Copy to a path that must not exist yet. */
  copyFile(from: string, to: string): void;
}

export const nodeFs: AtomicFs = {
  open: (path, flags, mode) => openSync(path, flags, mode),
  write: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length),
  fsync: (fd) => fsyncSync(fd),
  close: (fd) => closeSync(fd),
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  mkdir: (path) => { mkdirParents(path); },
  link: (existing, newPath) => linkSync(existing, newPath),
  copyFile: (from, to) => copyFileSync(from, to, constants.COPYFILE_EXCL),
};

/** mkdir -p, one level at a time. Node 20's `mkdirSync(p, { recursive: true })` loops forever
 *  when a parent cannot be created but stats as missing (e.g. /proc/x/y: mkdir gives ENOENT). */
export function mkdirParents(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (err) {
      // made meanwhile by another process: fine if it is a directory now
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]!).isDirectory()) throw err;
    }
  }
}

/** Errors from opening or fsyncing a directory where the platform or file system cannot (Windows,
 *  some network and FUSE file systems) or the directory is not readable. The rename has already
 *  happened, so these are ignored; anything else (EIO) is reported. */
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'EACCES', 'EBADF', 'ENOSYS']);

function codeOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  const why = typeof e?.code === 'string' ? e.code : e instanceof Error ? e.message : String(err);
  return why.split('\n', 1)[0]!;
}

function hintFor(code: string, path: string): string | undefined {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full (or over quota): free some space; the previous file is intact';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'check the permissions of the output directory, or choose another --out';
  if (code === 'EISDIR') return `${path} is a directory: choose a file name`;
  if (code === 'ENOENT' || code === 'ENOTDIR') return `the directory of ${path} does not exist`;
  return undefined;
}

export interface AtomicWriteOptions {
  /** Keep the file being replaced under this name (in the same directory), replacing what that
   *  held. Nothing is kept when `path` does not exist yet. */
  keepPrevious?: string;
}

/** Replace `path` with `data` atomically. Throws RuntimeError naming the path and errno; on any
 *  failure before the rename the temporary file is removed and the previous file is untouched.
 *
 *  With `keepPrevious`, the steps are: new data to a temporary file, fsynced; a hard link of the
 *  current `path` to a second temporary name (a copy, fsynced, where hard links are not
 *  supported), renamed over `keepPrevious`; the new file renamed over `path`; the directory
 *  fsynced. `path` is complete throughout (old content, then new), and `keepPrevious` goes from
 *  its old content to `path`'s in one rename, so a crash at any instant leaves a complete file
 *  under both names. A failure before the last rename leaves `path` untouched. */
export function writeFileAtomic(path: string, data: string | Uint8Array, fs: AtomicFs = nodeFs, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  const stem = `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const tmp = join(dir, `${stem}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd = -1;
  let created = false;
  let prevTmp: string | null = null;
  try {
    fd = fs.open(tmp, 'wx', 0o644);
    created = true;
    for (let off = 0; off < bytes.length;) {
      const n = fs.write(fd, bytes, off, bytes.length - off);
      if (!(n > 0)) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
      off += n;
    }
    fs.fsync(fd);
    const closing = fd;
    fd = -1;
    fs.close(closing);
    if (opts.keepPrevious !== undefined) {
      const kept = join(dir, `${stem}.prev.tmp`);
      if (secondName(path, kept, fs)) {
        prevTmp = kept;
        fs.rename(kept, opts.keepPrevious);
        prevTmp = null;
      }
    }
    fs.rename(tmp, path);
  } catch (err) {
    if (fd >= 0) try { fs.close(fd); } catch { /* the first error is the one to report */ }
    if (created) try { fs.unlink(tmp); } catch { /* renamed already, or the directory vanished */ }
    if (prevTmp !== null) try { fs.unlink(prevTmp); } catch { /* nothing more to clean */ }
    const code = codeOf(err);
    throw new RuntimeError(`cannot write ${path}: ${code}`, hintFor(code, path));
  }
  syncDir(dir, path, fs);
}

/** Give the file at `path` the (new) name `to`: a hard link, else a copy fsynced before it is
 *  renamed anywhere. False when there is no file at `path` (nothing to keep). */
function secondName(path: string, to: string, fs: AtomicFs): boolean {
  try {
    fs.link(path, to);
    return true;
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return false;
    // EPERM, ENOTSUP, EXDEV…: file systems without hard links (FAT, some FUSE and network mounts)
  }
  try {
    fs.copyFile(path, to);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return false;
    try { fs.unlink(to); } catch { /* not created */ }
    throw err;
  }
  let fd = -1;
  try {
    fd = fs.open(to, 'r+'); // writable: Windows flushes only a file opened for writing
    fs.fsync(fd);
    const closing = fd;
    fd = -1;
    fs.close(closing);
  } catch (err) {
    if (fd >= 0) try { fs.close(fd); } catch { /* the first error is the one to report */ }
    try { fs.unlink(to); } catch { /* the caller reports err */ }
    throw err;
  }
  return true;
}

/** fsync the directory so the rename itself survives a power loss. */
function syncDir(dir: string, path: string, fs: AtomicFs): void {
  let dfd = -1;
  try {
    dfd = fs.open(dir, 'r');
    fs.fsync(dfd);
  } catch (err) {
    const code = codeOf(err);
    if (!DIR_FSYNC_UNSUPPORTED.has(code)) {
      throw new RuntimeError(`wrote ${path} but could not sync its directory: ${code}`,
        'the disk reported an error: the new file may not survive a power loss; check the disk');
    }
  } finally {
    if (dfd >= 0) try { fs.close(dfd); } catch { /* nothing left to protect */ }
  }
}

/** Create `dir` if needed and prove it is writable by creating and removing a probe file, before
 *  any training time is spent. */
export function checkWritableDir(dir: string, fs: AtomicFs = nodeFs): void {
  const probe = join(dir, `.rnn-write-test.${process.pid}.${randomBytes(4).toString('hex')}`);
  let created = false;
  try {
    fs.mkdir(dir);
    const fd = fs.open(probe, 'wx');
    created = true;
    fs.close(fd);
    fs.unlink(probe);
  } catch (err) {
    if (created) try { fs.unlink(probe); } catch { /* reported below */ }
    const code = codeOf(err);
    const hint = code === 'EEXIST' || code === 'ENOTDIR'
      ? `${dir} (or one of its parents) is a file, not a directory: choose another --out`
      : hintFor(code, dir) ?? 'choose another --out';
    throw new RuntimeError(`cannot write to ${dir}: ${code}`, hint);
  }
}
