// Tensor checksums: crc32.ts is the standard CRC-32 (the catalogue check value, zlib's crc32 and a
// bit-at-a-time loop agree with it on every length and alignment); every float tensor a training
// checkpoint holds (parameters, optimizer moments, carried state) carries the CRC-32 of its bytes;
// one changed byte that still decodes to valid base64 and finite floats, which nothing else would
// notice, is refused as a damaged file; a checkpoint written before checksums loads unchecked.

import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/checkpoint/crc32.js';
import { parseCheckpoint } from '../src/checkpoint/io.js';
import { decodeF32, encodeF32 } from '../src/checkpoint/tensor-codec.js';
import type { Checkpoint, EncodedTensor } from '../src/checkpoint/types.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { trainSettings } from './helpers/settings.js';
import { toCheckpoint } from '../src/train/snapshot.js';
import { cloneJson, parseError, smallCheckpoint } from './checkpoint-helpers.js';

/** The CRC-32 definition, one bit at a time (reflected polynomial 0xEDB88320, ~0 in and out). */
function crc32Bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** Every float tensor of a checkpoint, with the field that names it in errors. */
function floatTensors(ck: Checkpoint): [string, EncodedTensor][] {
  const tr = ck.training!;
  return [...ck.tensors.map((t, i) => [`tensors[${i}]`, t] as [string, EncodedTensor]),
    ...tr.moments.map((t, i) => [`training.moments[${i}]`, t] as [string, EncodedTensor]), ['training.carry', tr.carry]];
}

/** `s` with its first character replaced by another base64 letter. The first character holds the
 *  top 6 bits of byte 0, the lowest mantissa byte of float 0 (little-endian), so the result is
 *  valid base64 of the same length whose floats are all finite, and float 0 differs. */
const flipFirst = (s: string): string => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

describe('crc32', () => {
  it('gives the catalogue check value 0xcbf43926 for "123456789", and 0 for no bytes', () => {
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with zlib and with the bitwise definition on every length 0..70 at every alignment, and continues', () => {
    const buf = Uint8Array.from({ length: 80 }, (_, i) => (i * 151 + 7) & 255);
    for (let off = 0; off < 4; off++) {
      for (let n = 0; n <= 70; n++) {
        const b = buf.subarray(off, off + n);
        expect(crc32(b), `offset ${off}, length ${n}`).toBe(crc32Bitwise(b));
        expect(crc32(b)).toBe(zlibCrc32(b));
        expect(crc32(b.subarray(n >> 1), crc32(b.subarray(0, n >> 1)))).toBe(crc32Bitwise(b));
      }
    }
  });
});

describe('tensor checksums', () => {
  it('encodeF32 with { checksum: true } stores the CRC-32 of the little-endian bytes as 8 lowercase hex digits; without, none', () => {
    const t = encodeF32('t', [2], new Float32Array([1, -0]), { checksum: true });
    expect(t.crc32).toBe(hex(crc32Bitwise(Uint8Array.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0x80]))));
    expect(t.crc32).toMatch(/^[0-9a-f]{8}$/);
    expect('crc32' in encodeF32('t', [2], new Float32Array([1, -0]))).toBe(false); // imported weights
  });

  it('a checkpoint built from an engine has one on every parameter, moment and the carried state', () => {
    const cfg = { cell: 'lstm' as const, layers: 2, hidden: 3, vocabSize: 4, dropout: 0 };
    const e = createRefEngine(cfg, 2, 3);
    for (let k = 0; k < e.params.length; k++) e.params[k] = Math.sin(k) / 3;
    e.moments[0]!.fill(0.25); e.moments[1]!.fill(0.5); e.state.fill(-0.125);
    const ck = toCheckpoint(e, {
      step: 5, epoch: 0, window: 5, rng: [1, 2, 3, 4], elapsedSec: 1, bestValLoss: null, bestStep: null, firstLoss: 1.4, metrics: [], rowSums: { loss: 0, steps: 0, chars: 0, sec: 0 },
    }, {
      codePoints: [97, 98, 99], docSplit: 'line', settings: trainSettings({ batch: 2, seqLen: 3, steps: 10 }),
      corpus: { paths: ['/x.txt'], trainTokens: 10, valTokens: 3, trainDocs: 2, valDocs: 1 },
    });
    const all = floatTensors(ck);
    expect(all.length).toBe(2 * 4 + 2 + 2 + 1); // 2 layers × 4 tensors, head weight and bias, 2 moments, carry
    for (const [field, t] of all) expect(t.crc32, field).toBe(hex(zlibCrc32(Buffer.from(t.data, 'base64'))));
    expect(parseCheckpoint(JSON.stringify(ck), 'ck.json')).toEqual(ck);
  });

  it('one flipped byte in any float tensor is refused as damage; without the checksum the same file loads', () => {
    const base = smallCheckpoint();
    for (const [field] of floatTensors(base)) {
      const damaged = cloneJson(base);
      const t = floatTensors(damaged).find(([f]) => f === field)![1];
      const before = decodeF32(t);
      t.data = flipFirst(t.data);
      // the premise: nothing but the checksum tells this file from a good one
      const { crc32: _, ...unchecked } = t;
      const after = decodeF32(unchecked);
      expect(after.every(Number.isFinite)).toBe(true);
      expect(after.length).toBe(before.length);
      expect(Array.from(after).map((x, k) => Object.is(x, before[k]))).toEqual(Array.from(after, (_, k) => k !== 0));

      const e = parseError(JSON.stringify(damaged));
      expect(e.message).toBe(`ck.json: ${field}.data: does not match its checksum (the file is damaged)`);
      expect(e.hint).toMatch(/another checkpoint/);
      delete (t as Partial<EncodedTensor>).crc32;
      expect(() => parseCheckpoint(JSON.stringify(damaged), 'ck.json')).not.toThrow();
    }
  });

  it('damage that makes a value non-finite is reported as damage, not as a diverged run', () => {
    const ck = cloneJson(smallCheckpoint());
    const bytes = Buffer.from(ck.tensors[1]!.data, 'base64');
    bytes.set([0, 0, 0xc0, 0x7f], 0); // float 0 becomes NaN
    ck.tensors[1]!.data = bytes.toString('base64');
    expect(parseError(JSON.stringify(ck)).message).toBe('ck.json: tensors[1].data: does not match its checksum (the file is damaged)');
  });

  it('a checkpoint written before checksums (no crc32 anywhere) loads unchecked, equal to itself', () => {
    const old = cloneJson(smallCheckpoint());
    for (const [, t] of floatTensors(old)) delete (t as Partial<EncodedTensor>).crc32;
    expect(JSON.stringify(old)).not.toContain('crc32');
    expect(parseCheckpoint(JSON.stringify(old), 'ck.json')).toEqual(old);
  });

  it('a malformed checksum field is one line naming it', () => {
    for (const [value, shown] of [[12345, '12345'], ['CBF43926', '"CBF43926"'], ['cbf4392', '"cbf4392"'], [null, 'null']] as const) {
      const ck = cloneJson(smallCheckpoint()) as unknown as { training: { carry: Record<string, unknown> } };
      ck.training.carry.crc32 = value;
      expect(parseError(JSON.stringify(ck)).message).toBe(`ck.json: training.carry.crc32: expected 8 lowercase hex digits, got ${shown}`);
    }
  });
});
