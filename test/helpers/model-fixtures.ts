// Small deterministic inputs shared by the kernel tests: closed-form weights, tokens and states,
// so failures reproduce without any RNG.

import type { Engine } from '../../src/kernels/engine.js';

/** Fill every parameter with a smooth closed-form value in about ±0.5. */
export function fillParams(e: Engine, phase = 0): void {
  for (let k = 0; k < e.params.length; k++) e.params[k] = 0.5 * Math.sin(1.7 * k + 0.3 + phase);
}

/** (T, B) token ids and targets; target (0,0)... one target ignored when `ignoreOne`. */
export function tokens(T: number, B: number, V: number, ignoreOne = true): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(T * B), y = new Int32Array(T * B);
  for (let k = 0; k < T * B; k++) {
    x[k] = (k * 7 + 3) % V;
    y[k] = (k * 5 + 1) % V;
  }
  if (ignoreOne && T * B > 2) y[1] = -1;
  return { x, y };
}

export function fillState(e: Engine): void {
  for (let k = 0; k < e.state.length; k++) e.state[k] = 0.3 * Math.cos(0.9 * k + 0.2);
}
