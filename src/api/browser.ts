// The library in a browser (or any JavaScript runtime without Node's modules): `import { loadModel }
// from 'rnn/browser'`. Loading (URL, bytes or a checkpoint object), generation and scoring, on the
// WASM SIMD kernel, one of two ways:
// - in a cross-origin isolated page (COOP/COEP headers: SharedArrayBuffer exists), on `threads`
//   threads: Web Workers plus the calling thread over one shared memory (web-pool.ts), running
//   kernels.wasm, Node's plain SIMD build;
// - anywhere else (e.g. a page opened from file://), or with threads: 1, on the calling thread:
//   kernels-single.wasm, the same kernels built over an unshared memory (serial-runner.ts).
// Both give results equal to Node's plain 'wasm' build bit for bit, whatever the thread count (the
// relaxed-SIMD 'wasm-fma' build that Node prefers may differ in the last bits). Without WebAssembly
// SIMD it falls back to the TypeScript reference kernel. The bundle (dist/browser/rnn.js, built by
// web/build.mjs) carries both .wasm files as base64 and the worker's script as text; nothing here
// imports a node: module.

import type { Checkpoint } from '../checkpoint/types.js';
import { validateCheckpoint } from '../checkpoint/validate.js';
import { CheckpointError, UsageError } from '../errors.js';
import type { Engine } from '../kernels/engine.js';
import { createRefEngine } from '../kernels/ref/ref-engine.js';
import { createSerialRunner } from '../kernels/wasm/serial-runner.js';
import { buildWasmEngine } from '../kernels/wasm/wasm-engine-core.js';
import { canShareMemory, createWebPool } from '../kernels/wasm/web-pool.js';
import { inRange, intervalText } from '../settings/range.js';
import { settingRow, type IntRow } from '../settings/train-settings.js';
import { fromBase64IntoPlain } from '../checkpoint/base64.js';
import { Model } from './model.js';
import { checkpointFromBytes, type ModelBytes } from './source.js';

/** Set by the bundler (web/build.mjs) to the base64 of kernels-single.wasm; absent when this file
 *  runs unbundled (tests in Node), where `wasm` must be given. */
declare const __RNN_KERNEL_WASM_BASE64__: string | undefined;
/** Likewise: the base64 of kernels.wasm (the shared-memory build) and web-worker.ts bundled into
 *  one script, for the Web Workers. Unbundled, the library runs on one thread. */
declare const __RNN_SHARED_KERNEL_WASM_BASE64__: string | undefined;
declare const __RNN_WEB_WORKER_SOURCE__: string | undefined;

/** Most threads a page gets by default. Measured on 2 cores only (BENCHMARKS.md, "Sampling in the
 *  browser page", 2026-12-02): 2 threads sample a 2×512 LSTM 1.7× faster than one, the 1×128
 *  names model no faster; a generation step's ops (B = 1) are microseconds each, so shares for
 *  many more threads would be smaller than a worker's wake-up. Where the cores are busy with other
 *  work spinning threads lose badly (same section): pass threads: 1 there. */
const DEFAULT_MAX_THREADS = 4;

export interface BrowserLoadOptions {
  /** 'wasm' (default; the TypeScript kernel where WebAssembly SIMD is missing) or 'ts'. */
  kernel?: 'wasm' | 'ts';
  /** Threads of the WASM kernel, in [1, 256]: above 1, Web Workers over shared memory, which needs
   *  a cross-origin isolated page (served with Cross-Origin-Opener-Policy: same-origin and
   *  Cross-Origin-Embedder-Policy: require-corp); elsewhere one thread, with a notice. Default:
   *  min(4, navigator.hardwareConcurrency) where isolated, else 1. Results do not depend on it. */
  threads?: number;
  /** The bytes or address of kernels-single.wasm (the one-thread build), instead of the copy inside
   *  the bundle. */
  wasm?: ModelBytes | URL | string;
  /** Likewise for kernels.wasm, the shared-memory build the Web Workers run. */
  sharedWasm?: ModelBytes | URL | string;
  /** Receives one-line notices (a kernel fallback). */
  onNotice?: (message: string) => void;
}

