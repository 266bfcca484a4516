// Durations as the --time setting takes them: plain seconds (`90`), or with units (`90s`, `30m`,
// `2h`, `1h30m`). Shared by the command line's parser and the library's option check, which each
// word their own error.

/** Seconds, or null when `text` is not a duration; a duration of 0 reads as 0 (callers want > 0). */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(h|m|s)/g;
  let total = 0, used = 0, m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) { total += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as 'h' | 'm' | 's']; used += m[0].length; }
  return used === s.length && used > 0 ? total : null;
}
