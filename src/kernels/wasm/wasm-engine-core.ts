// The fast backend: the reference engine's algorithm (src/kernels/ref/ref-engine.ts) on the WASM
// SIMD kernels, split across threads by an op runner (pool.ts in Node, web-pool.ts on Web Workers
// in a cross-origin isolated page, serial-runner.ts on one thread in any other page). All buffers
// live in one WebAssembly.Memory (shared when threads share it), laid out once here; `params`,
// `grads`, `state`, … are Float32Array views of it, so the trainer, checkpoints and sampler see the
// same interface as with the reference.
//
// Per pass the weights are first packed: W_ihᵀ (D, G), W_hhᵀ (H, G) and head.weightᵀ (H, V), so the
// forward products read B row-major. Backward reads the weights as stored.
//
// Activations per layer l (all (…, B, …) time-major, as in the reference):
//   gates[l] (T, B, G)   input projection + biases, then gate activations
//   hs[l]    (T+1, B, H) hs[l][0] = carried h; cs[l] likewise for the LSTM cell
//   hn[l]    (T, B, H)   GRU: W_hn h + b_hn;   yd[l] (T, B, H) output after dropout

import type { Engine, OptimizerSpec, TokenArray } from '../engine.js';
import { countTargets } from '../count-targets.js';
import { gateRows, stateCount, type ModelConfig } from '../../model/config.js';
import { buildLayout } from '../../model/layout.js';
import { RuntimeError, UsageError } from '../../errors.js';
import { SUMSQ_CHUNK, type OpRunner } from './ops.js';
import * as op from './kernel-calls.js';
import { GEMM_MODE, GEMM_SPLIT, NO_BUFFER } from './kernel-calls.js';

const RESERVED = 65536;
/** Row padding (floats) of the packed Wᵀ copies: rows 4 KB apart would all share one L1 set. */
const PAD = 16;
const PAGE = 65536;

class Arena {
  top = RESERVED;
  /** Byte offset of n elements of `bytes` each, 64-byte aligned. */
  take(n: number, bytes = 4): number {
    const at = this.top;
    this.top = Math.ceil((at + n * bytes) / 64) * 64;
    return at;
  }
}

export interface EngineMemory {
  /** A SharedArrayBuffer-backed memory, for a module built with --sharedMemory (kernels.wasm,
   *  kernels-fma.wasm); false for kernels-single.wasm, where SharedArrayBuffer may be absent. */
  shared: boolean;
  /** Starts the runner of the module's ops over the memory once it is allocated. */
  start(memory: WebAssembly.Memory): Promise<OpRunner>;
}

