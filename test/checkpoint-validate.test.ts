// Loading: a valid checkpoint of every cell type parses to itself, and each kind of bad file
// (truncated, wrong version, wrong tensor length or shape, non-finite value, bad field) is refused
// with one CheckpointError line that starts with the file name and names the first bad field.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, parseCheckpoint } from '../src/checkpoint/io.js';
import { encodeF32 } from '../src/checkpoint/tensor-codec.js';
import type { Checkpoint } from '../src/checkpoint/types.js';
import { CheckpointError } from '../src/errors.js';
import { cloneJson, parseError, smallCheckpoint, thrown } from './checkpoint-helpers.js';
import { tempDir, writeText } from './helpers/cli.js';

type Mutable = Record<string, any>; // a checkpoint as plain JSON, to break on purpose

/** The error for `base` after `mutate`, checked to be one line that starts with `ck.json: field`. */
function errorAfter(mutate: (c: Mutable) => void, field: string, base: Checkpoint = smallCheckpoint()): CheckpointError {
  const c = cloneJson(base) as Mutable;
  mutate(c);
  const e = parseError(JSON.stringify(c));
  expect(e.message).not.toContain('\n');
  expect(e.message.startsWith(`ck.json: ${field}: `), e.message).toBe(true);
  return e;
}

describe('valid checkpoints', () => {
  it('parse back to themselves for every cell type, with and without training state', () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      for (const training of [true, false]) {
        const ck = smallCheckpoint({ cell, training, layers: 3, hidden: 4, batch: 3 });
        expect(parseCheckpoint(JSON.stringify(ck), 'ck.json')).toEqual(ck);
      }
    }
  });

  it('drop unknown fields and tolerate a byte-order mark', () => {
    const ck = smallCheckpoint();
    expect(parseCheckpoint(`\ufeff${JSON.stringify({ ...ck, extra: { deep: [1] } })}`, 'ck.json')).toEqual(ck);
  });
});

