// Reading and writing checkpoint files. Writes are atomic (atomic-write.ts) and only of checkpoints
// that pass the same validation as reads (validate.ts), so whatever rnn writes, rnn can read back.
// A last.json keeps its predecessor as last.prev.json (run-files.ts), and a last.json that does not
// load points at it. Every error is one line that names the file and the field.

import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError, RuntimeError } from '../errors.js';
import { writeFileAtomic, type AtomicFs } from './atomic-write.js';
import { MAX_JSON_CHARS } from './checkpoint-size.js';
import { previousCheckpointPath } from './run-files.js';
import type { Checkpoint } from './types.js';
import { firstLine, OTHER_CHECKPOINT_HINT, parseCheckpoint } from './parse.js';
import { firstNonFinite, validateCheckpoint } from './validate.js';

export { checkCheckpointFits } from './checkpoint-size.js';
export { parseCheckpoint } from './parse.js';

/** The checkpoint at `path`. Throws only CheckpointError; when a last.json fails to read, parse or
 *  validate and the last.prev.json beside it loads, the hint says how to continue from that one. */
export function loadCheckpoint(path: string): Checkpoint {
  try {
    return readCheckpoint(path);
  } catch (err) {
    const prev = previousCheckpointPath(path);
    if (!(err instanceof CheckpointError) || prev === null || !existsSync(prev)) throw err;
    let before: Checkpoint;
    try {
      before = readCheckpoint(prev);
    } catch (e) {
      throw new CheckpointError(err.message, `the previous checkpoint does not load either (${(e as Error).message}); ${err.hint ?? OTHER_CHECKPOINT_HINT}`);
    }
    const tr = before.training;
    throw new CheckpointError(err.message, tr
      ? `the previous checkpoint ${prev} (step ${tr.step}) loads: continue with rnn train --resume ${prev}`
      : `the previous checkpoint ${prev} loads: use it instead`);
  }
}

function readCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CheckpointError(`${path}: ${readFailure(err)}`, 'give the path of a checkpoint .json file, or a run directory');
  }
  return parseCheckpoint(text, path);
}

/** Write `ck` to `path` atomically; a last.json's predecessor is kept as last.prev.json. Refuses
 *  (RuntimeError, file untouched) a checkpoint with a non-finite number anywhere, or one that
 *  would not load back, and (CheckpointError, file untouched) one too large to be read back. */
export function saveCheckpoint(path: string, ck: Checkpoint, fs?: AtomicFs): void {
  const bad = firstNonFinite(ck);
  if (bad) {
    throw new RuntimeError(`refusing to write ${path}: ${bad.field} is ${bad.value}`,
      'training diverged: lower --lr or --clip, or resume from an earlier checkpoint');
  }
  try {
    validateCheckpoint(ck);
  } catch (err) {
    const e = err instanceof CheckpointError ? err : new CheckpointError(firstLine(err));
    throw new RuntimeError(`refusing to write ${path}: ${e.message}`,
      e.hint ?? 'rnn built a checkpoint that fails its own validation: please report this as a bug');
  }
  let json: string;
  try {
    json = JSON.stringify(ck);
  } catch (err) {
    // V8 refuses a string over MAX_JSON_CHARS with this RangeError; checkCheckpointFits makes it
    // rare, but a run resumed with a different --eval-every can grow its history past the plan.
    if (!(err instanceof RangeError && /string length/i.test(err.message))) throw err;
    throw new CheckpointError(`refusing to write ${path}: the checkpoint is over the ${(MAX_JSON_CHARS / 2 ** 20).toFixed(0)} MB of JSON a checkpoint can hold`,
      'the previous checkpoint is intact: continue from it with a smaller --steps (the metrics history grows with the steps), or train a smaller model');
  }
  writeFileAtomic(path, json, fs, { keepPrevious: previousCheckpointPath(path) ?? undefined });
}

/** Why reading a model file failed, in a few words (for "<path>: <why>"). */
export function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory'
    : code === 'ERR_STRING_TOO_LONG' ? 'too large to be a checkpoint' : code ?? firstLine(err);
}
