// The library in a browser (or any JavaScript runtime without Node's modules): `import { loadModel }
// from 'rnn/browser'`. Loading (URL, bytes or a checkpoint object), generation and scoring, on the
// WASM SIMD kernel on the calling thread: kernels-single.wasm, the same kernels built over an
// unshared memory, so a page that is not cross-origin isolated (no SharedArrayBuffer, e.g. opened
// from file://) runs it. Its results equal Node's plain 'wasm' build bit for bit (the relaxed-SIMD
// 'wasm-fma' build that Node prefers may differ in the last bits). Without WebAssembly SIMD it
// falls back to the TypeScript reference kernel. The bundle (dist/browser/rnn.js, built by
// web/build.mjs) carries the .wasm inline as base64; nothing here imports a node: module.

import type { Checkpoint } from '../checkpoint/types.js';
import { validateCheckpoint } from '../checkpoint/validate.js';
import { CheckpointError } from '../errors.js';
import type { Engine } from '../kernels/engine.js';
import { createRefEngine } from '../kernels/ref/ref-engine.js';
import { createSerialRunner } from '../kernels/wasm/serial-runner.js';
import { buildWasmEngine } from '../kernels/wasm/wasm-engine-core.js';
import { fromBase64IntoPlain } from '../checkpoint/base64.js';
import { Model } from './model.js';
import { checkpointFromBytes, type ModelBytes } from './source.js';

/** Set by the bundler (web/build.mjs) to the base64 of kernels-single.wasm; absent when this file
 *  runs unbundled (tests in Node), where `wasm` must be given. */
declare const __RNN_KERNEL_WASM_BASE64__: string | undefined;

export interface BrowserLoadOptions {
  /** 'wasm' (default; the TypeScript kernel where WebAssembly SIMD is missing) or 'ts'. */
  kernel?: 'wasm' | 'ts';
  /** The kernel module's bytes or address, instead of the copy inside the bundle. */
  wasm?: ModelBytes | URL | string;
  /** Receives one-line notices (a kernel fallback). */
  onNotice?: (message: string) => void;
}

/** A model URL (string or URL, fetched), a file's bytes (checkpoint JSON or safetensors), or a
 *  checkpoint object. */
export type BrowserModelSource = string | URL | ModelBytes | Checkpoint;

let compiled: Promise<WebAssembly.Module | null> | null = null;

export async function loadModel(source: BrowserModelSource, options: BrowserLoadOptions = {}): Promise<Model> {
  const ck = await readSource(source);
  const module = options.kernel === 'ts' ? null : await kernelModule(options);
  return Model.create(ck, async (cfg, batch, seqLen): Promise<Engine> => {
    if (!module) return createRefEngine(cfg, batch, seqLen);
    return buildWasmEngine(cfg, batch, seqLen, { shared: false, start: async (memory) => createSerialRunner(module, memory) });
  });
}

async function readSource(source: BrowserModelSource): Promise<Checkpoint> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return checkpointFromBytes(source, 'model bytes');
  if (typeof source === 'object' && !(source instanceof URL)) return validateCheckpoint(source);
  const href = String(source);
  return checkpointFromBytes(await fetchBytes(href), href);
}

async function fetchBytes(href: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(href);
  } catch (err) {
    throw new CheckpointError(`${href}: ${(err as Error).message}`, 'check the address; a page opened from file:// cannot fetch files, so give the bytes instead');
  }
  if (!res.ok) throw new CheckpointError(`${href}: HTTP ${res.status} ${res.statusText}`.trim(), 'check the address');
  return new Uint8Array(await res.arrayBuffer());
}

/** The compiled kernel, or null (with a notice) where this engine cannot run it. Feature detection
 *  by compiling, as tfjs does with WebAssembly.validate: SIMD is the one feature the build needs. */
function kernelModule(o: BrowserLoadOptions): Promise<WebAssembly.Module | null> {
  const load = async (): Promise<WebAssembly.Module | null> => {
    let bytes: Uint8Array;
    if (o.wasm instanceof Uint8Array || o.wasm instanceof ArrayBuffer) bytes = o.wasm instanceof Uint8Array ? o.wasm : new Uint8Array(o.wasm);
    else if (o.wasm !== undefined) bytes = await fetchBytes(String(o.wasm));
    else if (typeof __RNN_KERNEL_WASM_BASE64__ === 'string') bytes = decodeBase64(__RNN_KERNEL_WASM_BASE64__);
    else throw new CheckpointError('no kernel module: this build of rnn/browser has none inside', 'pass options.wasm (the bytes or address of kernels-single.wasm)');
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
      o.onNotice?.('WebAssembly SIMD is unavailable here; using the TypeScript kernel');
      return null;
    }
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  };
  // The embedded module is compiled once per page; one given explicitly, each time.
  if (o.wasm !== undefined) return load();
  return (compiled ??= load());
}

function decodeBase64(s: string): Uint8Array {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  fromBase64IntoPlain(s, out);
  return out;
}

export { Model, TextGenerator, type ModelInfo, type Sample, type Score, type ScoreOptions } from './model.js';
export type { PickOptions, SampleOptions } from './options.js';
export { checkpointFromBytes, type ModelBytes } from './source.js';
export type { Checkpoint } from '../checkpoint/types.js';
export type { StopReason } from '../sample/sampler.js';
export { SAMPLE_DEFAULTS } from '../sample/sampler.js';
export { CheckpointError, DataError, RnnError, RuntimeError, UsageError } from '../errors.js';
export { VERSION } from '../version.js';
