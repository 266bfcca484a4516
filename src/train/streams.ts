// B parallel streams through a token sequence, cut into windows of T steps for truncated BPTT
// (torch-rnn's DataLoader layout). The sequence s[0..N] starts with EOS; there are N targets
// s[1..N]. Stream b owns targets [b·Lb, min((b+1)·Lb, N)) with Lb = ceil(N / B), so every target
// is predicted exactly once per epoch and each stream continues where its last window stopped,
// which is what makes carrying the hidden state between windows valid. Positions past a stream's
// end are padding: input EOS, target -1 (ignored by the loss).

import type { TokenArray } from '../kernels/engine.js';

export interface StreamLayout {
  /** Targets in the sequence (its length minus the leading EOS). */
  targets: number;
  batch: number;
  seqLen: number;
  /** Lb: targets per stream. */
  streamLen: number;
  /** W: windows per epoch. */
  windows: number;
}

export function streamLayout(seqLength: number, batch: number, seqLen: number): StreamLayout {
  const targets = Math.max(0, seqLength - 1);
  const streamLen = Math.ceil(targets / batch);
  return { targets, batch, seqLen, streamLen, windows: Math.max(1, Math.ceil(streamLen / seqLen)) };
}

/** Fill x, y (T, B) time-major for window w. */
export function fillWindow(s: TokenArray, lay: StreamLayout, w: number, x: TokenArray, y: Int32Array): void {
  const { batch: B, seqLen: T, streamLen: Lb, targets: N } = lay;
  for (let b = 0; b < B; b++) {
    const end = Math.min((b + 1) * Lb, N);
    for (let t = 0; t < T; t++) {
      const p = b * Lb + w * T + t;
      const k = t * B + b;
      if (p < end) { x[k] = s[p]!; y[k] = s[p + 1]!; }
      else { x[k] = 0; y[k] = -1; }
    }
  }
}
