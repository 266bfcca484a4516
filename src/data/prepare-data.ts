// From corpus paths to train/val token streams: read, pick the split rule, encode the documents
// (building the vocabulary), hold out validation documents. Used by `rnn train` and `rnn eval --baseline`.

import type { DocSplit, DocSplitRule } from './doc-split.js';
import { encodeCorpusStream, type CorpusStream } from './encode-corpus.js';
import { readSources, type Source } from './read-sources.js';
import { splitTokens } from './split.js';
import type { Tokens, Vocab } from './vocab.js';
import { DataError } from '../errors.js';
import { collectGarbage } from '../gc.js';

export interface PreparedData {
  docSplit: DocSplit;
  vocab: Vocab;
  train: Tokens;
  val: Tokens;
  trainDocs: number;
  valDocs: number;
  trainChars: number;
  valChars: number;
}

const BLANK_LINE_BETWEEN_TEXT = /\S[^\S\n]*\n(?:[^\S\n]*\n)+[^\S\n]*\S/;

/** auto: paragraphs when the text has blank lines between text, one document per line when it has
 *  several lines, else one stream. */
export function resolveDocSplit(rule: DocSplitRule, sources: readonly Source[]): DocSplit {
  if (rule !== 'auto') return rule;
  if (sources.some((s) => BLANK_LINE_BETWEEN_TEXT.test(s.text))) return 'blank';
  if (sources.some((s) => s.text.trim().includes('\n'))) return 'line';
  return 'none';
}

/** Read, encode and split the corpus. With `fixedVocab` (fine-tuning from a checkpoint) the text
 *  must fit that vocabulary, and a character outside it is a DataError listing them. For a large
 *  corpus the garbage collector runs twice (see gc.ts): once the files' bytes are decoded, and once
 *  the text is encoded, so neither is still in memory when the next large buffer is allocated.
 *  Peak memory is the text plus its tokens; the split then works in place on the tokens. */
export async function prepareData(
  paths: string[], rule: DocSplitRule, valFraction: number, maxVocab: number, seed: number, fixedVocab?: Vocab,
): Promise<PreparedData> {
  const { stream, docSplit } = await encodeCorpus(paths, rule, maxVocab, fixedVocab);
  if (stream.tokens.length > LARGE_CORPUS) collectGarbage();
  const { train, val, trainDocs, valDocs } = splitTokens(stream.tokens, stream.docs, docSplit, valFraction, seed);
  return {
    docSplit, vocab: stream.vocab, train, val, trainDocs, valDocs,
    trainChars: train.length - 1 - trainDocs, valChars: val.length > 0 ? val.length - 1 - valDocs : 0,
  };
}

/** Above this many tokens, collecting garbage early is worth its few milliseconds. */
const LARGE_CORPUS = 16 << 20;

/** The files as one token stream; their text is unreachable once this returns. */
async function encodeCorpus(paths: string[], rule: DocSplitRule, maxVocab: number, fixedVocab?: Vocab): Promise<{ stream: CorpusStream; docSplit: DocSplit }> {
  const sources = await readSources(paths);
  // Free the files' bytes before the token stream is allocated (see gc.ts).
  if (sources.reduce((n, src) => n + src.text.length, 0) > LARGE_CORPUS) collectGarbage();
  const docSplit = resolveDocSplit(rule, sources);
  try {
    return { stream: encodeCorpusStream(sources.map((src) => src.text), docSplit, { vocab: fixedVocab, maxVocab }), docSplit };
  } catch (err) {
    if (fixedVocab && err instanceof DataError && err.message.includes("the model's vocabulary")) {
      throw new DataError(err.message.replace("the model's vocabulary", 'the vocabulary of the --init-from checkpoint'),
        'fine-tune on text made of the characters the model knows, or train a new model');
    }
    throw err;
  }
}
