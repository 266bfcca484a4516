// Damaged and old checkpoints through the real CLI: a run keeps the previous last.json as
// last.prev.json; a byte flipped in last.json stops --resume with the message and the hint to
// continue from last.prev.json, and that command works; a run directory still samples from
// best.json (sample, info); a checkpoint written before checksums resumes exactly as the new
// format does.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/io.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const dir = tempDir();
const corpus = writeText(dir, 'names.txt', TINY_NAMES);
const base = ['train', corpus, '--layers', '1', '--hidden', '12', '--batch', '4', '--seq-len', '8', '--eval-every', '10',
  '--save-every', '10', '--lr-schedule', 'constant', '--warmup', '5', '--dropout', '0.1', '--threads', '1', '--quiet']; // constant, and warmup and dropout that do not follow --steps: 20 steps resumed to 40 equal 40

/** What a resumed run must reproduce, without the checksums (absent in an old file). */
function essence(path: string) {
  const c = JSON.parse(readFileSync(path, 'utf8'));
  const t = c.training;
  const plain = (x: { crc32?: string }) => { const { crc32: _, ...rest } = x; return rest; };
  return { tensors: c.tensors.map(plain), moments: t.moments.map(plain), carry: plain(t.carry), rng: t.rng, step: t.step,
    epoch: t.epoch, window: t.window, best: [t.bestValLoss, t.bestStep], losses: t.metrics.map((m: { step: number; trainLoss: number }) => [m.step, m.trainLoss]) };
}

describe('checkpoints on disk, through the CLI', () => {
  it('a damaged last.json points at last.prev.json, whose resume command works; the run dir samples best.json', async () => {
    const out = join(dir, 'damaged');
    expect((await rnn([...base, '--steps', '30', '--out', out])).code).toBe(0);
    const last = join(out, 'last.json'), prev = join(out, 'last.prev.json');
    expect(loadCheckpoint(last).training!.step).toBe(30);
    expect(loadCheckpoint(prev).training!.step).toBe(20); // saves at 10, 20, 30: the one before the last

    const ck = JSON.parse(readFileSync(last, 'utf8'));
    const d: string = ck.tensors[1].data;
    ck.tensors[1].data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1); // valid base64, finite floats, one value changed
    writeFileSync(last, JSON.stringify(ck));
    const r = await rnn(['train', '--resume', last, '--steps', '40']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rnn: ${last}: tensors[1].data: does not match its checksum (the file is damaged)\n`
      + `hint: the previous checkpoint ${prev} (step 20) loads: continue with rnn train --resume ${prev}\n`);

    const again = await rnn(['train', '--resume', prev, '--steps', '40']);
    expect(again.code, again.stderr).toBe(0);
    expect(loadCheckpoint(last).training!.step).toBe(40);
    expect(loadCheckpoint(prev).training!.step).toBe(30); // the damaged file rotated out at step 30, then replaced

    expect((await rnn(['sample', out, '--count', '1', '--seed', '1'])).code).toBe(0);
    expect(JSON.parse((await rnn(['info', out, '--json'])).stdout).checkpoint).toBe(join(out, 'best.json'));
  });

  it('a checkpoint without any checksum (written before them) loads and resumes to the same run', async () => {
    expect((await rnn([...base, '--steps', '40', '--out', join(dir, 'full')])).code).toBe(0);
    const half = join(dir, 'half');
    expect((await rnn([...base, '--steps', '20', '--out', half])).code).toBe(0);
    const path = join(half, 'last.json');
    const text = readFileSync(path, 'utf8').replace(/,"crc32":"[0-9a-f]{8}"/g, '');
    expect(text).not.toContain('crc32');
    writeFileSync(path, text);
    const info = await rnn(['info', path, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).training.step).toBe(20);
    const r = await rnn(['train', '--resume', path, '--steps', '40']);
    expect(r.code, r.stderr).toBe(0);
    expect(essence(path)).toEqual(essence(join(dir, 'full', 'last.json')));
  });
});
