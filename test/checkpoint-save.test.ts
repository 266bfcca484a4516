// Saving: what saveCheckpoint writes, loadCheckpoint reads back equal; a checkpoint with a
// non-finite number anywhere (plain field or tensor data), or one that would not load, is refused
// with a one-line RuntimeError naming the field, and the previous file stays as it was.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs } from '../src/checkpoint/atomic-write.js';
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint/io.js';
import { encodeF32 } from '../src/checkpoint/tensor-codec.js';
import type { Checkpoint } from '../src/checkpoint/types.js';
import { RuntimeError } from '../src/errors.js';
import { cloneJson, smallCheckpoint, thrown } from './checkpoint-helpers.js';
import { tempDir } from './helpers/cli.js';

/** A directory holding ck.json with the content 'previous'. */
function previous(): { dir: string; path: string } {
  const dir = tempDir('rnn-save-');
  const path = join(dir, 'ck.json');
  writeFileSync(path, 'previous');
  return { dir, path };
}

function refusal(ck: Checkpoint): RuntimeError {
  const { dir, path } = previous();
  const e = thrown(() => saveCheckpoint(path, ck), RuntimeError);
  expect(e.message).not.toContain('\n');
  expect(e.message.startsWith(`refusing to write ${path}: `)).toBe(true);
  expect(readFileSync(path, 'utf8')).toBe('previous');
  expect(readdirSync(dir)).toEqual(['ck.json']);
  return e;
}

describe('saveCheckpoint', () => {
  it('writes a checkpoint that loads back equal, for every cell type', () => {
    const { path } = previous();
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const ck = smallCheckpoint({ cell });
      saveCheckpoint(path, ck);
      expect(loadCheckpoint(path)).toEqual(ck);
    }
  });

  it('refuses NaN and ±Infinity in plain fields, naming the full field path', () => {
    const cases: [(c: Checkpoint) => void, string][] = [
      [(c) => { c.training!.metrics[1]!.lr = NaN; }, 'training.metrics[1].lr is NaN'],
      [(c) => { c.training!.bestValLoss = Infinity; }, 'training.bestValLoss is Infinity'],
      [(c) => { c.model.dropout = -Infinity; }, 'model.dropout is -Infinity'],
      [(c) => { c.training!.settings.lr = NaN; }, 'training.settings.lr is NaN'],
    ];
    for (const [mutate, says] of cases) {
      const ck = smallCheckpoint();
      mutate(ck);
      const e = refusal(ck);
      expect(e.message.endsWith(`: ${says}`), e.message).toBe(true);
      expect(e.hint).toMatch(/diverged/);
    }
  });

  it('refuses non-finite values inside tensor data (a diverged model), naming the tensor', () => {
    const ck = smallCheckpoint();
    const t = ck.tensors[3]!;
    ck.tensors[3] = encodeF32(t.name, t.shape, new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(Infinity));
    expect(refusal(ck).message).toMatch(/: tensors\[3\]\.data: value 0 is Infinity$/);
  });

  it('refuses a checkpoint that would not load back (a bug in the caller), naming the field', () => {
    const ck = cloneJson(smallCheckpoint());
    ck.training!.carry.shape = [1, 1, 1, 1];
    expect(refusal(ck).message).toContain('training.carry.shape');
  });

  it('keeps the previous file when the disk fills up during the write', () => {
    const { dir, path } = previous();
    const full = { ...nodeFs, write: () => { throw Object.assign(new Error('no space'), { code: 'ENOSPC' }); } };
    const e = thrown(() => saveCheckpoint(path, smallCheckpoint(), full), RuntimeError);
    expect(e.message).toBe(`cannot write ${path}: ENOSPC`);
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['ck.json']);
  });
});
