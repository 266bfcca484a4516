// A full disk while appending metrics.jsonl (which cannot be staged in a temporary directory, so
// node:fs is replaced to fail the second append with ENOSPC) stops the run as Ctrl-C does:
// last.json is saved at that step with the whole history, and the error is one typed line.

import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadCheckpoint } from '../src/checkpoint/io.js';
import { RuntimeError } from '../src/errors.js';
import { createRunEngines, runPlan } from '../src/train/run.js';
import { tempDir, TINY_NAMES, writeText } from './helpers/cli.js';
import { planTrain } from './helpers/plan.js';

let appends = 0;
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    appendFileSync: (p: string, data: string) => {
      if (String(p).endsWith('metrics.jsonl') && ++appends >= 2) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
      }
      return fs.appendFileSync(p, data);
    },
  };
});

describe('metrics.jsonl on a full disk', () => {
  it('the run stops after the failed append, saves last.json at that step, and says how to continue', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES);
    const out = join(dir, 'run');
    const plan = await planTrain([corpus, '--hidden', '8', '--batch', '4', '--seq-len', '8', '--steps', '100', '--eval-every', '50', '--kernel', 'ts', '--out', out]);
    const engines = await createRunEngines(plan, { kernel: 'ts' });
    const err = await runPlan(plan, engines, { log() {} }).catch((e: unknown) => e).finally(() => engines.dispose());
    expect(err).toBeInstanceOf(RuntimeError);
    const last = join(out, 'last.json');
    expect((err as RuntimeError).message).toBe(`cannot append to ${join(out, 'metrics.jsonl')}: no space left on the device (ENOSPC); saved ${last} at step 20`);
    expect((err as RuntimeError).hint).toBe(`free some space, then continue with: rnn train --resume ${last}`);
    const ck = loadCheckpoint(last);
    expect(ck.training!.step).toBe(20);
    expect(ck.training!.metrics.map((r) => r.step)).toEqual([10, 20]);
  });
});
