// The TypeScript reference backend: a whole model forward and backward over a (T, B) window,
// layer by layer (the input projection of each layer for all T steps is one GEMM before its
// recurrent loop). Slow but simple, and generic over float32/float64: it is the oracle that
// gradient checks, PyTorch golden tests and the fast backends are measured against.
//
// Activations per layer l (all allocated once here):
//   gates[l] (T, B, G)   input projection, then the cell's gate activations
//   hs[l]    (T+1, B, H) hs[l][0] = carried h, hs[l][t+1] = output at t
//   cs[l]    (T+1, B, H) LSTM cell state, same indexing
//   hn[l]    (T, B, H)   GRU: W_hn h + b_hn, kept for backward
//   yd[l]    (T, B, H)   layer output after dropout (training with dropout > 0 only)

import { fillMasks } from './dropout-mask.js';
import type { Engine, FloatArray, OptimizerSpec, TokenArray } from '../engine.js';
import { countTargets } from '../count-targets.js';
import { gateRows, stateCount, type ModelConfig } from '../../model/config.js';
import { buildLayout } from '../../model/layout.js';
import { addBias, addColSums, gemmAB, gemmABt, gemmAtB } from './gemm.js';
import { embedBackward, embedForward } from './embedding.js';
import { lstmBackward, lstmForward } from './lstm-cell.js';
import { gruBackward, gruForward } from './gru-cell.js';
import { rnnBackward, rnnForward } from './rnn-cell.js';
import { softmaxXent } from './softmax-xent.js';
import { adamUpdate, rmspropUpdate, scaleInPlace, sgdUpdate, sumSquares } from './optim.js';

export interface RefEngineOptions {
  dtype?: 'f32' | 'f64';
}

