// The WASM engine in Node: wasm-engine-core.ts over a worker_threads pool (pool.ts) sharing one
// WebAssembly.Memory. The browser build uses the same core on Web Workers or on one thread
// (src/api/browser.ts).

import type { Engine } from '../engine.js';
import type { ModelConfig } from '../../model/config.js';
import { Pool } from './pool.js';
import { buildWasmEngine } from './wasm-engine-core.js';

export interface WasmEngineOptions {
  threads: number;
  module: WebAssembly.Module;
  /** Tests only: handed the engine's pool, to run an op on it directly or stop one of its workers. */
  __testOnlyPool?: (pool: Pool) => void;
}

export async function createWasmEngine(cfg: ModelConfig, batch: number, seqLen: number, opts: WasmEngineOptions): Promise<Engine> {
  return buildWasmEngine(cfg, batch, seqLen, {
    shared: true,
    start: async (memory) => {
      const pool = await Pool.create(opts.module, memory, Math.max(1, opts.threads));
      opts.__testOnlyPool?.(pool);
      return pool;
    },
  });
}
