// rnn checkpoints ⇄ safetensors files that PyTorch loads into the module of rnn_torch.py: an
// nn.LSTM / nn.GRU / nn.RNN(tanh) named `rnn` (input_size V, batch_first) over one-hot input, then
// nn.Linear(H, V) named `head`. Tensor names are that module's state_dict() keys, which are also
// rnn's own names (model/layout.ts), so the mapping is the identity; the metadata carries what the
// weights alone do not: cell, sizes, vocabulary, split rule.

import type { Checkpoint } from '../checkpoint/types.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from '../checkpoint/types.js';
import { decodeF32, encodeF32 } from '../checkpoint/tensor-codec.js';
import { validateCheckpoint } from '../checkpoint/validate.js';
import { CheckpointError } from '../errors.js';
import { buildLayout } from '../model/layout.js';
import { CELL_TYPES } from '../model/config.js';
import { VERSION } from '../version.js';
import { encodeSafetensors, isFloatDtype, parseSafetensors, readFloat32, type SafetensorsFile, type TensorEntry } from './safetensors.js';

/** `__metadata__.format` of the files written here. */
export const EXPORT_FORMAT = 'rnn-char-lm';
export const EXPORT_FORMAT_VERSION = '1';

/** The metadata written, every value a string (the format allows no other type):
 *  vocab     JSON list of the V tokens by id: "EOS" (id 0), then the code points of ids 1..V-1 ascending;
 *  doc_split how rnn cut text into documents, each followed by EOS (line, blank, file, none);
 *  corpus    JSON of the checkpoint's corpus record (paths and token counts), informational. */
export function exportMetadata(ck: Checkpoint): Record<string, string> {
  return {
    format: EXPORT_FORMAT,
    format_version: EXPORT_FORMAT_VERSION,
    rnn_version: VERSION,
    cell: ck.model.cell,
    ...(ck.model.cell === 'rnn' ? { nonlinearity: 'tanh' } : {}),
    layers: String(ck.model.layers),
    hidden: String(ck.model.hidden),
    vocab_size: String(ck.model.vocabSize),
    dropout: String(ck.model.dropout),
    vocab: JSON.stringify(['EOS', ...ck.vocab.codePoints]),
    doc_split: ck.vocab.docSplit,
    corpus: JSON.stringify(ck.corpus),
  };
}

/** The checkpoint's weights as a safetensors file: deterministic (no time stamps), tensors in
 *  state_dict order. */
export function exportSafetensors(ck: Checkpoint): Uint8Array {
  const tensors = ck.tensors.map((t) => ({ name: t.name, shape: t.shape, data: decodeF32(t) }));
  return encodeSafetensors(tensors, exportMetadata(ck));
}

export interface ImportResult {
  checkpoint: Checkpoint;
  /** Tensors converted from F16 or BF16, by dtype. */
  converted: Record<string, string[]>;
}

const META_HINT = 'rnn reads the safetensors files rnn export writes, or that rnn_torch.py saves (it keeps their __metadata__)';

/** A weights-only rnn checkpoint from the bytes of a safetensors file. Every name, shape and
 *  dtype is checked; the first problem is one CheckpointError line naming the tensor or field. */
export function importSafetensors(bytes: Uint8Array, source: string): ImportResult {
  const file = parseSafetensors(bytes, source);
  const meta = file.metadata;
  if (meta === null) fail(`${source}: no __metadata__, so no vocabulary or cell type`, META_HINT);
  const m = meta!;
  const get = (k: string): string => {
    const v = m[k];
    if (v === undefined) fail(`${source}: __metadata__.${k} is missing`, META_HINT);
    return v!;
  };
  if (get('format') !== EXPORT_FORMAT) fail(`${source}: __metadata__.format is ${JSON.stringify(m.format)}, expected "${EXPORT_FORMAT}"`, META_HINT);
  if (get('format_version') !== EXPORT_FORMAT_VERSION) {
    fail(`${source}: __metadata__.format_version is ${JSON.stringify(m.format_version)}; this rnn reads version ${EXPORT_FORMAT_VERSION}`, 'upgrade rnn');
  }
  const cell = get('cell');
  if (!(CELL_TYPES as readonly string[]).includes(cell)) fail(`${source}: __metadata__.cell is ${JSON.stringify(cell)}, expected one of ${CELL_TYPES.join(', ')}`);
  if (cell === 'rnn' && m.nonlinearity !== undefined && m.nonlinearity !== 'tanh') {
    fail(`${source}: __metadata__.nonlinearity is ${JSON.stringify(m.nonlinearity)}; rnn implements tanh only`);
  }
  const layers = wholeNumber(get('layers'), 'layers', source);
  const hidden = wholeNumber(get('hidden'), 'hidden', source);
  const vocabSize = wholeNumber(get('vocab_size'), 'vocab_size', source);
  const dropout = m.dropout === undefined ? 0 : Number(m.dropout);
  if (!(dropout >= 0 && dropout < 1)) fail(`${source}: __metadata__.dropout is ${JSON.stringify(m.dropout)}, expected a number in [0, 1)`);
  const codePoints = parseVocab(get('vocab'), vocabSize, source);
  const model = { cell, layers, hidden, vocabSize, dropout };
  const layout = buildLayout({ ...model, cell: cell as Checkpoint['model']['cell'] });
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const converted = checkTensors(file, byName, layout.tensors, source);
  const tensors = layout.tensors.map((spec) => {
    const values = readFloat32(file, byName.get(spec.name)!);
    const bad = values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) fail(`${source}: tensor ${spec.name} value ${bad} is ${values[bad]}`, 'the weights diverged: export an earlier checkpoint');
    return encodeF32(spec.name, spec.shape, values);
  });
  const raw = {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, rnnVersion: VERSION, createdAt: new Date().toISOString(),
    model, vocab: { codePoints, docSplit: get('doc_split') }, corpus: parseCorpus(m.corpus), tensors, training: null,
  };
  let checkpoint: Checkpoint;
  try {
    checkpoint = validateCheckpoint(raw);
  } catch (err) {
    const e = err as CheckpointError;
    throw new CheckpointError(`${source}: ${e.message}`, e.hint);
  }
  return { checkpoint, converted };
}