/** A model URL (string or URL, fetched), a file's bytes (checkpoint JSON or safetensors), or a
 *  checkpoint object. */
export type BrowserModelSource = string | URL | ModelBytes | Checkpoint;

/** The embedded modules, compiled once per page. */
const compiled: { single?: Promise<WebAssembly.Module | null>; shared?: Promise<WebAssembly.Module | null> } = {};

export async function loadModel(source: BrowserModelSource, options: BrowserLoadOptions = {}): Promise<Model> {
  const threads = checkThreads(options);
  const ck = await readSource(source);
  const module = options.kernel === 'ts' ? null : await kernelModule(options, 'single');
  const workerScript = typeof __RNN_WEB_WORKER_SOURCE__ === 'string' ? __RNN_WEB_WORKER_SOURCE__ : null;
  let shared: WebAssembly.Module | null = null;
  if (module && threads > 1) {
    shared = workerScript === null ? null : await kernelModule(options, 'shared');
    if (!shared) options.onNotice?.('this build of rnn/browser cannot start Web Workers; running on one thread');
  }
  return Model.create(ck, async (cfg, batch, seqLen): Promise<Engine> => {
    if (!module) return createRefEngine(cfg, batch, seqLen);
    if (shared) return buildWasmEngine(cfg, batch, seqLen, { shared: true, start: (memory) => createWebPool(shared, memory, threads, workerScript!) });
    return buildWasmEngine(cfg, batch, seqLen, { shared: false, start: async (memory) => createSerialRunner(module, memory) });
  });
}

/** The thread count for these options on this page: above 1 only where memory can be shared. */
function checkThreads(o: BrowserLoadOptions): number {
  const row = settingRow('threads') as IntRow; // the range `rnn train --threads` takes
  if (o.threads !== undefined && !(typeof o.threads === 'number' && Number.isInteger(o.threads) && inRange(row, o.threads))) {
    throw new UsageError(`threads must be a whole number in ${intervalText(row)}, got ${String(o.threads)}`);
  }
  if (!canShareMemory()) {
    if (o.threads !== undefined && o.threads > 1) {
      o.onNotice?.(`threads: ${o.threads} needs a cross-origin isolated page (SharedArrayBuffer; serve it with the headers `
        + 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); running on one thread');
    }
    return 1;
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return o.threads ?? Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores));
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

/** A compiled kernel build ('single': kernels-single.wasm; 'shared': kernels.wasm), or null where
 *  this engine cannot run it: for 'single' with a notice (the TypeScript kernel follows), for
 *  'shared' silently (one thread follows, and loadModel says so). Feature detection by compiling,
 *  as tfjs does with WebAssembly.validate: SIMD (and threads, for 'shared') is all a build needs. */
function kernelModule(o: BrowserLoadOptions, build: 'single' | 'shared'): Promise<WebAssembly.Module | null> {
  const given = build === 'single' ? o.wasm : o.sharedWasm;
  const embedded = build === 'single'
    ? (typeof __RNN_KERNEL_WASM_BASE64__ === 'string' ? __RNN_KERNEL_WASM_BASE64__ : undefined)
    : (typeof __RNN_SHARED_KERNEL_WASM_BASE64__ === 'string' ? __RNN_SHARED_KERNEL_WASM_BASE64__ : undefined);
  const load = async (): Promise<WebAssembly.Module | null> => {
    let bytes: Uint8Array;
    if (given instanceof Uint8Array || given instanceof ArrayBuffer) bytes = given instanceof Uint8Array ? given : new Uint8Array(given);
    else if (given !== undefined) bytes = await fetchBytes(String(given));
    else if (embedded !== undefined) bytes = decodeBase64(embedded);
    else if (build === 'shared') return null;
    else throw new CheckpointError('no kernel module: this build of rnn/browser has none inside', 'pass options.wasm (the bytes or address of kernels-single.wasm)');
    if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
      if (build === 'single') o.onNotice?.('WebAssembly SIMD is unavailable here; using the TypeScript kernel');
      return null;
    }
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  };
  // The embedded modules are compiled once per page; one given explicitly, each time.
  if (given !== undefined) return load();
  return (compiled[build] ??= load());
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
