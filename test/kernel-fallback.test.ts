// Where the WASM SIMD module cannot be used (not built, or a Node.js without SIMD), createEngine
// falls back to the TypeScript reference kernel with a one-line notice instead of failing.

import { describe, expect, it, vi } from 'vitest';

vi.mock('../src/kernels/wasm/module.js', () => ({
  kernelModule: () => null,
  kernelUnavailable: () => 'kernels.wasm is missing (run npm run build)',
  kernelVariant: () => null,
}));

const { createEngine, resolveKernel } = await import('../src/kernels/create-engine.js');

describe('kernel fallback', () => {
  it('uses the TypeScript kernel and says so in one line', async () => {
    const notices: string[] = [];
    const cfg = { cell: 'lstm' as const, layers: 1, hidden: 4, vocabSize: 3, dropout: 0 };
    const e = await createEngine(cfg, 2, 3, { kernel: 'wasm', threads: 2, onNotice: (m) => notices.push(m) });
    expect(notices).toEqual(['WASM kernel unavailable: kernels.wasm is missing (run npm run build); using the TypeScript kernel']);
    expect(resolveKernel('wasm')).toBe('ts');
    expect(e.variant, 'the engine says which kernel it runs').toBe('ts');
    // The reference engine's buffers are plain arrays, not views of a shared WebAssembly memory.
    expect(e.params.buffer).toBeInstanceOf(ArrayBuffer);
    e.dispose();
  });

  it('asks for no notice when the TypeScript kernel is requested', async () => {
    const notices: string[] = [];
    const cfg = { cell: 'gru' as const, layers: 1, hidden: 4, vocabSize: 3, dropout: 0 };
    const e = await createEngine(cfg, 2, 3, { kernel: 'ts', onNotice: (m) => notices.push(m) });
    expect(notices).toEqual([]);
    e.dispose();
  });
});
