// Reading and writing checkpoint files. Writes are atomic (atomic-write.ts); reads validate
// everything (validate.ts) and name the file in the one-line error.

import { readFileSync } from 'node:fs';
import { CheckpointError, RuntimeError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Checkpoint } from './types.js';
import { validateCheckpoint } from './validate.js';

export function parseCheckpoint(text: string, source: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CheckpointError(`${source}: not a complete JSON document (truncated or not a checkpoint?)`,
      'use another checkpoint, e.g. best.json or last.json of the same run');
  }
  try {
    return validateCheckpoint(raw);
  } catch (err) {
    if (err instanceof CheckpointError) throw new CheckpointError(`${source}: ${err.message}`, err.hint);
    throw new CheckpointError(`${source}: invalid checkpoint (${(err as Error).message})`);
  }
}

export function loadCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.code ?? e.message;
    throw new CheckpointError(`${path}: ${why}`, 'give the path of a checkpoint .json file, or a run directory');
  }
  return parseCheckpoint(text, path);
}

export function saveCheckpoint(path: string, ck: Checkpoint): void {
  const text = JSON.stringify(ck, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new RuntimeError(`refusing to write ${path}: ${key} is ${value}`, 'the model diverged; try a lower --lr or a smaller --clip');
    }
    return value;
  });
  writeFileAtomic(path, text);
}
