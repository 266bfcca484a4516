// Finding, compiling and instantiating the kernel module. The .wasm is built by `npm run build`
// into dist/kernels/wasm/; code running from src/ (tests through vitest) uses that same file, so
// tests exercise the shipped artifact.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import type { WasmVariant } from './ops.js';

export { instantiate, variantOf, type WasmVariant } from './ops.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** A file that sits beside this module in dist/. */
export function distFile(name: string): URL {
  return FROM_SOURCE ? new URL(`../../../dist/kernels/wasm/${name}`, import.meta.url) : new URL(`./${name}`, import.meta.url);
}

let cached: WebAssembly.Module | null = null;
let failure: string | null = null;
let variant: WasmVariant | null = null;

/** The build with relaxed SIMD (fused multiply-add in the GEMM tiles, twice the arithmetic rate
 *  where the CPU has FMA), behind a V8 flag on Node 20; RNN_WASM_FMA=0 turns it off. */
function compileFma(): WebAssembly.Module | null {
  if (process.env.RNN_WASM_FMA === '0') return null;
  const file = distFile('kernels-fma.wasm');
  if (!existsSync(file)) return null;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return new WebAssembly.Module(readFileSync(file));
  } catch {
    return null;
  }
}

/** The compiled module, or null with `kernelUnavailable()` saying why (not built, no SIMD). */
export function kernelModule(): WebAssembly.Module | null {
  if (cached || failure) return cached;
  // Compile with V8's optimizing tier up front instead of its baseline tier first: the module is
  // small, and the kernels then run at full speed from the first pass, so a short calibration
  // (--time) measures the speed the run will have.
  setFlagsFromString('--no-liftoff');
  cached = compileFma();
  if (cached) { variant = 'wasm-fma'; return cached; }
  const file = distFile('kernels.wasm');
  if (!existsSync(file)) { failure = `${fileURLToPath(file)} is missing (run npm run build)`; return null; }
  try {
    cached = new WebAssembly.Module(readFileSync(file));
    variant = 'wasm';
  } catch (err) {
    failure = `this Node.js cannot compile WebAssembly SIMD with threads (${(err as Error).message})`;
  }
  return cached;
}

/** Which build kernelModule() chose: 'wasm-fma' (relaxed SIMD) or 'wasm', or null before it ran
 *  or when neither compiles. */
export function kernelVariant(): WasmVariant | null {
  return variant;
}

export function kernelUnavailable(): string | null {
  kernelModule();
  return failure;
}
