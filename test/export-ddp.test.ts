// rnn_torch.py started by torchrun (2 processes, gloo on CPU) takes the same steps as one process
// over the same B streams: the per-step losses agree to float32 rounding, and the weights process 0
// saves import back into rnn, where rnn eval gives the loss PyTorch printed. Needs PyTorch; skipped,
// with the reason, only where no python3 can import torch.

import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../src/checkpoint/io.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { rnn, run, tempDir, writeText } from './helpers/cli.js';

/** The first python3 that imports torch (pyenv's python3 may shadow Debian's /usr/bin/python3). */
function torchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    try { execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }); return py; } catch { /* next */ }
  }
  return null;
}
const PY = torchPython();
const SCRIPT = resolve(__dirname, '../src/export/rnn_torch.py');
const CODE_POINTS = [10, 97, 98, 0x1f600];
const TEXT = Array.from({ length: 8 }, () => 'ab😀ba\nbab\n😀a\naab\nb😀😀a\nba').join('\n') + '\n';

const losses = (out: string): number[] => [...out.matchAll(/train loss ([0-9.]+)/g)].map((m) => Number(m[1]));
const evalLoss = (out: string): number => Number(/\bloss ([0-9.]+) nats/.exec(out)![1]);

describe.skipIf(PY === null)(`rnn_torch.py under torchrun${PY === null ? ' (skipped: no python3 here imports torch)' : ''}`, () => {
  it('2 processes give 1 process\'s losses on the same 4 streams, and rnn eval gives the saved model\'s PyTorch loss', async () => {
    const dir = tempDir();
    const ck = smallCheckpoint({ cell: 'lstm', layers: 2, hidden: 6, codePoints: CODE_POINTS, training: false });
    ck.model.dropout = 0; // dropout masks would differ between the runs
    saveCheckpoint(join(dir, 'm.json'), ck);
    expect((await rnn(['export', join(dir, 'm.json'), '--out', join(dir, 'm.safetensors')])).code).toBe(0);
    const text = writeText(dir, 'train.txt', TEXT);
    const args = (save: string) => [SCRIPT, join(dir, 'm.safetensors'), text, '--train-steps', '4', '--batch', '4', '--seq-len', '8', '--lr', '0.01', '--save', join(dir, save)];
    const env = { ...process.env, OMP_NUM_THREADS: '1' };
    const [one, two] = await Promise.all([
      run(PY!, args('one.safetensors'), { env }),
      // --redirects 1 --tee 1: Debian's torch 1.13 launcher on Python 3.11 fails on the default
      // (no redirect), since 3.11's Flag iteration skips Std.NONE; stdout then comes as "[default0]:…".
      run(PY!, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', ...args('two.safetensors')], { env, timeoutMs: 150_000 }),
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    const a = losses(one.stdout), b = losses(two.stdout);
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(4); // process 0 alone prints
    for (let k = 0; k < 4; k++) expect(Math.abs(a[k]! - b[k]!)).toBeLessThanOrEqual(2e-6); // printed to 6 places
    expect(a[3]!).toBeLessThan(a[0]!);
    const torchLoss = evalLoss(two.stdout);
    expect(Math.abs(torchLoss - evalLoss(one.stdout))).toBeLessThanOrEqual(2e-6);

    expect((await rnn(['import', join(dir, 'two.safetensors'), '--out', join(dir, 'two.json')])).code).toBe(0);
    const ev = await rnn(['eval', join(dir, 'two.json'), text, '--json']);
    expect(ev.code).toBe(0);
    expect(Math.abs(JSON.parse(ev.stdout).loss - torchLoss) / torchLoss).toBeLessThan(1e-5);
  }, 180_000);
});
