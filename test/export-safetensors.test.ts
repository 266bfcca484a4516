// The safetensors container and the checkpoint ⇄ safetensors mapping (issue 7), in process: byte
// layout against a hand-built file, exact round trips for every cell, deterministic bytes, exact
// F16/BF16 conversion, every malformed case named in the issue as one CheckpointError line, and
// 1,500 mutated files that each either import or fail that way.

import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/checkpoint/types.js';
import { CheckpointError } from '../src/errors.js';
import { encodeSafetensors, halfToFloat, parseSafetensors, readFloat32 } from '../src/export/safetensors.js';
import { exportMetadata, exportSafetensors, importSafetensors } from '../src/export/torch-format.js';
import { smallCheckpoint } from './checkpoint-helpers.js';

/** A safetensors file from a header object and raw data bytes, exactly as given. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** The header and data of a file (inverse of rawFile). */
function split(bytes: Uint8Array): { header: Record<string, any>; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return { header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')), data: bytes.subarray(8 + n) };
}

function importError(bytes: Uint8Array): string {
  try {
    importSafetensors(bytes, 'f.safetensors');
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg.startsWith('f.safetensors: ')).toBe(true);
    return msg;
  }
  throw new Error('expected the import to fail');
}

const gru = (): Checkpoint => smallCheckpoint({ cell: 'gru', training: false });

describe('safetensors container', () => {
  it('writes the documented layout: u64 LE header length, JSON header padded to 8, LE float32 data', () => {
    const bytes = encodeSafetensors([{ name: 'a', shape: [2], data: new Float32Array([1, -2]) }, { name: 'b', shape: [1, 1], data: new Float32Array([0.5]) }], { k: 'v' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0);
    const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    // Hand-written expectation: metadata first, then tensors in the order given, offsets in bytes.
    expect(text.trimEnd()).toBe('{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}');
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5f = 0x3f000000, little-endian
    expect([...bytes.subarray(8 + n)]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0x3f]);
  });

  it('reads what it writes, and unpadded headers in any key order', () => {
    const f = parseSafetensors(rawFile({ b: { dtype: 'F32', shape: [], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])), 'x');
    expect(f.metadata).toBeNull();
    expect(f.tensors.map((t) => t.name)).toEqual(['b', 'a']);
    expect([...readFloat32(f, f.tensors[0]!)]).toEqual([-2]);
    expect([...readFloat32(f, f.tensors[1]!)]).toEqual([1]);
  });

  it('converts binary16 and bfloat16 exactly (hand-computed values)', () => {
    // binary16: sign 1, exponent 5 (bias 15), mantissa 10
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);        // largest finite: (2 − 2^-10)·2^15
    expect(halfToFloat(0x0001)).toBe(2 ** -24);     // smallest subnormal
    expect(halfToFloat(0x3555)).toBe(0.333251953125); // exponent 13, mantissa 0x155: (1 + 341/1024)·2^-2 = 1365/4096
    expect(halfToFloat(0x8000)).toBe(-0);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    // bfloat16 is the top half of a float32: 0x3fc0 → 1.5, 0xc049 → −3.140625
    const f = parseSafetensors(rawFile({ t: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] }, h: { dtype: 'F16', shape: [1], data_offsets: [4, 6] } },
      new Uint8Array([0xc0, 0x3f, 0x49, 0xc0, 0x00, 0x3c])), 'x');
    expect([...readFloat32(f, f.tensors[0]!)]).toEqual([1.5, -3.140625]);
    expect([...readFloat32(f, f.tensors[1]!)]).toEqual([1]);
  });
});

