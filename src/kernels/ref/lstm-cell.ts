// LSTM cell, one time step for B rows, PyTorch's definition (gate order i, f, g, o):
//   i = σ(xi + hi)  f = σ(xf + hf)  g = tanh(xg + hg)  o = σ(xo + ho)
//   c' = f ⊙ c + i ⊙ g      h' = o ⊙ tanh(c')
// https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html

import type { FloatArray } from '../engine.js';
import { sigmoid } from './sigmoid.js';

/** gates (B, 4H): in = x·W_ihᵀ + b_ih, out = activations [i | f | g | o];
 *  hg (B, 4H) = h·W_hhᵀ + b_hh;  c (B, H) previous cell;  cOut, hOut (B, H). */
export function lstmForward(
  B: number, H: number,
  gates: FloatArray, gOff: number, hg: FloatArray, hgOff: number,
  c: FloatArray, cOff: number, cOut: FloatArray, cOutOff: number, hOut: FloatArray, hOutOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, h0 = hgOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g0 + j]! + hg[h0 + j]!);
      const f = sigmoid(gates[g0 + H + j]! + hg[h0 + H + j]!);
      const g = Math.tanh(gates[g0 + 2 * H + j]! + hg[h0 + 2 * H + j]!);
      const o = sigmoid(gates[g0 + 3 * H + j]! + hg[h0 + 3 * H + j]!);
      gates[g0 + j] = i; gates[g0 + H + j] = f; gates[g0 + 2 * H + j] = g; gates[g0 + 3 * H + j] = o;
      const cn = f * c[cOff + s + j]! + i * g;
      cOut[cOutOff + s + j] = cn;
      hOut[hOutOff + s + j] = o * Math.tanh(cn);
    }
  }
}

/** gates (B, 4H) activations from forward; c, cOut (B, H) cell before/after;
 *  dh (B, H) gradient into h' (read); dc (B, H) gradient into c' (read, then overwritten with the
 *  gradient into c); dGates (B, 4H) written with pre-activation gradients [di | df | dg | do]. */
export function lstmBackward(
  B: number, H: number,
  gates: FloatArray, gOff: number, c: FloatArray, cOff: number, cOut: FloatArray, cOutOff: number,
  dh: FloatArray, dhOff: number, dc: FloatArray, dcOff: number, dGates: FloatArray, dgOff: number,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, d0 = dgOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + j]!, f = gates[g0 + H + j]!, g = gates[g0 + 2 * H + j]!, o = gates[g0 + 3 * H + j]!;
      const tc = Math.tanh(cOut[cOutOff + s + j]!);
      const dhv = dh[dhOff + s + j]!;
      const dct = dc[dcOff + s + j]! + dhv * o * (1 - tc * tc);
      dGates[d0 + j] = dct * g * i * (1 - i);
      dGates[d0 + H + j] = dct * c[cOff + s + j]! * f * (1 - f);
      dGates[d0 + 2 * H + j] = dct * i * (1 - g * g);
      dGates[d0 + 3 * H + j] = dhv * tc * o * (1 - o);
      dc[dcOff + s + j] = dct * f;
    }
  }
}
