// Checkpoint validation: every field, type, range and tensor shape, reporting the first problem
// as one CheckpointError line that names the field (`tensors[3].shape: expected …`). It never
// throws anything else and never recurses into the input, whatever JSON it is given.

import { CheckpointError } from '../errors.js';
import { DOC_SPLITS } from '../data/doc-split.js';
import type { KernelVariant } from '../kernels/engine.js';
import { stateCount, type CellType, type ModelConfig } from '../model/config.js';
import { buildLayout } from '../model/layout.js';
import { inRange, intervalText } from '../settings/range.js';
import { settingRow, SETTING_ROWS, type SettingRow, type TrainSettings } from '../settings/train-settings.js';
import { VERSION } from '../version.js';
import { CRC32_HEX } from './crc32.js';
import { decodeF32 } from './tensor-codec.js';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type EncodedTensor, type MetricRow, type TrainingState,
} from './types.js';

type Obj = Record<string, unknown>;

const KERNEL_VARIANTS = ['ts', 'wasm', 'wasm-fma'] as const satisfies readonly KernelVariant[];
/** Optimizer moment buffers in the checkpoint (Adam m and v; SGD and RMSprop use one or both). */
const MOMENT_COUNT = 2;

const fail = (field: string, msg: string, hint?: string): never => { throw new CheckpointError(`${field}: ${msg}`, hint); };

/** A short one-line description of any JSON value for error messages: bounded in length and
 *  never walks into objects, so huge or deeply nested input costs nothing. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v === 'object' ? 'an object' : typeof v;
}

function obj(v: unknown, f: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(f, `expected an object, got ${show(v)}`);
  return v as Obj;
}
function arr(v: unknown, f: string): unknown[] {
  if (!Array.isArray(v)) fail(f, `expected an array, got ${show(v)}`);
  return v as unknown[];
}
function num(v: unknown, f: string, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(f, `expected a finite number, got ${show(v)}`);
  const n = v as number;
  if (n < min || n > max) fail(f, `${n} is outside [${min}, ${max}]`);
  return n;
}
function int(v: unknown, f: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v)) fail(f, `expected a whole number, got ${show(v)}`);
  return num(v, f, min, max);
}
function str(v: unknown, f: string): string {
  if (typeof v !== 'string') fail(f, `expected a string, got ${show(v)}`);
  return v as string;
}
function oneOf<T extends string>(v: unknown, f: string, options: readonly T[]): T {
  if (!options.includes(v as T)) fail(f, `expected one of ${options.join(', ')}, got ${show(v)}`);
  return v as T;
}
function pendingEval(v: unknown): true {
  if (v !== true) fail('training.pendingEval', `expected true (or no field), got ${show(v)}`);
  return true;
}
function numOrNull(v: unknown, f: string): number | null {
  return v === null ? null : num(v, f);
}

/** A tensor with exactly this name and shape whose data decodes to finite float32 values that
 *  match its CRC-32, when it has one. */
function tensor(v: unknown, f: string, name: string, shape: number[]): EncodedTensor {
  const t = obj(v, f);
  if (str(t.name, `${f}.name`) !== name) fail(`${f}.name`, `expected ${name}, got ${show(t.name)}`);
  const s = arr(t.shape, `${f}.shape`).map((d, i) => int(d, `${f}.shape[${i}]`));
  if (s.length !== shape.length || s.some((d, i) => d !== shape[i])) {
    fail(`${f}.shape`, `expected [${shape.join(', ')}] for ${name}, got [${s.join(', ')}]`);
  }
  oneOf(t.dtype, `${f}.dtype`, ['f32'] as const);
  const enc: EncodedTensor = { name, shape: s, dtype: 'f32', data: str(t.data, `${f}.data`) };
  // Added after the first checkpoints were written: absent means not checked.
  if (t.crc32 !== undefined) {
    if (typeof t.crc32 !== 'string' || !CRC32_HEX.test(t.crc32)) fail(`${f}.crc32`, `expected 8 lowercase hex digits, got ${show(t.crc32)}`);
    enc.crc32 = t.crc32 as string;
  }
  decodeF32(enc, f);
  return enc;
}

function checkVersion(c: Obj): void {
  if (c.format !== CHECKPOINT_FORMAT) {
    fail('format', `expected "${CHECKPOINT_FORMAT}", got ${show(c.format)}`, 'this file is not an rnn checkpoint');
  }
  if (c.version === CHECKPOINT_VERSION) return;
  const writer = typeof c.rnnVersion === 'string' ? `rnn ${show(c.rnnVersion)}` : 'an unknown rnn';
  const newer = typeof c.version === 'number' && c.version > CHECKPOINT_VERSION;
  fail('version', `this rnn reads checkpoint version ${CHECKPOINT_VERSION}, the file is version ${show(c.version)}`,
    `written by ${writer}; this rnn (${VERSION}) reads version ${CHECKPOINT_VERSION}: ${newer ? 'upgrade rnn' : `read it with ${writer}`}`);
}

