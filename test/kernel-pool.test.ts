// A kernel worker thread that dies without trapping (stopped by Worker.terminate(), as the OS or
// an out-of-memory kill would, or exiting in the middle of an op) turns the op into a RuntimeError
// naming the worker within a few seconds, instead of leaving the main thread blocked in
// Atomics.wait until the 60 s stall limit. The main thread's event loop is not running while it
// waits, so these tests stop a worker and then run an op synchronously, without yielding: the
// Worker's 'exit' event cannot have been delivered, and only the watcher thread can report it.
// Also: the pool stays usable while its workers live (the watcher raises no false alarm), and the
// fault-injection hook does nothing in a pool not created for it.

import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeError } from '../src/errors.js';
import { scale } from '../src/kernels/wasm/kernel-calls.js';
import { kernelModule, kernelUnavailable } from '../src/kernels/wasm/module.js';
import { Pool, type PoolOptions } from '../src/kernels/wasm/pool.js';

/** Well under the 60 s stall limit, well over the milliseconds the watcher takes. */
const PROMPT_MS = 10_000;
const BASE = 65536, N = 1000;

const pools: Pool[] = [];
afterEach(() => { for (const p of pools.splice(0)) p.dispose(); });

async function pool(threads: number, opts: PoolOptions = {}): Promise<{ pool: Pool; data: Float32Array }> {
  const module = kernelModule();
  expect(module, `kernel module: ${kernelUnavailable()}`).not.toBeNull();
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const p = await Pool.create(module!, memory, threads, opts);
  pools.push(p);
  const data = new Float32Array(memory.buffer as unknown as ArrayBuffer, BASE, N).fill(1);
  return { pool: p, data };
}

/** Runs `f`, which must throw; returns the error and how long it took. */
function timedThrow(f: () => void): { err: unknown; ms: number } {
  const t0 = performance.now();
  try { f(); } catch (err) { return { err, ms: performance.now() - t0 }; }
  return { err: null, ms: performance.now() - t0 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a kernel worker thread that dies', () => {
  it('stopped before an op: the op throws a RuntimeError naming it, promptly, and so does the next', async () => {
    const { pool: p, data } = await pool(3);
    scale(p, N, BASE, 2);
    expect(data[N - 1]).toBe(2);
    // Idle long enough that a watcher which had quit early (a port that does not hold its thread
    // open) would be gone.
    await sleep(200);

    void p.__testOnlyWorkers()[1]!.terminate(); // thread 2; not awaited, so no 'exit' event yet
    const first = timedThrow(() => scale(p, N, BASE, 2));
    expect(first.err, 'the op after the worker was stopped fails').toBeInstanceOf(RuntimeError);
    expect((first.err as Error).message).toMatch(/^kernel worker 2 exited (before|during) scale$/);
    expect((first.err as RuntimeError).hint).toMatch(/checkpoint is intact/);
    expect(first.ms, 'reported without waiting for the stall limit').toBeLessThan(PROMPT_MS);

    const next = timedThrow(() => scale(p, N, BASE, 2));
    expect(next.err).toBeInstanceOf(RuntimeError);
    expect((next.err as Error).message).toMatch(/kernel worker 2 exited/);
    expect(next.ms).toBeLessThan(PROMPT_MS);
    expect(() => p.dispose()).not.toThrow();
  }, 3 * PROMPT_MS);

  it('exiting in the middle of an op: the op throws a RuntimeError naming it, promptly', async () => {
    const { pool: p, data } = await pool(3, { __testOnlyFaults: true });
    scale(p, N, BASE, 3);
    expect(data[0]).toBe(3);
    await sleep(200);

    // Worker 1 takes the op, then exits without counting itself done.
    const during = timedThrow(() => p.__testOnlyExitDuringOp(1, 7));
    expect(during.err).toBeInstanceOf(RuntimeError);
    expect((during.err as Error).message).toBe('kernel worker 1 exited during __testOnlyExitDuringOp');
    expect(during.ms, 'reported without waiting for the stall limit').toBeLessThan(PROMPT_MS);

    const next = timedThrow(() => scale(p, N, BASE, 2));
    expect(next.err).toBeInstanceOf(RuntimeError);
    expect((next.err as Error).message).toMatch(/kernel worker 1 exited/);
    expect(next.ms).toBeLessThan(PROMPT_MS);

    // Once the event loop runs, the Worker's own 'exit' event has the code; the pool stays failed.
    await sleep(50);
    expect(() => scale(p, N, BASE, 2)).toThrow(/kernel worker 1 exited/);
  }, 3 * PROMPT_MS);
});

describe('a pool whose workers live', () => {
  it('runs ops after idling, with no false alarm from the watcher', async () => {
    const { pool: p, data } = await pool(3);
    await sleep(300);
    for (let k = 0; k < 50; k++) scale(p, N, BASE, 2);
    expect(data[0]).toBe(2 ** 50);
    expect(data[N - 1]).toBe(2 ** 50);
  });

  it('refuses the fault-injection op unless created with __testOnlyFaults, and keeps working', async () => {
    const { pool: p, data } = await pool(2);
    expect(() => p.__testOnlyExitDuringOp(1, 7)).toThrow(/__testOnlyFaults/);
    scale(p, N, BASE, 4);
    expect(data[N - 1]).toBe(4);
  });

  it('throws a RuntimeError after dispose()', async () => {
    const { pool: p } = await pool(2);
    p.dispose();
    expect(() => scale(p, N, BASE, 2)).toThrow(RuntimeError);
    expect(() => scale(p, N, BASE, 2)).toThrow(/shut down/);
  });
});
