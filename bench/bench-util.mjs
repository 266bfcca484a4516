// Helpers shared by the bench scripts: the shapes, the corpus, medians and repeated timing, number
// formatting, and the machine description. Progress goes to stderr; results go to stdout.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../dist/rng.js';

export const HERE = dirname(fileURLToPath(import.meta.url));
/** The built CLI, as users run it. */
export const RNN = join(HERE, '../bin/rnn');

const lastLine = (s) => (s ?? '').trim().split('\n').pop();

/** `rnn ARGS --json` to completion: its JSON output, or an Error naming the command and the last
 *  line it printed on stderr. */
export function rnnJson(args) {
  const p = spawnSync(process.execPath, [RNN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`rnn ${args.join(' ')} (exit ${p.status}): ${lastLine(p.stderr)}`);
  return JSON.parse(p.stdout);
}

/** rnnJson without blocking, for jobs that share the machine. */
export function rnnJsonAsync(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RNN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`rnn ${args.join(' ')} (exit ${code}): ${lastLine(err)}`))));
  });
}

/** The benchmark shapes (B streams × T steps per training window). */
export const SHAPES = {
  a: { key: 'a', cell: 'lstm', layers: 2, hidden: 256, batch: 32, seq: 64 },
  b: { key: 'b', cell: 'lstm', layers: 1, hidden: 128, batch: 50, seq: 50 },
  c: { key: 'c', cell: 'lstm', layers: 2, hidden: 512, batch: 50, seq: 50 },
  d: { key: 'd', cell: 'gru', layers: 2, hidden: 256, batch: 32, seq: 64 },
  // The time-budget rule's shapes (src/train/auto-settings.ts: GRU, 16 streams of 128): (g) is what
  // 30 minutes on tiny-shakespeare trains, (f) and (h) what 1 and 5 minutes pick on the quality
  // matrix's corpora, (e) the next size up.
  e: { key: 'e', cell: 'gru', layers: 2, hidden: 512, batch: 16, seq: 128 },
  f: { key: 'f', cell: 'gru', layers: 1, hidden: 128, batch: 16, seq: 128 },
  g: { key: 'g', cell: 'gru', layers: 2, hidden: 384, batch: 16, seq: 128 },
  h: { key: 'h', cell: 'gru', layers: 2, hidden: 192, batch: 16, seq: 128 },
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

/** The share of all cores busy (0..1) over `ms` milliseconds from /proc/stat, with this process
 *  asleep, and the processes that used the most CPU meanwhile; null where there is no /proc. */
export function busyShare(ms = 1500) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const procs = () => {
    const m = new Map();
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
        const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
        m.set(pid, { name, ticks: Number(rest[11]) + Number(rest[12]) });
      } catch { /* it ended */ }
    }
    return m;
  };
  try {
    const a = read(), pa = procs();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const b = read(), pb = procs();
    const total = b.total - a.total;
    const top = [...pb].map(([pid, p]) => ({ pid, name: p.name, ticks: p.ticks - (pa.get(pid)?.ticks ?? p.ticks) }))
      .filter((p) => p.ticks > 0).sort((x, y) => y.ticks - x.ticks).slice(0, 3);
    return { share: total > 0 ? 1 - (b.idle - a.idle) / total : 0, top: top.map((p) => `${p.name} (${p.pid})`) };
  } catch {
    return null;
  }
}

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
