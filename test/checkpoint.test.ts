// Checkpoints: tensors round-trip bit for bit; every malformed file (truncated, wrong version,
// wrong tensor length or shape, non-finite values, random mutations) is refused with one typed
// CheckpointError line naming the field, never another exception.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/checkpoint/atomic-write.js';
import { loadCheckpoint, parseCheckpoint, saveCheckpoint } from '../src/checkpoint/io.js';
import { decodeF32, encodeF32 } from '../src/checkpoint/tensor-codec.js';
import { CheckpointError, RuntimeError } from '../src/errors.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { toCheckpoint } from '../src/train/snapshot.js';
import { trainSettings } from './helpers/settings.js';
import type { Checkpoint } from '../src/checkpoint/types.js';
import { tempDir } from './helpers/cli.js';

function smallCheckpoint(): Checkpoint {
  const cfg = { cell: 'gru' as const, layers: 2, hidden: 3, vocabSize: 4, dropout: 0.1 };
  const e = createRefEngine(cfg, 2, 3);
  for (let k = 0; k < e.params.length; k++) e.params[k] = Math.sin(k) / 3;
  e.moments[0]!.fill(0.25); e.moments[1]!.fill(0.5); e.state.fill(-0.125);
  return toCheckpoint(e, {
    step: 5, epoch: 1, window: 2, rng: [1, 2, 3, 4], elapsedSec: 1.5, bestValLoss: 1.25, bestStep: 4, firstLoss: 1.5,
    metrics: [{ step: 5, time: 1.5, trainLoss: 1.3, valLoss: null, lr: 0.001, gradNorm: 0.5, charsPerSec: 100 }],
    rowSums: { loss: 2.5, steps: 2, chars: 12, sec: 0.25 },
  }, {
    codePoints: [97, 98, 0x1f600], docSplit: 'line', settings: trainSettings({ batch: 2, seqLen: 3, steps: 10 }),
    corpus: { paths: ['/x.txt'], trainTokens: 10, valTokens: 3, trainDocs: 2, valDocs: 1 },
  });
}

function errorOf(text: string): CheckpointError {
  try { parseCheckpoint(text, 'ck.json'); } catch (e) { if (e instanceof CheckpointError) return e; throw e; }
  throw new Error('expected a CheckpointError');
}

describe('tensor codec', () => {
  it('round-trips every float32 bit pattern class exactly (−0, subnormals, extremes)', () => {
    const bits = new Uint32Array([0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0x12345678]);
    const f = new Float32Array(bits.buffer);
    const back = decodeF32(encodeF32('t', [2, 4], f));
    expect(Array.from(new Uint32Array(back.buffer))).toEqual(Array.from(bits));
  });

  it('encodes little-endian: 1.0f is 00 00 80 3f', () => {
    expect(Buffer.from(encodeF32('t', [1], new Float32Array([1])).data, 'base64')).toEqual(Buffer.from([0, 0, 0x80, 0x3f]));
  });
});

describe('checkpoint files', () => {
  it('save then load gives back the same checkpoint', () => {
    const dir = tempDir();
    const ck = smallCheckpoint();
    saveCheckpoint(join(dir, 'a.json'), ck);
    expect(loadCheckpoint(join(dir, 'a.json'))).toEqual(ck);
  });

  it('a truncated file is one line that says so', () => {
    const text = JSON.stringify(smallCheckpoint());
    const e = errorOf(text.slice(0, 200));
    expect(e.message).toBe('ck.json: not a complete JSON document (truncated or not a checkpoint?)');
  });

  it('a wrong version names the field and gives a hint', () => {
    const e = errorOf(JSON.stringify({ ...smallCheckpoint(), version: 2 }));
    expect(e.message).toMatch(/^ck\.json: version: this rnn reads checkpoint version 1, the file is version 2$/);
    expect(e.hint).toContain('written by rnn');
  });

  it('a tensor whose data length does not match its shape is refused', () => {
    const ck = smallCheckpoint();
    ck.tensors[1]!.data = ck.tensors[1]!.data.slice(0, -8);
    expect(errorOf(JSON.stringify(ck)).message).toMatch(/^ck\.json: tensors\[1\]\.data: \d+ bytes, expected \d+ for shape/);
  });

  it('a tensor shape that does not fit the model config is refused', () => {
    const ck = smallCheckpoint();
    ck.tensors[0]!.shape = [9, 5]; // GRU 3H × V = 9 × 4
    expect(errorOf(JSON.stringify(ck)).message).toBe('ck.json: tensors[0].shape: expected [9, 4] for rnn.weight_ih_l0, got [9, 5]');
  });

  it('a NaN inside a tensor is refused, and saving refuses non-finite numbers', () => {
    const ck = smallCheckpoint();
    ck.tensors[2] = encodeF32(ck.tensors[2]!.name, ck.tensors[2]!.shape, new Float32Array(9).fill(NaN));
    expect(errorOf(JSON.stringify(ck)).message).toBe('ck.json: tensors[2].data: value 0 is NaN');
    const bad = smallCheckpoint();
    bad.training!.bestValLoss = Infinity;
    expect(() => saveCheckpoint(join(tempDir(), 'x.json'), bad)).toThrow(RuntimeError);
  });

  it('duplicate vocabulary entries are refused', () => {
    const ck = smallCheckpoint();
    ck.vocab.codePoints = [97, 97, 98];
    expect(errorOf(JSON.stringify(ck)).message).toContain('vocab.codePoints[1]');
  });

  it('an atomic write that fails leaves the previous file intact', () => {
    const dir = tempDir();
    const target = join(dir, 'ck.json');
    writeFileSync(target, 'previous');
    mkdirSync(join(dir, 'sub'));
    // renaming a file over a non-empty directory fails: the write must fail cleanly
    writeFileSync(join(dir, 'sub', 'f'), '');
    expect(() => writeFileAtomic(join(dir, 'sub'), 'new')).toThrow(RuntimeError);
    writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('1,000+ mutated or truncated checkpoints each end in a CheckpointError or a valid load', () => {
    const base = smallCheckpoint();
    const text = JSON.stringify(base);
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]): void => {
      paths.push(p);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    const weird = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.double(), fc.string(), fc.constant([]),
      fc.constant({}), fc.boolean(), fc.constant(1e308), fc.constant(-1), fc.constant('AAAA'));
    let cases = 0;
    fc.assert(fc.property(fc.nat(paths.length - 1), weird, fc.nat(text.length), fc.integer({ min: 0, max: 2 }), (pi, value, cut, mode) => {
      cases++;
      let input: string;
      if (mode === 0) input = text.slice(0, cut);
      else {
        const c = JSON.parse(text);
        const p = paths[pi]!;
        if (p.length === 0) input = JSON.stringify(value) ?? '';
        else {
          let o = c;
          for (const k of p.slice(0, -1)) o = o[k];
          if (mode === 1) o[p[p.length - 1]!] = value; else delete o[p[p.length - 1]!];
          input = JSON.stringify(c);
        }
      }
      try {
        parseCheckpoint(input, 'ck.json');
      } catch (e) {
        expect(e).toBeInstanceOf(CheckpointError);
        expect((e as Error).message).not.toContain('\n');
      }
    }), { numRuns: 1500, seed: 42 });
    expect(cases).toBeGreaterThanOrEqual(1000);
  });
});