export async function buildWasmEngine(cfg: ModelConfig, batch: number, seqLen: number, mem: EngineMemory): Promise<Engine> {
  const layout = buildLayout(cfg);
  const { layers: L, hidden: H, vocabSize: V, cell } = cfg;
  const B = batch, T = seqLen, G = gateRows(cell, H), S = stateCount(cell);
  const BH = B * H, TB = T * B, P = layout.size;
  const useDropout = cfg.dropout > 0;
  const F = 4;

  const ar = new Arena();
  const pParams = ar.take(P), pGrads = ar.take(P), pM0 = ar.take(P), pM1 = ar.take(P);
  const pState = ar.take(L * S * BH), pDState = ar.take(L * S * BH);
  const pMasks = ar.take(useDropout ? L * TB * H : 0);
  const pLogits = ar.take(TB * V), pDLogits = ar.take(TB * V);
  const pRowLoss = ar.take(TB * 2, 8);
  const pX = ar.take(TB), pY = ar.take(TB);
  const pPartial = ar.take(Math.ceil(P / SUMSQ_CHUNK), 8);
  const GP = G + PAD;
  const pWihT = layout.layers.map((lo) => ar.take(lo.inputSize * GP));
  const pWhhT = layout.layers.map(() => ar.take(H * GP));
  const HP = H + PAD;
  const pWhhP = layout.layers.map(() => ar.take(G * HP));
  const pHeadWT = ar.take(H * V);
  const pBias = layout.layers.map(() => ar.take(G));
  const pGates = layout.layers.map(() => ar.take(TB * G));
  const pHs = layout.layers.map(() => ar.take((T + 1) * BH));
  const pCs = layout.layers.map(() => (cell === 'lstm' ? ar.take((T + 1) * BH) : 0));
  const pHn = layout.layers.map(() => (cell === 'gru' ? ar.take(TB * H) : 0));
  const pYd = layout.layers.map(() => (useDropout ? ar.take(TB * H) : 0));
  const pDXg = ar.take(TB * G);
  const pDHg = cell === 'gru' ? ar.take(TB * G) : pDXg;
  let pDYa = ar.take(TB * H), pDYb = ar.take(TB * H);
  const pDh = ar.take(BH), pDc = ar.take(BH), pDirect = ar.take(BH);
  const pDWT0 = ar.take(V * G);
  const pT = ar.take(TB * Math.max(G, V));

  const pages = Math.ceil(ar.top / PAGE);
  if (pages > 65536) {
    throw new UsageError(`this model and batch need ${(ar.top / 2 ** 30).toFixed(1)} GiB of kernel memory, over WebAssembly's 4 GiB`,
      'use a smaller --batch, --seq-len or --hidden, or --kernel ts');
  }
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: mem.shared });
  } catch (err) {
    throw new RuntimeError(`cannot allocate ${(ar.top / 2 ** 20).toFixed(0)} MiB for the kernel: ${(err as Error).message}`,
      'use a smaller --batch, --seq-len or --hidden, or free some memory');
  }
  const pool = await mem.start(memory);
  const buf = memory.buffer as unknown as ArrayBuffer;
  const f32 = (ptr: number, n: number): Float32Array => new Float32Array(buf, ptr, n);

  const params = f32(pParams, P), grads = f32(pGrads, P);
  const moments = [f32(pM0, P), f32(pM1, P)];
  const state = f32(pState, L * S * BH), dState = f32(pDState, L * S * BH);
  const masks = f32(pMasks, useDropout ? L * TB * H : 0);
  const logits = f32(pLogits, TB * V);
  const rowParts = new Float64Array(buf, pRowLoss, TB * 2);
  const rowLoss = new Float64Array(TB);
  const xBuf = new Int32Array(buf, pX, TB), yBuf = new Int32Array(buf, pY, TB);
  const partial = new Float64Array(buf, pPartial, Math.ceil(P / SUMSQ_CHUNK));
  const biasViews = pBias.map((p) => f32(p, G));
  // Views for carrying state in and out of the window (made once: no subarray in the step loop).
  const stateH = layout.layers.map((_, l) => f32(pState + l * S * BH * F, BH));
  const stateC = layout.layers.map((_, l) => (cell === 'lstm' ? f32(pState + (l * S + 1) * BH * F, BH) : null));
  const hFirst = pHs.map((p) => f32(p, BH)), hLast = pHs.map((p) => f32(p + T * BH * F, BH));
  const cFirst = pCs.map((p) => (p ? f32(p, BH) : null)), cLast = pCs.map((p) => (p ? f32(p + T * BH * F, BH) : null));
  const dcView = f32(pDc, BH), directView = f32(pDirect, BH);
  const off = (p: number, elems: number): number => p + elems * F;

  let lastCount = 0;
  let dropoutOn = false;
  let dirty = true;

  /** Layer l's output as the next layer's input: (T, B, H) at this byte offset. */
  const layerOut = (l: number): number => (dropoutOn ? pYd[l]! : off(pHs[l]!, BH));

  function pack(): void {
    for (let l = 0; l < L; l++) {
      const lo = layout.layers[l]!;
      op.transpose(pool, G, lo.inputSize, off(pParams, lo.wih), pWihT[l]!, GP);
      op.transpose(pool, G, H, off(pParams, lo.whh), pWhhT[l]!, GP);
      op.copyRows(pool, G, H, off(pParams, lo.whh), pWhhP[l]!, HP);
      const bias = biasViews[l]!;
      for (let j = 0; j < G; j++) bias[j] = params[lo.bih + j]! + (cell === 'gru' && j >= 2 * H ? 0 : params[lo.bhh + j]!);
    }
    op.transpose(pool, V, H, off(pParams, layout.headW), pHeadWT);
    dirty = false;
  }

  function forward(x: TokenArray): void {
    xBuf.set(x);
    for (let l = 0; l < L; l++) {
      const lo = layout.layers[l]!;
      const hs = pHs[l]!, cs = pCs[l]!, gates = pGates[l]!;
      hFirst[l]!.set(stateH[l]!);
      if (cell === 'lstm') cFirst[l]!.set(stateC[l]!);
      if (l === 0) op.embedFwd(pool, TB, G, pX, pWihT[0]!, pBias[0]!, gates, GP);
      else op.gemm(pool, TB, G, H, layerOut(l - 1), H, 1, pWihT[l]!, GP, gates, G, GEMM_MODE.bias, pBias[l]!, GEMM_SPLIT.rows);
      const whhT = pWhhT[l]!;
      for (let t = 0; t < T; t++) {
        const hPrev = off(hs, t * BH), hOut = off(hs, (t + 1) * BH), g = off(gates, t * B * G);
        if (cell === 'lstm') op.lstmFwdStep(pool, B, H, hPrev, whhT, g, off(cs, t * BH), off(cs, (t + 1) * BH), hOut, GP);
        else if (cell === 'gru') op.gruFwdStep(pool, B, H, hPrev, whhT, off(pParams, lo.bhh + 2 * H), g, off(pHn[l]!, t * BH), hOut, GP);
        else op.rnnFwdStep(pool, B, H, hPrev, whhT, g, hOut, GP);
      }
      stateH[l]!.set(hLast[l]!);
      if (cell === 'lstm') stateC[l]!.set(cLast[l]!);
      if (dropoutOn) op.mul(pool, TB * H, off(hs, BH), off(pMasks, l * TB * H), pYd[l]!);
    }
    op.gemm(pool, TB, V, H, layerOut(L - 1), H, 1, pHeadWT, V, pLogits, V, GEMM_MODE.bias, off(pParams, layout.headB), GEMM_SPLIT.rows);
  }

  function backward(): void {
    const top = layerOut(L - 1);
    // Weight gradients dW = dCᵀ·A go through pT = dCᵀ (rows contiguous).
    op.transpose(pool, TB, V, pDLogits, pT);
    op.gemm(pool, V, H, TB, pT, TB, 1, top, H, off(pGrads, layout.headW), H, GEMM_MODE.overwrite, NO_BUFFER, GEMM_SPLIT.rows);
    op.colSums(pool, TB, V, pDLogits, off(pGrads, layout.headB), NO_BUFFER);
    op.gemm(pool, TB, H, V, pDLogits, V, 1, off(pParams, layout.headW), H, pDYa, H, GEMM_MODE.overwrite, NO_BUFFER, GEMM_SPLIT.rows);
    for (let l = L - 1; l >= 0; l--) {
      const lo = layout.layers[l]!;
      const hs = pHs[l]!, gates = pGates[l]!, whh = pWhhP[l]!;
      if (dropoutOn) op.mul(pool, TB * H, pDYa, off(pMasks, l * TB * H), pDYa);
      for (let t = T - 1; t >= 0; t--) {
        const first = t === T - 1;
        const g = off(gates, t * B * G), dY = off(pDYa, t * BH);
        const gNext = off(pDHg, (t + 1) * B * G);
        if (cell === 'lstm') {
          op.lstmBwdStep(pool, B, H, first, gNext, whh, dY, g, off(pCs[l]!, t * BH), off(pCs[l]!, (t + 1) * BH), pDc, pDh, off(pDXg, t * B * G), HP);
        } else if (cell === 'gru') {
          op.gruBwdStep(pool, B, H, first, gNext, whh, dY, g, off(pHn[l]!, t * BH), off(hs, t * BH), pDirect, pDh, off(pDXg, t * B * G), off(pDHg, t * B * G), HP);
        } else {
          op.rnnBwdStep(pool, B, H, first, gNext, whh, dY, g, pDh, off(pDXg, t * B * G), HP);
        }
      }
      // Gradient into the carried state: dh0 = (GRU: z ⊙ dh) + dHg_0 · W_hh; dc0 for the LSTM.
      const st = l * S * BH;
      if (cell === 'gru') dState.set(directView, st);
      const dStateInit = cell === 'gru' ? GEMM_MODE.accumulate : GEMM_MODE.overwrite;
      op.gemm(pool, B, H, G, pDHg, G, 1, whh, HP, off(pDState, st), H, dStateInit, NO_BUFFER, GEMM_SPLIT.cols);
      if (cell === 'lstm') dState.set(dcView, st + BH);
      op.transpose(pool, TB, G, pDHg, pT);
      op.gemm(pool, G, H, TB, pT, TB, 1, hs, H, off(pGrads, lo.whh), H, GEMM_MODE.overwrite, NO_BUFFER, GEMM_SPLIT.rows);
      op.colSums(pool, TB, G, pDHg, off(pGrads, lo.bhh), cell === 'gru' ? NO_BUFFER : off(pGrads, lo.bih));
      if (cell === 'gru') op.colSums(pool, TB, G, pDXg, off(pGrads, lo.bih), NO_BUFFER);
      if (l === 0) {
        op.embedBwd(pool, TB, G, V, pX, pDXg, pDWT0);
        op.transpose(pool, V, G, pDWT0, off(pGrads, lo.wih));
      } else {
        const inp = layerOut(l - 1);
        if (cell === 'gru') op.transpose(pool, TB, G, pDXg, pT);
        op.gemm(pool, G, H, TB, pT, TB, 1, inp, H, off(pGrads, lo.wih), H, GEMM_MODE.overwrite, NO_BUFFER, GEMM_SPLIT.rows);
        op.gemm(pool, TB, H, G, pDXg, G, 1, off(pParams, lo.wih), H, pDYb, H, GEMM_MODE.overwrite, NO_BUFFER, GEMM_SPLIT.rows);
        const tmp = pDYa; pDYa = pDYb; pDYb = tmp;
      }
    }
  }

  /** Σ over valid rows of max - logit[y] + ln Σ e^(l - max), in row order; each row's into rowLoss. */
  function lossSum(y: Int32Array): number {
    let total = 0;
    for (let k = 0; k < TB; k++) {
      const l = y[k]! >= 0 ? rowParts[2 * k]! + Math.log(rowParts[2 * k + 1]!) : 0;
      rowLoss[k] = l;
      total += l;
    }
    return total;
  }

  return {
    variant: pool.variant, threads: pool.nth, cfg, layout, batch: B, seqLen: T, params, grads, state, dState, logits, rowLoss, moments, masks,
    get lastCount() { return lastCount; },
    fillMasks(m) {
      if (useDropout) op.dropoutMask(pool, L * T, BH, T, m.variational, pMasks, m.a, m.b, m.thr, m.keep);
    },
    forwardBackward(x, y) {
      dropoutOn = useDropout;
      lastCount = countTargets(y, TB);
      yBuf.set(y);
      pack();
      forward(x);
      const scale = lastCount > 0 ? 1 / lastCount : 0;
      op.softmaxXent(pool, TB, V, pLogits, pY, pDLogits, scale, pRowLoss);
      const loss = lossSum(y);
      backward();
      dirty = true;
      return lastCount > 0 ? loss / lastCount : 0;
    },
    forwardLoss(x, y) {
      dropoutOn = false;
      lastCount = countTargets(y, TB);
      yBuf.set(y);
      if (dirty) pack();
      forward(x);
      op.softmaxXentLoss(pool, TB, V, pLogits, pY, pRowLoss);
      return lossSum(y);
    },
    gradNormSq() {
      op.sumSq(pool, P, pGrads, pPartial);
      let s = 0;
      for (let c = 0; c < partial.length; c++) s += partial[c]!;
      return s;
    },
    scaleGrads: (s) => op.scale(pool, P, pGrads, s),
    optimizerStep(opt: OptimizerSpec, lr: number, t: number) {
      const decay = 1 - lr * opt.weightDecay;
      if (opt.kind === 'adam') {
        const bc1 = 1 - opt.beta1 ** t, bc2sqrt = Math.sqrt(1 - opt.beta2 ** t);
        op.adam(pool, P, pParams, pGrads, pM0, pM1, opt.beta1, 1 - opt.beta1, opt.beta2, 1 - opt.beta2, lr / bc1, bc2sqrt, opt.eps, decay);
      } else if (opt.kind === 'sgd') {
        op.sgd(pool, P, pParams, pGrads, pM0, lr, opt.beta1, opt.beta1 === 0 || t === 1, decay);
      } else {
        op.rmsprop(pool, P, pParams, pGrads, pM0, lr, opt.beta2, 1 - opt.beta2, opt.eps, decay);
      }
      dirty = true;
    },
    paramsChanged() { dirty = true; },
    resetState: () => state.fill(0),
    dispose: () => pool.dispose(),
  };
}
