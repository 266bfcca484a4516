// Helpers shared by the bench scripts: the shapes, the corpus, medians and repeated timing, number
// formatting, and the machine description. Progress goes to stderr; results go to stdout.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../dist/rng.js';

export const HERE = dirname(fileURLToPath(import.meta.url));

/** The benchmark shapes (B streams × T steps per training window). */
export const SHAPES = {
  a: { key: 'a', cell: 'lstm', layers: 2, hidden: 256, batch: 32, seq: 64 },
  b: { key: 'b', cell: 'lstm', layers: 1, hidden: 128, batch: 50, seq: 50 },
  c: { key: 'c', cell: 'lstm', layers: 2, hidden: 512, batch: 50, seq: 50 },
  d: { key: 'd', cell: 'gru', layers: 2, hidden: 256, batch: 32, seq: 64 },
};

export const shapeName = (s) => `(${s.key}) ${s.cell.toUpperCase()} ${s.layers}×${s.hidden}, B${s.batch} T${s.seq}`;

/** G: gate rows per layer, as src/model/config.ts gateRows. */
export const gateRows = (cell, H) => (cell === 'lstm' ? 4 * H : cell === 'gru' ? 3 * H : H);

export const log = (msg) => process.stderr.write(`  … ${msg}\n`);

/** Median (mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((p, q) => p - q), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds taken by fn(). */
export function seconds(fn) {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** Repetitions of n calls of fn that take about `target` seconds, from a short timed trial that
 *  also serves as warm-up (at least `minTrial` calls). */
export function callsFor(fn, target, minTrial = 2) {
  let calls = 0;
  const t0 = performance.now();
  while (calls < minTrial || performance.now() - t0 < Math.min(200, target * 250)) { fn(); calls++; }
  const per = (performance.now() - t0) / 1000 / calls;
  return Math.max(1, Math.round(target / per));
}

// ---- formatting --------------------------------------------------------------------------------

const int = (x) => Math.round(x).toLocaleString('en-US');
/** A rate: thousands separators; three significant digits below 100. */
export const fmtRate = (x) => (x == null ? '-' : x >= 100 ? int(x) : x.toPrecision(3));
export const fmtGflops = (x) => (x == null ? '-' : x >= 10 ? x.toFixed(1) : x.toFixed(2));
export const fmtRatio = (x) => (x == null ? '-' : x.toFixed(x >= 10 ? 1 : 2));
export const fmtRuns = (xs, fmt) => xs.map(fmt).join(' · ');
export const pad = (s, n) => String(s).padEnd(n);
export const padL = (s, n) => String(s).padStart(n);

// ---- machine -----------------------------------------------------------------------------------

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  let flags = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? model;
    flags = (/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(' ');
  } catch { /* not Linux: os.cpus() gave the model */ }
  const simd = ['avx512f', 'avx2', 'fma'].filter((f) => flags.includes(f));
  return { model, simd, cores: availableParallelism(), logical: cpus().length, node: process.version };
}

// ---- corpus ------------------------------------------------------------------------------------

/** tiny-shakespeare's 65 characters, for a generated stand-in when the shared corpus is absent. */
const ALPHABET = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The corpus file (generated into tmpdir when ../shared/corpora is absent), its training tokens
 *  encoded as rnn does (EOS = 0 first, then the first 90% of the text; ids 1.. by sorted
 *  character), V (characters + EOS) and the characters. */
export function loadCorpus() {
  let path = join(HERE, '../../shared/corpora/tiny-shakespeare.txt');
  let generated = false;
  if (!existsSync(path)) {
    const rng = createRng(7, 'bench-corpus');
    let text = ALPHABET;
    const parts = [];
    for (let k = 0; k < 1_100_000; k++) parts.push(ALPHABET[Math.floor(rng.next() * ALPHABET.length)]);
    text += parts.join('');
    path = join(tmpdir(), `rnn-bench-corpus-${process.pid}.txt`);
    writeFileSync(path, text);
    process.on('exit', () => rmSync(path, { force: true }));
    generated = true;
  }
  const text = readFileSync(path, 'utf8');
  const chars = [...new Set(text)].sort();
  const ids = new Map(chars.map((c, i) => [c, i + 1]));
  const n = Math.floor(text.length * 0.9);
  const tokens = new Uint16Array(n + 1);
  for (let k = 0; k < n; k++) tokens[k + 1] = ids.get(text[k]);
  return { path, generated, length: text.length, tokens, chars, V: chars.length + 1 };
}