const fail = (msg: string, hint?: string): never => { throw new CheckpointError(msg, hint); };

function wholeNumber(s: string, key: string, source: string): number {
  const n = /^[0-9]{1,9}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1)) fail(`${source}: __metadata__.${key} is ${JSON.stringify(s)}, expected a whole number ≥ 1`);
  return n;
}

function parseVocab(s: string, vocabSize: number, source: string): number[] {
  let v: unknown;
  try { v = JSON.parse(s); } catch { v = null; }
  if (!Array.isArray(v) || v[0] !== 'EOS' || v.slice(1).some((c) => !Number.isSafeInteger(c))) {
    fail(`${source}: __metadata__.vocab is not a JSON list of "EOS" and then code points`);
  }
  const list = v as unknown[];
  if (list.length !== vocabSize) fail(`${source}: __metadata__.vocab has ${list.length} entries, vocab_size says ${vocabSize}`);
  return list.slice(1) as number[];
}

/** The corpus record exported by rnn, or an empty one (informational only). */
function parseCorpus(s: string | undefined): Checkpoint['corpus'] {
  const empty = { paths: [], trainTokens: 0, valTokens: 0, trainDocs: 0, valDocs: 0 };
  if (s === undefined) return empty;
  try {
    const c = JSON.parse(s) as Checkpoint['corpus'];
    const ok = Array.isArray(c.paths) && c.paths.every((p) => typeof p === 'string')
      && [c.trainTokens, c.valTokens, c.trainDocs, c.valDocs].every((n) => Number.isSafeInteger(n) && n >= 0);
    return ok ? { paths: c.paths, trainTokens: c.trainTokens, valTokens: c.valTokens, trainDocs: c.trainDocs, valDocs: c.valDocs } : empty;
  } catch {
    return empty;
  }
}

/** Exactly the expected tensors, each with its shape and a float dtype; returns the names of
 *  those stored as F16/BF16 (converted exactly to float32). */
function checkTensors(file: SafetensorsFile, byName: ReadonlyMap<string, TensorEntry>, expected: readonly { name: string; shape: number[] }[], source: string): Record<string, string[]> {
  const names = expected.map((t) => t.name);
  for (const t of file.tensors) {
    if (!names.includes(t.name)) {
      const near = closest(t.name, names.filter((n) => !byName.has(n)));
      fail(`${source}: unexpected tensor ${t.name}${near ? ` (did you mean ${near}?)` : ''}`,
        `a ${describe(file)} has exactly: ${names.join(', ')}`);
    }
  }
  const converted: Record<string, string[]> = {};
  for (const { name, shape } of expected) {
    const t = byName.get(name);
    if (!t) fail(`${source}: missing tensor ${name}`, `a ${describe(file)} has exactly: ${names.join(', ')}`);
    const got = t!.shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      fail(`${source}: tensor ${name} has shape [${got.join(', ')}], expected [${shape.join(', ')}] for this model`);
    }
    if (!isFloatDtype(t!.dtype)) fail(`${source}: tensor ${name} is ${t!.dtype}, expected F32 (or F16, BF16)`, 'save the weights as float32, e.g. model.float() in PyTorch');
    if (t!.dtype !== 'F32') (converted[t!.dtype] ??= []).push(name);
  }
  return converted;
}

function describe(file: SafetensorsFile): string {
  const m = file.metadata ?? {};
  return `${m.layers ?? '?'}-layer ${m.cell ?? '?'}`;
}

/** The candidate within edit distance 3 of `name`, if any (for typos in tensor names). */
function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null, bestD = 4;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
