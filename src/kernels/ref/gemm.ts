// Reference GEMM in the three forms forward and backward need. Plain loops over flat row-major
// arrays addressed by offsets (so no subarray views are allocated in the step loop); generic over
// Float32Array / Float64Array so gradient checks can run in float64.

import type { FloatArray } from '../engine.js';

/** Forward.  A (M, K), W (N, K), C (M, N):  C = A · Wᵀ  (or C += when accumulate). */
export function gemmABt(
  M: number, N: number, K: number,
  A: FloatArray, aOff: number, W: FloatArray, wOff: number,
  C: FloatArray, cOff: number, accumulate: boolean,
): void {
  for (let m = 0; m < M; m++) {
    const a = aOff + m * K;
    const c = cOff + m * N;
    for (let n = 0; n < N; n++) {
      const w = wOff + n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a + k]! * W[w + k]!;
      C[c + n] = accumulate ? C[c + n]! + s : s;
    }
  }
}

/** Backward to the input.  dC (M, N), W (N, K), dA (M, K):  dA += dC · W. */
export function gemmAB(
  M: number, N: number, K: number,
  dC: FloatArray, dcOff: number, W: FloatArray, wOff: number,
  dA: FloatArray, daOff: number,
): void {
  for (let m = 0; m < M; m++) {
    const da = daOff + m * K;
    const dc = dcOff + m * N;
    for (let n = 0; n < N; n++) {
      const g = dC[dc + n]!;
      if (g === 0) continue;
      const w = wOff + n * K;
      for (let k = 0; k < K; k++) dA[da + k] += g * W[w + k]!;
    }
  }
}

/** Backward to the weights.  dC (M, N), A (M, K), dW (N, K):  dW += dCᵀ · A. */
export function gemmAtB(
  M: number, N: number, K: number,
  dC: FloatArray, dcOff: number, A: FloatArray, aOff: number,
  dW: FloatArray, dwOff: number,
): void {
  for (let m = 0; m < M; m++) {
    const a = aOff + m * K;
    const dc = dcOff + m * N;
    for (let n = 0; n < N; n++) {
      const g = dC[dc + n]!;
      if (g === 0) continue;
      const dw = dwOff + n * K;
      for (let k = 0; k < K; k++) dW[dw + k] += g * A[a + k]!;
    }
  }
}

/** Bias forward: C (M, N) += b (N) on every row. */
export function addBias(M: number, N: number, b: FloatArray, bOff: number, C: FloatArray, cOff: number): void {
  for (let m = 0; m < M; m++) {
    const c = cOff + m * N;
    for (let n = 0; n < N; n++) C[c + n] += b[bOff + n]!;
  }
}

/** Bias backward: db (N) += column sums of dC (M, N). */
export function addColSums(M: number, N: number, dC: FloatArray, dcOff: number, db: FloatArray, dbOff: number): void {
  for (let m = 0; m < M; m++) {
    const dc = dcOff + m * N;
    for (let n = 0; n < N; n++) db[dbOff + n] += dC[dc + n]!;
  }
}
