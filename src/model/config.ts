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
  layers: 2,               // two layers: char-rnn's default depth
  hidden: 128,             // small enough to learn a names list in about a minute on 2 cores
  dropout: 0,              // small corpora overfit slowly at this size; raise it for bigger models
};

/** G: gate rows per layer (4H LSTM [i|f|g|o], 3H GRU [r|z|n], H for tanh RNN). */
export function gateRows(cell: CellType, hidden: number): number {
  return cell === 'lstm' ? 4 * hidden : cell === 'gru' ? 3 * hidden : hidden;
}

/** Recurrent state tensors per layer: (h, c) for LSTM, h otherwise. */
export function stateCount(cell: CellType): number {
  return cell === 'lstm' ? 2 : 1;
}
