// rnn checkpoints → ONNX (https://onnx.ai/onnx/intro/concepts.html), opset 14, for inference with
// ONNX Runtime or any other ONNX backend. The graph, time-major as ONNX's recurrent ops are:
//   tokens (T, B) int64 → Gather over eye(V) → one-hot (T, B, V)
//   per layer l: LSTM | GRU | RNN(tanh) with initial_h = h0[l] (and initial_c = c0[l]) → (T, B, H)
//   MatMul head.weightᵀ (H, V) + Add head.bias → logits (T, B, V)
// h0/c0 (L, B, H) are inputs and hn/cn (L, B, H) outputs, as PyTorch's (h, c), so a caller samples
// one character at a time by feeding hn back. No dropout: export is inference.
// Gate orders differ (https://onnx.ai/onnx/operators/onnx__LSTM.html, onnx__GRU.html): PyTorch's
// LSTM rows i, f, g, o become ONNX's i, o, f, c; GRU r, z, n become z, r, h, with
// linear_before_reset=1, which is PyTorch's n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

import type { Checkpoint } from '../checkpoint/types.js';
import { decodeF32 } from '../checkpoint/tensor-codec.js';
import { exportMetadata } from './torch-format.js';
import { VERSION } from '../version.js';
import { bytesField as msg, concat, intField, stringField, type Chunk } from './protobuf.js';

export const ONNX_OPSET = 14;
const IR_VERSION = 8; // the IR version of opset 14 (onnx/docs/Versioning.md)
const FLOAT = 1, INT64 = 7; // TensorProto.DataType
const ATTR_INT = 2; // AttributeProto.AttributeType

/** PyTorch gate blocks (each H rows) in ONNX order: new block k is PyTorch block ORDER[k]. */
const GATE_ORDER = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn: [0] } as const;

/** A (G, D) row-major matrix (or a (G) vector when D = 1) with its H-row gate blocks reordered. */
export function reorderGates(data: Float32Array, cell: Checkpoint['model']['cell'], hidden: number): Float32Array {
  const block = hidden * (data.length / (GATE_ORDER[cell].length * hidden));
  const out = new Float32Array(data.length);
  GATE_ORDER[cell].forEach((src, k) => out.set(data.subarray(src * block, (src + 1) * block), k * block));
  return out;
}

// onnx.proto field numbers (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
function tensor(name: string, dims: readonly number[], type: number, raw: Uint8Array): Chunk {
  return concat([...dims.map((d) => intField(1, d)), intField(2, type), stringField(8, name), msg(9, raw)]);
}
const floats = (name: string, dims: readonly number[], data: Float32Array): Chunk =>
  tensor(name, dims, FLOAT, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // LE hosts
const int64s = (name: string, values: readonly number[]): Chunk => {
  const raw = new BigInt64Array(values.map(BigInt));
  return tensor(name, [values.length], INT64, new Uint8Array(raw.buffer));
};
function node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, number> = {}): Chunk {
  return concat([
    ...inputs.map((s) => stringField(1, s)), ...outputs.map((s) => stringField(2, s)),
    stringField(3, outputs[0]!), stringField(4, op),
    ...Object.entries(attrs).map(([k, v]) => msg(5, [stringField(1, k), intField(3, v), intField(20, ATTR_INT)])),
  ]);
}
/** A graph input/output: name, elem type, dims (a string is a symbolic dim). */
function valueInfo(name: string, type: number, dims: readonly (number | string)[]): Chunk {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  return concat([stringField(1, name), msg(2, msg(1, [intField(1, type), msg(2, shape)]))]);
}

