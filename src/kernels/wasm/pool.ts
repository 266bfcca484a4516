// Node's pool of kernel threads (a cross-origin isolated page's is web-pool.ts; the calling
// thread's side of both is shared-pool.ts). nth - 1 worker_threads plus the main thread run each
// op of the kernel module on the same shared WebAssembly.Memory; op i of a dispatch runs on every
// thread with its own ith, and each op cuts its output with rangeStart/rangeEnd
// (assembly/common.ts), the one place work is split, so which thread computes an element never
// changes its value.
//
// Dispatch (control-block.ts, shared with the browser's web-pool.ts): the main thread writes the op
// number and arguments into a control block, sets PENDING to nth - 1, bumps GEN and notifies; it
// runs share 0 itself, then waits for PENDING to reach 0. No postMessage per op. Here the waits
// spin briefly, then sleep in Atomics.wait in short slices.
//
// A worker that dies: while the main thread waits its event loop is stopped, so a Worker's 'exit'
// event cannot reach it. A watcher thread (watcher.ts) hears the worker's channel close instead,
// sets DEAD and wakes the main thread, which fails the op with a RuntimeError within milliseconds.
// Ops on live workers always finish (most in microseconds, the largest in seconds), so a signal
// handler (Ctrl-C) runs as soon as the current training step yields to the event loop.

import { MessageChannel, Worker } from 'node:worker_threads';
import { RuntimeError } from '../../errors.js';
import { distFile } from './module.js';
import { dispatch, quit } from './control-block.js';
import { CTRL, SPIN, TEST_EXIT_OP } from './ops.js';
import { SharedPool } from './shared-pool.js';

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

export class Pool extends SharedPool {
  private readonly ctrl: Int32Array;
  private readonly faults: boolean;
  private workers: Worker[] = [];
  private watcher: Worker | null = null;

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, nth: number, opts: PoolOptions) {
    super(module, memory, nth, HINT);
    this.faults = opts.__testOnlyFaults === true;
    this.ctrl = this.control.ctrl;
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
    this.watcher = new Worker(distFile('watcher.js'), { workerData: { ctrl: this.control.sab, ports: far }, transferList: far });
    this.watch(this.watcher, 'kernel watcher thread');
    const url = distFile('worker.js');
    for (let ith = 1; ith < this.nth; ith++) {
      const port = channels[ith - 1]!.port1;
      const w = new Worker(url, {
        workerData: { ctrl: this.control.sab, memory, module, ith, nth: this.nth, port, testFaults: this.faults },
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

  /** Also: the watcher has marked a worker's end (DEAD). */
  protected override checkAlive(name: string): void {
    super.checkAlive(name);
    const gone = Atomics.load(this.ctrl, CTRL.DEAD);
    if (gone !== 0) this.fail(`kernel worker ${gone} exited before ${name}`);
  }

  /** Spins, then sleeps in Atomics.wait slices, waking for the watcher's DEAD mark. */
  protected waitDone(name: string): void {
    const { ctrl } = this;
    let spins = 0;
    let p: number;
    const t0 = Date.now();
    while ((p = Atomics.load(ctrl, CTRL.PENDING)) !== 0) {
      if (++spins > SPIN) {
        const gone = Atomics.load(ctrl, CTRL.DEAD);
        if (gone !== 0) this.fail(`kernel worker ${gone} exited during ${name}`);
        if (Atomics.wait(ctrl, CTRL.PENDING, p, SLICE_MS) === 'timed-out' && Date.now() - t0 >= STALL_MS) {
          this.fail(`a kernel worker stopped responding during ${name}`);
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
    this.control.args[0] = who;
    this.control.args[1] = code;
    dispatch(this.control, TEST_EXIT_OP, this.nth - 1);
    this.waitDone(name);
  }

  /** Stop the workers (idempotent). */
  override dispose(): void {
    if (this.workers.length === 0 && !this.watcher) return;
    quit(this.control);
    for (const w of this.workers) void w.terminate();
    if (this.watcher) void this.watcher.terminate();
    this.workers = [];
    this.watcher = null;
    this.dead ??= 'the kernel pool was shut down';
  }
}
