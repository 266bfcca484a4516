// Model configuration: the architecture, and nothing about how it is trained.
// Follows PyTorch's nn.LSTM / nn.GRU / nn.RNN(tanh) with a one-hot input of width V, then
// nn.Linear(H, V). https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html

export type CellType = 'lstm' | 'gru' | 'rnn';
export const CELL_TYPES: readonly CellType[] = ['lstm', 'gru', 'rnn'];

export interface ModelConfig {
  cell: CellType;
  /** L: stacked recurrent layers. */
  layers: number;
  /** H: hidden units per layer. */
  hidden: number;
  /** V: vocabulary size, EOS included. */
  vocabSize: number;
  /** Inverted dropout on the output of every layer (between layers and before the head), training only. */
  dropout: number;
}

export const DEFAULT_MODEL = {
  cell: 'lstm' as CellType, // the cell char-rnn and torch-rnn default to
  layers: 1,               // on the bundled names list with the WASM kernel (2 cores, 1000 steps):
  hidden: 128,             // 1×128 reaches 1.95 nats/char, 1×64 2.26, 2×128 2.10, 1×256 2.11
  dropout: 0.1,            // a little: 1×128 starts to overfit the 48k-character list after ~600 steps
};

/** G: gate rows per layer (4H LSTM [i|f|g|o], 3H GRU [r|z|n], H for tanh RNN). */
export function gateRows(cell: CellType, hidden: number): number {
  return cell === 'lstm' ? 4 * hidden : cell === 'gru' ? 3 * hidden : hidden;
}

/** Recurrent state tensors per layer: (h, c) for LSTM, h otherwise. */
export function stateCount(cell: CellType): number {
  return cell === 'lstm' ? 2 : 1;
}
