// A run interrupted again and again by SIGINT, SIGTERM and SIGKILL at random moments, and resumed
// each time from what it left on disk, ends bit for bit where an uninterrupted run ends: the same
// weights, optimizer moments, carried state and metrics history in last.json and best.json, and
// each step once in metrics.jsonl. The moments are random (seeded), and every assertion holds
// wherever they land.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chaosRun, essence, loggedSteps, runRnn } from '../bench/chaos-harness.mjs';
import { tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

describe('chaos', () => {
  it('8 interruptions of every kind, some leaving a damaged last.json, resumed from what loads: the same run as one never interrupted', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const steps = 600;
    const flags = ['--hidden', '64', '--layers', '1', '--dropout', '0.2', '--batch', '8', '--seq-len', '16',
      '--steps', String(steps), '--eval-every', '100', '--save-every', '40'];
    const ref = await runRnn(['train', corpus, ...flags, '--out', join(dir, 'ref'), '--threads', '1', '--quiet']);
    expect(ref.code).toBe(0);

    const out = join(dir, 'chaos');
    const r = await chaosRun({ args: ['train', corpus, ...flags, '--out', out], out, steps, interruptions: 8, saveEvery: 40, damage: 0.25, seed: 7 });
    expect(r.unexpected).toEqual([]);
    expect(r.landed).toBe(8);
    expect(r.counts.SIGINT + r.counts.SIGTERM + r.counts.SIGKILL).toBe(8);
    // A damaged last.json (a changed tensor character) is refused by its checksum; the run comes
    // back from last.prev.json, or from scratch when no earlier checkpoint existed.
    expect(r.damaged).toBeGreaterThan(0);
    expect(r.ways.prev + r.ways.fresh - 1).toBeGreaterThanOrEqual(r.damaged);
    for (const f of ['last.json', 'best.json']) expect(essence(join(out, f)), f).toEqual(essence(join(dir, 'ref', f)));
    expect(loggedSteps(join(out, 'metrics.jsonl'))).toEqual(loggedSteps(join(dir, 'ref', 'metrics.jsonl')));
  });
});
