// Float tensors in checkpoints: base64 of little-endian float32, so values round-trip bit for bit
// (−0, subnormals and all) on a machine of either byte order, with a CRC-32 of those bytes that
// decoding checks, so damage that still decodes to finite floats is caught too.

import { CheckpointError } from '../errors.js';
import { fromBase64Into, toBase64 } from './base64.js';
import { CRC32_HEX, crc32Hex } from './crc32.js';
import type { EncodedTensor } from './types.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 1 for the 64 characters of the standard base64 alphabet ('=' is handled apart). */
const BASE64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHAR[c.charCodeAt(0)] = 1;

/** Bytes encoded by `s` if it is padded base64 in the standard alphabet, else -1. Checked here
 *  because Buffer's decoder silently skips bad characters and accepts base64url; a loop is about
 *  3x faster than the equivalent regex on multi-megabyte tensors. */
function base64Bytes(s: string): number {
  if (s.length % 4 !== 0) return -1;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const end = s.length - pad;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || BASE64_CHAR[c] === 0) return -1;
  }
  return (s.length / 4) * 3 - pad;
}

const DIVERGED_HINT = 'non-finite values mean training diverged: use an earlier checkpoint, or lower --lr or --clip';
const DAMAGED_HINT = 'the file changed after rnn wrote it: use another checkpoint of the run (last.prev.json, best.json)';

/** Number of elements of `shape`, or -1 when it is not a list of whole numbers with a safe product. */
export function elementCount(shape: readonly unknown[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return -1;
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER / 4) return -1;
  }
  return n;
}

export interface EncodeOptions {
  /** Store the CRC-32 of the bytes (`crc32`), so a load notices damage. rnn's own checkpoints
   *  do (snapshot.ts); imported weights do not, their source file being the reference. */
  checksum?: boolean;
}

/** Float64 input is rounded to float32 (round to nearest even, as Float32Array assignment does). */
export function encodeF32(name: string, shape: number[], data: Float32Array | Float64Array, opts: EncodeOptions = {}): EncodedTensor {
  const n = elementCount(shape);
  if (n !== data.length) throw new RangeError(`tensor ${name}: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  const bytes = new Uint8Array(n * 4);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
  else {
    const dv = new DataView(bytes.buffer);
    for (let k = 0; k < n; k++) dv.setFloat32(k * 4, f32[k]!, true);
  }
  const t: EncodedTensor = { name, shape: [...shape], dtype: 'f32', data: toBase64(bytes) };
  if (opts.checksum) t.crc32 = crc32Hex(bytes);
  return t;
}

/** Decode and check: canonical base64, byte length equal to product(shape)·4, the CRC-32 when
 *  present, every value finite. `field` names the tensor in the one-line CheckpointError; it
 *  throws nothing else for any input. */
export function decodeF32(t: EncodedTensor, field: string = typeof t?.name === 'string' ? t.name : 'tensor'): Float32Array {
  const shape: unknown = t?.shape;
  const n = Array.isArray(shape) ? elementCount(shape) : -1;
  if (n < 0) throw new CheckpointError(`${field}.shape: expected a list of whole numbers ≥ 0`);
  const data: unknown = t.data;
  const byteCount = typeof data === 'string' ? base64Bytes(data) : -1;
  if (byteCount < 0) throw new CheckpointError(`${field}.data: not valid base64`);
  if (byteCount !== n * 4) {
    throw new CheckpointError(`${field}.data: ${byteCount} bytes, expected ${n * 4} for shape [${(shape as number[]).join(', ')}]`);
  }
  const crc: unknown = t.crc32;
  if (crc !== undefined && (typeof crc !== 'string' || !CRC32_HEX.test(crc))) {
    throw new CheckpointError(`${field}.crc32: expected 8 lowercase hex digits`);
  }
  const out = new Float32Array(n);
  let bytes: Uint8Array;
  if (LITTLE_ENDIAN) {
    bytes = new Uint8Array(out.buffer);
    fromBase64Into(data as string, bytes);
  } else {
    bytes = new Uint8Array(byteCount);
    fromBase64Into(data as string, bytes);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < n; k++) out[k] = dv.getFloat32(k * 4, true);
  }
  // Before the finiteness check: a damaged file should say so, not that training diverged.
  if (crc !== undefined && crc32Hex(bytes) !== crc) {
    throw new CheckpointError(`${field}.data: does not match its checksum (the file is damaged)`, DAMAGED_HINT);
  }
  for (let k = 0; k < n; k++) {
    const v = out[k]!;
    if (!Number.isFinite(v)) throw new CheckpointError(`${field}.data: value ${k} is ${v}`, DIVERGED_HINT);
  }
  return out;
}
