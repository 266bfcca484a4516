// `rnn sample`: generate text from a checkpoint. Samples go to stdout (streamed character by
// character on a terminal, whole otherwise); everything else goes to stderr.

import { DataError } from '../../errors.js';
import { printableChar } from '../../data/printable-char.js';
import { createLookup, lookupId } from '../../data/vocab.js';
import { createEngine, type KernelName } from '../../kernels/create-engine.js';
import { loadCheckpoint } from '../../checkpoint/io.js';
import { resolveCheckpoint } from '../../checkpoint/run-dir.js';
import { Model } from '../../api/model.js';

interface SampleFlags {
  count: number; prime: string; temperature: number; topK?: number; topP: number; maxChars: number;
  stop?: string[]; eosStop: boolean; seed: number; json?: boolean; kernel: KernelName; threads?: number;
}

export async function sampleMain(checkpointArg: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as SampleFlags;
  const path = resolveCheckpoint(checkpointArg);
  if (checkpointArg === undefined) process.stderr.write(`checkpoint: ${path}\n`);
  const ck = loadCheckpoint(path);
  const model = await Model.create(ck, (cfg, batch, seqLen) => createEngine(cfg, batch, seqLen, {
    kernel: f.kernel, threads: f.threads, onNotice: (m) => process.stderr.write(`notice: ${m}\n`),
  }));
  try {
    const lookup = createLookup({ codePoints: ck.vocab.codePoints });
    const missing = new Set<string>();
    for (const ch of f.prime) if (lookupId(lookup, ch.codePointAt(0)!) < 0) missing.add(printableChar(ch.codePointAt(0)!));
    if (missing.size) {
      throw new DataError(`--prime has characters the model never saw: ${[...missing].join(', ')}`,
        'use only characters of the training corpus (rnn sample prints nothing else)');
    }
    const sep = ck.vocab.docSplit === 'blank' ? '\n\n' : '\n';
    const stream = !f.json && process.stdout.isTTY === true;
    const generator = model.generator({ seed: f.seed });
    const out = process.stdout;
    for (let i = 0; i < f.count; i++) {
      if (stream) out.write(f.prime);
      const r = generator.sample({
        prime: f.prime, maxChars: f.maxChars, temperature: f.temperature, topK: f.topK, topP: f.topP,
        eosStop: f.eosStop, stop: f.stop,
      }, stream ? (s) => out.write(s) : undefined);
      if (f.json) out.write(`${JSON.stringify(r)}\n`);
      else if (stream) out.write(sep);
      else out.write(r.text + sep);
    }
  } finally {
    model.dispose();
  }
}
