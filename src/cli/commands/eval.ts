// `rnn eval`: mean loss of a checkpoint on text split and encoded the way it was trained.
// Results go to stdout (a line of text, or one JSON object with --json).

import { existsSync } from 'node:fs';
import { fitKneserNey, kneserNeyNats } from '../../baseline/kneser-ney.js';
import type { Checkpoint } from '../../checkpoint/types.js';
import { splitDocuments } from '../../data/documents.js';
import { encodeDocuments, type UnknownPolicy } from '../../data/encode.js';
import { readSources } from '../../data/read-sources.js';
import { DataError } from '../../errors.js';
import type { KernelName } from '../../kernels/create-engine.js';
import { EVAL_BATCH, EVAL_SEQ_LEN, evaluateTokens } from '../../train/evaluate.js';
import { prepareData } from '../../data/prepare-data.js';
import type { Engine, TokenArray } from '../../kernels/engine.js';
import { ADAPT_LR, adaptiveFigure } from '../../train/dynamic-eval.js';
import { loadParams } from '../../train/snapshot.js';
import { loadModel } from '../load-model.js';
import { resolveCheckpoint } from '../../checkpoint/run-dir.js';

interface EvalFlags {
  unknown: UnknownPolicy; json?: boolean; perDoc?: boolean; kernel: KernelName; threads?: number;
  baseline?: boolean; baselineOrder: number; baselineCorpus?: string;
  /** --adapt: true without a value (ADAPT_LR), else SGD's learning rate. */
  adapt?: true | number;
}

export async function evalMain(checkpointArg: string, files: string[], raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as EvalFlags;
  const path = resolveCheckpoint(checkpointArg);
  const { ck, engine } = await loadModel(path, EVAL_BATCH, EVAL_SEQ_LEN, { kernel: f.kernel, threads: f.threads });
  try {
    const docs = splitDocuments(await readSources(files), ck.vocab.docSplit);
    const enc = encodeDocuments(docs, { codePoints: ck.vocab.codePoints }, { unknown: f.unknown });
    if (enc.tokens.length < 2) throw new DataError('nothing to evaluate: the text has no characters the model knows', 'check the files, or the --unknown setting');
    const perTarget = f.perDoc ? new Float64Array(enc.tokens.length) : undefined;
    const { nats, count } = evaluateTokens(engine, enc.tokens, perTarget);
    if (perTarget) writePerDoc(enc.tokens, perTarget);
    const loss = nats / count;
    const baseline = f.baseline || f.baselineCorpus !== undefined ? await fitBaseline(ck, f, enc.tokens) : undefined;
    const adaptive = f.adapt !== undefined ? adaptiveResult(engine, ck, enc.tokens, f.adapt === true ? ADAPT_LR : f.adapt) : undefined;
    const result = {
      checkpoint: path, loss, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss),
      tokens: count, chars: enc.chars, docs: enc.docs, skipped: enc.skipped, docSplit: ck.vocab.docSplit,
      ...(baseline ? { baseline } : {}),
      ...(adaptive ? { adaptive } : {}),
    };
    // Past a stable rate SGD can make the figure worse without overflowing: say so, not just print it.
    if (adaptive && adaptive.lr > 0 && adaptive.loss > loss) {
      process.stderr.write(`notice: dynamic evaluation did worse than the static loss (${adaptive.loss.toFixed(4)} > ${loss.toFixed(4)} nats/char): `
        + `its rate is too high for this model; try --adapt ${Number((adaptive.lr / 3).toPrecision(2))}\n`);
    }
    const summary = f.perDoc ? process.stderr : process.stdout;
    if (f.json) summary.write(`${JSON.stringify(result)}\n`);
    else {
      summary.write(`loss ${loss.toFixed(4)} nats/char  ${result.bitsPerChar.toFixed(4)} bits/char  perplexity ${result.perplexity.toFixed(3)}`
        + `  (${count.toLocaleString('en-US')} tokens: ${enc.chars.toLocaleString('en-US')} chars + ${enc.docs.toLocaleString('en-US')} EOS, ${ck.vocab.docSplit} split)\n`);
      if (baseline) {
        summary.write(`baseline ${baseline.loss.toFixed(4)} nats/char  ${baseline.bitsPerChar.toFixed(4)} bits/char  `
          + `(${baseline.order}-gram Kneser-Ney on ${baseline.trainTokens.toLocaleString('en-US')} tokens of ${baseline.corpus}); `
          + `the model is ${loss < baseline.loss ? 'better' : 'worse'} by ${Math.abs(baseline.loss - loss).toFixed(4)} nats/char\n`);
      }
      if (adaptive) {
        summary.write(`adaptive ${adaptive.loss.toFixed(4)} nats/char  ${adaptive.bitsPerChar.toFixed(4)} bits/char  perplexity ${adaptive.perplexity.toFixed(3)}  `
          + `(dynamic evaluation: an SGD step of lr ${adaptive.lr} after each window of ${EVAL_BATCH}×${EVAL_SEQ_LEN}; not comparable with the loss above)\n`);
      }
      if (enc.skipped) process.stderr.write(`skipped ${enc.skipped} characters outside the vocabulary\n`);
    }
  } finally {
    engine.dispose();
  }
}

