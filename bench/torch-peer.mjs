// PyTorch side by side: ../shared/peers/torch_peer.py run by Debian's /usr/bin/python3 with
// OPENBLAS_NUM_THREADS=2 and --threads 1 (torch.set_num_threads(1)), the fastest setting on the
// 2-core machines (see ../shared/peers/README.md). Same model, Adam lr 2e-3, clip 5, B parallel
// streams with the state carried; it reports chars/s over its timed steps after its warm-up.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HERE } from './bench-util.mjs';

const PYTHON = '/usr/bin/python3';
const PEER = join(HERE, '../../shared/peers/torch_peer.py');
const ENV = { ...process.env, OPENBLAS_NUM_THREADS: '2' };

/** { version } when the peer can run here, else { reason }. */
export function torchStatus() {
  if (!existsSync(PEER)) return { reason: `${PEER} not found` };
  const p = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: ENV });
  if (p.status !== 0) return { reason: `${PYTHON} -c "import torch" failed${p.error ? ` (${p.error.message})` : ''}` };
  return { version: p.stdout.trim() };
}

/** One peer run: { rate (chars/s), seconds (timed part) }; throws with the peer's stderr on failure. */
export function runTorch(corpusPath, s, steps, warmup) {
  const args = [PEER, corpusPath, '--cell', s.cell, '--layers', String(s.layers), '--hidden', String(s.hidden),
    '--batch', String(s.batch), '--seq', String(s.seq), '--steps', String(steps), '--warmup', String(warmup), '--threads', '1'];
  const p = spawnSync(PYTHON, args, { encoding: 'utf8', env: ENV });
  const rate = /chars_per_s=([\d.]+)/.exec(p.stdout ?? '');
  const secs = /seconds=([\d.]+)/.exec(p.stdout ?? '');
  if (p.status !== 0 || !rate) {
    throw new Error(`torch_peer.py failed (exit ${p.status}): ${(p.stderr || p.stdout || String(p.error)).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { rate: Number(rate[1]), seconds: secs ? Number(secs[1]) : NaN };
}
