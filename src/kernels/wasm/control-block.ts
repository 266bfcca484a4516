// The dispatch protocol over a pool's control block (layout and slots in ops.ts), on both sides,
// for both pools: Node's (pool.ts over worker.ts) and the browser's (web-pool.ts over
// web-worker.ts), whose calling-thread side is shared-pool.ts. The main thread writes the arguments and op number, sets PENDING to the number
// of workers, bumps GEN and notifies; each worker sees GEN move, runs its share (ith of nth) and
// counts itself out of PENDING. How the main thread waits for PENDING to reach 0 is each pool's
// own: Node's may sleep in Atomics.wait, a browser page's main thread may not (it throws there).
// Nothing here imports a node: module.

import { ARGS_OFFSET, CTRL, CTRL_BYTES, CTRL_INTS, ERR_BYTES, ERR_OFFSET, MAX_ARGS, QUIT_OP, SPIN, TEST_EXIT_OP, type KernelFn } from './ops.js';

export interface ControlBlock {
  readonly sab: SharedArrayBuffer;
  /** CTRL_INTS Int32 slots, indexed by CTRL. */
  readonly ctrl: Int32Array;
  /** The op's arguments a0 … a13. */
  readonly args: Float64Array;
}

/** Views of `sab` (a new control block when absent), as every thread of a pool holds them. */
export function controlBlock(sab = new SharedArrayBuffer(CTRL_BYTES)): ControlBlock {
  return { sab, ctrl: new Int32Array(sab, 0, CTRL_INTS), args: new Float64Array(sab, ARGS_OFFSET, MAX_ARGS) };
}

/** Main thread: start op (its arguments already in `args`) on `workers` workers. */
export function dispatch(c: ControlBlock, op: number, workers: number): void {
  Atomics.store(c.ctrl, CTRL.OP, op);
  Atomics.store(c.ctrl, CTRL.PENDING, workers);
  Atomics.add(c.ctrl, CTRL.GEN, 1);
  Atomics.notify(c.ctrl, CTRL.GEN);
}

/** Main thread: tell every worker to leave its loop (no one counts out). */
export function quit(c: ControlBlock): void {
  Atomics.store(c.ctrl, CTRL.OP, QUIT_OP);
  Atomics.add(c.ctrl, CTRL.GEN, 1);
  Atomics.notify(c.ctrl, CTRL.GEN);
}

/** Main thread, after an op: the first worker error it recorded ('worker 2: …'), or null. */
export function workerError(c: ControlBlock): string | null {
  if (Atomics.load(c.ctrl, CTRL.ERR) === 0) return null;
  const bytes = new Uint8Array(c.sab, ERR_OFFSET, ERR_BYTES);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.slice(0, end < 0 ? ERR_BYTES : end));
}

export interface WorkerLoopHooks {
  /** Tests only (Node): called with args[1] when a TEST_EXIT_OP names this worker (args[0]). */
  testExit?: (code: number) => void;
}

/** Worker: count itself in, then run ops until QUIT_OP. Spins on GEN, then sleeps in Atomics.wait
 *  (allowed in any worker). An op that throws is recorded for the main thread; the loop goes on. */
export function workerLoop(c: ControlBlock, fns: readonly KernelFn[], ith: number, nth: number, hooks: WorkerLoopHooks = {}): void {
  const { ctrl, args: a } = c;
  let seen = Atomics.load(ctrl, CTRL.GEN);
  Atomics.sub(ctrl, CTRL.PENDING, 1);
  Atomics.notify(ctrl, CTRL.PENDING);
  for (;;) {
    let g: number;
    let spins = 0;
    while ((g = Atomics.load(ctrl, CTRL.GEN)) === seen) {
      if (++spins > SPIN) { Atomics.wait(ctrl, CTRL.GEN, seen); spins = 0; }
    }
    seen = g;
    const op = Atomics.load(ctrl, CTRL.OP);
    if (op === QUIT_OP) return;
    if (op === TEST_EXIT_OP) {
      // Dies holding its share of the op, as a thread killed mid-op would.
      if (a[0] === ith) hooks.testExit?.(a[1]!);
    } else {
      try {
        fns[op]!(ith, nth, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);
      } catch (err) {
        recordError(c, ith, err);
      }
    }
    if (Atomics.sub(ctrl, CTRL.PENDING, 1) === 1) Atomics.notify(ctrl, CTRL.PENDING);
  }
}

function recordError(c: ControlBlock, ith: number, err: unknown): void {
  const msg = new TextEncoder().encode(`worker ${ith}: ${(err as Error)?.message ?? String(err)}`.slice(0, ERR_BYTES / 4));
  new Uint8Array(c.sab, ERR_OFFSET, ERR_BYTES).set(msg.subarray(0, ERR_BYTES - 1));
  Atomics.compareExchange(c.ctrl, CTRL.ERR, 0, ith);
}