describe('export and import', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    it(`${cell}: export then import gives bit-identical tensors and the same model and vocabulary`, () => {
      const ck = smallCheckpoint({ cell, layers: 2, hidden: 3, codePoints: [10, 32, 0xe9, 0x5317, 0x1f600], training: false });
      const back = importSafetensors(exportSafetensors(ck), 'm').checkpoint;
      expect(back.tensors).toEqual(ck.tensors); // base64 of the float32 bytes: −0 and subnormals included
      expect(back.model).toEqual(ck.model);
      expect(back.vocab).toEqual(ck.vocab);
      expect(back.corpus).toEqual(ck.corpus);
      expect(back.training).toBeNull();
    });
  }

  it('is byte-for-byte deterministic and holds no time stamp', () => {
    const a = exportSafetensors(gru());
    const b = exportSafetensors({ ...gru(), createdAt: '2030-05-05T00:00:00.000Z' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('writes the metadata the issue lists, all strings, vocabulary EOS first', () => {
    const meta = exportMetadata(smallCheckpoint({ cell: 'rnn', codePoints: [10, 97] }));
    expect(Object.values(meta).every((v) => typeof v === 'string')).toBe(true);
    expect(JSON.parse(meta.vocab!)).toEqual(['EOS', 10, 97]);
    expect(meta).toMatchObject({ cell: 'rnn', nonlinearity: 'tanh', layers: '2', hidden: '3', vocab_size: '3', doc_split: 'line' });
    expect(meta.rnn_version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('keys and shapes are those of the PyTorch module: rnn.*_l{k} then head.*', () => {
    const { header } = split(exportSafetensors(smallCheckpoint({ cell: 'lstm', layers: 2, hidden: 3, codePoints: [97, 98] })));
    const keys = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(keys).toEqual(['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0',
      'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'rnn.bias_ih_l1', 'rnn.bias_hh_l1', 'head.weight', 'head.bias']);
    // nn.LSTM(3 + EOS = V=3, H=3): weight_ih_l0 (4H, V), weight_hh (4H, H), head (V, H)
    expect(header['rnn.weight_ih_l0'].shape).toEqual([12, 3]);
    expect(header['rnn.weight_hh_l1'].shape).toEqual([12, 3]);
    expect(header['head.weight'].shape).toEqual([3, 3]);
  });

  it('converts BF16 tensors with their names reported, and refuses integer dtypes', () => {
    const { header, data } = split(exportSafetensors(gru()));
    // Rewrite head.bias (V = 5 floats) as BF16: its data shrinks to 10 bytes at the end of the buffer.
    const hb = header['head.bias'];
    const f32 = new DataView(data.buffer, data.byteOffset + hb.data_offsets[0], 20);
    const half = new Uint8Array(10);
    for (let k = 0; k < 5; k++) new DataView(half.buffer).setUint16(2 * k, f32.getUint32(4 * k, true) >>> 16, true);
    header['head.bias'] = { ...hb, dtype: 'BF16', data_offsets: [hb.data_offsets[0], hb.data_offsets[0] + 10] };
    const body = new Uint8Array(data.length - 10);
    body.set(data.subarray(0, hb.data_offsets[0]));
    body.set(half, hb.data_offsets[0]);
    const r = importSafetensors(rawFile(header, body), 'm');
    expect(r.converted).toEqual({ BF16: ['head.bias'] });
    header['head.bias'] = { ...hb, dtype: 'I16', data_offsets: [hb.data_offsets[0], hb.data_offsets[0] + 10] };
    expect(importError(rawFile(header, body))).toMatch(/tensor head.bias is I16, expected F32/);
  });
});

describe('malformed files: one line naming the problem', () => {
  const good = (): Uint8Array => exportSafetensors(gru());
  const withHeader = (edit: (h: Record<string, any>) => void, data?: Uint8Array): Uint8Array => {
    const s = split(good());
    edit(s.header);
    return rawFile(s.header, data ?? s.data);
  };

  it('truncated file, truncated header, header length past the end', () => {
    expect(importError(good().subarray(0, 5))).toMatch(/5 bytes, too short/);
    const g = good();
    expect(importError(g.subarray(0, 40))).toMatch(/header length \d+ runs past the end of the file \(40 bytes/);
    const huge = g.slice();
    new DataView(huge.buffer).setUint32(4, 1, true); // 2^32 + n
    expect(importError(huge)).toMatch(/runs past the end/);
    expect(importError(g.subarray(0, g.length - 3))).toMatch(/head.bias: data_offsets \[\d+, \d+\] run past the end of the data/);
  });

  it('header that is not JSON, not an object, or not UTF-8', () => {
    expect(importError(rawFile('{"a": '))).toMatch(/header is not valid JSON/);
    expect(importError(rawFile('[1,2]'))).toMatch(/header is not a JSON object/);
    const bad = rawFile('{"a":1}');
    bad[10] = 0xff;
    expect(importError(bad)).toMatch(/header is not UTF-8/);
  });

  it('overlapping, out-of-range and gapped offsets', () => {
    expect(importError(withHeader((h) => {
      const [a, b] = h['rnn.bias_hh_l1'].data_offsets;
      h['rnn.bias_hh_l1'].data_offsets = [a - 4, b - 4];
    }))).toMatch(/tensors rnn.bias_ih_l1 and rnn.bias_hh_l1 overlap/);
    expect(importError(withHeader((h) => { h['head.bias'].data_offsets = [1e9, 1e9 + 20]; }))).toMatch(/head.bias: data_offsets \[1000000000, 1000000020\] run past the end/);
    expect(importError(withHeader((h) => { h['head.bias'].data_offsets = [20, 0]; }))).toMatch(/end before they begin/);
    const s = split(good());
    expect(importError(rawFile(s.header, Buffer.concat([s.data, Buffer.alloc(4)])))).toMatch(/data bytes \d+\.\.\d+ belong to no tensor/);
  });

  it('wrong dtype, unknown dtype, size that does not match the shape', () => {
    expect(importError(withHeader((h) => { h['rnn.weight_hh_l0'].dtype = 'I32'; }))).toMatch(/tensor rnn.weight_hh_l0 is I32, expected F32 \(or F16, BF16\)/);
    expect(importError(withHeader((h) => { h['rnn.weight_hh_l0'].dtype = 'F33'; }))).toMatch(/rnn.weight_hh_l0: unknown dtype "F33"/);
    expect(importError(withHeader((h) => { h['head.bias'].shape = [6]; }))).toMatch(/head.bias: shape \[6\] of F32 needs 24 bytes, data_offsets hold 20/);
  });

  it('a name typo, a missing tensor, an extra tensor, a shape mismatch', () => {
    expect(importError(withHeader((h) => { h['rnn.wieght_hh_l1'] = h['rnn.weight_hh_l1']; delete h['rnn.weight_hh_l1']; })))
      .toMatch(/unexpected tensor rnn.wieght_hh_l1 \(did you mean rnn.weight_hh_l1\?\)/);
    const s = split(good());
    const hb = s.header['head.bias'];
    delete s.header['head.bias'];
    expect(importError(rawFile(s.header, s.data.subarray(0, hb.data_offsets[0])))).toMatch(/missing tensor head.bias$/);
    const s2 = split(good());
    s2.header['head.extra'] = { dtype: 'F32', shape: [1], data_offsets: [s2.data.length, s2.data.length + 4] };
    expect(importError(rawFile(s2.header, Buffer.concat([s2.data, Buffer.alloc(4)])))).toMatch(/unexpected tensor head.extra/);
    // A square tensor transposed in shape only keeps its size: [9, 3] read as [3, 9]
    expect(importError(withHeader((h) => { h['rnn.weight_hh_l0'].shape = [3, 9]; })))
      .toMatch(/tensor rnn.weight_hh_l0 has shape \[3, 9\], expected \[9, 3\] for this model/);
  });

  it('metadata missing or wrong', () => {
    expect(importError(withHeader((h) => { delete h.__metadata__; }))).toMatch(/no __metadata__/);
    expect(importError(withHeader((h) => { h.__metadata__.layers = 2; }))).toMatch(/__metadata__.layers is not a string/);
    expect(importError(withHeader((h) => { h.__metadata__.cell = 'transformer'; }))).toMatch(/__metadata__.cell is "transformer"/);
    expect(importError(withHeader((h) => { h.__metadata__.layers = '3'; }))).toMatch(/missing tensor rnn.weight_ih_l2/);
    expect(importError(withHeader((h) => { h.__metadata__.vocab = '["EOS", 10, 97]'; }))).toMatch(/vocab has 3 entries, vocab_size says 5/);
    expect(importError(withHeader((h) => { h.__metadata__.vocab = '[10, 97, 98, 99, 100]'; }))).toMatch(/not a JSON list of "EOS"/);
    expect(importError(withHeader((h) => { h.__metadata__.vocab = '["EOS", 97, 10, 98, 128512]'; }))).toMatch(/vocab.codePoints\[1\]: 10 is not above entry 0/);
    expect(importError(withHeader((h) => { h.__metadata__.format = 'other'; }))).toMatch(/__metadata__.format is "other"/);
    expect(importError(withHeader((h) => { delete h.__metadata__.doc_split; }))).toMatch(/__metadata__.doc_split is missing/);
  });

  it('a non-finite weight', () => {
    const s = split(good());
    new DataView(s.data.buffer, s.data.byteOffset).setFloat32(s.header['head.weight'].data_offsets[0] + 8, NaN, true);
    expect(importError(rawFile(s.header, s.data))).toMatch(/tensor head.weight value 2 is NaN/);
  });
});

describe('fuzz: mutated files import or fail with one CheckpointError line', () => {
  // A small deterministic PRNG (mulberry32) so failures reproduce.
  const rng = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('1,500 mutations of the bytes and of the header', () => {
    const base = exportSafetensors(smallCheckpoint({ cell: 'lstm', layers: 2, hidden: 2, codePoints: [10, 97], training: false }));
    const { header, data } = split(base);
    const r = rng(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    let imported = 0, failed = 0;
    for (let i = 0; i < 1500; i++) {
      let bytes: Uint8Array;
      const kind = i % 5;
      if (kind === 0) { // flip random bytes anywhere
        bytes = base.slice();
        for (let k = 0, n = 1 + Math.floor(r() * 4); k < n; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      } else if (kind === 1) { // truncate or extend
        bytes = r() < 0.5 ? base.slice(0, Math.floor(r() * base.length)) : Buffer.concat([base, Buffer.alloc(1 + Math.floor(r() * 9))]);
      } else { // structured header edits
        const h = JSON.parse(JSON.stringify(header));
        const names = Object.keys(h);
        const name = pick(names);
        const field = pick(['dtype', 'shape', 'data_offsets', 'delete', 'rename', 'meta']);
        const t = h[name];
        if (field === 'delete') delete h[name];
        else if (field === 'rename') { h[`${name}x`] = t; delete h[name]; }
        else if (field === 'meta') h.__metadata__[pick(Object.keys(h.__metadata__))] = pick(['', '0', '-1', '1e309', '[]', '["EOS"]', 'gru', 'none', '99999999999']);
        else if (name !== '__metadata__') {
          t[field] = pick<unknown>([null, 'F16', 'BF16', 'F64', 'I8', [], [0], [1, 2], [-1, 4], [0, 1e300], [2 ** 53, 0], 1.5, { a: 1 }, [4, 8], [0, 0]]);
        }
        bytes = rawFile(h, data);
      }
      try {
        const ck = importSafetensors(bytes, 'fuzz').checkpoint;
        expect(ck.tensors.length).toBe(10);
        imported++;
      } catch (err) {
        if (!(err instanceof CheckpointError)) throw new Error(`case ${i}: ${String(err)}`);
        expect(err.message.includes('\n')).toBe(false);
        failed++;
      }
    }
    expect(imported + failed).toBe(1500);
    expect(failed).toBeGreaterThan(1000);
  });
});