/** Dynamic evaluation from the checkpoint's weights (the static pass leaves them unchanged; this
 *  one moves them, so it runs last). */
function adaptiveResult(engine: Engine, ck: Checkpoint, tokens: TokenArray, lr: number) {
  loadParams(engine, ck);
  return { ...adaptiveFigure(engine, tokens, lr), optimizer: 'sgd', window: [EVAL_BATCH, EVAL_SEQ_LEN] };
}

/** One JSON line per document: the targets from after an EOS up to and including the next EOS. */
function writePerDoc(tokens: ArrayLike<number>, perTarget: Float64Array): void {
  let index = 0, length = 0, nats = 0, out = '';
  for (let i = 1; i < tokens.length; i++) {
    nats += perTarget[i]!;
    if (tokens[i] !== 0) { length++; continue; }
    out += `${JSON.stringify({ index, length, nats })}\n`;
    index++; length = 0; nats = 0;
    if (out.length > 1 << 16) { process.stdout.write(out); out = ''; }
  }
  process.stdout.write(out);
}

/** The n-gram baseline on the evaluated tokens: fitted on --baseline-corpus, or on the training
 *  part of the checkpoint's own corpus (the same split as training, from the recorded seed). */
async function fitBaseline(ck: Checkpoint, f: EvalFlags, evalTokens: ArrayLike<number>) {
  let train: ArrayLike<number>, corpus: string;
  if (f.baselineCorpus !== undefined) {
    const docs = splitDocuments(await readSources([f.baselineCorpus]), ck.vocab.docSplit);
    train = encodeDocuments(docs, { codePoints: ck.vocab.codePoints }, { unknown: 'skip' }).tokens;
    corpus = f.baselineCorpus;
  } else {
    const paths = ck.corpus.paths;
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length) {
      throw new DataError(`the checkpoint's training corpus is not readable here (${missing.join(', ')})`, 'give the text to fit the baseline on with --baseline-corpus');
    }
    const s = ck.training?.settings;
    const data = await prepareData(paths, ck.vocab.docSplit, s?.valFraction ?? 0, 65535, s?.seed ?? 1, { codePoints: ck.vocab.codePoints });
    train = data.train;
    corpus = paths.join(', ') + (s && s.valFraction > 0 ? ' (training split)' : '');
  }
  const model = fitKneserNey(train, f.baselineOrder, ck.vocab.codePoints.length + 1);
  const { nats, count } = kneserNeyNats(model, evalTokens);
  const loss = nats / count;
  return { order: f.baselineOrder, loss, bitsPerChar: loss / Math.LN2, trainTokens: train.length, corpus };
}
