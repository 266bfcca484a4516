// How a single character is shown in messages (unknown characters, vocabulary listings): visible
// characters quoted, common escapes spelled out, and anything invisible or ambiguous on its own
// (controls, format characters, separators other than space, combining marks, unassigned) as U+XXXX.

const ESCAPES: Record<number, string> = {
  0x09: "'\\t'",
  0x0a: "'\\n'",
  0x0d: "'\\r'",
  0x20: "' '",
  0x27: `"'"`,
  0x5c: "'\\\\'",
};

const INVISIBLE = /^[\p{C}\p{Z}\p{M}]$/u;

/** A display form of code point `cp`: 'a', '🙂', '\n', ' ', U+0007, U+200B. */
export function printableChar(cp: number): string {
  const esc = ESCAPES[cp];
  if (esc !== undefined) return esc;
  if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) return `<invalid ${cp}>`;
  const ch = String.fromCodePoint(cp);
  if (INVISIBLE.test(ch)) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${ch}'`;
}
