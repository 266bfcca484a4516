// Bytes of one input file to normalised text: strip a leading BOM, reject NUL bytes and invalid
// UTF-8 (naming the byte offset), and turn CRLF and lone CR into LF. The fast path is native:
// buffer.isUtf8 (simdutf, strict like TextDecoder's fatal mode but without building a string),
// indexOf for NUL and CR, then one decode. The byte-by-byte scan runs only on invalid input.
// Line ends are normalised on the bytes (0x0D never occurs inside a multi-byte sequence), which
// avoids a second 100 MB string from String.replace.

import { constants as bufferConstants, isUtf8 } from 'node:buffer';
import { DataError } from '../errors.js';
import { findInvalidUtf8 } from './utf8.js';

/** Normalised text of a file's bytes. `name` is used in error messages. Byte offsets in errors are
 *  0-based offsets into the bytes as given (BOM included). */
export function decodeSource(name: string, bytes: Uint8Array): string {
  const skip = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + skip, bytes.byteLength - skip);
  const nul = body.indexOf(0);
  if (!isUtf8(body)) throw decodeError(name, body, skip, nul);
  if (nul >= 0) throw nulError(name, nul + skip);
  const lf = normalizeLineEnds(body);
  try {
    return lf.toString('utf8');
  } catch (err) {
    throw tooLarge(name, bytes.length, err);
  }
}

/** CRLF and lone CR to LF; `bytes` itself when it has no CR. */
function normalizeLineEnds(bytes: Buffer): Buffer {
  let cr = bytes.indexOf(0x0d);
  if (cr < 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let w = 0, r = 0;
  while (cr >= 0) {
    w += bytes.copy(out, w, r, cr);
    out[w++] = 0x0a;
    r = bytes[cr + 1] === 0x0a ? cr + 2 : cr + 1;
    cr = bytes.indexOf(0x0d, r);
  }
  w += bytes.copy(out, w, r);
  return out.subarray(0, w);
}

/** The error for a body isUtf8 rejected: whichever of a NUL byte and the first ill-formed
 *  sequence comes first. */
function decodeError(name: string, body: Uint8Array, skip: number, nul: number): DataError {
  const bad = findInvalidUtf8(body);
  if (bad === null) return new DataError(`${name}: invalid UTF-8`, 'the corpus must be UTF-8 text');
  if (nul >= 0 && nul < bad.offset) return nulError(name, nul + skip);
  return new DataError(
    `${name}: invalid UTF-8 at byte ${bad.offset + skip} (${bad.problem})`,
    `the corpus must be UTF-8 text; convert it first, e.g. iconv -f latin1 -t utf-8 ${name}`,
  );
}

function nulError(name: string, offset: number): DataError {
  return new DataError(`${name}: NUL byte at byte ${offset} (binary file?)`, 'give plain-text files only');
}

function tooLarge(name: string, size: number, cause: unknown): DataError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DataError(
    `${name}: cannot decode ${size} bytes as one string (${detail})`,
    `a single file must decode to at most ${bufferConstants.MAX_STRING_LENGTH} UTF-16 code units; split it into several files`,
  );
}
