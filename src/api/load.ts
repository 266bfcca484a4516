// Loading a model in Node: from a path (a checkpoint, a run directory, or a .safetensors file), a
// file: or http(s): URL, bytes, or a checkpoint object, onto the kernel `rnn sample` would use.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint, readFailure } from '../checkpoint/io.js';
import { resolveCheckpoint } from '../checkpoint/run-dir.js';
import type { Checkpoint } from '../checkpoint/types.js';
import { validateCheckpoint } from '../checkpoint/validate.js';
import { CheckpointError } from '../errors.js';
import { createEngine, type KernelName } from '../kernels/create-engine.js';
import { Model } from './model.js';
import { checkpointFromBytes, isSafetensors, type ModelBytes } from './source.js';

export interface LoadOptions {
  /** 'wasm' (default; falls back to 'ts' where WebAssembly SIMD is missing) or 'ts'. */
  kernel?: KernelName;
  /** Threads of the WASM kernel; default 1 for generation (one character at a time: threads
   *  gain little below a 2×512 model, BENCHMARKS.md) and every core for scoring, as `rnn eval`.
   *  Results do not depend on it. */
  threads?: number;
  /** Receives one-line notices (a kernel fallback); default: ignored. */
  onNotice?: (message: string) => void;
}

/** Anything a model loads from: a path, a file:/http:/https: URL (string or URL), a file's bytes,
 *  or a checkpoint object. */
export type ModelSource = string | URL | ModelBytes | Checkpoint;

/** Load a model. Throws CheckpointError (unreadable, invalid), UsageError (bad options). */
export async function loadModel(source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const ck = await readSource(source);
  return Model.create(ck, (cfg, batch, seqLen) => createEngine(cfg, batch, seqLen, {
    kernel: options.kernel, threads: options.threads ?? (batch === 1 ? 1 : undefined), onNotice: options.onNotice,
  }));
}

/** The checkpoint a source holds (what loadModel reads). */
export async function readSource(source: ModelSource): Promise<Checkpoint> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return checkpointFromBytes(source, 'model bytes');
  if (typeof source === 'object' && !(source instanceof URL)) return validateCheckpoint(source);
  const url = source instanceof URL ? source : /^(file|https?):/i.test(source) ? new URL(source) : null;
  if (url === null) return readPath(source as string);
  if (url.protocol === 'file:') return readPath(fileURLToPath(url));
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new CheckpointError(`${url.href}: ${(err as Error).message}`, 'check the address and the network');
  }
  if (!res.ok) throw new CheckpointError(`${url.href}: HTTP ${res.status} ${res.statusText}`.trim(), 'check the address');
  return checkpointFromBytes(new Uint8Array(await res.arrayBuffer()), url.href);
}

/** A checkpoint file or run directory as `rnn sample` resolves it, or a safetensors file. */
function readPath(arg: string): Checkpoint {
  const path = resolveCheckpoint(arg);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CheckpointError(`${path}: ${readFailure(err)}`, 'give the path of a checkpoint .json file, a run directory or a .safetensors file');
  }
  return isSafetensors(bytes) ? checkpointFromBytes(bytes, path) : loadCheckpoint(path);
}
