// `rnn import`: a safetensors file following rnn's export naming and metadata (from rnn export,
// or saved by rnn_torch.py after training in PyTorch) to a weights-only rnn checkpoint that
// sample, eval, info and train --init-from accept.

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { checkWritableDir } from '../../checkpoint/atomic-write.js';
import { readFailure, saveCheckpoint } from '../../checkpoint/io.js';
import { CheckpointError, UsageError } from '../../errors.js';
import { importSafetensors } from '../../export/torch-format.js';

interface ImportFlags { out?: string; force?: boolean; json?: boolean }

export async function importMain(file: string, raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as ImportFlags;
  const out = f.out ?? join(dirname(file), `${basename(file, extname(file))}.json`);
  if (existsSync(out) && !f.force) throw new UsageError(`${out} already exists`, 'choose another --out, or add --force to replace it');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CheckpointError(`${file}: ${readFailure(err)}`, 'give the path of a .safetensors file written by rnn export or rnn_torch.py');
  }
  const { checkpoint: ck, converted } = importSafetensors(bytes, file);
  for (const [dtype, names] of Object.entries(converted)) {
    const which = names.length === ck.tensors.length ? `all ${names.length} tensors` : `${names.length} tensor${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
    process.stderr.write(`notice: ${which} stored as ${dtype} converted to float32 (exactly)\n`);
  }
  checkWritableDir(dirname(out)); // creates it, or one line saying why it cannot
  saveCheckpoint(out, ck);
  const m = ck.model;
  if (f.json) process.stdout.write(`${JSON.stringify({ file, out, model: m, tensors: ck.tensors.length, converted })}\n`);
  else process.stderr.write(`wrote ${out}: ${m.layers}×${m.hidden} ${m.cell.toUpperCase()}, ${m.vocabSize} tokens, ${ck.vocab.docSplit} split (weights only)\n`);
}
