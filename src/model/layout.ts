// The parameter layout table: every tensor's name (PyTorch state_dict names for a module with an
// nn.LSTM/GRU/RNN named `rnn` and an nn.Linear named `head`), shape and offset into one flat buffer.
// Parameters, gradients and optimizer moments all use this same layout.

import { gateRows, type ModelConfig } from './config.js';

export interface TensorSpec {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface LayerOffsets {
  /** weight_ih (G, D): D = V for layer 0, H above. */
  wih: number;
  /** weight_hh (G, H). */
  whh: number;
  /** bias_ih (G). */
  bih: number;
  /** bias_hh (G). */
  bhh: number;
  /** D: input width of this layer. */
  inputSize: number;
}

export interface ParamLayout {
  tensors: TensorSpec[];
  layers: LayerOffsets[];
  /** head.weight (V, H). */
  headW: number;
  /** head.bias (V). */
  headB: number;
  /** Total number of parameters. */
  size: number;
}

export function buildLayout(cfg: ModelConfig): ParamLayout {
  const { layers: L, hidden: H, vocabSize: V } = cfg;
  const G = gateRows(cfg.cell, H);
  const tensors: TensorSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]): number => {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, shape, offset, size });
    offset += size;
    return offset - size;
  };
  const layers: LayerOffsets[] = [];
  for (let l = 0; l < L; l++) {
    const D = l === 0 ? V : H;
    const wih = add(`rnn.weight_ih_l${l}`, [G, D]);
    const whh = add(`rnn.weight_hh_l${l}`, [G, H]);
    const bih = add(`rnn.bias_ih_l${l}`, [G]);
    const bhh = add(`rnn.bias_hh_l${l}`, [G]);
    layers.push({ wih, whh, bih, bhh, inputSize: D });
  }
  const headW = add('head.weight', [V, H]);
  const headB = add('head.bias', [V]);
  return { tensors, layers, headW, headB, size: offset };
}

/** PyTorch's default init for every tensor here: uniform(-1/sqrt(H), 1/sqrt(H)). nn.Linear(H, V)
 *  gives the same bound for weight (kaiming_uniform with a=sqrt(5)) and bias (1/sqrt(fan_in)). */
export function initParams(params: Float32Array | Float64Array, cfg: ModelConfig, uniform01: () => number): void {
  const k = 1 / Math.sqrt(cfg.hidden);
  for (let i = 0; i < params.length; i++) params[i] = (2 * uniform01() - 1) * k;
}
