// Targets of a window that count towards the loss (y = -1 marks padding), shared by the backends.

export function countTargets(y: Int32Array, n: number): number {
  let count = 0;
  for (let k = 0; k < n; k++) if (y[k]! >= 0) count++;
  return count;
}
