// The one place that chooses a backend for a model and batch shape.

import { availableParallelism } from 'node:os';
import type { ModelConfig } from '../model/config.js';
import type { Engine } from './engine.js';
import { createRefEngine } from './ref/ref-engine.js';
import { kernelModule, kernelUnavailable } from './wasm/module.js';
import { createWasmEngine } from './wasm/wasm-engine.js';

export type KernelName = 'wasm' | 'ts';

export interface EngineOptions {
  /** Default 'wasm', falling back to 'ts' (with `onNotice`) where WASM SIMD is unavailable. */
  kernel?: KernelName;
  /** Threads for the WASM kernel; default os.availableParallelism(). */
  threads?: number;
  onNotice?: (message: string) => void;
}

export function defaultThreads(): number {
  return availableParallelism();
}

/** The kernel and thread count createEngine would use for these options (the TypeScript kernel
 *  runs on one thread). */
export function resolveEngine(opts: Pick<EngineOptions, 'kernel' | 'threads'>): { kernel: KernelName; threads: number } {
  const kernel = resolveKernel(opts.kernel);
  return { kernel, threads: kernel === 'wasm' ? opts.threads ?? defaultThreads() : 1 };
}

/** The kernel that createEngine would use for `requested`. */
export function resolveKernel(requested: KernelName = 'wasm'): KernelName {
  return requested === 'wasm' && kernelModule() ? 'wasm' : 'ts';
}

export async function createEngine(cfg: ModelConfig, batch: number, seqLen: number, opts: EngineOptions = {}): Promise<Engine> {
  const kernel = opts.kernel ?? 'wasm';
  if (kernel === 'wasm') {
    const module = kernelModule();
    if (module) return createWasmEngine(cfg, batch, seqLen, { module, threads: opts.threads ?? defaultThreads() });
    opts.onNotice?.(`WASM kernel unavailable: ${kernelUnavailable()}; using the TypeScript kernel`);
  }
  return createRefEngine(cfg, batch, seqLen);
}