function checkModel(v: unknown): ModelConfig {
  const m = obj(v, 'model');
  const field = (key: 'cell' | 'layers' | 'hidden' | 'dropout'): unknown => checkSetting(settingRow(key), m[key], `model.${key}`);
  return {
    cell: field('cell') as CellType,
    layers: field('layers') as number,
    hidden: field('hidden') as number,
    vocabSize: int(m.vocabSize, 'model.vocabSize', 2, 0x110000),
    dropout: field('dropout') as number,
  };
}

/** Ids 1..V-1 are code points, strictly ascending (so no duplicates), never surrogates; id 0 is
 *  the implicit EOS, hence V = codePoints.length + 1. */
function checkVocab(v: unknown, vocabSize: number): Checkpoint['vocab'] {
  const o = obj(v, 'vocab');
  const codePoints = arr(o.codePoints, 'vocab.codePoints').map((cp, i) => int(cp, `vocab.codePoints[${i}]`, 0, 0x10ffff));
  codePoints.forEach((cp, i) => {
    if (cp >= 0xd800 && cp <= 0xdfff) fail(`vocab.codePoints[${i}]`, `${cp} is a surrogate, not a character`);
    const prev = codePoints[i - 1];
    if (prev !== undefined && cp <= prev) {
      fail(`vocab.codePoints[${i}]`, cp === prev ? `duplicate of entry ${i - 1} (${cp})` : `${cp} is not above entry ${i - 1} (${prev}): not in ascending order`);
    }
  });
  if (codePoints.length + 1 !== vocabSize) {
    fail('vocab.codePoints', `${codePoints.length} characters + EOS does not match model.vocabSize ${vocabSize}`);
  }
  return { codePoints, docSplit: oneOf(o.docSplit, 'vocab.docSplit', DOC_SPLITS) };
}

function checkCorpus(v: unknown): Checkpoint['corpus'] {
  const o = obj(v, 'corpus');
  return {
    paths: arr(o.paths, 'corpus.paths').map((p, i) => str(p, `corpus.paths[${i}]`)),
    trainTokens: int(o.trainTokens, 'corpus.trainTokens'), valTokens: int(o.valTokens, 'corpus.valTokens'),
    trainDocs: int(o.trainDocs, 'corpus.trainDocs'), valDocs: int(o.valDocs, 'corpus.valDocs'),
    ...(o.fingerprint === undefined ? {} : { fingerprint: str(o.fingerprint, 'corpus.fingerprint') }),
  };
}

/** A setting's value as its table row allows it: the type, and the range or choices the command
 *  line accepts, so a checkpoint holds nothing `rnn train` could not have been given. */
function checkSetting(row: SettingRow, v: unknown, f: string): unknown {
  switch (row.kind) {
    case 'choice': return oneOf(v, f, row.choices);
    case 'int': return int(v, f, row.min, row.max);
    case 'float': {
      const n = num(v, f);
      if (!inRange(row, n)) fail(f, `${n} is outside ${intervalText(row)}`);
      return n;
    }
    default: return str(v, f);
  }
}

function checkSettings(v: unknown): TrainSettings {
  const s = obj(v, 'training.settings');
  const out: Record<string, unknown> = {};
  for (const row of SETTING_ROWS) {
    if (row.stored !== 'settings') continue;
    // A setting added after the first checkpoints were written: absent means the behaviour of that time.
    const value = s[row.key] === undefined && 'legacy' in row ? row.legacy : s[row.key];
    out[row.key] = checkSetting(row, value, `training.settings.${row.key}`);
  }
  if (s.flags !== undefined) out.flags = str(s.flags, 'training.settings.flags');
  return out as TrainSettings;
}

function checkMetric(v: unknown, i: number): MetricRow {
  const o = obj(v, `training.metrics[${i}]`);
  const f = (k: string): string => `training.metrics[${i}].${k}`;
  return {
    step: int(o.step, f('step')), time: num(o.time, f('time'), 0), trainLoss: num(o.trainLoss, f('trainLoss')),
    valLoss: numOrNull(o.valLoss, f('valLoss')), lr: num(o.lr, f('lr')), gradNorm: num(o.gradNorm, f('gradNorm')),
    charsPerSec: num(o.charsPerSec, f('charsPerSec')),
  };
}

