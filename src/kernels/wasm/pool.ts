// The one place that splits work across threads. nth - 1 worker_threads plus the main thread run
// each op of the kernel module on the same shared WebAssembly.Memory; op i of a dispatch runs on
// every thread with its own ith, and each op cuts its output with rangeStart/rangeEnd
// (assembly/common.ts), so which thread computes an element never changes its value.
//
// Dispatch: the main thread writes the op number and arguments into a control block, sets PENDING
// to nth - 1, bumps GEN and notifies; it runs share 0 itself, then waits for PENDING to reach 0.
// No postMessage per op. Waits spin briefly, then sleep in Atomics.wait in short slices.
//
// A worker that dies: while the main thread waits its event loop is stopped, so a Worker's 'exit'
// event cannot reach it. A watcher thread (watcher.ts) hears the worker's channel close instead,
// sets DEAD and wakes the main thread, which fails the op with a RuntimeError within milliseconds.
// Ops on live workers always finish (most in microseconds, the largest in seconds), so a signal
// handler (Ctrl-C) runs as soon as the current training step yields to the event loop.

import { MessageChannel, Worker } from 'node:worker_threads';
import { RuntimeError } from '../../errors.js';
import { distFile } from './module.js';
import {
  ARGS_OFFSET, CTRL, CTRL_BYTES, CTRL_INTS, ERR_BYTES, ERR_OFFSET, MAX_ARGS, OPS, QUIT_OP, SPIN, TEST_EXIT_OP,
  exportsOf, instantiate, variantOf, type KernelFn, type OpRunner, type WasmVariant,
} from './ops.js';

/** A wait this long with every thread alive means a worker is stuck rather than dead: the
 *  backstop when death goes unreported (the watcher itself gone). The largest ops (a weight
 *  gradient of a wide model) take seconds. */
const STALL_MS = 60_000;
/** Longest single Atomics.wait: bounds how late a DEAD mark set just before the wait is seen. */
const SLICE_MS = 100;
const HINT = 'the last checkpoint is intact; rerun, or use --kernel ts';

export interface PoolOptions {
  /** Tests only: workers obey __testOnlyExitDuringOp. */
  __testOnlyFaults?: boolean;
}

