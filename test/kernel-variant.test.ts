// Engine.variant names the kernel build an engine runs: 'ts' for the reference, 'wasm' for the
// plain SIMD build, 'wasm-fma' for the relaxed-SIMD build. For WASM engines it comes from the
// compiled module itself (its RELAXED_SIMD export), so it is right whichever file the module was
// read from, and it agrees with the build kernelModule() chose, including under RNN_WASM_FMA=0.

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../src/kernels/create-engine.js';
import type { Engine } from '../src/kernels/engine.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import { distFile, kernelModule, kernelVariant } from '../src/kernels/wasm/module.js';
import { createWasmEngine } from '../src/kernels/wasm/wasm-engine.js';
import type { ModelConfig } from '../src/model/config.js';

const cfg: ModelConfig = { cell: 'lstm', layers: 1, hidden: 8, vocabSize: 5, dropout: 0 };

async function variantOf(make: () => Engine | Promise<Engine>): Promise<string> {
  const e = await make();
  try { return e.variant; } finally { e.dispose(); }
}

/** A build compiled straight from its file, bypassing kernelModule()'s choice. */
function compile(file: string): WebAssembly.Module {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return new WebAssembly.Module(readFileSync(distFile(file)));
}

afterEach(() => { vi.unstubAllEnvs(); vi.resetModules(); });

describe('Engine.variant', () => {
  it("is 'ts' for the reference engine, made directly or through createEngine", async () => {
    expect(await variantOf(() => createRefEngine(cfg, 2, 3))).toBe('ts');
    expect(await variantOf(() => createEngine(cfg, 2, 3, { kernel: 'ts' }))).toBe('ts');
  });

  it('names the build createEngine picked, the same one kernelModule() reports', async () => {
    expect(kernelModule()).not.toBeNull();
    const v = await variantOf(() => createEngine(cfg, 2, 3, { kernel: 'wasm', threads: 2 }));
    expect(['wasm', 'wasm-fma']).toContain(v);
    expect(v).toBe(kernelVariant());
  });

  it("is 'wasm' for kernels.wasm and 'wasm-fma' for kernels-fma.wasm, with 1 or 2 threads", async () => {
    for (const threads of [1, 2]) {
      expect(await variantOf(() => createWasmEngine(cfg, 2, 3, { threads, module: compile('kernels.wasm') }))).toBe('wasm');
      expect(await variantOf(() => createWasmEngine(cfg, 2, 3, { threads, module: compile('kernels-fma.wasm') }))).toBe('wasm-fma');
    }
  });

  it("is 'wasm' when RNN_WASM_FMA=0 turns the relaxed-SIMD build off", async () => {
    vi.stubEnv('RNN_WASM_FMA', '0');
    vi.resetModules(); // a fresh module.ts, which has not chosen a build yet
    const fresh = await import('../src/kernels/create-engine.js');
    const freshModule = await import('../src/kernels/wasm/module.js');
    expect(await variantOf(() => fresh.createEngine(cfg, 2, 3, { kernel: 'wasm', threads: 2 }))).toBe('wasm');
    expect(freshModule.kernelVariant()).toBe('wasm');
  });
});
