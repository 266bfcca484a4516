// What a failed write to stdout or stderr becomes. EPIPE (the reader went away, `rnn sample | head`) is the
// normal end of a pipeline; any other errno (a full disk, EIO, a descriptor opened read-only) is a
// RuntimeError with a hint. A write error reaches the process in one of two ways, and `guardWrites`
// routes both to one handler:
// - as an 'error' event, on a later tick: files (fs.SyncWriteStream catches the failing writeSync),
//   pipes and TTYs (libuv reports it from the write request). This can come after the command's
//   promise has resolved, so the handler must end the process itself;
// - thrown by stdout.write itself (a stream implementation that does not catch its writeSync).

import { getSystemErrorMap } from 'node:util';
import { RuntimeError } from '../errors.js';

const HINTS: Record<string, string> = {
  ENOSPC: 'the disk or device behind stdout is full',
  EDQUOT: 'the disk quota of the file behind stdout is used up',
  EFBIG: 'the file behind stdout reached the largest size the system allows',
  EIO: 'the device behind stdout failed (a disk error, or a terminal that hung up)',
  EBADF: 'stdout is not open for writing (redirected with 1<file, or closed by the caller)',
  EINVAL: 'stdout is redirected to something that cannot be written',
  EAGAIN: 'stdout is a non-blocking descriptor that stayed full',
  ECONNRESET: 'the program reading stdout closed the connection',
};

/** The one-line error for a stdout write that failed with `err` (not EPIPE). */
export function stdoutWriteError(err: NodeJS.ErrnoException): RuntimeError {
  const code = err.code ?? 'unknown error';
  // The OS description ("no space left on device"): from the errno table, since socket errors carry
  // only "write EIO" as their message.
  const known = err.errno !== undefined ? getSystemErrorMap().get(err.errno) : undefined;
  const reason = known?.[1] ?? (err.message.replace(new RegExp(`^${code}: |, write$|^write ${code}$`, 'g'), '') || code);
  return new RuntimeError(`cannot write to standard output: ${reason} (${code})`,
    HINTS[code] ?? 'check where stdout is redirected to');
}

/** Calls `onError` for every write error of `stream`, whether emitted or thrown by write(). */
export function guardWrites(stream: NodeJS.WritableStream, onError: (err: NodeJS.ErrnoException) => void): void {
  stream.on('error', onError);
  const write = stream.write;
  stream.write = function (this: NodeJS.WritableStream, ...args: unknown[]): boolean {
    try {
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } catch (err) {
      if (!isErrno(err)) throw err;
      onError(err);
      return false;
    }
  } as typeof stream.write;
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined;
}
