// CRC-32 of tensor bytes, so a checkpoint damaged after it was written (a flipped bit on disk, a
// bad copy) is refused instead of loading changed weights. The IEEE 802.3 CRC that zlib, gzip and
// PNG use: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF; check value
// crc32("123456789") = 0xcbf43926 (https://reveng.sourceforge.io/crc-catalogue/17plus.htm#crc.cat.crc-32-iso-hdlc).
// It detects every error burst of up to 32 bits and so every single changed byte. Pure TypeScript
// (no node:crypto or zlib) so that a browser can check a checkpoint too.

/** Slicing-by-4 tables (Intel's "slicing-by-8" paper, four of the eight): T[k·256 + b] is the CRC
 *  state change of byte b followed by k zero bytes, so four bytes are folded in per step. */
const T = new Int32Array(4 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[b] = c;
}
for (let i = 256; i < 1024; i++) T[i] = (T[i - 256]! >>> 8) ^ T[T[i - 256]! & 0xff]!;

/** CRC-32 of `bytes` as an unsigned 32-bit number. `crc` continues a previous call's result, so
 *  crc32(b, crc32(a)) = crc32(a ++ b). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  const n = bytes.length, n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = T[768 + (c & 0xff)]! ^ T[512 + ((c >>> 8) & 0xff)]! ^ T[256 + ((c >>> 16) & 0xff)]! ^ T[c >>> 24]!;
  }
  for (; i < n; i++) c = T[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The checkpoint's spelling of a CRC: 8 lowercase hex digits. */
export function crc32Hex(bytes: Uint8Array): string {
  return crc32(bytes).toString(16).padStart(8, '0');
}

export const CRC32_HEX = /^[0-9a-f]{8}$/;
