// Inverted dropout masks, drawn on the main thread from the run's seeded RNG in a fixed order, so
// the masks (and thus the run) do not depend on the backend or the thread count.

import type { Engine } from '../kernels/engine.js';
import type { Rng } from '../rng.js';

/** masks (L, T, B, H): 0 with probability p, else 1/(1-p). */
export function fillDropoutMasks(engine: Engine, p: number, rng: Rng): void {
  const m = engine.masks;
  const keep = 1 / (1 - p);
  for (let k = 0; k < m.length; k++) m[k] = rng.next() < p ? 0 : keep;
}
