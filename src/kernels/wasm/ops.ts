// The kernel module's exports by number, shared by the main thread and the workers, so a dispatch
// is an integer in the control block rather than a message.

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
