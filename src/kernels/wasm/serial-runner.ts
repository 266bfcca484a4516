// The kernel ops on the calling thread alone: what a page that is not cross-origin isolated (no
// SharedArrayBuffer, so no threads sharing memory) runs, with kernels-single.wasm over an unshared
// memory. Each op gets ith 0 of nth 1, the same split pool.ts gives a one-thread pool, so results
// equal the Node kernel's for the same build (plain SIMD) bit for bit.

import { RuntimeError } from '../../errors.js';
import { exportsOf, instantiate, variantOf, type KernelFn, type OpRunner, type WasmVariant } from './ops.js';

export function createSerialRunner(module: WebAssembly.Module, memory: WebAssembly.Memory): OpRunner {
  const instance = instantiate(module, memory);
  const fns: KernelFn[] = exportsOf(instance);
  const variant: WasmVariant = variantOf(instance);
  return {
    nth: 1,
    variant,
    run(op, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0) {
      try { fns[op]!(0, 1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13); } catch (err) {
        throw new RuntimeError(`kernel error: ${(err as Error).message}`, 'reload the page, or report this as a bug');
      }
    },
    dispose() {},
  };
}
