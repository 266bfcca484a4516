// Elman RNN cell with tanh, one time step for B rows, as PyTorch's nn.RNN(nonlinearity='tanh'):
//   h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
// https://pytorch.org/docs/stable/generated/torch.nn.RNN.html

import type { FloatArray } from '../engine.js';

/** gates (B, H): in = x·W_ihᵀ + b_ih; hg (B, H) = h·W_hhᵀ + b_hh; hOut (B, H) = tanh(sum), also
 *  written back into gates so backward reads the activation from the same place as other cells. */
export function rnnForward(
  B: number, H: number,
  gates: FloatArray, gOff: number, hg: FloatArray, hgOff: number, hOut: FloatArray, hOutOff: number,
): void {
  for (let k = 0; k < B * H; k++) {
    const a = Math.tanh(gates[gOff + k]! + hg[hgOff + k]!);
    gates[gOff + k] = a;
    hOut[hOutOff + k] = a;
  }
}

/** gates (B, H) activations; dh (B, H) gradient into h'; dGates (B, H) pre-activation gradient. */
export function rnnBackward(
  B: number, H: number,
  gates: FloatArray, gOff: number, dh: FloatArray, dhOff: number, dGates: FloatArray, dgOff: number,
): void {
  for (let k = 0; k < B * H; k++) {
    const a = gates[gOff + k]!;
    dGates[dgOff + k] = dh[dhOff + k]! * (1 - a * a);
  }
}