export class Pool implements OpRunner {
  readonly nth: number;
  /** The kernel build this pool runs. */
  readonly variant: WasmVariant;
  private readonly fns: KernelFn[];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly sab: SharedArrayBuffer;
  private readonly faults: boolean;
  private workers: Worker[] = [];
  private watcher: Worker | null = null;
  private dead: string | null = null;

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, nth: number, opts: PoolOptions) {
    this.nth = nth;
    this.faults = opts.__testOnlyFaults === true;
    const instance = instantiate(module, memory);
    this.fns = exportsOf(instance);
    this.variant = variantOf(instance);
    this.sab = new SharedArrayBuffer(CTRL_BYTES);
    this.ctrl = new Int32Array(this.sab, 0, CTRL_INTS);
    this.args = new Float64Array(this.sab, ARGS_OFFSET, MAX_ARGS);
  }

  /** A pool of `threads` (≥ 1) threads over `memory`; resolves once every worker is ready. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, opts: PoolOptions = {}): Promise<Pool> {
    const pool = new Pool(module, memory, threads, opts);
    if (threads > 1) await pool.start(module, memory);
    return pool;
  }

  private async start(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<void> {
    // The workers and the watcher each count themselves in.
    Atomics.store(this.ctrl, CTRL.PENDING, this.nth);
    const channels = Array.from({ length: this.nth - 1 }, () => new MessageChannel());
    const far = channels.map((c) => c.port2);
    this.watcher = new Worker(distFile('watcher.js'), { workerData: { ctrl: this.sab, ports: far }, transferList: far });
    this.watch(this.watcher, 'kernel watcher thread');
    const url = distFile('worker.js');
    for (let ith = 1; ith < this.nth; ith++) {
      const port = channels[ith - 1]!.port1;
      const w = new Worker(url, {
        workerData: { ctrl: this.sab, memory, module, ith, nth: this.nth, port, testFaults: this.faults },
        transferList: [port],
      });
      this.watch(w, `kernel worker ${ith}`);
      this.workers.push(w);
    }
    // Ready when every thread has counted itself in.
    const deadline = Date.now() + STALL_MS;
    while (Atomics.load(this.ctrl, CTRL.PENDING) !== 0) {
      if (this.dead) { this.dispose(); throw new RuntimeError(this.dead, 'the WASM kernel could not start; try --kernel ts'); }
      if (Date.now() > deadline) { this.dispose(); throw new RuntimeError('kernel workers did not start', 'try --kernel ts or fewer --threads'); }
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Between ops (the event loop runs between training steps) a thread's end is reported by its
   *  own events; during an op, by the watcher. */
  private watch(w: Worker, name: string): void {
    w.unref();
    w.once('error', (err) => { this.dead ??= `${name} failed: ${err.message}`; });
    w.once('exit', (code) => { this.dead ??= `${name} exited (code ${code})`; });
  }

  /** Run op on all threads with up to 14 arguments (pointers, sizes, scalars). The engine calls it
   *  through kernel-calls.ts, which names each op's arguments and modes. */
  run(op: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0): void {
    const fn = this.fns[op]!;
    if (this.nth === 1) {
      try { fn(0, 1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) {
        throw new RuntimeError(`kernel error: ${(err as Error).message}`, HINT);
      }
      return;
    }
    const name = OPS[op]!;
    this.checkAlive(name);
    const { ctrl, args } = this;
    args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5; args[6] = a6;
    args[7] = a7; args[8] = a8; args[9] = a9; args[10] = a10; args[11] = a11; args[12] = a12; args[13] = a13;
    this.dispatch(op);
    let mainError: unknown = null;
    try { fn(0, this.nth, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) { mainError = err; }
    this.waitDone(name);
    const bad = Atomics.load(ctrl, CTRL.ERR);
    if (bad !== 0) {
      const bytes = new Uint8Array(this.sab, ERR_OFFSET, ERR_BYTES);
      const end = bytes.indexOf(0);
      const msg = new TextDecoder().decode(bytes.slice(0, end < 0 ? ERR_BYTES : end));
      this.dead = `kernel ${msg}`;
      throw new RuntimeError(this.dead, HINT);
    }
    if (mainError) throw new RuntimeError(`kernel error: ${(mainError as Error).message}`, HINT);
  }

  /** Throws if the pool was shut down or a thread has ended since the last op. */
  private checkAlive(name: string): void {
    if (this.dead) throw new RuntimeError(this.dead, HINT);
    const gone = Atomics.load(this.ctrl, CTRL.DEAD);
    if (gone !== 0) {
      this.dead = `kernel worker ${gone} exited before ${name}`;
      throw new RuntimeError(this.dead, HINT);
    }
  }

  private dispatch(op: number): void {
    const { ctrl } = this;
    Atomics.store(ctrl, CTRL.OP, op);
    Atomics.store(ctrl, CTRL.PENDING, this.nth - 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
  }

  private waitDone(name: string): void {
    const { ctrl } = this;
    let spins = 0;
    let p: number;
    const t0 = Date.now();
    while ((p = Atomics.load(ctrl, CTRL.PENDING)) !== 0) {
      if (++spins > SPIN) {
        const gone = Atomics.load(ctrl, CTRL.DEAD);
        if (gone !== 0) {
          this.dead = `kernel worker ${gone} exited during ${name}`;
          throw new RuntimeError(this.dead, HINT);
        }
        if (Atomics.wait(ctrl, CTRL.PENDING, p, SLICE_MS) === 'timed-out' && Date.now() - t0 >= STALL_MS) {
          this.dead = `a kernel worker stopped responding during ${name}`;
          throw new RuntimeError(this.dead, HINT);
        }
        spins = 0;
      }
    }
  }

  /** Tests only: the kernel workers (thread i + 1 at index i), to stop one as the OS would. */
  __testOnlyWorkers(): readonly Worker[] {
    return this.workers;
  }

  /** Tests only: worker `who` exits with `code` after taking its share of an op, before finishing
   *  it. Needs a pool created with __testOnlyFaults. */
  __testOnlyExitDuringOp(who: number, code: number): void {
    if (!this.faults) throw new Error('__testOnlyExitDuringOp needs a pool created with __testOnlyFaults');
    const name = '__testOnlyExitDuringOp';
    this.checkAlive(name);
    this.args[0] = who;
    this.args[1] = code;
    this.dispatch(TEST_EXIT_OP);
    this.waitDone(name);
  }

  /** Stop the workers (idempotent). */
  dispose(): void {
    if (this.workers.length === 0 && !this.watcher) return;
    Atomics.store(this.ctrl, CTRL.OP, QUIT_OP);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    for (const w of this.workers) void w.terminate();
    if (this.watcher) void this.watcher.terminate();
    this.workers = [];
    this.watcher = null;
    this.dead ??= 'the kernel pool was shut down';
  }
}