export function createRefEngine(cfg: ModelConfig, batch: number, seqLen: number, opts: RefEngineOptions = {}): Engine {
  const Arr = opts.dtype === 'f64' ? Float64Array : Float32Array;
  const layout = buildLayout(cfg);
  const { layers: L, hidden: H, vocabSize: V, cell } = cfg;
  const B = batch, T = seqLen, G = gateRows(cell, H), S = stateCount(cell);
  const BH = B * H, TB = T * B;
  const useDropout = cfg.dropout > 0;

  const params = new Arr(layout.size);
  const grads = new Arr(layout.size);
  const moments = [new Arr(layout.size), new Arr(layout.size)];
  const state = new Arr(L * S * BH);
  const dState = new Arr(L * S * BH);
  const masks = new Arr(useDropout ? L * TB * H : 0);
  const gates = Array.from({ length: L }, () => new Arr(TB * G));
  const hs = Array.from({ length: L }, () => new Arr((T + 1) * BH));
  const cs = cell === 'lstm' ? Array.from({ length: L }, () => new Arr((T + 1) * BH)) : [];
  const hn = cell === 'gru' ? Array.from({ length: L }, () => new Arr(TB * H)) : [];
  const yd = useDropout ? Array.from({ length: L }, () => new Arr(TB * H)) : [];
  const hg = new Arr(B * G);
  const dXg = new Arr(TB * G);
  const dHg = cell === 'gru' ? new Arr(TB * G) : dXg;
  let dYa = new Arr(TB * H), dYb = new Arr(TB * H);
  const dhCarry = new Arr(BH), dcCarry = new Arr(BH), dhIn = new Arr(BH);
  const logits = new Arr(TB * V);
  const rowLoss = new Float64Array(TB);
  const dLogits = new Arr(TB * V);
  let lastCount = 0;
  let dropoutOn = false;

  /** The input of layer l+1 (or of the head when l = L-1): (T, B, H) at [buffer, offset]. */
  const layerOut = (l: number): [FloatArray, number] => (dropoutOn ? [yd[l]!, 0] : [hs[l]!, BH]);

  function forward(x: TokenArray): void {
    for (let l = 0; l < L; l++) {
      const lo = layout.layers[l]!;
      const g = gates[l]!, h = hs[l]!;
      const st = l * S * BH;
      h.set(state.subarray(st, st + BH), 0);
      if (cell === 'lstm') cs[l]!.set(state.subarray(st + BH, st + 2 * BH), 0);
      if (l === 0) embedForward(TB, G, V, x, params, lo.wih, g, 0);
      else {
        const [inp, off] = layerOut(l - 1);
        gemmABt(TB, G, H, inp, off, params, lo.wih, g, 0, false);
      }
      addBias(TB, G, params, lo.bih, g, 0);
      for (let t = 0; t < T; t++) {
        gemmABt(B, G, H, h, t * BH, params, lo.whh, hg, 0, false);
        addBias(B, G, params, lo.bhh, hg, 0);
        if (cell === 'lstm') lstmForward(B, H, g, t * B * G, hg, 0, cs[l]!, t * BH, cs[l]!, (t + 1) * BH, h, (t + 1) * BH);
        else if (cell === 'gru') gruForward(B, H, g, t * B * G, hg, 0, hn[l]!, t * BH, h, t * BH, h, (t + 1) * BH);
        else rnnForward(B, H, g, t * B * G, hg, 0, h, (t + 1) * BH);
      }
      state.set(h.subarray(T * BH, (T + 1) * BH), st);
      if (cell === 'lstm') state.set(cs[l]!.subarray(T * BH, (T + 1) * BH), st + BH);
      if (dropoutOn) {
        const y = yd[l]!, mo = l * TB * H;
        for (let k = 0; k < TB * H; k++) y[k] = h[BH + k]! * masks[mo + k]!;
      }
    }
    const [top, off] = layerOut(L - 1);
    gemmABt(TB, V, H, top, off, params, layout.headW, logits, 0, false);
    addBias(TB, V, params, layout.headB, logits, 0);
  }

  function backward(x: TokenArray): void {
    grads.fill(0);
    const [top, topOff] = layerOut(L - 1);
    gemmAtB(TB, V, H, dLogits, 0, top, topOff, grads, layout.headW);
    addColSums(TB, V, dLogits, 0, grads, layout.headB);
    dYa.fill(0);
    gemmAB(TB, V, H, dLogits, 0, params, layout.headW, dYa, 0);
    for (let l = L - 1; l >= 0; l--) {
      const lo = layout.layers[l]!;
      const g = gates[l]!, h = hs[l]!;
      if (dropoutOn) {
        const mo = l * TB * H;
        for (let k = 0; k < TB * H; k++) dYa[k] *= masks[mo + k]!;
      }
      dhCarry.fill(0);
      dcCarry.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        for (let k = 0; k < BH; k++) dhIn[k] = dYa[t * BH + k]! + dhCarry[k]!;
        const go = t * B * G;
        if (cell === 'lstm') {
          lstmBackward(B, H, g, go, cs[l]!, t * BH, cs[l]!, (t + 1) * BH, dhIn, 0, dcCarry, 0, dXg, go);
          dhCarry.fill(0);
        } else if (cell === 'gru') {
          gruBackward(B, H, g, go, hn[l]!, t * BH, h, t * BH, dhIn, 0, dhCarry, 0, dXg, go, dHg, go);
        } else {
          rnnBackward(B, H, g, go, dhIn, 0, dXg, go);
          dhCarry.fill(0);
        }
        gemmAB(B, G, H, dHg, go, params, lo.whh, dhCarry, 0);
      }
      const st = l * S * BH;
      dState.set(dhCarry, st);
      if (cell === 'lstm') dState.set(dcCarry, st + BH);
      gemmAtB(TB, G, H, dHg, 0, h, 0, grads, lo.whh);
      addColSums(TB, G, dHg, 0, grads, lo.bhh);
      addColSums(TB, G, dXg, 0, grads, lo.bih);
      if (l === 0) embedBackward(TB, G, V, x, dXg, 0, grads, lo.wih);
      else {
        const [inp, off] = layerOut(l - 1);
        gemmAtB(TB, G, H, dXg, 0, inp, off, grads, lo.wih);
        dYb.fill(0);
        gemmAB(TB, G, H, dXg, 0, params, lo.wih, dYb, 0);
        const tmp = dYa; dYa = dYb; dYb = tmp;
      }
    }
  }

  return {
    variant: 'ts', threads: 1, cfg, layout, batch: B, seqLen: T, params, grads, state, dState, logits, rowLoss, moments, masks,
    get lastCount() { return lastCount; },
    fillMasks(spec) { if (useDropout) fillMasks(masks, L * T, BH, T, spec); },
    forwardBackward(x, y) {
      dropoutOn = useDropout;
      lastCount = countTargets(y, TB);
      forward(x);
      const scale = lastCount > 0 ? 1 / lastCount : 0;
      const loss = softmaxXent(TB, V, logits, y, dLogits, scale, rowLoss);
      backward(x);
      return lastCount > 0 ? loss / lastCount : 0;
    },
    forwardLoss(x, y) {
      dropoutOn = false;
      lastCount = countTargets(y, TB);
      forward(x);
      return softmaxXent(TB, V, logits, y, null, 0, rowLoss);
    },
    gradNormSq: () => sumSquares(grads),
    scaleGrads: (s) => scaleInPlace(grads, s),
    optimizerStep(opt: OptimizerSpec, lr: number, t: number) {
      const [m0, m1] = moments as [FloatArray, FloatArray];
      if (opt.kind === 'adam') adamUpdate(params, grads, m0, m1, lr, opt.beta1, opt.beta2, opt.eps, opt.weightDecay, t);
      else if (opt.kind === 'sgd') sgdUpdate(params, grads, m0, lr, opt.beta1, opt.weightDecay, t);
      else rmspropUpdate(params, grads, m0, lr, opt.beta2, opt.eps, opt.weightDecay);
    },
    paramsChanged: () => {},
    resetState: () => state.fill(0),
    dispose: () => {},
  };
}
