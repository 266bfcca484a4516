// A model file's bytes to a checkpoint: an rnn checkpoint (JSON) or a safetensors file from
// `rnn export` (or rnn_torch.py), told apart by their first bytes and read by the same checked
// readers as `rnn sample` and `rnn import`. No Node: the browser build reads them too.

import { parseCheckpoint } from '../checkpoint/parse.js';
import type { Checkpoint } from '../checkpoint/types.js';
import { importSafetensors } from '../export/torch-format.js';

/** What a model can be loaded from besides a path or URL: a file's bytes, or a checkpoint object. */
export type ModelBytes = Uint8Array | ArrayBuffer;

/** safetensors: a little-endian u64 header length (the high half 0 for any real file), then the
 *  JSON header. A JSON checkpoint starts with '{' and text, so its bytes 4..7 are never all 0. */
export function isSafetensors(b: Uint8Array): boolean {
  return b.length >= 9 && b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0 && b[8] === 0x7b;
}

/** The checkpoint in `bytes`; `source` names it in errors (CheckpointError only). */
export function checkpointFromBytes(bytes: ModelBytes, source: string): Checkpoint {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (isSafetensors(b)) return importSafetensors(b, source).checkpoint;
  return parseCheckpoint(new TextDecoder().decode(b), source);
}
