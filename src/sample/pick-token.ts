// Choosing the next token from logits: greedy at temperature 0, otherwise softmax(logits / T)
// restricted to the top-k tokens and then to the smallest set whose mass reaches top-p.
// `work` is caller-owned scratch of length ≥ 2V, so picking allocates nothing.

import type { FloatArray } from '../kernels/engine.js';
import type { Rng } from '../rng.js';

export interface PickOptions {
  temperature: number;
  /** 0 = no limit. */
  topK: number;
  /** 1 = no limit. */
  topP: number;
}

/** Returns the chosen token id. */
export function pickToken(logits: FloatArray, V: number, o: PickOptions, rng: Rng, work: Float64Array): number {
  if (o.temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[v]! > logits[best]!) best = v;
    return best;
  }
  const p = work; // p[0..V): probabilities; p[V..2V): ids sorted by probability (when filtering)
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[v]!);
  let sum = 0;
  for (let v = 0; v < V; v++) { p[v] = Math.exp((logits[v]! - max) / o.temperature); sum += p[v]!; }
  for (let v = 0; v < V; v++) p[v] /= sum;
  const filter = (o.topK > 0 && o.topK < V) || o.topP < 1;
  if (filter) {
    const ids = p.subarray(V, 2 * V);
    for (let v = 0; v < V; v++) ids[v] = v;
    ids.sort((a, b) => p[b]! - p[a]! || a - b);
    const k = o.topK > 0 ? Math.min(o.topK, V) : V;
    let kept = 0, mass = 0;
    while (kept < k && (kept === 0 || mass < o.topP)) { mass += p[ids[kept]!]!; kept++; }
    for (let r = kept; r < V; r++) p[ids[r]!] = 0;
    for (let v = 0; v < V; v++) p[v] /= mass;
  }
  const u = rng.next();
  let acc = 0, chosen = -1;
  for (let v = 0; v < V; v++) {
    if (p[v] === 0) continue;
    acc += p[v]!;
    chosen = v;
    if (u < acc) break;
  }
  return chosen;
}

/** log softmax(logits)[id], the model's own log-probability of a token (temperature 1). */
export function logProb(logits: FloatArray, V: number, id: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[v]!);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[v]! - max);
  return logits[id]! - max - Math.log(sum);
}
