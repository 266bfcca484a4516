// Where a training step's time goes on the WASM kernel: every pool dispatch is timed (wall clock,
// main thread, including the barrier) and summed per op; GEMMs are labelled with their M×N×K and
// the GFLOP/s they reached. Usage (after npm run build):
//   node bench/profile.mjs [cell layers hidden batch seqLen threads]   e.g. lstm 2 256 32 64 2
import { createWasmEngine } from '../dist/kernels/wasm/wasm-engine.js';
import { kernelModule, kernelVariant } from '../dist/kernels/wasm/module.js';
import { Pool } from '../dist/kernels/wasm/pool.js';
import { OPS } from '../dist/kernels/wasm/ops.js';
import { initParams } from '../dist/model/layout.js';
import { createRng } from '../dist/rng.js';
import { maskSpec } from '../dist/train/dropout.js';

const [cell = 'lstm', L = '2', H = '256', B = '32', T = '64', threads = '2'] = process.argv.slice(2);
const V = 65, steps = 10;
const times = new Map();
let on = false;
const run = Pool.prototype.run;
Pool.prototype.run = function (op, ...a) {
  if (!on) return run.call(this, op, ...a);
  const t0 = performance.now();
  run.call(this, op, ...a);
  const key = OPS[op] === 'gemm' ? `gemm ${a[0]}×${a[1]}×${a[2]}${a[4] === 1 ? ' (Aᵀ)' : ''}` : OPS[op];
  const e = times.get(key) ?? { ms: 0, calls: 0, flop: OPS[op] === 'gemm' ? 2 * a[0] * a[1] * a[2] : 0 };
  e.ms += performance.now() - t0; e.calls++; times.set(key, e);
};

const dropout = Number(process.env.DROPOUT ?? 0);
const cfg = { cell, layers: +L, hidden: +H, vocabSize: V, dropout };
const module = kernelModule();
const e = await createWasmEngine(cfg, +B, +T, { module, threads: +threads });
initParams(e.params, cfg, createRng(3).next); e.paramsChanged();
const r = createRng(5);
const x = new Int32Array(+B * +T).map(() => Math.floor(r.next() * V));
const y = new Int32Array(+B * +T).map(() => Math.floor(r.next() * V));
const opt = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
const step = (i) => { if (dropout > 0) e.fillMasks(maskSpec([1, 2], i, dropout, 'standard')); e.forwardBackward(x, y); const n = Math.sqrt(e.gradNormSq()); if (n > 5) e.scaleGrads(5 / n); e.optimizerStep(opt, 2e-3, i); };
for (let i = 1; i <= 3; i++) step(i);
on = true;
const t0 = performance.now();
for (let i = 4; i < 4 + steps; i++) step(i);
const total = performance.now() - t0;
on = false;
e.dispose();

console.log(`${cell} ${L}×${H}, batch ${B}, seq ${T}, ${threads} thread(s), kernel ${kernelVariant()}: `
  + `${(total / steps).toFixed(1)} ms/step, ${Math.round((steps * B * T) / (total / 1000)).toLocaleString('en-US')} chars/s`);
let accounted = 0;
for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
  accounted += v.ms;
  const gf = v.flop ? `${((v.flop * v.calls) / (v.ms / 1000) / 1e9).toFixed(1)} GFLOP/s` : '';
  console.log(`  ${k.padEnd(28)} ${(v.ms / steps).toFixed(2).padStart(8)} ms/step ${(100 * v.ms / total).toFixed(1).padStart(5)}%  ${String(v.calls / steps).padStart(4)} calls  ${gf}`);
}
console.log(`  ${'outside dispatches'.padEnd(28)} ${((total - accounted) / steps).toFixed(2).padStart(8)} ms/step ${(100 * (total - accounted) / total).toFixed(1).padStart(5)}%`);
