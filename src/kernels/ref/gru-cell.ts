// GRU cell, one time step for B rows, PyTorch's definition (gate order r, z, n):
//   r = σ(xr + hr)  z = σ(xz + hz)  n = tanh(xn + r ⊙ hn)   (hn = W_hn h + b_hn)
//   h' = (1 − z) ⊙ n + z ⊙ h
// https://pytorch.org/docs/stable/generated/torch.nn.GRU.html

import type { FloatArray } from '../engine.js';
import { sigmoid } from './sigmoid.js';

/** gates (B, 3H): in = x·W_ihᵀ + b_ih, out = activations [r | z | n];
 *  hg (B, 3H) = h·W_hhᵀ + b_hh;  hnOut (B, H) saves hg's n part for backward;  h, hOut (B, H). */
export function gruForward(
  B: number, H: number,
  gates: FloatArray, gOff: number, hg: FloatArray, hgOff: number, hnOut: FloatArray, hnOff: number,
  h: FloatArray, hOff: number, hOut: FloatArray, hOutOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, h0 = hgOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[g0 + j]! + hg[h0 + j]!);
      const z = sigmoid(gates[g0 + H + j]! + hg[h0 + H + j]!);
      const hn = hg[h0 + 2 * H + j]!;
      const n = Math.tanh(gates[g0 + 2 * H + j]! + r * hn);
      gates[g0 + j] = r; gates[g0 + H + j] = z; gates[g0 + 2 * H + j] = n;
      hnOut[hnOff + s + j] = hn;
      hOut[hOutOff + s + j] = (1 - z) * n + z * h[hOff + s + j]!;
    }
  }
}

/** dh (B, H) gradient into h' (read); dhPrev (B, H) written with the direct part z ⊙ dh' of the
 *  gradient into h (the caller adds dHg · W_hh); dXg (B, 3H) gradient of x·W_ihᵀ + b_ih;
 *  dHg (B, 3H) gradient of h·W_hhᵀ + b_hh. They differ in the n part: dXn = dn_pre, dHn = dn_pre ⊙ r. */
export function gruBackward(
  B: number, H: number,
  gates: FloatArray, gOff: number, hn: FloatArray, hnOff: number, h: FloatArray, hOff: number,
  dh: FloatArray, dhOff: number, dhPrev: FloatArray, dhPrevOff: number,
  dXg: FloatArray, dxOff: number, dHg: FloatArray, dhgOff: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, x0 = dxOff + b * G, k0 = dhgOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const r = gates[g0 + j]!, z = gates[g0 + H + j]!, n = gates[g0 + 2 * H + j]!;
      const dhv = dh[dhOff + s + j]!;
      const hp = h[hOff + s + j]!;
      const dnPre = dhv * (1 - z) * (1 - n * n);
      const dzPre = dhv * (hp - n) * z * (1 - z);
      const drPre = dnPre * hn[hnOff + s + j]! * r * (1 - r);
      dXg[x0 + j] = drPre; dXg[x0 + H + j] = dzPre; dXg[x0 + 2 * H + j] = dnPre;
      dHg[k0 + j] = drPre; dHg[k0 + H + j] = dzPre; dHg[k0 + 2 * H + j] = dnPre * r;
      dhPrev[dhPrevOff + s + j] = dhv * z;
    }
  }
}
