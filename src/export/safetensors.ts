// The safetensors container (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the data buffer. The header maps each tensor name
// to {dtype, shape, data_offsets: [begin, end]} (byte offsets into the data buffer) and may hold
// "__metadata__", a map of strings to strings. This module knows the container only, nothing about
// models: writing float32 tensors, and reading with the checks of the reference implementation
// (offsets in range, no overlap, no unindexed bytes), every problem one CheckpointError line.

import { CheckpointError } from '../errors.js';

/** Bytes per element of the dtypes the format defines. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** The float dtypes a reader here turns into float32 (F32 exactly, the half types exactly too). */
export type FloatDtype = 'F32' | 'F16' | 'BF16';
const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16'];

/** The reference implementation refuses headers above 100 MB; so does this reader. */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** [begin, end) in the data buffer. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** Tensors in the header's order. */
  tensors: TensorEntry[];
  metadata: Record<string, string> | null;
  /** The data buffer (a view on the file's bytes). */
  data: Uint8Array;
}

/** The file: header with "__metadata__" first and the tensors in the order given, contiguous
 *  little-endian float32 data. The header is padded with spaces to a multiple of 8 bytes so that
 *  the data starts 8-aligned, as the reference writer does. Same input, same bytes. */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new RangeError(`tensor ${t.name}: ${t.data.length} values do not fill shape [${t.shape.join(', ')}]`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  const headerBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (headerBytes % 8)) % 8);
  const headerLen = Buffer.byteLength(json, 'utf8');
  const out = new Uint8Array(8 + headerLen + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLen, true);
  dv.setUint32(4, 0, true);
  Buffer.from(out.buffer, 8, headerLen).write(json, 'utf8');
  let p = 8 + headerLen;
  for (const t of tensors) {
    for (let k = 0; k < t.data.length; k++, p += 4) dv.setFloat32(p, t.data[k]!, true);
  }
  return out;
}

const fail = (msg: string, hint?: string): never => { throw new CheckpointError(msg, hint); };
const NOT_SAFETENSORS = 'is it a .safetensors file, complete? rnn export writes them';

/** Parse and check the container. `source` starts every error message. Throws only CheckpointError. */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.length < 8) fail(`${source}: ${bytes.length} bytes, too short for a safetensors file (truncated?)`, NOT_SAFETENSORS);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > bytes.length - 8) {
    fail(`${source}: header length ${headerLen} runs past the end of the file (${bytes.length} bytes; truncated?)`, NOT_SAFETENSORS);
  }
  if (headerLen > MAX_HEADER_BYTES) fail(`${source}: header of ${headerLen} bytes, over the ${MAX_HEADER_BYTES} a safetensors header may have`, NOT_SAFETENSORS);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    return fail(`${source}: header is not UTF-8 text`, NOT_SAFETENSORS);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return fail(`${source}: header is not valid JSON`, NOT_SAFETENSORS);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(`${source}: header is not a JSON object`, NOT_SAFETENSORS);
  const data = bytes.subarray(8 + headerLen);
  let metadata: Record<string, string> | null = null;
  const tensors: TensorEntry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = checkMetadata(v, source);
    else tensors.push(checkEntry(name, v, data.length, source));
  }
  checkCoverage(tensors, data.length, source);
  return { tensors, metadata, data };
}

function checkMetadata(v: unknown, source: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${source}: __metadata__ is not an object of strings`);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string') fail(`${source}: __metadata__.${k} is not a string (the format allows only strings)`);
  }
  return v as Record<string, string>;
}

function checkEntry(name: string, v: unknown, dataBytes: number, source: string): TensorEntry {
  const at = `${source}: tensor ${name}`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${at}: expected {dtype, shape, data_offsets}`);
  const o = v as Record<string, unknown>;
  const dtype = o.dtype;
  if (typeof dtype !== 'string' || DTYPE_BYTES[dtype] === undefined) fail(`${at}: unknown dtype ${JSON.stringify(dtype)}`);
  const shape = o.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) fail(`${at}: shape is not a list of whole numbers ≥ 0`);
  const offs = o.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || offs.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
    fail(`${at}: data_offsets is not a pair of whole numbers ≥ 0`);
  }
  const [begin, end] = offs as [number, number];
  if (begin > end) fail(`${at}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) fail(`${at}: data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes; truncated?)`);
  let n = 1;
  for (const d of shape as number[]) n *= d;
  const need = n * DTYPE_BYTES[dtype as string]!;
  if (need !== end - begin) fail(`${at}: shape [${(shape as number[]).join(', ')}] of ${dtype as string} needs ${need} bytes, data_offsets hold ${end - begin}`);
  return { name, dtype: dtype as string, shape: [...(shape as number[])], begin, end };
}

/** Tensors tile the data buffer exactly: no overlap, no byte outside every tensor. */
function checkCoverage(tensors: readonly TensorEntry[], dataBytes: number, source: string): void {
  const byStart = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0, prev: TensorEntry | null = null;
  for (const t of byStart) {
    if (t.begin < at) fail(`${source}: tensors ${prev!.name} and ${t.name} overlap (bytes ${t.begin}..${Math.min(at, t.end)})`, NOT_SAFETENSORS);
    if (t.begin > at) fail(`${source}: data bytes ${at}..${t.begin} belong to no tensor`, NOT_SAFETENSORS);
    at = t.end;
    prev = t;
  }
  if (at !== dataBytes) fail(`${source}: data bytes ${at}..${dataBytes} belong to no tensor`, NOT_SAFETENSORS);
}

/** Whether `dtype` is one readFloat32 converts. */
export const isFloatDtype = (dtype: string): dtype is FloatDtype => FLOAT_DTYPES.includes(dtype);

/** The values of a F32, F16 or BF16 tensor as float32 (exact for all three). */
export function readFloat32(file: SafetensorsFile, t: TensorEntry): Float32Array {
  const dv = new DataView(file.data.buffer, file.data.byteOffset + t.begin, t.end - t.begin);
  const out = new Float32Array(dv.byteLength / DTYPE_BYTES[t.dtype]!);
  if (t.dtype === 'F32') for (let k = 0; k < out.length; k++) out[k] = dv.getFloat32(4 * k, true);
  else if (t.dtype === 'BF16') {
    const w = new DataView(new ArrayBuffer(4));
    for (let k = 0; k < out.length; k++) { w.setUint32(0, dv.getUint16(2 * k, true) << 16); out[k] = w.getFloat32(0); }
  } else if (t.dtype === 'F16') for (let k = 0; k < out.length; k++) out[k] = halfToFloat(dv.getUint16(2 * k, true));
  else throw new RangeError(`readFloat32: ${t.dtype} is not a float dtype`);
  return out;
}

/** IEEE 754 binary16 bits to its value. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m === 0 ? sign * Infinity : NaN;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}
