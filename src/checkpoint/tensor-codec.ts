// Float tensors in checkpoints: base64 of little-endian float32, so values round-trip bit for bit
// (−0, subnormals and all) on any machine.

import { CheckpointError } from '../errors.js';
import type { EncodedTensor } from './types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeF32(name: string, shape: number[], data: Float32Array | Float64Array): EncodedTensor {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  const bytes = new Uint8Array(f32.length * 4);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
  else {
    const dv = new DataView(bytes.buffer);
    for (let k = 0; k < f32.length; k++) dv.setFloat32(k * 4, f32[k]!, true);
  }
  return { name, shape: [...shape], dtype: 'f32', data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/** Decode and check: byte length equals product(shape)·4, every value finite. `field` names the
 *  tensor in error messages. */
export function decodeF32(t: EncodedTensor, field = t.name): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (typeof t.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(t.data) || t.data.length % 4 !== 0) {
    throw new CheckpointError(`${field}.data: not valid base64`);
  }
  const buf = Buffer.from(t.data, 'base64');
  if (buf.length !== n * 4) {
    throw new CheckpointError(`${field}.data: ${buf.length} bytes, expected ${n * 4} for shape [${t.shape.join(', ')}]`);
  }
  const out = new Float32Array(n);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let k = 0; k < n; k++) {
    const v = dv.getFloat32(k * 4, true);
    if (!Number.isFinite(v)) throw new CheckpointError(`${field}.data: value ${k} is ${v}`);
    out[k] = v;
  }
  return out;
}
