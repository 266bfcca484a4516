// The run's dropout masks: step s's masks are a hash of (the run's two dropout keys, s, entry), so a
// resumed run needs only the step to draw the same masks, and every backend and thread count draws
// the same ones (src/kernels/ref/dropout-mask.ts has the hash; the WASM kernel fills in parallel).

import type { MaskSpec } from '../kernels/engine.js';
import { mix32 } from '../kernels/ref/dropout-mask.js';
import type { DropoutMode } from '../settings/train-settings.js';
import type { Rng } from '../rng.js';

/** The run's two dropout keys: the first two draws of its dropout RNG, whose state the checkpoint
 *  keeps unchanged for the whole run. */
export function dropoutKeys(rng: Rng): [number, number] {
  return [rng.nextU32(), rng.nextU32()];
}

/** The mask spec of step `step` (0-based: the step being trained) for dropout probability p. */
export function maskSpec(keys: readonly [number, number], step: number, p: number, mode: DropoutMode): MaskSpec {
  const spec = { a: 0, b: 0, thr: Math.min(4294967295, Math.round(p * 4294967296)), keep: 1 / (1 - p), variational: mode === 'variational' };
  return setMaskStep(spec, keys, step);
}

/** Point `spec` at step `step` (the training loop reuses one spec object). */
export function setMaskStep(spec: MaskSpec, keys: readonly [number, number], step: number): MaskSpec {
  spec.a = mix32((keys[0] ^ mix32(step >>> 0)) >>> 0);
  spec.b = mix32((keys[1] + Math.imul(step >>> 0, 0x9e3779b9)) >>> 0);
  return spec;
}
