// Spawning the real CLI entry point (bin/rnn, running the compiled dist/) as users do.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const RNN = resolve(__dirname, '../../bin/rnn');

export interface Run { code: number | null; stdout: string; stderr: string }

/** Runs a command to completion without blocking this process: the test worker's event loop stays
 *  free to answer vitest's RPC (a synchronous spawn that blocks it past 60 s fails the whole run
 *  with "Timeout calling onTaskUpdate", even when every test passes). */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; stdoutFd?: number; stderrFd?: number } = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    // stdoutFd, stderrFd: the child writes to this open descriptor (e.g. /dev/full) instead of a
    // pipe; stdout or stderr is then ''.
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', opts.stdoutFd ?? 'pipe', opts.stderrFd ?? 'pipe'] });
    // stdin is a pipe (the stdio above); a numeric stdout only makes its type nullable
    const stdin = child.stdin!;
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    stdin.on('error', () => {}); // a child that exits without reading its input
    stdin.end(opts.input ?? '');
  });
}

/** `rnn ARGS` as a user runs it (bin/rnn on the compiled dist/), colour off unless env says otherwise. */
export function rnn(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string>; stdoutFd?: number; stderrFd?: number } = {}): Promise<Run> {
  return run(process.execPath, [RNN, ...args], { cwd: opts.cwd, input: opts.input, stdoutFd: opts.stdoutFd, stderrFd: opts.stderrFd, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
}

export function tempDir(prefix = 'rnn-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeText(dir: string, name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small names-like corpus that a tiny model learns in a hundred steps. */
export const TINY_NAMES = ['anna', 'anne', 'annie', 'bob', 'bobby', 'carla', 'carl', 'dana', 'dan', 'emma', 'emily', 'erin']
  .flatMap((n) => [n, n, n]).join('\n') + '\n';
