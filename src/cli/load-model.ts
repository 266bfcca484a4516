// Checkpoint → ready engine, shared by `rnn sample` and `rnn eval`.

import { loadCheckpoint } from '../checkpoint/io.js';
import type { Checkpoint } from '../checkpoint/types.js';
import type { Engine } from '../kernels/engine.js';
import { createEngine, type EngineOptions } from '../kernels/create-engine.js';
import { loadParams, modelConfigOf } from '../train/snapshot.js';

export async function loadModel(path: string, batch: number, seqLen: number, opts: EngineOptions = {}): Promise<{ ck: Checkpoint; engine: Engine }> {
  const ck = loadCheckpoint(path);
  // Scoring and sampling never drop units, and a training pass on these weights (rnn eval
  // --adapt) must not either: the engine is built without dropout.
  const engine = await createEngine({ ...modelConfigOf(ck), dropout: 0 }, batch, seqLen, { onNotice: (m) => process.stderr.write(`notice: ${m}\n`), ...opts });
  loadParams(engine, ck);
  return { ck, engine };
}