/** The checkpoint as an ONNX model file; deterministic bytes. */
export function exportOnnx(ck: Checkpoint): Uint8Array {
  const { cell, layers: L, hidden: H, vocabSize: V } = ck.model;
  const w = new Map(ck.tensors.map((t) => [t.name, decodeF32(t)]));
  const get = (name: string): Float32Array => w.get(name)!;
  const states = cell === 'lstm' ? ['h', 'c'] : ['h'];
  const init: Chunk[] = [], nodes: Chunk[] = [];
  const eye = new Float32Array(V * V);
  for (let k = 0; k < V; k++) eye[k * V + k] = 1;
  init.push(floats('eye', [V, V], eye), int64s('axis1', [1]));
  nodes.push(node('Gather', ['eye', 'tokens'], ['onehot'], { axis: 0 }));
  for (const s of states) {
    if (L > 1) nodes.push(node('Split', [`${s}0`], Array.from({ length: L }, (_, l) => `${s}0_l${l}`), { axis: 0 }));
    else nodes.push(node('Identity', [`${s}0`], [`${s}0_l0`]));
  }
  const op = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' }[cell];
  let x = 'onehot';
  for (let l = 0; l < L; l++) {
    const D = l === 0 ? V : H, G = GATE_ORDER[cell].length * H;
    const r = (name: string): Float32Array => reorderGates(get(`rnn.${name}_l${l}`), cell, H);
    const bias = new Float32Array(2 * G);
    bias.set(r('bias_ih'), 0); bias.set(r('bias_hh'), G);
    init.push(floats(`W_l${l}`, [1, G, D], r('weight_ih')), floats(`R_l${l}`, [1, G, H], r('weight_hh')), floats(`B_l${l}`, [1, 2 * G], bias));
    const ins = [x, `W_l${l}`, `R_l${l}`, `B_l${l}`, '', `h0_l${l}`, ...(cell === 'lstm' ? [`c0_l${l}`] : [])];
    const outs = [`Y_l${l}`, `hn_l${l}`, ...(cell === 'lstm' ? [`cn_l${l}`] : [])];
    nodes.push(node(op, ins, outs, { hidden_size: H, ...(cell === 'gru' ? { linear_before_reset: 1 } : {}) }));
    nodes.push(node('Squeeze', [`Y_l${l}`, 'axis1'], [`out_l${l}`])); // (T, 1, B, H) → (T, B, H)
    x = `out_l${l}`;
  }
  for (const s of states) {
    const parts = Array.from({ length: L }, (_, l) => `${s}n_l${l}`);
    nodes.push(L > 1 ? node('Concat', parts, [`${s}n`], { axis: 0 }) : node('Identity', parts, [`${s}n`]));
  }
  const headW = get('head.weight'), headT = new Float32Array(H * V); // (V, H) → (H, V)
  for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) headT[h * V + v] = headW[v * H + h]!;
  init.push(floats('head_weight_t', [H, V], headT), floats('head_bias', [V], get('head.bias')));
  nodes.push(node('MatMul', [x, 'head_weight_t'], ['logits_nobias']), node('Add', ['logits_nobias', 'head_bias'], ['logits']));

  const graph = concat([
    ...nodes.map((n) => msg(1, n)), stringField(2, `rnn ${L}x${H} ${cell}`), ...init.map((t) => msg(5, t)),
    msg(11, valueInfo('tokens', INT64, ['T', 'B'])),
    ...states.map((s) => msg(11, valueInfo(`${s}0`, FLOAT, [L, 'B', H]))),
    msg(12, valueInfo('logits', FLOAT, ['T', 'B', V])),
    ...states.map((s) => msg(12, valueInfo(`${s}n`, FLOAT, [L, 'B', H]))),
  ]);
  const meta = { ...exportMetadata(ck), input_layout: 'tokens (T, B) int64, time-major; h0/c0 (L, B, H), zeros for a fresh start; feed token 0 (EOS) first' };
  return concat([
    intField(1, IR_VERSION), stringField(2, 'rnn'), stringField(3, VERSION), msg(7, graph),
    msg(8, [stringField(1, ''), intField(2, ONNX_OPSET)]),
    ...Object.entries(meta).map(([k, v]) => msg(14, [stringField(1, k), stringField(2, v)])),
  ]);
}
