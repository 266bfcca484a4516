// The kernel module's exports by number, shared by the main thread and the workers, so a dispatch
// is an integer in the control block rather than a message; and what runs them (OpRunner).

import type { KernelVariant } from '../engine.js';

export type WasmVariant = Exclude<KernelVariant, 'ts'>;

/** Runs an op of the module on every thread it has: pool.ts (worker_threads), web-pool.ts (Web
 *  Workers) or serial-runner.ts (the calling thread alone). */
export interface OpRunner {
  readonly nth: number;
  /** The kernel build it runs. */
  readonly variant: WasmVariant;
  run(op: number, a0?: number, a1?: number, a2?: number, a3?: number, a4?: number, a5?: number, a6?: number,
    a7?: number, a8?: number, a9?: number, a10?: number, a11?: number, a12?: number, a13?: number): void;
  dispose(): void;
}

export const OPS = [
  'gemm', 'transpose',
  'lstmFwdStep', 'lstmBwdStep', 'gruFwdStep', 'gruBwdStep', 'rnnFwdStep', 'rnnBwdStep',
  'embedFwd', 'embedBwd', 'colSums', 'mul', 'scale', 'sumSq', 'softmaxXent', 'adam', 'sgd', 'rmsprop', 'copyRows', 'dropoutMask',
] as const;

export type OpName = (typeof OPS)[number];
export const OP = Object.fromEntries(OPS.map((n, i) => [n, i])) as { [K in OpName]: number };

/** Every op is (ith, nth, a0 … a13) => void; unused trailing arguments are ignored by WASM. */
export type KernelFn = (ith: number, nth: number, ...args: number[]) => void;

/** Floats per chunk of the squared-norm reduction (assembly/optim.ts SUMSQ_CHUNK). */
export const SUMSQ_CHUNK = 4096;

/** Control block (Int32 slots) of a worker pool. GEN: dispatch counter; PENDING: threads still
 *  running the op (or, at start-up, still starting); ERR: ith of the first worker whose op threw;
 *  OP: the op number; DEAD: ith of the first worker whose thread exited (set by watcher.ts). */
export const CTRL = { GEN: 0, PENDING: 1, ERR: 2, OP: 3, DEAD: 4 } as const;
/** The op number that tells workers to leave their loop. */
export const QUIT_OP = -1;
/** Tests only: worker args[0] exits with code args[1] on receiving it, in a pool created with
 *  __testOnlyFaults (other pools' workers ignore it). */
export const TEST_EXIT_OP = -2;
export const CTRL_INTS = 16;
export const MAX_ARGS = 16;
export const ERR_BYTES = 1024;
/** Byte layout of the control SharedArrayBuffer: ints, then f64 args, then an error message. */
export const ARGS_OFFSET = CTRL_INTS * 4;
export const ERR_OFFSET = ARGS_OFFSET + MAX_ARGS * 8;
export const CTRL_BYTES = ERR_OFFSET + ERR_BYTES;
/** Spins on the control block before sleeping in Atomics.wait (an op is often ~50 µs). */
export const SPIN = 20000;

export function exportsOf(instance: WebAssembly.Instance): KernelFn[] {
  return OPS.map((n) => instance.exports[n] as KernelFn);
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): WebAssembly.Instance {
  return new WebAssembly.Instance(module, { env: { memory } });
}

/** The build an instance comes from, as the module itself records it (assembly/index.ts
 *  RELAXED_SIMD), whichever file it was compiled from. */
export function variantOf(instance: WebAssembly.Instance): WasmVariant {
  return (instance.exports.RELAXED_SIMD as { value: number }).value === 1 ? 'wasm-fma' : 'wasm';
}
