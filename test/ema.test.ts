// Weight averaging (--ema d): the average follows PyTorch's AveragedModel with an EMA multi-avg
// function (torch.optim.swa_utils: the first update copies the weights, then
// ema = d·ema + (1 − d)·w), validation scores the average, the checkpoint's tensors are the average
// and its training.raw the weights training continues from, so a resume is exact.

import { describe, expect, it } from 'vitest';
import { parseCheckpoint, saveCheckpoint } from '../src/checkpoint/io.js';
import { decodeF32 } from '../src/checkpoint/tensor-codec.js';
import { createRefEngine } from '../src/kernels/ref/ref-engine.js';
import type { Engine } from '../src/kernels/engine.js';
import { initParams } from '../src/model/layout.js';
import { createRng } from '../src/rng.js';
import { restoreTraining, toCheckpoint, type RunInfo } from '../src/train/snapshot.js';
import { freshCursor, runTraining } from '../src/train/trainer.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { tempDir } from './helpers/cli.js';
import { trainSettings } from './helpers/settings.js';

const cfg = { cell: 'lstm' as const, layers: 1, hidden: 6, vocabSize: 5, dropout: 0.1 };
const train = Uint16Array.from({ length: 161 }, (_, k) => (k * 3 + (k >> 2)) % 5);
const val = Uint16Array.from({ length: 40 }, (_, k) => (k * 2 + 1) % 5);

function newEngine(B = 2, T = 4): Engine {
  const e = createRefEngine(cfg, B, T);
  initParams(e.params, cfg, createRng(5, 'init').next);
  e.paramsChanged();
  return e;
}

describe('--ema', () => {
  it('after each step: the weights at step 1, then d·avg + (1 − d)·w in float32; validation scores the average', async () => {
    const d = 0.75;
    const engine = newEngine();
    const after: Float32Array[] = [];
    const step = engine.optimizerStep.bind(engine);
    engine.optimizerStep = (...a) => { step(...a); after.push(Float32Array.from(engine.params)); };
    const evalEngine = newEngine(1, 8);
    let scored: Float32Array | null = null;
    const changed = evalEngine.paramsChanged.bind(evalEngine);
    evalEngine.paramsChanged = () => { changed(); scored = Float32Array.from(evalEngine.params); };
    const average = new Float32Array(engine.params.length);
    await runTraining({
      engine, evalEngine, train, val, average, cursor: freshCursor(1), hooks: { save() {} },
      settings: trainSettings({ lr: 1e-2, steps: 3, evalEvery: 3, ema: d, batch: 2, seqLen: 4 }),
    });
    // By hand: e1 = w1; e2 = 0.75·w1 + 0.25·w2; e3 = 0.75·e2 + 0.25·w3, each rounded to float32.
    const [w1, w2, w3] = after as [Float32Array, Float32Array, Float32Array];
    const expected = w1.map((x, i) => {
      const e2 = Math.fround(0.75 * x + 0.25 * w2[i]!);
      return Math.fround(0.75 * e2 + 0.25 * w3[i]!);
    });
    expect(Buffer.from(average.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    expect(average.some((x, i) => x !== w3[i])).toBe(true); // not the raw weights
    expect(Buffer.from(scored!.buffer).equals(Buffer.from(average.buffer))).toBe(true);
  });

  it('a run stopped at step 15 and resumed from its checkpoint ends with the average and raw weights of one never stopped', async () => {
    const settings = trainSettings({ lr: 1e-2, steps: 30, evalEvery: 0, saveEvery: 0, ema: 0.9, batch: 2, seqLen: 4 });
    const info: RunInfo = {
      codePoints: [97, 98, 99, 100], docSplit: 'none', settings,
      corpus: { paths: ['/x.txt'], trainTokens: train.length, valTokens: 0, trainDocs: 1, valDocs: 0 },
    };
    const run = async (engine: Engine, average: Float32Array, stopAfter = Infinity, cursor = freshCursor(1)) => {
      let polls = 0, saved = '';
      await runTraining({
        engine, evalEngine: null, train, val: null, settings, cursor, average,
        hooks: { save: (_k, c) => { saved = JSON.stringify(toCheckpoint(engine, c, info, average)); }, shouldStop: () => ++polls > stopAfter },
      });
      return parseCheckpoint(saved, 'ck.json');
    };
    const whole = await run(newEngine(), new Float32Array(newEngine().params.length));
    const first = newEngine();
    const half = await run(first, new Float32Array(first.params.length), 15);
    expect(half.training!.step).toBe(15);
    const second = newEngine(), average = new Float32Array(second.params.length);
    const cursor = restoreTraining(second, half, average);
    const end = await run(second, average, Infinity, cursor);
    expect(end.tensors).toEqual(whole.tensors);
    expect(end.training!.raw).toEqual(whole.training!.raw);
    const averaged = Float32Array.from(end.tensors.flatMap((t) => [...decodeF32(t)]));
    expect(averaged.length).toBe(decodeF32(end.training!.raw!).length);
    expect(averaged).not.toEqual(decodeF32(end.training!.raw!)); // tensors hold the average, not the raw weights
  });

  it('a checkpoint of a run with --ema must hold its raw weights', () => {
    const ck = smallCheckpoint();
    ck.training!.settings.ema = 0.99;
    expect(() => saveCheckpoint(`${tempDir()}/x.json`, ck)).toThrow(/training\.raw: missing: a run with --ema keeps its raw weights here/);
  });
});
