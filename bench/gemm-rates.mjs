// GFLOP/s of the kernel module's gemm op in the three forms a training step uses, called through
// Pool (src/kernels/wasm/pool.ts) over one shared WebAssembly.Memory with the arguments
// wasm-engine.ts passes (strides in elements, G = 4H for LSTM, 3H for GRU):
//   recurrent    (B, G) += h (B, H) · W_hhᵀ (H, G)             each time step; threads split columns
//                (inside lstmFwdStep/gruFwdStep the same tiles run on each thread's gate columns)
//   projection   (T·B, G) = bias + x (T·B, H) · W_ihᵀ (H, G)   each layer above the first, and the head
//   weight grad  (G, H) = dGᵀ · h: transpose dG (T·B, G) to (G, T·B), then a row-major product
// FLOPs are 2·M·N·K per product; the transpose of the weight-gradient form is in its time.
// Inputs are uniform in [-0.5, 0.5); accumulating outputs grow but stay far from overflow.

import { OP } from '../dist/kernels/wasm/ops.js';
import { Pool } from '../dist/kernels/wasm/pool.js';
import { createRng } from '../dist/rng.js';
import { callsFor, gateRows, seconds } from './bench-util.mjs';

/** Bytes below this are the module's own (wasm-engine.ts keeps the same reservation). */
const RESERVED = 65536;

const dimsOf = (s) => ({ B: s.batch, H: s.hidden, G: gateRows(s.cell, s.hidden), TB: s.seq * s.batch });

/** Floats per buffer: x (T·B, H) input or h, w (H, G) packed weights, c (T·B, G) output, dg
 *  (T·B, G) gate gradients, t (G, T·B) their transpose, dw (G, H) weight gradient, bias (G). */
const buffersOf = ({ H, G, TB }) => ({ x: TB * H, w: H * G, c: TB * G, dg: TB * G, t: G * TB, dw: G * H, bias: G });

/** The three forms for a shape over buffers p: { form, mnk, flops, run(pool) }. */
function forms(s, p) {
  const { H, G, TB, B } = dimsOf(s);
  return [
    { form: 'recurrent B×G×H', mnk: [B, G, H], run: (pool) => pool.run(OP.gemm, B, G, H, p.x, H, 1, p.w, G, p.c, G, 1, 0, 1) },
    { form: 'projection TB×G×H', mnk: [TB, G, H], run: (pool) => pool.run(OP.gemm, TB, G, H, p.x, H, 1, p.w, G, p.c, G, 2, p.bias, 0) },
    {
      form: 'weight grad G×H×TB', mnk: [G, H, TB], run: (pool) => {
        pool.run(OP.transpose, TB, G, p.dg, p.t);
        pool.run(OP.gemm, G, H, TB, p.t, TB, 1, p.x, H, p.dw, H, 0, 0, 0);
      },
    },
  ].map((f) => ({ ...f, flops: 2 * f.mnk[0] * f.mnk[1] * f.mnk[2] }));
}

/** For each shape and form, GFLOP/s per thread count: rows of { shape, form, mnk, runs: Map(threads → [GFLOP/s]) }.
 *  Each figure times `calls` calls chosen to take about `target` seconds; thread counts alternate
 *  within each repetition. */
export async function gemmRates(module, shapes, threadCounts, { reps, target, onRow }) {
  // One set of buffers, sized for the largest of each.
  const need = {};
  for (const s of shapes) for (const [k, n] of Object.entries(buffersOf(dimsOf(s)))) need[k] = Math.max(need[k] ?? 0, n);
  let top = RESERVED;
  const p = {};
  for (const [k, n] of Object.entries(need)) { p[k] = top; top = Math.ceil((top + 4 * n) / 64) * 64; }
  const memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536), maximum: Math.ceil(top / 65536), shared: true });
  const all = new Float32Array(memory.buffer, RESERVED, (top - RESERVED) / 4);
  const rng = createRng(3, 'bench-gemm');
  for (let i = 0; i < all.length; i++) all[i] = rng.next() - 0.5;

  const pools = new Map();
  for (const n of threadCounts) pools.set(n, await Pool.create(module, memory, n));
  const rows = [];
  try {
    for (const s of shapes) {
      for (const f of forms(s, p)) {
        const calls = new Map(threadCounts.map((n) => [n, callsFor(() => f.run(pools.get(n)), target)]));
        const runs = new Map(threadCounts.map((n) => [n, []]));
        for (let r = 0; r < reps; r++) {
          for (const n of threadCounts) {
            const pool = pools.get(n), k = calls.get(n);
            const sec = seconds(() => { for (let i = 0; i < k; i++) f.run(pool); });
            runs.get(n).push((k * f.flops) / sec / 1e9);
          }
        }
        const row = { shape: s, form: f.form, mnk: f.mnk, runs };
        rows.push(row);
        onRow?.(row);
      }
    }
  } finally {
    for (const pool of pools.values()) pool.dispose();
  }
  return rows;
}
