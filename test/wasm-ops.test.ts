// Every op the WASM kernel module exports, one at a time, against the TypeScript reference kernels
// (src/kernels/ref/*.ts) run in float64 on the same float32 inputs. Shapes are deliberately awkward:
// sizes that are not multiples of 4 (the SIMD width), 8 (the GEMM tile and the cells' per-thread
// unit block) or 256 (the GEMM's K block), down to 1, and a few that cross a K block. Every op runs
// on pools of 1, 2 and 3 threads over the same inputs, and the results must be bit-identical across
// thread counts (each op gives every output element a single owner and never splits a sum).
// Both shipped builds are checked: kernels-fma.wasm (relaxed SIMD, what kernelModule() prefers)
// and kernels.wasm (plain SIMD, the fallback).
//
// Tolerance: for an output tensor `a` and its float64 reference `b`, with S = max_k |b_k|,
//   max_k |a_k − b_k| ≤ 1e-5 · S
// i.e. |a − b| ≤ 1e-5 · max(|b|, S) elementwise (S dominates |b|). An all-zero reference demands an
// exact match. Float32 rounding (2^-24 ≈ 6e-8 per operation) and the kernels' exp/tanh polynomials
// (≈ 1e-7 relative) stay well inside it; a wrong index, a missed tail or a dropped term does not.
// Padding around strided outputs (the GEMM's ldc > N) must come back untouched, bit for bit.
//
// Every op runs through its typed call (src/kernels/wasm/kernel-calls.ts: the AssemblyScript
// export's arguments minus the leading (ith, nth), modes named); pointers are byte offsets into the
// shared memory, all ≥ 65536.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../src/rng.js';
import { distFile, instantiate, kernelModule, kernelUnavailable, kernelVariant } from '../src/kernels/wasm/module.js';
import { Pool } from '../src/kernels/wasm/pool.js';
import { OPS } from '../src/kernels/wasm/ops.js';
import * as op from '../src/kernels/wasm/kernel-calls.js';
import { GEMM_MODE, GEMM_SPLIT, NO_BUFFER, type GemmMode, type GemmSplit } from '../src/kernels/wasm/kernel-calls.js';
import { addBias, addColSums, gemmAB, gemmABt, gemmAtB } from '../src/kernels/ref/gemm.js';
import { lstmBackward, lstmForward } from '../src/kernels/ref/lstm-cell.js';
import { gruBackward, gruForward } from '../src/kernels/ref/gru-cell.js';
import { rnnBackward, rnnForward } from '../src/kernels/ref/rnn-cell.js';
import { embedBackward, embedForward } from '../src/kernels/ref/embedding.js';
import { softmaxXent } from '../src/kernels/ref/softmax-xent.js';
import { adamUpdate, rmspropUpdate, scaleInPlace, sgdUpdate, sumSquares } from '../src/kernels/ref/optim.js';
import { fillMasks } from '../src/kernels/ref/dropout-mask.js';
import type { MaskSpec } from '../src/kernels/engine.js';

const TOL = 1e-5;
const THREADS = [1, 2, 3] as const;
const BASE = 65536;          // first byte the tests use (below it: the module's reserved page)
const PAGES = 256;           // 16 MiB of shared memory per build

// ---------------------------------------------------------------------------------------------
// Seeded inputs, so a failure reproduces exactly.

type Rand = () => number;
/** Seeded from a label with the project's generator (src/rng.ts): every input below is reproducible. */
function rand(seedText: string): () => number {
  return createRng(0, seedText).next;
}
/** n float32 values uniform in [lo, hi). */
function uniform(r: Rand, n: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = lo + (hi - lo) * r();
  return a;
}
function ints(r: Rand, n: number, below: number): Int32Array {
  const a = new Int32Array(n);
  for (let k = 0; k < n; k++) a[k] = Math.floor(r() * below);
  return a;
}
const f64 = (a: ArrayLike<number>): Float64Array => Float64Array.from(a);
/** (R, C) row-major → (C, R) row-major. */
function transposed(a: ArrayLike<number>, R: number, C: number): Float64Array {
  const t = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) t[c * R + r] = a[r * C + c]!;
  return t;
}

// ---------------------------------------------------------------------------------------------
// The tolerance check, and the largest error seen per op (printed when RNN_TEST_REPORT is set).

const worst = new Map<string, number>();
let buildTag = '';
function note(op: string, e: number): void {
  const key = `${buildTag} ${op}`;
  worst.set(key, Math.max(worst.get(key) ?? 0, e));
}
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0, diff = 0;
  for (let k = 0; k < want.length; k++) {
    scale = Math.max(scale, Math.abs(want[k]!));
    const d = Math.abs(got[k]! - want[k]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
  }
  if (scale === 0) return diff === 0 ? 0 : Infinity;
  return diff / scale;
}
function close(op: string, what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const e = relErr(got, want);
  note(op, e);
  expect(e, `${what}: max |wasm − ref| / max |ref|`).toBeLessThanOrEqual(TOL);
}

// ---------------------------------------------------------------------------------------------
// Shared memory, a bump allocator over it, and running one op on every pool.

interface Region { ptr: number; bytes: number }

