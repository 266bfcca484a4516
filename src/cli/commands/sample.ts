// `rnn sample`: generate text from a checkpoint. Samples go to stdout (streamed character by
// character on a terminal, whole otherwise); everything else goes to stderr.

import { DataError } from '../../errors.js';
import { printableChar } from '../../data/printable-char.js';
import { createLookup, lookupId } from '../../data/vocab.js';
import { createRng } from '../../rng.js';
import { generate } from '../../sample/sampler.js';
import type { KernelName } from '../../kernels/create-engine.js';
import { loadModel } from '../load-model.js';
import { resolveCheckpoint } from '../../checkpoint/run-dir.js';

interface SampleFlags {
  count: number; prime: string; temperature: number; topK?: number; topP: number; maxChars: number;
  stop?: string[]; eosStop: boolean; seed: number; json?: boolean; kernel: KernelName; threads?: number;
}

export async function sampleMain(checkpointArg: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as SampleFlags;
  const path = resolveCheckpoint(checkpointArg);
  if (checkpointArg === undefined) process.stderr.write(`checkpoint: ${path}\n`);
  const { ck, engine } = await loadModel(path, 1, 1, { kernel: f.kernel, threads: f.threads });
  try {
    const lookup = createLookup({ codePoints: ck.vocab.codePoints });
    const prime: number[] = [];
    const missing = new Set<string>();
    for (const ch of f.prime) {
      const id = lookupId(lookup, ch.codePointAt(0)!);
      if (id < 0) missing.add(printableChar(ch.codePointAt(0)!));
      else prime.push(id);
    }
    if (missing.size) {
      throw new DataError(`--prime has characters the model never saw: ${[...missing].join(', ')}`,
        'use only characters of the training corpus (rnn sample prints nothing else)');
    }
    const sep = ck.vocab.docSplit === 'blank' ? '\n\n' : '\n';
    const stream = !f.json && process.stdout.isTTY === true;
    const rng = createRng(f.seed, 'sample');
    const out = process.stdout;
    for (let i = 0; i < f.count; i++) {
      if (stream) out.write(f.prime);
      const r = generate(engine, ck.vocab.codePoints, {
        prime, maxChars: f.maxChars, temperature: f.temperature, topK: f.topK ?? 0, topP: f.topP,
        eosStop: f.eosStop, stops: f.stop ?? [], eosText: sep,
      }, rng, stream ? (s) => out.write(s) : undefined);
      if (f.json) out.write(`${JSON.stringify({ text: f.prime + r.text, stop: r.reason, logProb: r.logProb, length: r.length })}\n`);
      else if (stream) out.write(sep);
      else out.write(f.prime + r.text + sep);
    }
  } finally {
    engine.dispose();
  }
}
