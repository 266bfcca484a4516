// A kernel worker in Node: instantiates the module over the shared memory, then runs the loop of
// control-block.ts (the browser's web-worker.ts runs the same loop). `port` is held for the
// thread's whole life: its far end, in the watcher (watcher.ts), closes when this thread ends.

import { workerData, type MessagePort } from 'node:worker_threads';
import { controlBlock, workerLoop } from './control-block.js';
import { exportsOf } from './ops.js';
import { instantiate } from './module.js';

interface WorkerInit {
  ctrl: SharedArrayBuffer; memory: WebAssembly.Memory; module: WebAssembly.Module; ith: number; nth: number;
  port: MessagePort;
  /** Tests only: obey TEST_EXIT_OP. */
  testFaults: boolean;
}

const { ctrl, memory, module, ith, nth, port, testFaults } = workerData as WorkerInit;
workerLoop(controlBlock(ctrl), exportsOf(instantiate(module, memory)), ith, nth, {
  testExit: testFaults ? (code) => process.exit(code) : undefined,
});
// Used after the loop, so the port stays reachable (and open) for as long as the loop runs.
port.close();
