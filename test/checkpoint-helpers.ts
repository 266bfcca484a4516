// Small valid checkpoints for the checkpoint tests, built from the layout table alone (no engine),
// and helpers to catch the one-line error a bad one produces.

import { encodeF32 } from '../src/checkpoint/tensor-codec.js';
import { parseCheckpoint } from '../src/checkpoint/io.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint } from '../src/checkpoint/types.js';
import type { TrainSettings } from '../src/settings/train-settings.js';
import { CheckpointError } from '../src/errors.js';
import { stateCount, type CellType } from '../src/model/config.js';
import { buildLayout } from '../src/model/layout.js';

export interface SmallCheckpointOptions {
  cell?: CellType;
  layers?: number;
  hidden?: number;
  /** Ids 1..V-1; V = length + 1. */
  codePoints?: number[];
  batch?: number;
  /** false: a weights-only checkpoint (training: null). */
  training?: boolean;
}

export const SMALL_SETTINGS: TrainSettings = {
  batch: 2, seqLen: 3, lr: 0.01, lrSchedule: 'cosine', warmup: 5, lrDecay: 0.5, lrDecayEvery: 100, lrMin: 0.05,
  optimizer: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clip: 5, steps: 10, seed: 7,
  evalEvery: 5, saveEvery: 5, valFraction: 0.05, dropoutMode: 'standard', patience: 0, ema: 0, weightDrop: 0, cosineFrom: 'warmup', valChars: 0, decayShare: 0.2,
};

/** Deterministic float32 values in (-1/3, 1/3), with a −0 and a subnormal when n allows. */
function values(n: number, salt: number): Float32Array {
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.sin(k * 1.7 + salt) / 3;
  if (n > 1) out[1] = -0;
  if (n > 2) out[2] = 1e-42;
  return out;
}

export function smallCheckpoint(opts: SmallCheckpointOptions = {}): Checkpoint {
  const cell = opts.cell ?? 'gru', layers = opts.layers ?? 2, hidden = opts.hidden ?? 3;
  const codePoints = opts.codePoints ?? [10, 97, 98, 0x1f600];
  const model = { cell, layers, hidden, vocabSize: codePoints.length + 1, dropout: 0.1 };
  const layout = buildLayout(model);
  const settings = { ...SMALL_SETTINGS, batch: opts.batch ?? SMALL_SETTINGS.batch };
  const carryShape = [layers, stateCount(cell), settings.batch, hidden];
  // Checksummed as rnn train writes them; a weights-only one stands for an rnn import, which has none.
  const CHECKSUM = { checksum: opts.training !== false };
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    rnnVersion: '0.1.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    model,
    vocab: { codePoints: [...codePoints], docSplit: 'line' },
    corpus: { paths: ['/data/names.txt'], trainTokens: 100, valTokens: 10, trainDocs: 20, valDocs: 2 },
    tensors: layout.tensors.map((t, i) => encodeF32(t.name, t.shape, values(t.size, i), CHECKSUM)),
    training: opts.training === false ? null : {
      step: 5, epoch: 1, window: 2, rng: [1, 2, 3, 0xffffffff],
      moments: [0, 1].map((i) => encodeF32(`moment${i}`, [layout.size], values(layout.size, 100 + i).map(Math.abs), CHECKSUM)),
      carry: encodeF32('carry', carryShape, values(carryShape.reduce((a, b) => a * b, 1), 200), CHECKSUM),
      bestValLoss: 1.25, bestStep: 5, firstLoss: 1.5, elapsedSec: 1.5, settings,
      metrics: [
        { step: 5, time: 1.5, trainLoss: 1.3, valLoss: 1.25, lr: 0.01, gradNorm: 0.5, charsPerSec: 100 },
        { step: 6, time: 1.7, trainLoss: 1.2, valLoss: null, lr: 0.009, gradNorm: 0.4, charsPerSec: 110 },
      ],
    },
  };
}

/** A deep copy that can be mutated freely (plain JSON, as a file would hold). */
export function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The CheckpointError that parsing `text` throws; fails the test if it parses or throws another type. */
export function parseError(text: string, source = 'ck.json'): CheckpointError {
  try {
    parseCheckpoint(text, source);
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error('expected a CheckpointError, but the checkpoint parsed');
}

/** The error `fn` throws, checked to be of `type`. */
export function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}`);
}
