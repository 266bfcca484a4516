// The pool's watcher thread. It holds one end of a MessageChannel per kernel worker, whose other end
// the worker holds for its whole life; when a worker's thread ends for any reason (terminated, out
// of memory, an internal error), its end closes, and the watcher records which worker in the
// control block and wakes the main thread. The main thread cannot learn this from the Worker's
// 'exit' event while it waits for an op in Atomics.wait (its event loop is not running); this
// thread only ever waits in its event loop, so it is always free to hear the close.

import { workerData, type MessagePort } from 'node:worker_threads';
import { CTRL, CTRL_INTS } from './ops.js';

/** ports[k] is the far end of worker k + 1's channel. */
interface WatcherInit { ctrl: SharedArrayBuffer; ports: MessagePort[] }

const { ctrl: sab, ports } = workerData as WatcherInit;
const ctrl = new Int32Array(sab, 0, CTRL_INTS);

ports.forEach((port, k) => {
  port.on('close', () => {
    Atomics.compareExchange(ctrl, CTRL.DEAD, 0, k + 1);
    Atomics.notify(ctrl, CTRL.PENDING);
  });
  // A port with only a 'close' listener does not keep the thread alive; this one must stay.
  port.ref();
  port.start();
});
Atomics.sub(ctrl, CTRL.PENDING, 1);
