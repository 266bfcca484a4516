// Checkpoint validation: every field, type, range and tensor shape, reporting the first problem
// as one CheckpointError line that names the field. Never throws anything else, whatever the input.

import { CheckpointError } from '../errors.js';
import { CELL_TYPES, stateCount, type ModelConfig } from '../model/config.js';
import { buildLayout } from '../model/layout.js';
import { decodeF32 } from './tensor-codec.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type EncodedTensor } from './types.js';

type Obj = Record<string, unknown>;

const fail = (field: string, msg: string, hint?: string): never => { throw new CheckpointError(`${field}: ${msg}`, hint); };
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function obj(v: unknown, f: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(f, `expected an object, got ${typeName(v)}`);
  return v as Obj;
}
function arr(v: unknown, f: string): unknown[] {
  if (!Array.isArray(v)) fail(f, `expected an array, got ${typeName(v)}`);
  return v as unknown[];
}
function num(v: unknown, f: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(f, `expected a finite number, got ${typeName(v)}`);
  if ((v as number) < min || (v as number) > max) fail(f, `${v} is outside [${min}, ${max}]`);
  return v as number;
}
function int(v: unknown, f: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = num(v, f, min, max);
  if (!Number.isInteger(n)) fail(f, `expected a whole number, got ${n}`);
  return n;
}
function str(v: unknown, f: string): string {
  if (typeof v !== 'string') fail(f, `expected a string, got ${typeName(v)}`);
  return v as string;
}
function oneOf<T extends string>(v: unknown, f: string, options: readonly T[]): T {
  if (!options.includes(v as T)) fail(f, `expected one of ${options.join(', ')}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v as T;
}
function numOrNull(v: unknown, f: string): number | null {
  return v === null ? null : num(v, f);
}

function tensor(v: unknown, f: string, name: string, shape: number[]): EncodedTensor {
  const t = obj(v, f);
  if (str(t.name, `${f}.name`) !== name) fail(`${f}.name`, `expected ${name}, got ${JSON.stringify(t.name).slice(0, 60)}`);
  const s = arr(t.shape, `${f}.shape`).map((d, i) => int(d, `${f}.shape[${i}]`));
  if (s.length !== shape.length || s.some((d, i) => d !== shape[i])) fail(`${f}.shape`, `expected [${shape.join(', ')}] for ${name}, got [${s.join(', ')}]`);
  oneOf(t.dtype, `${f}.dtype`, ['f32'] as const);
  const enc = { name, shape: s, dtype: 'f32' as const, data: str(t.data, `${f}.data`) };
  decodeF32(enc, f);
  return enc;
}

export function validateCheckpoint(raw: unknown): Checkpoint {
  const c = obj(raw, 'checkpoint');
  if (c.format !== CHECKPOINT_FORMAT) fail('format', `expected "${CHECKPOINT_FORMAT}", got ${JSON.stringify(c.format)?.slice(0, 40)}`, 'this file is not an rnn checkpoint');
  if (c.version !== CHECKPOINT_VERSION) {
    fail('version', `this rnn reads checkpoint version ${CHECKPOINT_VERSION}, the file is version ${JSON.stringify(c.version)?.slice(0, 20)}`,
      `it was written by rnn ${typeof c.rnnVersion === 'string' ? c.rnnVersion.slice(0, 20) : '(unknown)'}; use that version of rnn, or one that reads this format`);
  }
  const rnnVersion = str(c.rnnVersion, 'rnnVersion');
  const createdAt = str(c.createdAt, 'createdAt');

  const m = obj(c.model, 'model');
  const model: ModelConfig = {
    cell: oneOf(m.cell, 'model.cell', CELL_TYPES),
    layers: int(m.layers, 'model.layers', 1, 64),
    hidden: int(m.hidden, 'model.hidden', 1, 65536),
    vocabSize: int(m.vocabSize, 'model.vocabSize', 2, 0x110000),
    dropout: num(m.dropout, 'model.dropout', 0, 1),
  };
  if (model.dropout >= 1) fail('model.dropout', `must be below 1, got ${model.dropout}`);

  const v = obj(c.vocab, 'vocab');
  const codePoints = arr(v.codePoints, 'vocab.codePoints').map((cp, i) => int(cp, `vocab.codePoints[${i}]`, 0, 0x10ffff));
  codePoints.forEach((cp, i) => {
    if (cp >= 0xd800 && cp <= 0xdfff) fail(`vocab.codePoints[${i}]`, `${cp} is a surrogate, not a character`);
    if (i > 0 && cp <= codePoints[i - 1]!) fail(`vocab.codePoints[${i}]`, 'not in strictly ascending order (duplicate or unsorted)');
  });
  if (codePoints.length + 1 !== model.vocabSize) fail('vocab.codePoints', `${codePoints.length} characters + EOS does not match model.vocabSize ${model.vocabSize}`);
  const docSplit = oneOf(v.docSplit, 'vocab.docSplit', ['line', 'blank', 'file', 'none'] as const);

  const co = obj(c.corpus, 'corpus');
  const corpus = {
    paths: arr(co.paths, 'corpus.paths').map((p, i) => str(p, `corpus.paths[${i}]`)),
    trainTokens: int(co.trainTokens, 'corpus.trainTokens'), valTokens: int(co.valTokens, 'corpus.valTokens'),
    trainDocs: int(co.trainDocs, 'corpus.trainDocs'), valDocs: int(co.valDocs, 'corpus.valDocs'),
  };

  const layout = buildLayout(model);
  const ts = arr(c.tensors, 'tensors');
  if (ts.length !== layout.tensors.length) fail('tensors', `expected ${layout.tensors.length} tensors for this model, got ${ts.length}`);
  const tensors = layout.tensors.map((spec, i) => tensor(ts[i], `tensors[${i}]`, spec.name, spec.shape));

  let training: Checkpoint['training'] = null;
  if (c.training !== null) {
    const t = obj(c.training, 'training');
    const s = obj(t.settings, 'training.settings');
    const f = (k: string): string => `training.settings.${k}`;
    const settings = {
      batch: int(s.batch, f('batch'), 1), seqLen: int(s.seqLen, f('seqLen'), 1), lr: num(s.lr, f('lr'), 0),
      lrSchedule: oneOf(s.lrSchedule, f('lrSchedule'), ['constant', 'cosine', 'step'] as const), warmup: int(s.warmup, f('warmup')),
      lrDecay: num(s.lrDecay, f('lrDecay'), 0), lrDecayEvery: int(s.lrDecayEvery, f('lrDecayEvery'), 1), lrMin: num(s.lrMin, f('lrMin'), 0),
      optimizer: oneOf(s.optimizer, f('optimizer'), ['adam', 'sgd', 'rmsprop'] as const), beta1: num(s.beta1, f('beta1'), 0, 1),
      beta2: num(s.beta2, f('beta2'), 0, 1), eps: num(s.eps, f('eps'), 0), weightDecay: num(s.weightDecay, f('weightDecay'), 0),
      clip: num(s.clip, f('clip'), 0), steps: int(s.steps, f('steps')), seed: int(s.seed, f('seed'), 0, 0xffffffff),
      evalEvery: int(s.evalEvery, f('evalEvery')), saveEvery: int(s.saveEvery, f('saveEvery')), valFraction: num(s.valFraction, f('valFraction'), 0, 1),
    };
    const rng = arr(t.rng, 'training.rng').map((x, i) => int(x, `training.rng[${i}]`, 0, 0xffffffff));
    if (rng.length !== 4 || rng.every((x) => x === 0)) fail('training.rng', 'expected four uint32 values, not all zero');
    const ms = arr(t.moments, 'training.moments');
    if (ms.length !== 2) fail('training.moments', `expected 2 moment tensors, got ${ms.length}`);
    const moments = ms.map((x, i) => tensor(x, `training.moments[${i}]`, `moment${i}`, [layout.size]));
    const carry = tensor(t.carry, 'training.carry', 'carry', [model.layers, stateCount(model.cell), settings.batch, model.hidden]);
    const metrics = arr(t.metrics, 'training.metrics').map((r, i) => {
      const o = obj(r, `training.metrics[${i}]`), g = (k: string): string => `training.metrics[${i}].${k}`;
      return {
        step: int(o.step, g('step')), time: num(o.time, g('time'), 0), trainLoss: num(o.trainLoss, g('trainLoss')),
        valLoss: numOrNull(o.valLoss, g('valLoss')), lr: num(o.lr, g('lr')), gradNorm: num(o.gradNorm, g('gradNorm')),
        charsPerSec: num(o.charsPerSec, g('charsPerSec')),
      };
    });
    training = {
      step: int(t.step, 'training.step'), epoch: int(t.epoch, 'training.epoch'), window: int(t.window, 'training.window'),
      rng: rng as [number, number, number, number], moments, carry,
      bestValLoss: numOrNull(t.bestValLoss, 'training.bestValLoss'), bestStep: t.bestStep === null ? null : int(t.bestStep, 'training.bestStep'),
      elapsedSec: num(t.elapsedSec, 'training.elapsedSec', 0), settings, metrics,
    };
  }
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, rnnVersion, createdAt, model, vocab: { codePoints, docSplit }, corpus, tensors, training };
}
