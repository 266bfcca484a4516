#!/usr/bin/env node
// Training throughput (chars/s) of rnn's kernels on tiny-shakespeare windows, side by side with
// PyTorch (../shared/peers/torch_peer.py) when python3 with torch is importable. Each figure is the
// median of --runs timings of --steps full training steps (forward, backward, clip, Adam).
// Usage: npm run bench -- [--shapes a,b,c,d] [--steps N] [--runs N] [--no-torch]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRefEngine } from '../dist/kernels/ref/ref-engine.js';
import { initParams } from '../dist/model/layout.js';
import { createRng } from '../dist/rng.js';
import { fillWindow, streamLayout } from '../dist/train/streams.js';

const here = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(here, '../../shared/corpora/tiny-shakespeare.txt');
const SHAPES = {
  a: { cell: 'lstm', layers: 2, hidden: 256, batch: 32, seq: 64 },
  b: { cell: 'lstm', layers: 1, hidden: 128, batch: 50, seq: 50 },
  c: { cell: 'lstm', layers: 2, hidden: 512, batch: 50, seq: 50 },
  d: { cell: 'gru', layers: 2, hidden: 256, batch: 32, seq: 64 },
};
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const shapes = arg('--shapes', 'a,b,c,d').split(',');
const steps = Number(arg('--steps', '3'));
const runs = Number(arg('--runs', '3'));
const withTorch = !process.argv.includes('--no-torch');
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

if (!existsSync(CORPUS)) { console.error(`bench: ${CORPUS} not found (the shared corpora sit beside the repository)`); process.exit(1); }
const text = readFileSync(CORPUS, 'utf8');
const chars = [...new Set(text)].sort();
const ids = new Map(chars.map((c, i) => [c, i + 1]));
const seq = new Uint16Array(text.length + 1);
for (let k = 0; k < text.length; k++) seq[k + 1] = ids.get(text[k]);
const V = chars.length + 1;

function rnnCharsPerSec(s) {
  const cfg = { cell: s.cell, layers: s.layers, hidden: s.hidden, vocabSize: V, dropout: 0 };
  const e = createRefEngine(cfg, s.batch, s.seq);
  initParams(e.params, cfg, createRng(1, 'init').next);
  const lay = streamLayout(seq.length, s.batch, s.seq);
  const x = new Int32Array(s.batch * s.seq), y = new Int32Array(s.batch * s.seq);
  const opt = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
  let w = 0, t = 0;
  const step = () => {
    fillWindow(seq, lay, w++ % lay.windows, x, y);
    e.forwardBackward(x, y);
    const n = Math.sqrt(e.gradNormSq());
    if (n > 5) e.scaleGrads(5 / (n + 1e-6));
    e.optimizerStep(opt, 2e-3, ++t);
  };
  step(); // warm-up (JIT)
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) step();
    rates.push((steps * s.batch * s.seq) / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

function torchCharsPerSec(s) {
  const peer = join(here, '../../shared/peers/torch_peer.py');
  const rates = [];
  for (let r = 0; r < runs; r++) {
    const p = spawnSync('/usr/bin/python3', [peer, CORPUS, '--cell', s.cell, '--layers', String(s.layers), '--hidden', String(s.hidden),
      '--batch', String(s.batch), '--seq', String(s.seq), '--steps', '30', '--threads', '1'],
    { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2' } });
    const m = /chars_per_s=([\d.]+)/.exec(p.stdout ?? '');
    if (!m) return null;
    rates.push(Number(m[1]));
  }
  return median(rates);
}

console.log(`# rnn throughput bench, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, median of ${runs} runs × ${steps} steps`);
console.log('| shape | rnn ts (chars/s) | PyTorch (chars/s) | ratio |');
console.log('|---|---:|---:|---:|');
for (const k of shapes) {
  const s = SHAPES[k];
  const ts = rnnCharsPerSec(s);
  const pt = withTorch ? torchCharsPerSec(s) : null;
  const name = `(${k}) ${s.cell.toUpperCase()} ${s.layers}×${s.hidden}, B${s.batch} T${s.seq}`;
  console.log(`| ${name} | ${Math.round(ts).toLocaleString('en-US')} | ${pt === null ? '-' : Math.round(pt).toLocaleString('en-US')} | ${pt === null ? '-' : (ts / pt).toFixed(3)} |`);
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