class Heap {
  top = BASE;
  constructor(readonly buf: ArrayBuffer) {}
  private take(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 64) * 64 + 64; // a gap, so an overrun lands on nothing we read
    if (this.top > this.buf.byteLength) throw new RangeError('test heap exhausted');
    return at;
  }
  f32(n: number): { ptr: number; v: Float32Array; region: Region } {
    const ptr = this.take(4 * n);
    return { ptr, v: new Float32Array(this.buf, ptr, n), region: { ptr, bytes: 4 * n } };
  }
  i32(n: number): { ptr: number; v: Int32Array; region: Region } {
    const ptr = this.take(4 * n);
    return { ptr, v: new Int32Array(this.buf, ptr, n), region: { ptr, bytes: 4 * n } };
  }
  f64(n: number): { ptr: number; v: Float64Array; region: Region } {
    const ptr = this.take(8 * n);
    return { ptr, v: new Float64Array(this.buf, ptr, n), region: { ptr, bytes: 8 * n } };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

interface Build { tag: string; label: string; module: () => WebAssembly.Module }

const BUILDS: Build[] = [
  {
    tag: 'default',
    label: 'default build',
    module: () => {
      const m = kernelModule();
      expect(m, `kernel module: ${kernelUnavailable()}`).not.toBeNull();
      return m!;
    },
  },
  { tag: 'simd', label: 'plain-SIMD build (kernels.wasm)', module: () => new WebAssembly.Module(readFileSync(distFile('kernels.wasm'))) },
];

for (const build of BUILDS) {
  describe(`WASM ops vs the TypeScript reference — ${build.label}`, () => {
    let memory: WebAssembly.Memory;
    let buf: ArrayBuffer;
    const pools: Pool[] = [];

    beforeAll(async () => {
      buildTag = build.tag;
      memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
      buf = memory.buffer as unknown as ArrayBuffer;
      const module = build.module();
      for (const n of THREADS) pools.push(await Pool.create(module, memory, n));
    });
    afterAll(() => {
      for (const p of pools) p.dispose();
      if (process.env.RNN_TEST_REPORT && build === BUILDS[BUILDS.length - 1]) {
        console.log(`largest relative error per op ('default' is kernelModule(), here ${kernelVariant()}):`);
        for (const [op, e] of [...worst].sort()) console.log(`  ${op.padEnd(20)} ${e.toExponential(2)}`);
      }
    });

    /** For each thread count: write the inputs, run the op, snapshot `outs`; the snapshots must be
     *  bit-identical. Memory is left holding the results (of the last pool, equal to all). */
    function everyPool(what: string, write: () => void, run: (p: Pool) => void, outs: Region[]): void {
      let first: Uint8Array[] | null = null;
      for (const pool of pools) {
        write();
        run(pool);
        const snap = outs.map((o) => new Uint8Array(buf, o.ptr, o.bytes).slice());
        if (!first) { first = snap; continue; }
        snap.forEach((s, i) => expect(sameBytes(s, first![i]!), `${what}: output ${i} with ${pool.nth} threads equals 1 thread, bit for bit`).toBe(true));
      }
    }

    it('exports a function for every op that ops.ts numbers, and no other function', () => {
      const exports = Object.entries(instantiate(build.module(), memory).exports);
      const fns = exports.filter(([, v]) => typeof v === 'function').map(([name]) => name);
      expect([...fns].sort()).toEqual([...OPS].sort());
    });

    // -------------------------------------------------------------------------------------------
    // GEMM, in the three uses training makes of it, each with A read row-major (sa = lda, sk = 1)
    // and read transposed (sa = 1, sk = lda), in every GEMM_MODE (overwrite C = A·B, accumulate
    // C += A·B, bias C = bias + A·B), with threads splitting rows or columns (GEMM_SPLIT).
    //
    // In the reference's terms (M, N, K):
    //   forward      C (M, N) = A (M, K) · W (N, K)ᵀ   gemmABt; the kernel gets B = Wᵀ (K, N) packed
    //   backInput    dA (M, K) += dC (M, N) · W (N, K)  gemmAB;  kernel: M×K output, depth N, B = W
    //   backWeight   dW (N, K) += dC (M, N)ᵀ · A (M, K) gemmAtB; kernel: N×K output, depth M, A = dCᵀ
    describe('gemm', () => {
      type Use = 'forward' | 'backInput' | 'backWeight';
      // [M, N, K, pad]: pad extra floats on every row stride (lda, ldb, ldc).
      const shapes: [number, number, number, number][] = [
        [1, 1, 1, 0], [3, 5, 2, 1], [9, 13, 7, 3], [8, 16, 12, 0], [4, 8, 513, 0],
        [17, 30, 257, 3], [300, 9, 11, 1], [6, 40, 260, 0], [33, 12, 5, 2], [5, 3, 256, 0],
        // 6-row panels with 4 or 8 rows left (16, 32: 6+6+4, 6·4+4+4) and column tails (13, 9).
        [16, 24, 40, 1], [32, 9, 20, 0], [12, 13, 9, 2],
      ];
      for (const use of ['forward', 'backInput', 'backWeight'] as Use[]) {
        for (const [M, N, K, pad] of shapes) {
          it(`${use} M=${M} N=${N} K=${K} pad=${pad}: every mode, A normal and transposed, rows or columns split`, () => {
            const r = rand(`gemm ${use} ${M} ${N} ${K}`);
            // Reference operands in their natural shapes.
            const X = uniform(r, M * (use === 'forward' ? K : N));        // A (M, K) or dC (M, N)
            const Y = uniform(r, use === 'backWeight' ? M * K : N * K);   // W (N, K) or A (M, K)
            // The kernel's view: Aw (Mw, Kw), Bw (Kw, Nw) row-major, Cw (Mw, Nw).
            let Mw: number, Nw: number, Kw: number, Aw: Float64Array, Bw: Float64Array;
            if (use === 'forward') { Mw = M; Nw = N; Kw = K; Aw = f64(X); Bw = transposed(Y, N, K); }
            else if (use === 'backInput') { Mw = M; Nw = K; Kw = N; Aw = f64(X); Bw = f64(Y); }
            else { Mw = N; Nw = K; Kw = M; Aw = transposed(X, M, N); Bw = f64(Y); }
            const C0 = uniform(r, Mw * Nw), bias = uniform(r, Nw), sentinel = uniform(r, Mw * (Nw + pad), 100, 200);

            for (const aT of [false, true]) {
              for (const [modeName, mode] of Object.entries(GEMM_MODE) as [string, GemmMode][]) {
                for (const [splitName, split] of Object.entries(GEMM_SPLIT) as [string, GemmSplit][]) {
                  const heap = new Heap(buf);
                  const lda = (aT ? Mw : Kw) + pad, ldb = Nw + pad, ldc = Nw + pad;
                  const a = heap.f32((aT ? Kw : Mw) * lda), b = heap.f32(Kw * ldb), c = heap.f32(Mw * ldc), bs = heap.f32(Nw);
                  const write = (): void => {
                    a.v.fill(-7);
                    for (let i = 0; i < Mw; i++) for (let k = 0; k < Kw; k++) a.v[aT ? k * lda + i : i * lda + k] = Aw[i * Kw + k]!;
                    b.v.fill(-7);
                    for (let k = 0; k < Kw; k++) for (let j = 0; j < Nw; j++) b.v[k * ldb + j] = Bw[k * Nw + j]!;
                    c.v.set(sentinel);
                    if (mode === GEMM_MODE.accumulate) for (let i = 0; i < Mw; i++) for (let j = 0; j < Nw; j++) c.v[i * ldc + j] = C0[i * Nw + j]!;
                    bs.v.set(bias);
                  };
                  const what = `${use} A${aT ? 'ᵀ' : ''} mode ${modeName} split ${splitName}`;
                  everyPool(what, write, (p) => op.gemm(p, Mw, Nw, Kw, a.ptr, aT ? 1 : lda, aT ? lda : 1, b.ptr, ldb, c.ptr, ldc, mode, bs.ptr, split), [c.region]);

                  // Reference, in float64, in the use's own shapes.
                  const out = new Float64Array(Mw * Nw);
                  if (mode === GEMM_MODE.accumulate) out.set(C0);
                  if (use === 'forward') {
                    gemmABt(M, N, K, f64(X), 0, f64(Y), 0, out, 0, mode === GEMM_MODE.accumulate);
                    if (mode === GEMM_MODE.bias) addBias(M, N, f64(bias), 0, out, 0);
                  } else {
                    if (mode === GEMM_MODE.bias) for (let i = 0; i < Mw; i++) out.set(bias, i * Nw);
                    if (use === 'backInput') gemmAB(M, N, K, f64(X), 0, f64(Y), 0, out, 0);
                    else gemmAtB(M, N, K, f64(X), 0, f64(Y), 0, out, 0);
                  }
                  const got = new Float64Array(Mw * Nw);
                  for (let i = 0; i < Mw; i++) {
                    for (let j = 0; j < Nw; j++) got[i * Nw + j] = c.v[i * ldc + j]!;
                    for (let j = Nw; j < ldc; j++) expect(c.v[i * ldc + j], `${what}: C padding row ${i} col ${j} untouched`).toBe(sentinel[i * ldc + j]);
                  }
                  close('gemm', what, got, out);
                }
              }
            }
          });
        }
      }
    });

    describe('transpose', () => {
      for (const [R, C] of [[1, 1], [3, 5], [4, 4], [7, 13], [16, 8], [37, 50], [300, 9], [5, 259]] as const) {
        it(`(${R}, ${C}) → (${C}, ${R}) exactly`, () => {
          const r = rand(`transpose ${R} ${C}`);
          const src = uniform(r, R * C), garbage = uniform(r, R * C, 50, 60);
          const heap = new Heap(buf);
          const s = heap.f32(R * C), d = heap.f32(R * C);
          everyPool('transpose', () => { s.v.set(src); d.v.set(garbage); }, (p) => op.transpose(p, R, C, s.ptr, d.ptr), [d.region]);
          const want = transposed(src, R, C);
          note('transpose', relErr(d.v, want));
          expect(relErr(d.v, want), 'transpose is a pure copy').toBe(0);
        });
      }
    });

    // -------------------------------------------------------------------------------------------
    // Cell steps. The kernel fuses the recurrent product into the step: forward adds hPrev·W_hhᵀ
    // (from the packed W_hhᵀ (H, G)) to `gates`, which arrives holding x·W_ihᵀ + b_ih + b_hh (GRU: no
    // b_hn in the n part; b_hn is an argument and hn = W_hn·h + b_hn is saved), and leaves holding the
    // activations. Backward first forms dh = dY (+ direct, GRU) (+ dGnext·W_hh unless `first`), then
    // the cell's pointwise backward. The reference is a ref gemm for the recurrent product plus the
    // ref cell function.
    const cellShapes: [number, number][] = [[1, 1], [3, 5], [5, 13], [2, 8], [4, 16], [7, 37], [6, 20], [2, 259]];

    /** W_hh (G, H), scaled so pre-activations stay O(1) even for large H. */
    const whhFor = (r: Rand, G: number, H: number): Float32Array => uniform(r, G * H, -1.5 / Math.sqrt(H), 1.5 / Math.sqrt(H));
    /** Gate activations (B, nGates·H): sigmoid gates in (0, 1), tanh gates (index `tanhGate`) in (-1, 1). */
    function activations(r: Rand, B: number, H: number, nGates: number, tanhGate: number): Float32Array {
      const a = new Float32Array(B * nGates * H);
      for (let b = 0; b < B; b++) for (let q = 0; q < nGates; q++) for (let u = 0; u < H; u++) {
        a[(b * nGates + q) * H + u] = q === tanhGate ? -0.98 + 1.96 * r() : 0.01 + 0.98 * r();
      }
      return a;
    }

    describe('lstmFwdStep / lstmBwdStep', () => {
      for (const [B, H] of cellShapes) {
        const G = 4 * H;
        it(`forward B=${B} H=${H}: gate activations, c and h`, () => {
          const r = rand(`lstm fwd ${B} ${H}`);
          const hPrev = uniform(r, B * H), whh = whhFor(r, G, H), gIn = uniform(r, B * G, -2, 2), cPrev = uniform(r, B * H, -2, 2);
          const heap = new Heap(buf);
          const hp = heap.f32(B * H), wt = heap.f32(H * G), g = heap.f32(B * G), cp = heap.f32(B * H), co = heap.f32(B * H), ho = heap.f32(B * H);
          everyPool('lstmFwdStep', () => {
            hp.v.set(hPrev); wt.v.set(transposed(whh, G, H)); g.v.set(gIn); cp.v.set(cPrev); co.v.fill(9); ho.v.fill(9);
          }, (p) => op.lstmFwdStep(p, B, H, hp.ptr, wt.ptr, g.ptr, cp.ptr, co.ptr, ho.ptr), [g.region, co.region, ho.region]);
          const hg = new Float64Array(B * G);
          gemmABt(B, G, H, f64(hPrev), 0, f64(whh), 0, hg, 0, false);
          const gates = f64(gIn), cOut = new Float64Array(B * H), hOut = new Float64Array(B * H);
          lstmForward(B, H, gates, 0, hg, 0, f64(cPrev), 0, cOut, 0, hOut, 0);
          close('lstmFwdStep', 'gates', g.v, gates);
          close('lstmFwdStep', 'c', co.v, cOut);
          close('lstmFwdStep', 'h', ho.v, hOut);
        });
        for (const first of [1, 0]) {
          it(`backward B=${B} H=${H} first=${first}: dh, dc and the gate gradients`, () => {
            const r = rand(`lstm bwd ${B} ${H} ${first}`);
            const dGnext = uniform(r, B * G, -0.5, 0.5), whh = whhFor(r, G, H), dY = uniform(r, B * H);
            const gates = activations(r, B, H, 4, 2), cPrev = uniform(r, B * H, -2, 2), cCur = uniform(r, B * H, -2, 2), dcIn = uniform(r, B * H);
            const heap = new Heap(buf);
            const dn = heap.f32(B * G), w = heap.f32(G * H), dy = heap.f32(B * H), g = heap.f32(B * G), cp = heap.f32(B * H), cc = heap.f32(B * H);
            const dc = heap.f32(B * H), dh = heap.f32(B * H), dG = heap.f32(B * G);
            everyPool('lstmBwdStep', () => {
              dn.v.set(dGnext); w.v.set(whh); dy.v.set(dY); g.v.set(gates); cp.v.set(cPrev); cc.v.set(cCur); dc.v.set(dcIn); dh.v.fill(9); dG.v.fill(9);
            }, (p) => op.lstmBwdStep(p, B, H, first === 1, dn.ptr, w.ptr, dy.ptr, g.ptr, cp.ptr, cc.ptr, dc.ptr, dh.ptr, dG.ptr), [dc.region, dh.region, dG.region]);
            // dh into h_t: dY, plus (after the last step) dG_{t+1}·W_hh; dc from t+1 is 0 at the last step.
            const dhIn = f64(dY);
            if (!first) gemmAB(B, G, H, f64(dGnext), 0, f64(whh), 0, dhIn, 0);
            const dcRef = first ? new Float64Array(B * H) : f64(dcIn), dGRef = new Float64Array(B * G);
            lstmBackward(B, H, f64(gates), 0, f64(cPrev), 0, f64(cCur), 0, dhIn, 0, dcRef, 0, dGRef, 0);
            close('lstmBwdStep', 'dh', dh.v, dhIn);
            close('lstmBwdStep', 'dc', dc.v, dcRef);
            close('lstmBwdStep', 'dG', dG.v, dGRef);
          });
        }
      }
    });

    describe('gruFwdStep / gruBwdStep', () => {
      for (const [B, H] of cellShapes) {
        const G = 3 * H;
        it(`forward B=${B} H=${H}: gate activations, hn and h`, () => {
          const r = rand(`gru fwd ${B} ${H}`);
          const hPrev = uniform(r, B * H), whh = whhFor(r, G, H), bhn = uniform(r, H), gIn = uniform(r, B * G, -2, 2);
          const heap = new Heap(buf);
          const hp = heap.f32(B * H), wt = heap.f32(H * G), bn = heap.f32(H), g = heap.f32(B * G), hn = heap.f32(B * H), ho = heap.f32(B * H);
          everyPool('gruFwdStep', () => {
            hp.v.set(hPrev); wt.v.set(transposed(whh, G, H)); bn.v.set(bhn); g.v.set(gIn); hn.v.fill(9); ho.v.fill(9);
          }, (p) => op.gruFwdStep(p, B, H, hp.ptr, wt.ptr, bn.ptr, g.ptr, hn.ptr, ho.ptr), [g.region, hn.region, ho.region]);
          // hg = h·W_hhᵀ + b_hh, where b_hh's r and z parts are already in `gates` (so 0 here).
          const hg = new Float64Array(B * G), bhh = new Float64Array(G);
          bhh.set(bhn, 2 * H);
          gemmABt(B, G, H, f64(hPrev), 0, f64(whh), 0, hg, 0, false);
          addBias(B, G, bhh, 0, hg, 0);
          const gates = f64(gIn), hnRef = new Float64Array(B * H), hOut = new Float64Array(B * H);
          gruForward(B, H, gates, 0, hg, 0, hnRef, 0, f64(hPrev), 0, hOut, 0);
          close('gruFwdStep', 'gates', g.v, gates);
          close('gruFwdStep', 'hn', hn.v, hnRef);
          close('gruFwdStep', 'h', ho.v, hOut);
        });
        for (const first of [1, 0]) {
          it(`backward B=${B} H=${H} first=${first}: dh, direct part, dXg and dHg`, () => {
            const r = rand(`gru bwd ${B} ${H} ${first}`);
            const dHgNext = uniform(r, B * G, -0.5, 0.5), whh = whhFor(r, G, H), dY = uniform(r, B * H);
            const gates = activations(r, B, H, 3, 2), hnIn = uniform(r, B * H, -1.5, 1.5), hPrev = uniform(r, B * H), directIn = uniform(r, B * H);
            const heap = new Heap(buf);
            const dn = heap.f32(B * G), w = heap.f32(G * H), dy = heap.f32(B * H), g = heap.f32(B * G), hn = heap.f32(B * H), hp = heap.f32(B * H);
            const direct = heap.f32(B * H), dh = heap.f32(B * H), dXg = heap.f32(B * G), dHg = heap.f32(B * G);
            everyPool('gruBwdStep', () => {
              dn.v.set(dHgNext); w.v.set(whh); dy.v.set(dY); g.v.set(gates); hn.v.set(hnIn); hp.v.set(hPrev); direct.v.set(directIn);
              dh.v.fill(9); dXg.v.fill(9); dHg.v.fill(9);
            }, (p) => op.gruBwdStep(p, B, H, first === 1, dn.ptr, w.ptr, dy.ptr, g.ptr, hn.ptr, hp.ptr, direct.ptr, dh.ptr, dXg.ptr, dHg.ptr),
            [direct.region, dh.region, dXg.region, dHg.region]);
            // dh into h_t: dY, plus (after the last step) step t+1's direct z ⊙ dh and dHg_{t+1}·W_hh.
            const dhIn = f64(dY);
            if (!first) {
              for (let k = 0; k < B * H; k++) dhIn[k] += directIn[k]!;
              gemmAB(B, G, H, f64(dHgNext), 0, f64(whh), 0, dhIn, 0);
            }
            const directRef = new Float64Array(B * H), dXgRef = new Float64Array(B * G), dHgRef = new Float64Array(B * G);
            gruBackward(B, H, f64(gates), 0, f64(hnIn), 0, f64(hPrev), 0, dhIn, 0, directRef, 0, dXgRef, 0, dHgRef, 0);
            close('gruBwdStep', 'dh', dh.v, dhIn);
            close('gruBwdStep', 'direct', direct.v, directRef);
            close('gruBwdStep', 'dXg', dXg.v, dXgRef);
            close('gruBwdStep', 'dHg', dHg.v, dHgRef);
          });
        }
      }
    });

    describe('rnnFwdStep / rnnBwdStep', () => {
      for (const [B, H] of cellShapes) {
        it(`forward B=${B} H=${H}: activation in gates and h`, () => {
          const r = rand(`rnn fwd ${B} ${H}`);
          const hPrev = uniform(r, B * H), whh = whhFor(r, H, H), gIn = uniform(r, B * H, -2, 2);
          const heap = new Heap(buf);
          const hp = heap.f32(B * H), wt = heap.f32(H * H), g = heap.f32(B * H), ho = heap.f32(B * H);
          everyPool('rnnFwdStep', () => { hp.v.set(hPrev); wt.v.set(transposed(whh, H, H)); g.v.set(gIn); ho.v.fill(9); },
            (p) => op.rnnFwdStep(p, B, H, hp.ptr, wt.ptr, g.ptr, ho.ptr), [g.region, ho.region]);
          const hg = new Float64Array(B * H);
          gemmABt(B, H, H, f64(hPrev), 0, f64(whh), 0, hg, 0, false);
          const gates = f64(gIn), hOut = new Float64Array(B * H);
          rnnForward(B, H, gates, 0, hg, 0, hOut, 0);
          close('rnnFwdStep', 'gates', g.v, gates);
          close('rnnFwdStep', 'h', ho.v, hOut);
        });
        for (const first of [1, 0]) {
          it(`backward B=${B} H=${H} first=${first}: dh and dG`, () => {
            const r = rand(`rnn bwd ${B} ${H} ${first}`);
            const dGnext = uniform(r, B * H, -0.5, 0.5), whh = whhFor(r, H, H), dY = uniform(r, B * H), gates = uniform(r, B * H, -0.98, 0.98);
            const heap = new Heap(buf);
            const dn = heap.f32(B * H), w = heap.f32(H * H), dy = heap.f32(B * H), g = heap.f32(B * H), dh = heap.f32(B * H), dG = heap.f32(B * H);
            everyPool('rnnBwdStep', () => { dn.v.set(dGnext); w.v.set(whh); dy.v.set(dY); g.v.set(gates); dh.v.fill(9); dG.v.fill(9); },
              (p) => op.rnnBwdStep(p, B, H, first === 1, dn.ptr, w.ptr, dy.ptr, g.ptr, dh.ptr, dG.ptr), [dh.region, dG.region]);
            const dhIn = f64(dY);
            if (!first) gemmAB(B, H, H, f64(dGnext), 0, f64(whh), 0, dhIn, 0);
            const dGRef = new Float64Array(B * H);
            rnnBackward(B, H, f64(gates), 0, dhIn, 0, dGRef, 0);
            close('rnnBwdStep', 'dh', dh.v, dhIn);
            close('rnnBwdStep', 'dG', dG.v, dGRef);
          });
        }
      }
    });

    // -------------------------------------------------------------------------------------------
    describe('embedFwd / embedBwd', () => {
      // [N, G, V]: N tokens, G gate rows, V vocabulary; N > V so tokens repeat and the scatter adds.
      for (const [N, G, V] of [[1, 1, 1], [7, 13, 5], [20, 52, 7], [45, 120, 30], [9, 3, 65], [54, 39, 4]] as const) {
        it(`N=${N} G=${G} V=${V}: gather + bias, and the scatter-add of dX`, () => {
          const r = rand(`embed ${N} ${G} ${V}`);
          const x = ints(r, N, V), W = uniform(r, G * V), bias = uniform(r, G), dX = uniform(r, N * G);
          const heap = new Heap(buf);
          const xs = heap.i32(N), wT = heap.f32(V * G), bs = heap.f32(G), out = heap.f32(N * G), dx = heap.f32(N * G), dWT = heap.f32(V * G);
          everyPool('embedFwd', () => { xs.v.set(x); wT.v.set(transposed(W, G, V)); bs.v.set(bias); out.v.fill(9); },
            (p) => op.embedFwd(p, N, G, xs.ptr, wT.ptr, bs.ptr, out.ptr), [out.region]);
          const outRef = new Float64Array(N * G);
          embedForward(N, G, V, x, f64(W), 0, outRef, 0);
          addBias(N, G, f64(bias), 0, outRef, 0);
          close('embedFwd', 'out', out.v, outRef);

          everyPool('embedBwd', () => { xs.v.set(x); dx.v.set(dX); dWT.v.fill(9); },
            (p) => op.embedBwd(p, N, G, V, xs.ptr, dx.ptr, dWT.ptr), [dWT.region]);
          const dW = new Float64Array(G * V);
          embedBackward(N, G, V, x, f64(dX), 0, dW, 0);
          close('embedBwd', 'dWᵀ', dWT.v, transposed(dW, G, V));
        });
      }
    });

    describe('colSums', () => {
      for (const [M, N] of [[1, 1], [5, 7], [36, 52], [300, 13], [9, 120], [4, 4]] as const) {
        it(`(${M}, ${N}): into one output, and into two`, () => {
          const r = rand(`colSums ${M} ${N}`);
          const src = uniform(r, M * N);
          const heap = new Heap(buf);
          const s = heap.f32(M * N), o1 = heap.f32(N), o2 = heap.f32(N);
          const want = new Float64Array(N);
          addColSums(M, N, f64(src), 0, want, 0);
          everyPool('colSums one', () => { s.v.set(src); o1.v.fill(9); o2.v.fill(9); },
            (p) => op.colSums(p, M, N, s.ptr, o1.ptr, NO_BUFFER), [o1.region, o2.region]);
          close('colSums', 'out1 alone', o1.v, want);
          expect([...o2.v].every((v) => v === 9), 'out2 = 0 writes no second output').toBe(true);
          everyPool('colSums two', () => { s.v.set(src); o1.v.fill(9); o2.v.fill(9); },
            (p) => op.colSums(p, M, N, s.ptr, o1.ptr, o2.ptr), [o1.region, o2.region]);
          close('colSums', 'out1', o1.v, want);
          close('colSums', 'out2', o2.v, want);
        });
      }
    });

    // -------------------------------------------------------------------------------------------
    // Elementwise ops split in 64-float chunks: lengths around 4, 64 and odd sizes.
    const lengths = [1, 3, 4, 5, 63, 64, 65, 129, 1003, 4099];

    describe('mul / scale', () => {
      for (const n of lengths) {
        it(`n=${n}: a ⊙ b (separate output and in place), and p·s`, () => {
          const r = rand(`mul ${n}`);
          const A = uniform(r, n), Bv = uniform(r, n, -3, 3);
          const heap = new Heap(buf);
          const a = heap.f32(n), b = heap.f32(n), o = heap.f32(n);
          // The reference engine applies its dropout mask the same way: y[k] = h[k] · mask[k].
          const want = new Float64Array(n);
          for (let k = 0; k < n; k++) want[k] = A[k]! * Bv[k]!;
          everyPool('mul', () => { a.v.set(A); b.v.set(Bv); o.v.fill(9); }, (p) => op.mul(p, n, a.ptr, b.ptr, o.ptr), [o.region]);
          close('mul', 'out', o.v, want);
          everyPool('mul in place', () => { a.v.set(A); b.v.set(Bv); }, (p) => op.mul(p, n, a.ptr, b.ptr, a.ptr), [a.region]);
          close('mul', 'out = a', a.v, want);

          const s = -0.3719;
          const scaled = f64(A);
          scaleInPlace(scaled, s);
          everyPool('scale', () => { a.v.set(A); }, (p) => op.scale(p, n, a.ptr, s), [a.region]);
          close('scale', 'p', a.v, scaled);
        });
      }
    });

    describe('dropoutMask', () => {
      // Integer hashing: the op must equal the reference (src/kernels/ref/dropout-mask.ts) bit for
      // bit, in both modes, on row lengths with SIMD tails and keys with the top bit set.
      const cases: [number, number, number, number][] = [[1, 1, 1, 0.5], [2, 3, 7, 0.25], [6, 3, 33, 0.1], [4, 4, 130, 0.9]];
      for (const [L, T, C, p] of cases) {
        for (const variational of [false, true]) {
          it(`L=${L} T=${T} C=${C} p=${p}${variational ? ' variational' : ''}: equals the reference`, () => {
            const spec: MaskSpec = { a: 0x9e3779b9 + L, b: 0xdeadbeef - C, thr: Math.round(p * 2 ** 32), keep: 1 / (1 - p), variational };
            const R = L * T;
            const want = new Float32Array(R * C);
            fillMasks(want, R, C, T, spec);
            const heap = new Heap(buf);
            const m = heap.f32(R * C);
            everyPool('dropoutMask', () => { m.v.fill(7); },
              (pl) => op.dropoutMask(pl, R, C, T, variational, m.ptr, spec.a, spec.b, spec.thr, spec.keep), [m.region]);
            expect(sameBytes(new Uint8Array(m.v.buffer, m.v.byteOffset, m.v.byteLength), new Uint8Array(want.buffer))).toBe(true);
          });
        }
      }
    });

    describe('sumSq', () => {
      // Partials per 4096-float chunk, in float64; the caller adds them in order.
      for (const n of [1, 5, 4095, 4096, 4097, 10001, 3 * 4096 + 7]) {
        it(`n=${n}: the partials add up to Σ p²`, () => {
          const r = rand(`sumSq ${n}`);
          const P = uniform(r, n, -2, 2), chunks = Math.ceil(n / 4096);
          const heap = new Heap(buf);
          const p = heap.f32(n), part = heap.f64(chunks);
          everyPool('sumSq', () => { p.v.set(P); part.v.fill(-1); }, (pl) => op.sumSq(pl, n, p.ptr, part.ptr), [part.region]);
          let total = 0;
          for (let c = 0; c < chunks; c++) total += part.v[c]!;
          close('sumSq', 'Σ partials', [total], [sumSquares(P)]);
          for (let c = 0; c < chunks; c++) close('sumSq', `chunk ${c}`, [part.v[c]!], [sumSquares(P.subarray(c * 4096, Math.min(n, (c + 1) * 4096)))]);
        });
      }
    });

    describe('softmaxXent', () => {
      // [N, V]; every fourth-ish row has target -1 (ignored).
      for (const [N, V] of [[1, 1], [3, 2], [7, 5], [20, 7], [54, 30], [13, 65], [5, 259]] as const) {
        it(`N=${N} V=${V}: per-row loss and dLogits, with and without the gradient`, () => {
          const r = rand(`xent ${N} ${V}`);
          const logits = uniform(r, N * V, -8, 8), y = ints(r, N, V);
          for (let n = 0; n < N; n++) if (N > 1 && r() < 0.25) y[n] = -1;
          let count = 0;
          for (const t of y) if (t >= 0) count++;
          const scale = count > 0 ? 1 / count : 0;
          const heap = new Heap(buf);
          const l = heap.f32(N * V), ys = heap.i32(N), d = heap.f32(N * V), rl = heap.f64(2 * N);

          // Reference: one row at a time, so each row's loss is known.
          const rowRef = new Float64Array(N), dRef = new Float64Array(N * V);
          for (let n = 0; n < N; n++) {
            rowRef[n] = softmaxXent(1, V, f64(logits.subarray(n * V, (n + 1) * V)), y.subarray(n, n + 1), dRef.subarray(n * V, (n + 1) * V), scale);
          }
          const rowLoss = (): Float64Array => Float64Array.from({ length: N }, (_, n) => rl.v[2 * n]! + Math.log(rl.v[2 * n + 1]!));

          everyPool('softmaxXent', () => { l.v.set(logits); ys.v.set(y); d.v.fill(9); rl.v.fill(-1); },
            (p) => op.softmaxXent(p, N, V, l.ptr, ys.ptr, d.ptr, scale, rl.ptr), [d.region, rl.region]);
          close('softmaxXent', 'row loss', rowLoss(), rowRef);
          close('softmaxXent', 'dLogits', d.v, dRef);
          for (let n = 0; n < N; n++) if (y[n]! < 0) expect(rowLoss()[n], `ignored row ${n} has loss 0`).toBe(0);

          everyPool('softmaxXent (loss only)', () => { l.v.set(logits); ys.v.set(y); d.v.fill(9); rl.v.fill(-1); },
            (p) => op.softmaxXentLoss(p, N, V, l.ptr, ys.ptr, rl.ptr), [d.region, rl.region]);
          close('softmaxXent', 'row loss (no gradient)', rowLoss(), rowRef);
          expect([...d.v].every((v) => v === 9), 'dLogits = 0: no gradient written').toBe(true);
        });
      }
    });

    // -------------------------------------------------------------------------------------------
    // Optimizers, against src/kernels/ref/optim.ts with the same hyperparameters. The kernels take
    // the per-step constants (documented in assembly/optim.ts) rather than t and weight decay.
    describe('adam / sgd / rmsprop', () => {
      const lr = 0.01;
      for (const n of [1, 5, 64, 65, 200, 1003]) {
        for (const [t, wd] of [[1, 0], [5, 0.01]] as const) {
          it(`adam n=${n} t=${t} weightDecay=${wd}: p, m and v`, () => {
            const r = rand(`adam ${n} ${t} ${wd}`);
            const P = uniform(r, n), G = uniform(r, n, -0.1, 0.1), M = uniform(r, n, -0.05, 0.05), Vv = uniform(r, n, 0, 0.01);
            const b1 = 0.9, b2 = 0.999, eps = 1e-8;
            const heap = new Heap(buf);
            const p = heap.f32(n), g = heap.f32(n), m = heap.f32(n), v = heap.f32(n);
            const bc1 = 1 - b1 ** t, bc2sqrt = Math.sqrt(1 - b2 ** t);
            everyPool('adam', () => { p.v.set(P); g.v.set(G); m.v.set(M); v.v.set(Vv); },
              (pl) => op.adam(pl, n, p.ptr, g.ptr, m.ptr, v.ptr, b1, 1 - b1, b2, 1 - b2, lr / bc1, bc2sqrt, eps, 1 - lr * wd),
              [p.region, g.region, m.region, v.region]);
            const pr = f64(P), mr = f64(M), vr = f64(Vv);
            adamUpdate(pr, f64(G), mr, vr, lr, b1, b2, eps, wd, t);
            close('adam', 'p', p.v, pr);
            close('adam', 'm', m.v, mr);
            close('adam', 'v', v.v, vr);
            expect(relErr(g.v, G), 'gradient untouched').toBe(0);
          });
        }
        for (const [momentum, t, wd] of [[0.9, 1, 0], [0.9, 4, 0.1], [0, 3, 0]] as const) {
          it(`sgd n=${n} momentum=${momentum} t=${t} weightDecay=${wd}: p and the momentum buffer`, () => {
            const r = rand(`sgd ${n} ${momentum} ${t} ${wd}`);
            const P = uniform(r, n), G = uniform(r, n, -0.1, 0.1), Bf = uniform(r, n, -0.2, 0.2);
            const heap = new Heap(buf);
            const p = heap.f32(n), g = heap.f32(n), b = heap.f32(n);
            const first = momentum === 0 || t === 1;
            everyPool('sgd', () => { p.v.set(P); g.v.set(G); b.v.set(Bf); },
              (pl) => op.sgd(pl, n, p.ptr, g.ptr, b.ptr, lr, momentum, first, 1 - lr * wd), [p.region, b.region]);
            const pr = f64(P), br = f64(Bf);
            sgdUpdate(pr, f64(G), br, lr, momentum, wd, t);
            close('sgd', 'p', p.v, pr);
            close('sgd', 'buf', b.v, br);
          });
        }
        for (const [alpha, wd] of [[0.99, 0], [0.9, 0.05]] as const) {
          it(`rmsprop n=${n} alpha=${alpha} weightDecay=${wd}: p and the square average`, () => {
            const r = rand(`rmsprop ${n} ${alpha} ${wd}`);
            const P = uniform(r, n), G = uniform(r, n, -0.1, 0.1), Sq = uniform(r, n, 0, 0.01);
            const eps = 1e-8;
            const heap = new Heap(buf);
            const p = heap.f32(n), g = heap.f32(n), s = heap.f32(n);
            everyPool('rmsprop', () => { p.v.set(P); g.v.set(G); s.v.set(Sq); },
              (pl) => op.rmsprop(pl, n, p.ptr, g.ptr, s.ptr, lr, alpha, 1 - alpha, eps, 1 - lr * wd), [p.region, s.region]);
            const pr = f64(P), sr = f64(Sq);
            rmspropUpdate(pr, f64(G), sr, lr, alpha, eps, wd);
            close('rmsprop', 'p', p.v, pr);
            close('rmsprop', 'sq', s.v, sr);
          });
        }
      }
    });
  });
}
