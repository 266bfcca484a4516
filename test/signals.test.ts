// Ctrl-C during training saves a loadable checkpoint and exits with 130 (SIGTERM: 143), with the
// path in the message; the run stops between steps, never in the middle of a save.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/io.js';
import { RNN, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

function interrupt(sig: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stderr: string; out: string }> {
  const dir = tempDir();
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const out = join(dir, 'run');
  const child = spawn(process.execPath, [RNN, 'train', corpus, '--steps', '100000', '--hidden', '16', '--layers', '1', '--batch', '4', '--seq-len', '8', '--out', out],
    { env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && /step 30\//.test(stderr)) { sent = true; child.kill(sig); }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, out })));
}

describe('signals', () => {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${sig} saves last.json and exits ${code}`, async () => {
      const r = await interrupt(sig);
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(`interrupted by ${sig}`);
      const ck = loadCheckpoint(join(r.out, 'last.json'));
      expect(ck.training!.step).toBeGreaterThanOrEqual(30);
      expect(ck.training!.step).toBeLessThan(100000);
    });
  }
});
