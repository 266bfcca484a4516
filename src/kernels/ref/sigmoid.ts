// Plain logistic sigmoid, as PyTorch's LSTM/GRU use (not the hard sigmoid some libraries default to).
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
