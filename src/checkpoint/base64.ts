// Base64 both ways without depending on Node: Node's Buffer where it exists (fast, and what
// checkpoints were always written with), else a plain loop, so the browser build (src/api/browser.ts)
// reads and writes the same tensors. Callers check the alphabet first (tensor-codec.ts).

type NodeBuffer = { from(a: ArrayBufferLike | string, o?: number | string, l?: number): { toString(enc: string): string; write(s: string, enc: string): number } };
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Uint8Array(128);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Padded standard base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return NodeBuf ? NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : toBase64Plain(bytes);
}

/** Decode canonical base64 `s` (already checked) into `out`, which holds exactly its bytes. */
export function fromBase64Into(s: string, out: Uint8Array): void {
  if (NodeBuf) NodeBuf.from(out.buffer, out.byteOffset, out.byteLength).write(s, 'base64');
  else fromBase64IntoPlain(s, out);
}

/** The loops used where there is no Buffer (exported for the tests that compare them with it). */
export function toBase64Plain(bytes: Uint8Array): string {
  let s = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8);
    s += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + (i + 1 < n ? ALPHABET[(v >> 6) & 63]! : '=') + '=';
  }
  return s;
}

export function fromBase64IntoPlain(s: string, out: Uint8Array): void {
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const v = (VALUE[s.charCodeAt(i)]! << 18) | (VALUE[s.charCodeAt(i + 1)]! << 12) | (VALUE[s.charCodeAt(i + 2)]! << 6) | VALUE[s.charCodeAt(i + 3)]!;
    if (o < out.length) out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
}
