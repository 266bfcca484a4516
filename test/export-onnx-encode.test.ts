// The ONNX file's bytes, in process: the protobuf writer against the encoding guide's own examples,
// the gate reorders on hand-made blocks, and the model's top-level fields (IR version, opset,
// metadata_props with the vocabulary and split rule) read back with a reader written here.

import { describe, expect, it } from 'vitest';
import { concat, intField, stringField, varint } from '../src/export/protobuf.js';
import { exportOnnx, reorderGates } from '../src/export/onnx-format.js';
import { smallCheckpoint } from './checkpoint-helpers.js';

/** Top-level fields of a message: [field number, varint value or length-delimited bytes]. */
function fields(b: Uint8Array): [number, number | Uint8Array][] {
  const out: [number, number | Uint8Array][] = [];
  let k = 0;
  const read = (): number => { let n = 0, m = 1, c; do { c = b[k++]!; n += (c & 0x7f) * m; m *= 128; } while (c & 0x80); return n; };
  while (k < b.length) {
    const key = read(), wire = key % 8;
    if (wire === 0) out.push([key >> 3, read()]);
    else if (wire === 2) { const n = read(); out.push([key >> 3, b.subarray(k, k + n)]); k += n; }
    else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array);

describe('protobuf writer', () => {
  it('matches the examples of protobuf.dev/programming-guides/encoding', () => {
    expect([...varint(1)]).toEqual([0x01]);
    expect([...varint(150)]).toEqual([0x96, 0x01]);
    expect([...intField(1, 150)]).toEqual([0x08, 0x96, 0x01]);
    expect([...stringField(2, 'testing')]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect([...varint(2 ** 35)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect([...concat([varint(1), varint(2)])]).toEqual([1, 2]);
    expect(() => varint(-1)).toThrow(RangeError);
  });
});

describe('gate order', () => {
  it('PyTorch LSTM i,f,g,o → ONNX i,o,f,c; GRU r,z,n → z,r,h; RNN unchanged (H = 2, D = 1)', () => {
    expect([...reorderGates(Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]), 'lstm', 2)]).toEqual([1, 1, 4, 4, 2, 2, 3, 3]);
    expect([...reorderGates(Float32Array.from([1, 1, 2, 2, 3, 3]), 'gru', 2)]).toEqual([2, 2, 1, 1, 3, 3]);
    // (G, D) = (3, 2) with H = 1: whole rows move
    expect([...reorderGates(Float32Array.from([1, 10, 2, 20, 3, 30]), 'gru', 1)]).toEqual([2, 20, 1, 10, 3, 30]);
    expect([...reorderGates(Float32Array.from([5, 6]), 'rnn', 2)]).toEqual([5, 6]);
  });
});

describe('model fields', () => {
  it('IR version 8, opset 14 of the default domain, the vocabulary and split rule in metadata_props; same checkpoint, same bytes', () => {
    const ck = smallCheckpoint({ cell: 'lstm', layers: 2, hidden: 3, codePoints: [10, 97, 0x1f600], training: false });
    const bytes = exportOnnx(ck);
    expect(exportOnnx(ck)).toEqual(bytes);
    const f = fields(bytes);
    expect(f.find(([n]) => n === 1)![1]).toBe(8);
    const opset = fields(f.find(([n]) => n === 8)![1] as Uint8Array);
    expect(opset).toContainEqual([2, 14]);
    const meta = Object.fromEntries(f.filter(([n]) => n === 14).map(([, v]) => fields(v as Uint8Array).map(([, s]) => text(s))));
    expect(meta.vocab).toBe('["EOS",10,97,128512]');
    expect(meta.doc_split).toBe('line');
    expect(meta).toMatchObject({ cell: 'lstm', layers: '2', hidden: '3', vocab_size: '4', format: 'rnn-char-lm' });
  });
});
