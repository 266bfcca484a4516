// The one place that splits work across threads. nth - 1 worker_threads plus the main thread run
// each op of the kernel module on the same shared WebAssembly.Memory; op i of a dispatch runs on
// every thread with its own ith, and each op cuts its output with rangeStart/rangeEnd
// (assembly/common.ts), so which thread computes an element never changes its value.
//
// Dispatch: the main thread writes the op number and arguments into a control block, sets PENDING
// to nth - 1, bumps GEN and notifies; it runs share 0 itself, then waits for PENDING to reach 0.
// No postMessage per op. Waits spin briefly, then sleep in Atomics.wait.

import { Worker } from 'node:worker_threads';
import { RuntimeError } from '../../errors.js';
import { distFile, instantiate } from './module.js';
import { ARGS_OFFSET, CTRL, CTRL_BYTES, CTRL_INTS, ERR_BYTES, ERR_OFFSET, MAX_ARGS, QUIT_OP, SPIN, exportsOf, type KernelFn } from './ops.js';

/** A barrier wait longer than this means a worker is gone (an op takes well under a second). */
const STALL_MS = 60_000;

export class Pool {
  readonly nth: number;
  private readonly fns: KernelFn[];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly sab: SharedArrayBuffer;
  private workers: Worker[] = [];
  private dead: string | null = null;

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, nth: number) {
    this.nth = nth;
    this.fns = exportsOf(instantiate(module, memory));
    this.sab = new SharedArrayBuffer(CTRL_BYTES);
    this.ctrl = new Int32Array(this.sab, 0, CTRL_INTS);
    this.args = new Float64Array(this.sab, ARGS_OFFSET, MAX_ARGS);
  }

  /** A pool of `threads` (≥ 1) threads over `memory`; resolves once every worker is ready. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<Pool> {
    const pool = new Pool(module, memory, threads);
    if (threads > 1) await pool.start(module, memory);
    return pool;
  }

  private async start(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<void> {
    Atomics.store(this.ctrl, CTRL.PENDING, this.nth - 1);
    const url = distFile('worker.js');
    for (let ith = 1; ith < this.nth; ith++) {
      const w = new Worker(url, { workerData: { ctrl: this.sab, memory, module, ith, nth: this.nth } });
      w.unref();
      // Reported at start-up below, or by the next dispatch.
      w.once('error', (err) => { this.dead ??= `kernel worker ${ith} failed: ${err.message}`; });
      w.once('exit', (code) => { this.dead ??= `kernel worker ${ith} exited (code ${code})`; });
      this.workers.push(w);
    }
    // Ready when every worker has counted itself in.
    const deadline = Date.now() + STALL_MS;
    while (Atomics.load(this.ctrl, CTRL.PENDING) !== 0) {
      if (this.dead) { this.dispose(); throw new RuntimeError(this.dead, 'the WASM kernel could not start; try --kernel ts'); }
      if (Date.now() > deadline) { this.dispose(); throw new RuntimeError('kernel workers did not start', 'try --kernel ts or fewer --threads'); }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Run op on all threads with up to 14 arguments (pointers, sizes, scalars). The engine calls it
   *  through kernel-calls.ts, which names each op's arguments and modes. */
  run(op: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0): void {
    const fn = this.fns[op]!;
    if (this.nth === 1) {
      try { fn(0, 1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) {
        throw new RuntimeError(`kernel error: ${(err as Error).message}`, 'the last checkpoint is intact; rerun, or use --kernel ts');
      }
      return;
    }
    if (this.dead) throw new RuntimeError(this.dead, 'the last checkpoint is intact; rerun, or use --kernel ts');
    const { ctrl, args } = this;
    args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5; args[6] = a6;
    args[7] = a7; args[8] = a8; args[9] = a9; args[10] = a10; args[11] = a11; args[12] = a12; args[13] = a13;
    Atomics.store(ctrl, CTRL.OP, op);
    Atomics.store(ctrl, CTRL.PENDING, this.nth - 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    let mainError: unknown = null;
    try { fn(0, this.nth, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) { mainError = err; }
    this.waitDone();
    const bad = Atomics.load(ctrl, CTRL.ERR);
    if (bad !== 0) {
      const bytes = new Uint8Array(this.sab, ERR_OFFSET, ERR_BYTES);
      const end = bytes.indexOf(0);
      const msg = new TextDecoder().decode(bytes.slice(0, end < 0 ? ERR_BYTES : end));
      this.dead = `kernel ${msg}`;
      throw new RuntimeError(this.dead, 'the last checkpoint is intact; rerun, or use --kernel ts');
    }
    if (mainError) throw new RuntimeError(`kernel error: ${(mainError as Error).message}`, 'the last checkpoint is intact; rerun, or use --kernel ts');
  }

  private waitDone(): void {
    const { ctrl } = this;
    let spins = 0;
    let p: number;
    let waitedMs = 0;
    while ((p = Atomics.load(ctrl, CTRL.PENDING)) !== 0) {
      if (++spins > SPIN) {
        if (Atomics.wait(ctrl, CTRL.PENDING, p, 1000) === 'timed-out') {
          waitedMs += 1000;
          if (waitedMs >= STALL_MS) {
            this.dead = 'a kernel worker stopped responding';
            throw new RuntimeError(this.dead, 'the last checkpoint is intact; rerun, or use --kernel ts');
          }
        }
        spins = 0;
      }
    }
  }

  /** Stop the workers (idempotent). */
  dispose(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctrl, CTRL.OP, QUIT_OP);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    this.dead ??= 'the kernel pool was shut down';
  }
}
