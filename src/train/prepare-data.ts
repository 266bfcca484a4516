// From corpus paths to train/val token streams: read, pick the split rule, cut documents, build
// the vocabulary, hold out validation documents, encode. Used by `rnn train`.

import type { DocSplit } from '../checkpoint/types.js';
import { splitDocuments, type DocSet } from '../data/documents.js';
import { encodeDocuments } from '../data/encode.js';
import { readSources, type Source } from '../data/read-sources.js';
import { splitTrainVal } from '../data/split.js';
import { buildVocab, type Vocab } from '../data/vocab.js';
import { DataError } from '../errors.js';
import { collectGarbage } from '../gc.js';

export interface PreparedData {
  docSplit: DocSplit;
  vocab: Vocab;
  train: Uint16Array | Uint32Array;
  val: Uint16Array | Uint32Array;
  trainDocs: number;
  valDocs: number;
  trainChars: number;
  valChars: number;
}

const BLANK_LINE_BETWEEN_TEXT = /\S[^\S\n]*\n(?:[^\S\n]*\n)+[^\S\n]*\S/;

/** auto: paragraphs when the text has blank lines between text, one document per line when it has
 *  several lines, else one stream. */
export function resolveDocSplit(rule: DocSplit | 'auto', sources: readonly Source[]): DocSplit {
  if (rule !== 'auto') return rule;
  if (sources.some((s) => BLANK_LINE_BETWEEN_TEXT.test(s.text))) return 'blank';
  if (sources.some((s) => s.text.trim().includes('\n'))) return 'line';
  return 'none';
}

/** With `fixedVocab` (fine-tuning from a checkpoint) the text must fit that vocabulary, and a
 *  character outside it is a DataError listing them. */
/** Read, split and encode the corpus. For a large corpus the garbage collector runs twice (see
 *  gc.ts): once the files' bytes are decoded, and once the decoded text is encoded, so neither is
 *  still in memory when the next large buffer is allocated. */
export async function prepareData(
  paths: string[], rule: DocSplit | 'auto', valFraction: number, maxVocab: number, seed: number, fixedVocab?: Vocab,
): Promise<PreparedData> {
  const data = await encodeCorpus(paths, rule, valFraction, maxVocab, seed, fixedVocab);
  if (data.train.length + data.val.length > LARGE_CORPUS) collectGarbage();
  return data;
}

/** Above this many tokens, collecting garbage early is worth its few milliseconds. */
const LARGE_CORPUS = 16 << 20;

async function encodeCorpus(
  paths: string[], rule: DocSplit | 'auto', valFraction: number, maxVocab: number, seed: number, fixedVocab?: Vocab,
): Promise<PreparedData> {
  const sources = await readSources(paths);
  // Free the files' bytes before the token stream is allocated (see gc.ts).
  if (sources.reduce((n, src) => n + src.text.length, 0) > LARGE_CORPUS) collectGarbage();
  const docSplit = resolveDocSplit(rule, sources);
  const docs: DocSet = splitDocuments(sources, docSplit);
  const vocab = fixedVocab ?? buildVocab(docs, maxVocab);
  if (fixedVocab) {
    try {
      encodeDocuments(docs, fixedVocab, { unknown: 'error' });
    } catch (err) {
      if (err instanceof DataError) throw new DataError(err.message.replace("the model's vocabulary", "the vocabulary of the --init-from checkpoint"), 'fine-tune on text made of the characters the model knows, or train a new model');
      throw err;
    }
  }
  const { train, val } = splitTrainVal(docs, docSplit, valFraction, seed);
  const tr = encodeDocuments(train, vocab, { unknown: 'error' });
  const va = encodeDocuments(val, vocab, { unknown: 'error' });
  return {
    docSplit, vocab, train: tr.tokens, val: va.tokens,
    trainDocs: tr.docs, valDocs: va.docs, trainChars: tr.chars, valChars: va.chars,
  };
}