function checkRowSums(v: unknown): NonNullable<TrainingState['rowSums']> {
  const o = obj(v, 'training.rowSums');
  const f = (k: string): string => `training.rowSums.${k}`;
  return { loss: num(o.loss, f('loss')), steps: int(o.steps, f('steps')), chars: int(o.chars, f('chars')), sec: num(o.sec, f('sec'), 0) };
}

function checkTraining(v: unknown, model: ModelConfig, paramCount: number): TrainingState | null {
  if (v === null) return null;
  const t = obj(v, 'training');
  const step = int(t.step, 'training.step'), epoch = int(t.epoch, 'training.epoch'), window = int(t.window, 'training.window');
  const rng = arr(t.rng, 'training.rng');
  if (rng.length !== 4) fail('training.rng', `expected 4 uint32 values, got ${rng.length}`);
  rng.forEach((x, i) => int(x, `training.rng[${i}]`, 0, 0xffffffff));
  if (rng.every((x) => x === 0)) fail('training.rng', 'all four values are 0, which the generator can never leave');
  const settings = checkSettings(t.settings);
  const ms = arr(t.moments, 'training.moments');
  if (ms.length !== MOMENT_COUNT) fail('training.moments', `expected ${MOMENT_COUNT} moment tensors, got ${ms.length}`);
  const moments = ms.map((x, i) => tensor(x, `training.moments[${i}]`, `moment${i}`, [paramCount]));
  const carry = tensor(t.carry, 'training.carry', 'carry', [model.layers, stateCount(model.cell), settings.batch, model.hidden]);
  if (settings.ema > 0 && t.raw === undefined) fail('training.raw', 'missing: a run with --ema keeps its raw weights here (tensors holds the average)');
  return {
    step, epoch, window, rng: rng as TrainingState['rng'], moments, carry,
    bestValLoss: numOrNull(t.bestValLoss, 'training.bestValLoss'),
    bestStep: t.bestStep === null ? null : int(t.bestStep, 'training.bestStep'),
    firstLoss: t.firstLoss === undefined ? null : numOrNull(t.firstLoss, 'training.firstLoss'),
    elapsedSec: num(t.elapsedSec, 'training.elapsedSec', 0),
    settings,
    metrics: arr(t.metrics, 'training.metrics').map(checkMetric),
    ...(t.rowSums === undefined ? {} : { rowSums: checkRowSums(t.rowSums) }),
    ...(t.pendingEval === undefined ? {} : { pendingEval: pendingEval(t.pendingEval) }),
    ...(t.kernel === undefined ? {} : { kernel: oneOf(t.kernel, 'training.kernel', KERNEL_VARIANTS) }),
    ...(t.raw === undefined ? {} : { raw: tensor(t.raw, 'training.raw', 'raw', [paramCount]) }),
  };
}

/** The checkpoint in `raw` (parsed JSON), checked field by field in document order, with unknown
 *  fields dropped. Throws one CheckpointError naming the first bad field, and nothing else. */
export function validateCheckpoint(raw: unknown): Checkpoint {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CheckpointError(`expected a JSON object at the top level, got ${show(raw)}`, 'this file is not an rnn checkpoint');
  }
  const c = raw as Obj;
  checkVersion(c);
  const rnnVersion = str(c.rnnVersion, 'rnnVersion');
  const createdAt = str(c.createdAt, 'createdAt');
  const model = checkModel(c.model);
  const vocab = checkVocab(c.vocab, model.vocabSize);
  const corpus = checkCorpus(c.corpus);
  const layout = buildLayout(model);
  const ts = arr(c.tensors, 'tensors');
  if (ts.length !== layout.tensors.length) {
    fail('tensors', `expected ${layout.tensors.length} tensors for a ${model.layers}-layer ${model.cell}, got ${ts.length}`);
  }
  const tensors = layout.tensors.map((spec, i) => tensor(ts[i], `tensors[${i}]`, spec.name, spec.shape));
  const training = checkTraining(c.training, model, layout.size);
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, rnnVersion, createdAt, model, vocab, corpus, tensors, training };
}

/** The path and value of the first number in `v` that JSON cannot hold (NaN, ±Infinity), or null.
 *  For checking a checkpoint built in memory before it is written; tensor data is checked apart. */
export function firstNonFinite(v: unknown, path = ''): { field: string; value: number } | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : { field: path || '(top level)', value: v };
  if (typeof v !== 'object' || v === null) return null;
  const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`${path}[${i}]`, x]) : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x]);
  for (const [p, x] of entries) {
    const hit = firstNonFinite(x, p);
    if (hit) return hit;
  }
  return null;
}
