// SIGKILL at any moment never leaves a half-written checkpoint: a training run that saves after
// every step is killed 24 times, each time after its first save and at a different moment of the
// save cycle; every time last.json is complete and loadable, with a step count that only grows.

import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/io.js';
import { RNN, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

describe('kill -9 during saves', () => {
  it('always leaves the previous or the new checkpoint, complete', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    let loaded = 0, lastStep = 0;
    for (let trial = 0; trial < 24; trial++) {
      const args = [RNN, 'train', corpus, '--layers', '2', '--hidden', '48', '--batch', '4', '--seq-len', '8', '--steps', '100000',
        '--save-every', '1', '--eval-every', '1000', '--out', out, '--quiet', ...(existsSync(join(out, 'last.json')) ? ['--resume', join(out, 'last.json')] : [])];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
      const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      // Kill once this process has saved at least once (so startup time under load does not
      // matter), at a different moment of its save cycle each trial.
      const before = existsSync(join(out, 'last.json')) ? statSync(join(out, 'last.json')).mtimeMs : -1;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null
        && (!existsSync(join(out, 'last.json')) || statSync(join(out, 'last.json')).mtimeMs === before)) {
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, ((trial * 37) % 11) * 3));
      child.kill('SIGKILL');
      const code = await closed;
      expect(stderr, `trial ${trial} exited by itself (${code})`).toBe('');
      if (existsSync(join(out, 'last.json'))) {
        const ck = loadCheckpoint(join(out, 'last.json')); // throws on a torn file
        expect(ck.training!.step).toBeGreaterThanOrEqual(lastStep);
        lastStep = ck.training!.step;
        loaded++;
      }
    }
    expect(loaded).toBe(24);
    expect(lastStep).toBeGreaterThan(0);
  });
});
