// The protobuf wire format, write side only, for the few ONNX messages export/onnx-format.ts needs.
// https://protobuf.dev/programming-guides/encoding/ : a field is a varint key (number << 3 | wire
// type) then its value; wire type 0 is a varint, 2 a length-prefixed byte string (strings, bytes,
// nested messages). A message is the concatenation of its fields, so these return byte chunks.

export type Chunk = Uint8Array;

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

/** Unsigned LEB128 of a non-negative safe integer (all ONNX ids, dims and enums written here). */
export function varint(n: number): Chunk {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint: ${n} is not a non-negative safe integer`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

export function concat(chunks: readonly Chunk[]): Chunk {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let k = 0;
  for (const c of chunks) { out.set(c, k); k += c.length; }
  return out;
}

const key = (field: number, wire: number): Chunk => varint(field * 8 + wire);

/** An int32/int64/enum field (non-negative values only). */
export const intField = (field: number, n: number): Chunk => concat([key(field, WIRE_VARINT), varint(n)]);
/** A bytes field, or a nested message given as its chunks. */
export const bytesField = (field: number, bytes: Chunk | readonly Chunk[]): Chunk => {
  const b = bytes instanceof Uint8Array ? bytes : concat(bytes);
  return concat([key(field, WIRE_LEN), varint(b.length), b]);
};
export const stringField = (field: number, s: string): Chunk => bytesField(field, new TextEncoder().encode(s));
