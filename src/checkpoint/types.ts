// The checkpoint: one self-describing JSON document. Everything needed to sample, evaluate, and
// resume training exactly. Float tensors are base64 of little-endian float32 so they round-trip
// bit for bit.

import type { DocSplit } from '../data/doc-split.js';
import type { KernelVariant } from '../kernels/engine.js';
import type { CellType } from '../model/config.js';
import type { TrainSettings } from '../settings/train-settings.js';

export const CHECKPOINT_FORMAT = 'rnn-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface EncodedTensor {
  name: string;
  shape: number[];
  dtype: 'f32';
  /** base64 of little-endian float32, length = product(shape) * 4 bytes. */
  data: string;
  /** CRC-32 (crc32.ts) of the decoded bytes, 8 lowercase hex digits; checked on load. Absent in
   *  checkpoints written before it was added and in imported weights: then not checked. */
  crc32?: string;
}

export interface MetricRow {
  step: number;
  /** Seconds of training since the start of the run (resumes continue the clock). */
  time: number;
  trainLoss: number;
  valLoss: number | null;
  lr: number;
  gradNorm: number;
  charsPerSec: number;
}

export interface TrainingState {
  /** Optimizer steps completed. */
  step: number;
  /** Data cursor: epoch (0-based) and the next window within it. */
  epoch: number;
  window: number;
  /** The dropout RNG's state. */
  rng: [number, number, number, number];
  /** Optimizer moments, each a flat tensor in parameter-layout order. */
  moments: EncodedTensor[];
  /** Carried recurrent state (L, S, B, H) at the cursor. */
  carry: EncodedTensor;
  bestValLoss: number | null;
  bestStep: number | null;
  /** The run's first training loss (the divergence guard compares against it). */
  firstLoss: number | null;
  elapsedSec: number;
  settings: TrainSettings;
  metrics: MetricRow[];
  /** The steps since the last metrics row: their summed loss, count, characters and seconds of
   *  training, so a resumed run's next row averages what an uninterrupted run's would. Absent in
   *  older checkpoints (which were saved right after a row, or lose part of one). */
  rowSums?: { loss: number; steps: number; chars: number; sec: number };
  /** true: a stop request came during the validation of `step`, which a resumed run does first.
   *  Absent otherwise. */
  pendingEval?: true;
  /** The kernel build that trained the last stretch (Engine.variant): the builds agree to about
   *  1e-6, not bit for bit, so a resume on another one says so. Absent in older checkpoints. */
  kernel?: KernelVariant;
  /** With --ema: the raw (not averaged) parameters in layout order, which training continues
   *  from; `tensors` then holds the average, which validation, sampling and export use. */
  raw?: EncodedTensor;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  rnnVersion: string;
  createdAt: string;
  model: { cell: CellType; layers: number; hidden: number; vocabSize: number; dropout: number };
  vocab: {
    /** Code points of ids 1..V-1 in ascending order; id 0 is EOS. */
    codePoints: number[];
    docSplit: DocSplit;
  };
  corpus: {
    paths: string[]; trainTokens: number; valTokens: number; trainDocs: number; valDocs: number;
    /** fingerprintTokens(train, val) (src/data/fingerprint.ts): a resume refuses an edited corpus.
     *  Absent in older checkpoints and in imports. */
    fingerprint?: string;
  };
  /** Parameters in layout order, PyTorch state_dict names. */
  tensors: EncodedTensor[];
  /** Absent in a weights-only checkpoint (e.g. an import). */
  training: TrainingState | null;
}
