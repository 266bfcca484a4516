// Spawning the real CLI entry point (bin/rnn, running the compiled dist/) as users do.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const RNN = resolve(__dirname, '../../bin/rnn');

export interface Run { code: number | null; stdout: string; stderr: string }

export function rnn(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [RNN, ...args], {
    cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...opts.env }, timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
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
