// Scans over a range [start, end) of UTF-16 offsets in a string, without slicing it: blank-range
// tests and code point counts. "Whitespace" is exactly what JavaScript's \s and String.trim treat
// as white space (https://tc39.es/ecma262/#sec-white-space plus line terminators); every such
// character is in the BMP, so one code unit at a time is enough.

export function isSpaceUnit(c: number): boolean {
  if (c > 0x20 && c < 0xa0) return false;
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f
    || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** True when text[start, end) is empty or only whitespace. */
export function isBlankRange(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpaceUnit(text.charCodeAt(i))) return false;
  return true;
}

/** Code points in text[start, end): UTF-16 units minus one per surrogate pair. A lone surrogate
 *  counts as one code point, as String.prototype.codePointAt treats it. */
export function countCodePoints(text: string, start: number, end: number): number {
  let pairs = 0;
  for (let i = start; i < end - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { pairs++; i++; }
    }
  }
  return end - start - pairs;
}

/** UTF-16 offset of the code point `k` code points after `start` (clamped to `end`). */
export function advanceCodePoints(text: string, start: number, end: number, k: number): number {
  let i = start;
  for (let seen = 0; seen < k && i < end; seen++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      i += d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    } else {
      i++;
    }
  }
  return i;
}
