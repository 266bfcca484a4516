// A one-line Unicode chart: values resampled to `width` columns (mean of each column's values),
// scaled between their minimum and maximum onto the eight block heights.

const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width: number): string {
  if (values.length === 0) return '';
  const cols = Math.min(width, values.length);
  const means: number[] = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * values.length) / cols), b = Math.floor(((c + 1) * values.length) / cols);
    let s = 0;
    for (let i = a; i < b; i++) s += values[i]!;
    means.push(s / (b - a));
  }
  const lo = Math.min(...means), hi = Math.max(...means);
  return means.map((v) => BLOCKS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1)) : 0]).join('');
}
