// Engine + training cursor ⇄ checkpoint. The only place that knows which engine buffers go into
// which checkpoint fields, so saving and resuming cannot drift apart.

import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint } from '../checkpoint/types.js';
import type { DocSplit } from '../data/doc-split.js';
import type { TrainSettings } from '../settings/train-settings.js';
import { decodeF32, encodeF32 } from '../checkpoint/tensor-codec.js';
import type { Engine } from '../kernels/engine.js';
import { stateCount, type ModelConfig } from '../model/config.js';
import { buildLayout } from '../model/layout.js';
import { VERSION } from '../version.js';
import type { TrainCursor } from './trainer.js';

export interface RunInfo {
  codePoints: number[];
  docSplit: DocSplit;
  corpus: Checkpoint['corpus'];
  settings: TrainSettings;
}

/** Every float tensor of a checkpoint written here carries its CRC-32, checked on load. */
const CHECKSUM = { checksum: true } as const;

/** With `average` (--ema), the checkpoint's tensors are the averaged weights and the engine's own
 *  go into training.raw. */
export function toCheckpoint(engine: Engine, cursor: TrainCursor | null, info: RunInfo, average: Float32Array | null = null): Checkpoint {
  const cfg = engine.cfg;
  const weights = average ?? engine.params;
  const S = stateCount(cfg.cell);
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    rnnVersion: VERSION,
    createdAt: new Date().toISOString(),
    model: { cell: cfg.cell, layers: cfg.layers, hidden: cfg.hidden, vocabSize: cfg.vocabSize, dropout: cfg.dropout },
    vocab: { codePoints: info.codePoints, docSplit: info.docSplit },
    corpus: info.corpus,
    tensors: engine.layout.tensors.map((t) => encodeF32(t.name, t.shape, weights.subarray(t.offset, t.offset + t.size), CHECKSUM)),
    training: cursor && {
      step: cursor.step,
      epoch: cursor.epoch,
      window: cursor.window,
      rng: cursor.rng,
      moments: engine.moments.map((m, i) => encodeF32(`moment${i}`, [m.length], m, CHECKSUM)),
      carry: encodeF32('carry', [cfg.layers, S, engine.batch, cfg.hidden], engine.state, CHECKSUM),
      bestValLoss: cursor.bestValLoss,
      bestStep: cursor.bestStep,
      firstLoss: cursor.firstLoss,
      elapsedSec: cursor.elapsedSec,
      settings: info.settings,
      metrics: cursor.metrics,
      rowSums: cursor.rowSums,
      ...(cursor.pendingEval ? { pendingEval: true } : {}),
      kernel: engine.variant,
      ...(average ? { raw: encodeF32('raw', [engine.params.length], engine.params, CHECKSUM) } : {}),
    },
  };
}

/** float32 values in a training checkpoint of this model and batch (for checkCheckpointFits):
 *  the parameters, two optimizer moments of the same size, and the carried state (L, S, B, H). */
export function checkpointFloats(cfg: ModelConfig, batch: number, averaged = false): number {
  return (averaged ? 4 : 3) * buildLayout(cfg).size + cfg.layers * stateCount(cfg.cell) * batch * cfg.hidden;
}

export function modelConfigOf(ck: Checkpoint): ModelConfig {
  return { ...ck.model };
}

/** Load a checkpoint's parameters into an engine built for its config. */
export function loadParams(engine: Engine, ck: Checkpoint): void {
  engine.layout.tensors.forEach((spec, i) => engine.params.set(decodeF32(ck.tensors[i]!), spec.offset));
  engine.paramsChanged();
}

/** Load parameters, optimizer moments and carried state, and return the cursor to continue from.
 *  With `average` (--ema) the checkpoint's tensors fill it, and training.raw the engine. */
export function restoreTraining(engine: Engine, ck: Checkpoint, average: Float32Array | null = null): TrainCursor {
  const tr = ck.training;
  if (!tr) throw new Error('checkpoint has no training state');
  if (average && tr.raw) {
    engine.layout.tensors.forEach((spec, i) => average.set(decodeF32(ck.tensors[i]!), spec.offset));
    engine.params.set(decodeF32(tr.raw));
    engine.paramsChanged();
  } else loadParams(engine, ck);
  tr.moments.forEach((m, i) => engine.moments[i]!.set(decodeF32(m)));
  engine.state.set(decodeF32(tr.carry));
  return {
    step: tr.step, epoch: tr.epoch, window: tr.window, rng: tr.rng, elapsedSec: tr.elapsedSec,
    bestValLoss: tr.bestValLoss, bestStep: tr.bestStep, firstLoss: tr.firstLoss, metrics: tr.metrics,
    rowSums: tr.rowSums ?? { loss: 0, steps: 0, chars: 0, sec: 0 }, pendingEval: tr.pendingEval === true,
  };
}
