// Chaos: a training run interrupted again and again at random moments by SIGINT, SIGTERM and
// SIGKILL, each time resumed from its last.json (or last.prev.json when that is the one that
// loads, or from scratch when no checkpoint was written yet), on a random thread count, until it
// finishes. Used by test/chaos.test.ts (a few interruptions) and bench/chaos.mjs (many). The
// moments come from a seeded generator, so a failure can be replayed; what is checked afterwards
// holds wherever the interruptions land.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RNN = join(root, 'bin', 'rnn');
const { loadCheckpoint } = await import(join(root, 'dist', 'checkpoint', 'io.js'));

/** mulberry32: a small seeded generator for the harness's own choices. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run `rnn ARGS`. With `signal`: send it `afterMs` after the start, or, with `atStep`, `afterMs`
 *  after the progress line of that step (the run must then not be --quiet). */
export function runRnn(args, { signal, afterMs = 0, atStep } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [RNN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '', timer = null;
    const fire = () => { timer = setTimeout(() => child.kill(signal), afterMs); };
    if (signal && atStep === undefined) fire();
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      if (signal && atStep !== undefined && timer === null) {
        const m = /step (\d+)\/\d+[^\n]*\n[^]*$/.exec(stderr.slice(-400));
        if (m && Number(m[1]) >= atStep) fire();
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => { if (timer) clearTimeout(timer); resolvePromise({ code, signal: sig, stderr }); });
  });
}

function loads(path) {
  if (!existsSync(path)) return null;
  try { return loadCheckpoint(path); } catch { return null; }
}

/**
 * Train `args` (a fresh run's arguments, with --out DIR and --steps N, not --quiet) to the end
 * through `interruptions` interruptions. A fifth of them come in the first `startupMs` after the
 * start (reading the corpus, building the engines, the first steps); the rest a few milliseconds
 * after the progress line of a random step a little past where the run resumed (within about
 * twice its share of the run, and never in the last `margin` steps), a third of them at a save
 * step (`saveEvery`), so they land inside steps, validations and saves, before the run ends,
 * however fast the machine. With `damage`, that share of the interruptions also flips one
 * character of a tensor in last.json, as a failing disk would, so the run must come back through
 * the checksum and last.prev.json. Returns the counts of each kind, of each way back (a fresh
 * start, last.json, last.prev.json), and any end that was not one of the expected ones.
 */
export async function chaosRun({ args, out, steps, interruptions, saveEvery = 1, startupMs = 300, margin = 50, damage = 0, seed = 1, log = () => {} }) {
  const rand = seeded(seed);
  const kinds = ['SIGINT', 'SIGTERM', 'SIGKILL'];
  const counts = { SIGINT: 0, SIGTERM: 0, SIGKILL: 0 };
  const ways = { fresh: 0, last: 0, prev: 0 };
  const unexpected = [];
  let landed = 0, damaged = 0;
  const spread = Math.max(1, Math.ceil((2 * (steps - margin)) / interruptions));
  for (let attempt = 1; ; attempt++) {
    const last = loads(join(out, 'last.json')), prev = last ? null : loads(join(out, 'last.prev.json'));
    if (last?.training?.step === steps) break;
    const at = last?.training?.step ?? prev?.training?.step ?? 0;
    const threads = String(1 + Math.floor(rand() * 2));
    let cmd;
    if (last) { cmd = ['train', '--resume', join(out, 'last.json'), '--threads', threads]; ways.last++; }
    else if (prev) { cmd = ['train', '--resume', join(out, 'last.prev.json'), '--threads', threads]; ways.prev++; }
    else { cmd = [...args, '--force', '--threads', threads]; ways.fresh++; }
    const interrupt = landed < interruptions;
    const signal = kinds[Math.floor(rand() * kinds.length)];
    const early = rand() < 0.2 || at >= steps - margin;
    let target = at + Math.floor(rand() * Math.min(spread, steps - margin - at));
    if (rand() < 1 / 3) target = Math.min(steps - margin, Math.ceil((target + 1) / saveEvery) * saveEvery);
    const when = early ? { afterMs: Math.floor(rand() * startupMs) } : { atStep: target, afterMs: Math.floor(rand() * 5) };
    const r = await runRnn(cmd, interrupt ? { signal, ...when } : {});
    const stopped = interrupt && r.code !== 0;
    if (stopped) { counts[signal]++; landed++; }
    if (stopped && rand() < damage && damageTensor(join(out, 'last.json'))) damaged++;
    // Acceptable ends: finished (0), saved and stopped (130, 143), or killed by the signal before
    // its handler was installed; anything else is a failure of the run itself.
    const ok = r.code === 0 || (interrupt && (r.code === (signal === 'SIGINT' ? 130 : 143) || r.signal === signal));
    if (!ok) unexpected.push({ cmd: cmd.join(' '), signal: interrupt ? signal : null, code: r.code, stderr: r.stderr.trim().split('\n').slice(-3).join(' | ') });
    log(`${attempt}: from step ${at}, ${interrupt ? `${signal} ${when.atStep !== undefined ? `at step ${when.atStep} + ` : 'after '}${when.afterMs} ms` : 'no signal'} → ${r.code ?? r.signal}`);
    if (attempt > 3 * interruptions + 10) throw new Error(`the run did not finish after ${attempt} attempts: ${JSON.stringify(unexpected.slice(-3))}`);
  }
  return { counts, ways, unexpected, landed, damaged };
}

/** Flip one base64 character inside the first tensor's data (still valid base64, still finite
 *  floats in all likelihood: only the checksum can tell). */
function damageTensor(path) {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf('"data":"') + 8 + 12;
  if (at < 20) return false;
  const c = text[at];
  writeFileSync(path, text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1));
  return true;
}

/** A checkpoint's content without its wall-clock fields (when it was written, training seconds,
 *  and each metrics row's time and rate). */
export function essence(path) {
  const ck = JSON.parse(readFileSync(path, 'utf8'));
  delete ck.createdAt;
  if (ck.training) {
    delete ck.training.elapsedSec;
    delete ck.training.rowSums?.sec;
    for (const row of ck.training.metrics) { delete row.time; delete row.charsPerSec; }
  }
  return ck;
}

/** metrics.jsonl's steps, in order. */
export function loggedSteps(path) {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line).step);
}
