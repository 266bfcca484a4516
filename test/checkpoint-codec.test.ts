// Tensor codec: every finite float32 bit pattern survives encode → decode exactly, bytes are
// little-endian on any host, and every malformed tensor is one CheckpointError naming it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeF32, encodeF32 } from '../src/checkpoint/tensor-codec.js';
import type { EncodedTensor } from '../src/checkpoint/types.js';
import { CheckpointError } from '../src/errors.js';
import { thrown } from './checkpoint-helpers.js';

const SPECIAL_BITS = [
  0x00000000, 0x80000000, // +0, −0
  0x00000001, 0x80000001, // smallest subnormals
  0x007fffff, 0x807fffff, // largest subnormals
  0x00800000, 0x80800000, // smallest normals
  0x7f7fffff, 0xff7fffff, // ±max
  0x3f800000, 0xbf800000, // ±1
];
const isFiniteBits = (b: number): boolean => ((b >>> 23) & 0xff) !== 0xff;
const bitsOf = (f: Float32Array): number[] => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

function withData(t: EncodedTensor, bytes: number[]): EncodedTensor {
  return { ...t, data: Buffer.from(bytes).toString('base64') };
}

describe('tensor codec', () => {
  it('round-trips random finite float32 bit patterns, −0, subnormals and ±max bit for bit', () => {
    const word = fc.oneof(fc.constantFrom(...SPECIAL_BITS), fc.nat({ max: 0xffffffff }).filter(isFiniteBits));
    fc.assert(fc.property(fc.array(word, { maxLength: 64 }), (bits) => {
      const f = new Float32Array(new Uint32Array(bits).buffer);
      const back = decodeF32(encodeF32('t', [bits.length], f));
      expect(bitsOf(back)).toEqual(bits);
    }), { numRuns: 300, seed: 1 });
  });

  it('round-trips a subarray view (offset into a larger buffer) without reading outside it', () => {
    const big = new Float32Array([9, 1, -0, 2, 9]);
    expect(bitsOf(decodeF32(encodeF32('t', [3], big.subarray(1, 4))))).toEqual(bitsOf(new Float32Array([1, -0, 2])));
  });

  it('rounds float64 input to float32 exactly as Math.fround, keeping −0 and subnormals', () => {
    const xs = [0.1, -0, 1e-40, -1e-45, 3.4028234663852886e38, Math.PI, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 1e-50];
    const back = decodeF32(encodeF32('t', [xs.length], Float64Array.from(xs)));
    expect(Array.from(back)).toEqual(xs.map(Math.fround));
    expect(Object.is(back[1], -0)).toBe(true);
  });

  it('writes little-endian bytes: 1.0f is 00 00 80 3f, −0 is 00 00 00 80', () => {
    const t = encodeF32('t', [2], new Float32Array([1, -0]));
    expect([...Buffer.from(t.data, 'base64')]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x80]);
    expect(t).toMatchObject({ name: 't', shape: [2], dtype: 'f32' });
  });

  it('reads little-endian bytes whatever the host byte order', () => {
    const t = withData(encodeF32('t', [2], new Float32Array(2)), [0, 0, 0xc0, 0x3f, 0x01, 0, 0, 0x80]);
    expect(bitsOf(decodeF32(t))).toEqual([0x3fc00000, 0x80000001]);
  });

  it('encodes an empty tensor and decodes it back', () => {
    expect(decodeF32(encodeF32('t', [0, 3], new Float32Array(0))).length).toBe(0);
  });

  it('refuses to encode data that does not fill the shape (a programming error)', () => {
    expect(() => encodeF32('t', [2, 3], new Float32Array(5))).toThrow(RangeError);
  });

  it('a byte length that does not match the shape is one line naming the tensor', () => {
    const t = encodeF32('rnn.bias_ih_l0', [3], new Float32Array(3));
    const e = thrown(() => decodeF32({ ...t, shape: [4] }), CheckpointError);
    expect(e.message).toBe('rnn.bias_ih_l0.data: 12 bytes, expected 16 for shape [4]');
  });

  it('NaN and ±Infinity are refused, naming the tensor and the element, with a hint', () => {
    const t = encodeF32('head.bias', [2], new Float32Array(2));
    for (const [bytes, shown] of [[[0, 0, 0xc0, 0x7f], 'NaN'], [[0, 0, 0x80, 0x7f], 'Infinity'], [[0, 0, 0x80, 0xff], '-Infinity']] as const) {
      const e = thrown(() => decodeF32(withData(t, [0, 0, 0, 0, ...bytes])), CheckpointError);
      expect(e.message).toBe(`head.bias.data: value 1 is ${shown}`);
      expect(e.hint).toMatch(/diverged/);
    }
  });

  it('base64 outside the canonical alphabet, or of a length Buffer would silently trim, is refused', () => {
    const t = encodeF32('w', [1], new Float32Array([1]));
    for (const data of ['AACAPw', 'AACA Pw==', 'AACAPw=A', 'AA-APw==', 'AACAP===', '!!!!', 'AACAPw==AAAA']) {
      const e = thrown(() => decodeF32({ ...t, data }), CheckpointError);
      expect(e.message, data).toBe('w.data: not valid base64');
    }
  });

  it('never throws anything but CheckpointError, whatever object it is given', () => {
    const junk = fc.record({ name: fc.anything(), shape: fc.oneof(fc.anything(), fc.array(fc.integer({ min: -3, max: 5 }))), data: fc.oneof(fc.anything(), fc.base64String()) });
    fc.assert(fc.property(junk, (t) => {
      try { decodeF32(t as EncodedTensor); } catch (e) { expect(e).toBeInstanceOf(CheckpointError); }
    }), { numRuns: 500, seed: 2 });
  });
});
