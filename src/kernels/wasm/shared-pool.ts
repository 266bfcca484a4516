// The calling thread's side of a pool of kernel threads over one shared memory, common to Node's
// pool (pool.ts, worker_threads) and the browser's (web-pool.ts, Web Workers): an op runs share 0
// here and the workers' shares through the control block (control-block.ts). What differs is how
// each waits for the workers to count out (waitDone) and how it learns that a worker has ended.

import { RuntimeError } from '../../errors.js';
import { controlBlock, dispatch, workerError, type ControlBlock } from './control-block.js';
import { OPS, exportsOf, instantiate, variantOf, type KernelFn, type OpRunner, type WasmVariant } from './ops.js';

export abstract class SharedPool implements OpRunner {
  readonly nth: number;
  /** The kernel build this pool runs. */
  readonly variant: WasmVariant;
  protected readonly control: ControlBlock = controlBlock();
  /** Why the pool can no longer run ops (a worker ended or failed, or it was shut down), or null. */
  protected dead: string | null = null;
  private readonly fns: KernelFn[];
  private readonly hint: string;
  /** waitDone bound once, so an op allocates no closure. */
  private readonly wait = (op: number): void => this.waitDone(OPS[op]!);

  protected constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, nth: number, hint: string) {
    this.nth = nth;
    this.hint = hint;
    const instance = instantiate(module, memory);
    this.fns = exportsOf(instance);
    this.variant = variantOf(instance);
  }

  /** Returns once every worker has counted out of PENDING; throws a RuntimeError (and marks the
   *  pool dead) when one never will. `name` is the op's, for the message. */
  protected abstract waitDone(name: string): void;
  abstract dispose(): void;

  protected fail(why: string): never {
    this.dead = why;
    throw new RuntimeError(why, this.hint);
  }

  /** Throws if the pool was shut down or a thread has ended since the last op. */
  protected checkAlive(_name: string): void {
    if (this.dead) throw new RuntimeError(this.dead, this.hint);
  }

  /** Run op on all threads with up to 14 arguments (pointers, sizes, scalars). The engine calls it
   *  through kernel-calls.ts, which names each op's arguments and modes. A worker's error ends the
   *  pool (its share may be half-written); share 0's is reported and the pool goes on. */
  run(op: number, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0): void {
    const fn = this.fns[op]!, nth = this.nth;
    let mainError: unknown = null;
    if (nth === 1) {
      try { fn(0, 1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) { mainError = err; }
    } else {
      this.checkAlive(OPS[op]!);
      const { args } = this.control;
      args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = a5; args[6] = a6;
      args[7] = a7; args[8] = a8; args[9] = a9; args[10] = a10; args[11] = a11; args[12] = a12; args[13] = a13;
      dispatch(this.control, op, nth - 1);
      try { fn(0, nth, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) { mainError = err; }
      this.wait(op);
      const bad = workerError(this.control);
      if (bad !== null) this.fail(`kernel ${bad}`);
    }
    if (mainError !== null) throw new RuntimeError(`kernel error: ${(mainError as Error).message}`, this.hint);
  }
}
