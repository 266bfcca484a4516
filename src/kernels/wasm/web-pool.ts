// The kernel ops on Web Workers, for a cross-origin isolated page (SharedArrayBuffer present): the
// browser counterpart of pool.ts. nth - 1 dedicated workers plus the calling thread run each op of
// the shared-memory build (kernels.wasm) over one shared WebAssembly.Memory, with the dispatch
// protocol and worker loop of control-block.ts, so op i gets the same ith/nth split as in Node and
// results equal Node's for the same build bit for bit, whatever the thread count.
//
// What differs from Node:
// - A page's main thread may not block: Atomics.wait throws there (HTML spec, "[[CanBlock]]" is
//   false for a window agent). It spins on Atomics.load until the workers count out; an op is
//   microseconds to milliseconds. The workers, which may block, sleep in Atomics.wait when idle.
// - Workers come from a self-contained bundle: `workerScript` is web-worker.ts built into one
//   classic script (web/build.mjs), started from a Blob URL, so the library needs no file beside
//   it; the compiled module and the shared memory are sent by postMessage (both structured-clone).
// - Start-up is asynchronous: each worker answers 'ready' once instantiated, within READY_MS.
// - A worker's 'error' event cannot arrive while the main thread spins, only between ops; a worker
//   that stops mid-op is caught by the STALL_MS backstop.

import { RuntimeError } from '../../errors.js';
import { quit } from './control-block.js';
import { CTRL, type OpRunner } from './ops.js';
import { SharedPool } from './shared-pool.js';
import type { WebWorkerInit, WebWorkerReply } from './web-worker.js';

/** Longest wait for a worker's 'ready': a worker starts in tens of milliseconds; a busy machine
 *  or a slow page may take seconds. */
const READY_MS = 20_000;
/** Longest op before the pool is declared stuck (the largest scoring ops take well under a second
 *  for the models a page loads). */
const STALL_MS = 60_000;
/** Spins between clock reads while waiting for an op. */
const CLOCK_EVERY = 1 << 16;
const HINT = 'reload the page, or load the model with threads: 1';

/** The part of a dedicated Worker this file uses (the DOM's type is not in this build's lib). */
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (ev: { data?: unknown; message?: string }) => void): void;
}
interface WorkerGlobals {
  Worker: new (url: string, options?: { name?: string }) => WorkerLike;
  Blob: typeof Blob;
  URL: typeof URL;
}

class WebPool extends SharedPool {
  private workers: WorkerLike[] = [];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, nth: number) {
    super(module, memory, nth, HINT);
  }

  async start(module: WebAssembly.Module, memory: WebAssembly.Memory, workerScript: string): Promise<void> {
    const g = globalThis as unknown as WorkerGlobals;
    // Each worker counts itself in as its loop starts (after its 'ready').
    Atomics.store(this.control.ctrl, CTRL.PENDING, this.nth - 1);
    const url = g.URL.createObjectURL(new g.Blob([workerScript], { type: 'text/javascript' }));
    try {
      const ready: Promise<void>[] = [];
      for (let ith = 1; ith < this.nth; ith++) {
        const w = new g.Worker(url, { name: `rnn kernel ${ith}` });
        this.workers.push(w);
        ready.push(this.started(w, ith));
        const init: WebWorkerInit = { ctrl: this.control.sab, memory, module, ith, nth: this.nth };
        w.postMessage(init);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RuntimeError(`kernel Web Workers did not start within ${READY_MS / 1000} s`, HINT)), READY_MS);
      });
      try { await Promise.race([Promise.all(ready), late]); } finally { clearTimeout(timer); }
      this.waitDone('start-up');
    } catch (err) {
      this.dispose();
      // new Worker itself may throw (a SecurityError where a policy forbids blob: workers).
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(`kernel Web Workers could not start: ${(err as Error)?.message ?? String(err)}`, HINT);
    } finally {
      g.URL.revokeObjectURL(url);
    }
  }

  /** Resolves at worker ith's 'ready'; afterwards its errors mark the pool dead (seen at the next op). */
  private started(w: WorkerLike, ith: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        this.dead ??= `kernel worker ${ith} ${why}`;
        reject(new RuntimeError(this.dead, HINT));
      };
      w.addEventListener('message', (ev) => {
        const reply = ev.data as WebWorkerReply;
        if (reply.ready) resolve(); else fail(`could not start: ${reply.error}`);
      });
      w.addEventListener('error', (ev) => fail(`failed: ${ev.message || 'script error (a Content-Security-Policy without worker-src blob:?)'}`));
      w.addEventListener('messageerror', () => fail('could not receive the kernel module or memory'));
    });
  }

  /** Spins (the main thread may not block) until every worker has counted out. */
  protected waitDone(name: string): void {
    const { ctrl } = this.control;
    let spins = 0, t0 = 0;
    while (Atomics.load(ctrl, CTRL.PENDING) !== 0) {
      if (++spins % CLOCK_EVERY !== 0) continue;
      const now = Date.now();
      if (t0 === 0) t0 = now;
      else if (now - t0 > STALL_MS) this.fail(`a kernel Web Worker stopped responding during ${name}`);
    }
  }

  /** Stop the workers (idempotent). */
  override dispose(): void {
    if (this.workers.length === 0) return;
    quit(this.control);
    for (const w of this.workers) w.terminate();
    this.workers = [];
    this.dead ??= 'the kernel pool was shut down';
  }
}

/** Whether this page may share memory with workers: cross-origin isolated (COOP/COEP), with
 *  SharedArrayBuffer and Worker present. */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === 'function' && typeof g.Worker === 'function';
}

/** `threads` (≥ 2) threads over `memory` (shared), `module` being the shared-memory build;
 *  resolves once every worker is ready. */
export async function createWebPool(module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number, workerScript: string): Promise<OpRunner> {
  const pool = new WebPool(module, memory, threads);
  await pool.start(module, memory, workerScript);
  return pool;
}
