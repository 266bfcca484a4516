// A checkpoint from its JSON text: parsing and validation, with no file system, so the browser
// build (src/api/browser.ts) reads checkpoints with the same checks as the CLI (io.ts reads files).

import { CheckpointError } from '../errors.js';
import type { Checkpoint } from './types.js';
import { validateCheckpoint } from './validate.js';

export const OTHER_CHECKPOINT_HINT = 'use another checkpoint, e.g. best.json or last.json of the same run';

/** The checkpoint in `text`; `source` (usually the path) starts every error message. Throws only
 *  CheckpointError. */
export function parseCheckpoint(text: string, source: string): Checkpoint {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new CheckpointError(`${source}: empty file, not a checkpoint`, OTHER_CHECKPOINT_HINT);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw new CheckpointError(`${source}: not a complete JSON document (truncated or not a checkpoint?)`, OTHER_CHECKPOINT_HINT);
  }
  try {
    return validateCheckpoint(raw);
  } catch (err) {
    if (err instanceof CheckpointError) throw new CheckpointError(`${source}: ${err.message}`, err.hint);
    // validateCheckpoint throws nothing else; this keeps the promise if that ever breaks
    throw new CheckpointError(`${source}: invalid checkpoint (${firstLine(err)})`);
  }
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]!;
}