describe('bad files: one line naming the file and the field', () => {
  it('a truncated file says it is not a complete JSON document, with a hint', () => {
    const text = JSON.stringify(smallCheckpoint());
    for (const cut of [1, 100, text.length >> 1, text.length - 1]) {
      const e = parseError(text.slice(0, cut));
      expect(e.message).toMatch(/^ck\.json: not a complete JSON document \(truncated[^\n]*\)$/);
      expect(e.hint).toBeTruthy();
    }
    expect(parseError('').message).toBe('ck.json: empty file, not a checkpoint');
  });

  it('JSON that is not an object, or not an rnn checkpoint, is named as such', () => {
    expect(parseError('[1, 2]').message).toBe('ck.json: expected a JSON object at the top level, got an array of 2');
    expect(parseError('null').message).toBe('ck.json: expected a JSON object at the top level, got null');
    errorAfter((c) => { c.format = 'safetensors'; }, 'format');
  });

  it('a newer or older version names both versions and hints at the rnn that wrote it', () => {
    const newer = errorAfter((c) => { c.version = 2; c.rnnVersion = '0.9.0'; }, 'version');
    expect(newer.message).toBe('ck.json: version: this rnn reads checkpoint version 1, the file is version 2');
    expect(newer.hint).toMatch(/written by rnn "0\.9\.0".*reads version 1.*upgrade rnn/);
    const older = errorAfter((c) => { c.version = 0; c.rnnVersion = '0.0.1'; }, 'version');
    expect(older.hint).toMatch(/written by rnn "0\.0\.1".*read it with rnn "0\.0\.1"/);
    errorAfter((c) => { c.version = '1'; }, 'version');
    errorAfter((c) => { delete c.version; }, 'version');
  });

  it('a tensor whose data length does not match its shape names the tensor and both lengths', () => {
    const e = errorAfter((c) => { c.tensors[1].data = c.tensors[1].data.slice(0, -8); }, 'tensors[1].data');
    expect(e.message).toMatch(/: \d+ bytes, expected \d+ for shape \[9, 3\]$/);
  });

  it('a wrong shape says which shape the model needs, for which tensor', () => {
    const ck = smallCheckpoint({ cell: 'lstm', layers: 1, hidden: 128, codePoints: Array.from({ length: 60 }, (_, i) => 40 + i) });
    const e = errorAfter((c) => { c.tensors[1].shape = [512, 127]; }, 'tensors[1].shape', ck);
    expect(e.message).toBe('ck.json: tensors[1].shape: expected [512, 128] for rnn.weight_hh_l0, got [512, 127]');
  });

  it('tensors out of order, missing, or extra are refused', () => {
    errorAfter((c) => { [c.tensors[0], c.tensors[1]] = [c.tensors[1], c.tensors[0]]; }, 'tensors[0].name');
    errorAfter((c) => { c.tensors.pop(); }, 'tensors');
    errorAfter((c) => { c.tensors.push(c.tensors[0]); }, 'tensors');
    errorAfter((c) => { c.tensors[2].dtype = 'f16'; }, 'tensors[2].dtype');
    errorAfter((c) => { c.tensors[2].data = c.tensors[2].data.replace(/^./, '*'); }, 'tensors[2].data');
  });

  it('a non-finite value in parameters, moments or carried state names where it is', () => {
    const nan = (t: Mutable): void => { Object.assign(t, encodeF32(t.name, t.shape, new Float32Array(t.shape.reduce((a: number, b: number) => a * b, 1)).fill(NaN), { checksum: true })); }; // written whole, checksum and all
    expect(errorAfter((c) => nan(c.tensors[2]), 'tensors[2].data').message).toBe('ck.json: tensors[2].data: value 0 is NaN');
    errorAfter((c) => nan(c.training.moments[1]), 'training.moments[1].data');
    errorAfter((c) => nan(c.training.carry), 'training.carry.data');
  });

  it('a number too large for a double (1e400 reads as Infinity) is refused by name', () => {
    const text = JSON.stringify(smallCheckpoint()).replace('"lr":0.01,', '"lr":1e400,');
    expect(parseError(text).message).toBe('ck.json: training.settings.lr: expected a finite number, got Infinity');
  });

  it('missing fields and wrong types are named', () => {
    expect(errorAfter((c) => { delete c.corpus; }, 'corpus').message).toBe('ck.json: corpus: expected an object, got nothing (missing)');
    errorAfter((c) => { c.model = [1, 2]; }, 'model');
    errorAfter((c) => { c.rnnVersion = 1; }, 'rnnVersion');
    errorAfter((c) => { c.createdAt = null; }, 'createdAt');
    errorAfter((c) => { c.corpus.paths = ['a', 3]; }, 'corpus.paths[1]');
    errorAfter((c) => { c.corpus.trainTokens = -1; }, 'corpus.trainTokens');
    errorAfter((c) => { c.corpus.valDocs = 2.5; }, 'corpus.valDocs');
    errorAfter((c) => { c.tensors = {}; }, 'tensors');
    errorAfter((c) => { delete c.training; }, 'training');
  });

  it('model config out of range is refused', () => {
    errorAfter((c) => { c.model.cell = 'transformer'; }, 'model.cell');
    errorAfter((c) => { c.model.layers = 0; }, 'model.layers');
    errorAfter((c) => { c.model.hidden = 1.5; }, 'model.hidden');
    errorAfter((c) => { c.model.hidden = 1e308; }, 'model.hidden');
    errorAfter((c) => { c.model.vocabSize = '5'; }, 'model.vocabSize');
    errorAfter((c) => { c.model.dropout = 1; }, 'model.dropout');
    errorAfter((c) => { c.model.dropout = -0.1; }, 'model.dropout');
  });

  it('the vocabulary must be ascending non-surrogate code points, one fewer than vocabSize (id 0 is EOS)', () => {
    expect(errorAfter((c) => { c.vocab.codePoints[2] = 97; }, 'vocab.codePoints[2]').message).toContain('duplicate');
    errorAfter((c) => { c.vocab.codePoints = [97, 10, 98, 99]; }, 'vocab.codePoints[1]');
    errorAfter((c) => { c.vocab.codePoints[3] = 0xd800; }, 'vocab.codePoints[3]');
    errorAfter((c) => { c.vocab.codePoints[3] = 0x110000; }, 'vocab.codePoints[3]');
    errorAfter((c) => { c.vocab.codePoints[0] = -1; }, 'vocab.codePoints[0]');
    errorAfter((c) => { c.vocab.codePoints[1] = 97.5; }, 'vocab.codePoints[1]');
    expect(errorAfter((c) => { c.vocab.codePoints.push(0x1f601); }, 'vocab.codePoints').message).toContain('model.vocabSize 5');
    errorAfter((c) => { c.vocab.docSplit = 'paragraph'; }, 'vocab.docSplit');
  });

  it('training state: counters, RNG, moments, carried state, settings and metrics are checked', () => {
    errorAfter((c) => { c.training.step = -1; }, 'training.step');
    errorAfter((c) => { c.training.window = 0.5; }, 'training.window');
    errorAfter((c) => { c.training.rng = [0, 0, 0, 0]; }, 'training.rng');
    errorAfter((c) => { c.training.rng = [1, 2, 3]; }, 'training.rng');
    errorAfter((c) => { c.training.rng[2] = 2 ** 32; }, 'training.rng[2]');
    errorAfter((c) => { c.training.moments.pop(); }, 'training.moments');
    errorAfter((c) => { c.training.moments[0].shape = [1, c.training.moments[0].shape[0]]; }, 'training.moments[0].shape');
    errorAfter((c) => { c.training.settings.batch = 3; }, 'training.carry.shape'); // carry is (L, S, B, H)
    errorAfter((c) => { c.training.carry.name = 'state'; }, 'training.carry.name');
    errorAfter((c) => { c.training.settings.optimizer = 'lion'; }, 'training.settings.optimizer');
    errorAfter((c) => { c.training.settings.seed = -3; }, 'training.settings.seed');
    errorAfter((c) => { delete c.training.settings.valFraction; }, 'training.settings.valFraction');
    errorAfter((c) => { c.training.bestStep = 'five'; }, 'training.bestStep');
    errorAfter((c) => { c.training.firstLoss = 'high'; }, 'training.firstLoss');
    errorAfter((c) => { c.training.metrics[1].valLoss = 'n/a'; }, 'training.metrics[1].valLoss');
    errorAfter((c) => { c.training.metrics[0] = null; }, 'training.metrics[0]');
  });

  it('error messages stay one short line even for huge or multi-line values', () => {
    const e = errorAfter((c) => { c.model.cell = `lstm\n${'x'.repeat(1e6)}`; }, 'model.cell');
    expect(e.message.length).toBeLessThan(200);
  });
});

describe('loadCheckpoint', () => {
  it('reads a file, and a missing file or a directory is one line naming the path', () => {
    const dir = tempDir('rnn-ck-');
    const ck = smallCheckpoint();
    expect(loadCheckpoint(writeText(dir, 'a.json', JSON.stringify(ck)))).toEqual(ck);
    for (const [path, why] of [[join(dir, 'none.json'), 'no such file'], [dir, 'is a directory']]) {
      expect(thrown(() => loadCheckpoint(path!), CheckpointError).message).toBe(`${path}: ${why}`);
    }
    const truncated = writeText(dir, 'b.json', JSON.stringify(ck).slice(0, 500));
    expect(() => loadCheckpoint(truncated)).toThrow(`${truncated}: not a complete JSON document`);
  });
});
