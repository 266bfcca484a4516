// Dropout masks (src/kernels/ref/dropout-mask.ts, src/train/dropout.ts): the hash against its
// published definition, the drop rate against p, variational masks constant over time, and
// independence between steps and between seeds.

import { describe, expect, it } from 'vitest';
import { fillMasks, mix32 } from '../src/kernels/ref/dropout-mask.js';
import { dropoutKeys, maskSpec } from '../src/train/dropout.js';
import { createRng } from '../src/rng.js';

/** Share of zeros in m. */
const dropRate = (m: Float32Array): number => m.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) / m.length;
/** Five standard deviations of a binomial share: the bound a correct p almost never crosses. */
const fiveSigma = (p: number, n: number): number => 5 * Math.sqrt((p * (1 - p)) / n);

describe('dropout masks', () => {
  it('mix32 is lowbias32: values computed with Python integers from the C definition', () => {
    // x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16 (mod 2^32)
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x688990c0);
    expect(mix32(2)).toBe(0xd1132181);
    expect(mix32(0xffffffff)).toBe(0x6768824a);
    expect(mix32(123456789)).toBe(0xa8f1db88);
  });

  for (const p of [0.1, 0.25, 0.5]) {
    it(`p=${p}: drops a share p of the entries and scales the rest by 1/(1-p)`, () => {
      const L = 2, T = 16, C = 4000, m = new Float32Array(L * T * C);
      fillMasks(m, L * T, C, T, maskSpec(dropoutKeys(createRng(3, 'dropout')), 5, p, 'standard'));
      expect(Math.abs(dropRate(m) - p)).toBeLessThan(fiveSigma(p, m.length));
      expect(new Set(m.filter((v) => v !== 0))).toEqual(new Set([Math.fround(1 / (1 - p))]));
    });
  }

  it('p=0 drops nothing', () => {
    const m = new Float32Array(1000);
    fillMasks(m, 10, 100, 10, maskSpec([1, 2], 0, 0, 'standard'));
    expect(m.every((v) => v === 1)).toBe(true);
  });

  it('variational: each layer draws one (B, H) mask and repeats it at every time step', () => {
    const L = 3, T = 8, C = 2000, p = 0.3, m = new Float32Array(L * T * C);
    fillMasks(m, L * T, C, T, maskSpec([5, 6], 0, p, 'variational'));
    const layer = (l: number): Float32Array => m.subarray(l * T * C, l * T * C + C);
    for (let l = 0; l < L; l++) {
      for (let t = 1; t < T; t++) expect(m.subarray((l * T + t) * C, (l * T + t + 1) * C)).toEqual(layer(l));
      expect(Math.abs(dropRate(layer(l)) - p)).toBeLessThan(fiveSigma(p, C));
    }
    expect(layer(0)).not.toEqual(layer(1));
  });

  it('masks of different steps and of different seeds are independent: they agree on p² + (1-p)² of the entries', () => {
    const n = 100_000, p = 0.2, agree = p * p + (1 - p) * (1 - p);
    const draw = (seed: number, step: number): Float32Array => {
      const m = new Float32Array(n);
      fillMasks(m, 1, n, 1, maskSpec(dropoutKeys(createRng(seed, 'dropout')), step, p, 'standard'));
      return m;
    };
    const share = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, k) => s + (v === b[k] ? 1 : 0), 0) / n;
    const a = draw(1, 0);
    expect(draw(1, 0)).toEqual(a);
    for (const other of [draw(1, 1), draw(1, 2 ** 20), draw(2, 0)]) {
      expect(Math.abs(share(a, other) - agree)).toBeLessThan(fiveSigma(agree, n));
    }
  });
});
