// A kernel worker: instantiates the module over the shared memory, then loops: wait for the
// generation counter to move, run the op on its share (ith of nth), count itself done. An op that
// throws is recorded in the control block for the main thread to report; the loop goes on. `port`
// is held for the thread's whole life: its far end, in the watcher (watcher.ts), closes when this
// thread ends.

import { workerData, type MessagePort } from 'node:worker_threads';
import { ARGS_OFFSET, CTRL, CTRL_INTS, ERR_BYTES, ERR_OFFSET, MAX_ARGS, QUIT_OP, SPIN, TEST_EXIT_OP, exportsOf } from './ops.js';
import { instantiate } from './module.js';

interface WorkerInit {
  ctrl: SharedArrayBuffer; memory: WebAssembly.Memory; module: WebAssembly.Module; ith: number; nth: number;
  port: MessagePort;
  /** Tests only: obey TEST_EXIT_OP. */
  testFaults: boolean;
}

const { ctrl: sab, memory, module, ith, nth, port, testFaults } = workerData as WorkerInit;
const ctrl = new Int32Array(sab, 0, CTRL_INTS);
const a = new Float64Array(sab, ARGS_OFFSET, MAX_ARGS);
const fns = exportsOf(instantiate(module, memory));

function recordError(err: unknown): void {
  const msg = new TextEncoder().encode(`worker ${ith}: ${(err as Error)?.message ?? String(err)}`.slice(0, ERR_BYTES / 4));
  new Uint8Array(sab, ERR_OFFSET, ERR_BYTES).set(msg.subarray(0, ERR_BYTES - 1));
  Atomics.compareExchange(ctrl, CTRL.ERR, 0, ith);
}

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
  if (op === QUIT_OP) break;
  if (op === TEST_EXIT_OP) {
    // Dies holding its share of the op, as a thread killed mid-op would.
    if (testFaults && a[0] === ith) process.exit(a[1]);
  } else {
    try {
      fns[op]!(ith, nth, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!);
    } catch (err) {
      recordError(err);
    }
  }
  if (Atomics.sub(ctrl, CTRL.PENDING, 1) === 1) Atomics.notify(ctrl, CTRL.PENDING);
}
// Used after the loop, so the port stays reachable (and open) for as long as the loop runs.
port.close();
