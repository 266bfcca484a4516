// A kernel worker in a browser page, started by web-pool.ts from a Blob URL of this file's bundle
// (web/build.mjs builds it into one classic script). Its first message carries the control block,
// the shared memory and the compiled shared-memory module; it instantiates the module, answers
// 'ready', then runs the loop of control-block.ts (Node's worker.ts runs the same loop) until the
// pool quits. The loop blocks this worker's event loop for its whole life, as intended: it is
// woken through Atomics on the control block, never by messages.

import { controlBlock, workerLoop } from './control-block.js';
import { exportsOf, instantiate } from './ops.js';

export interface WebWorkerInit {
  ctrl: SharedArrayBuffer; memory: WebAssembly.Memory; module: WebAssembly.Module; ith: number; nth: number;
}
export type WebWorkerReply = { ready: true; error?: undefined } | { ready?: undefined; error: string };

/** The part of a dedicated worker's global scope this file uses (the WebWorker lib is not in this
 *  build's types). */
interface WorkerScope {
  onmessage: ((ev: { data: WebWorkerInit }) => void) | null;
  postMessage(reply: WebWorkerReply): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.onmessage = ({ data: { ctrl, memory, module, ith, nth } }) => {
  scope.onmessage = null;
  let fns;
  try {
    fns = exportsOf(instantiate(module, memory));
  } catch (err) {
    scope.postMessage({ error: (err as Error)?.message ?? String(err) });
    return;
  }
  scope.postMessage({ ready: true });
  workerLoop(controlBlock(ctrl), fns, ith, nth);
  scope.close();
};
