// A training corpus as one token stream [EOS, d1…, EOS, d2…, EOS, …], documents cut by the split
// rule on the fly: one pass counts the documents and code points and marks the characters (the
// vocabulary), a second encodes into an array of exactly the right size. No per-document arrays
// and no string per document, so the peak is the text plus its tokens (issue 4's memory bound).

import type { DocSplit } from './doc-split.js';
import { forEachDocument, noDocuments } from './documents.js';
import { checkUnknown, encodeRange } from './encode.js';
import { isBlankRange } from './text-scan.js';
import { createLookup, EOS_ID, markCodePoints, newSeenTable, newTokens, vocabFromSeen, vocabSize, type Tokens, type Vocab } from './vocab.js';

export interface CorpusStream {
  tokens: Tokens;
  vocab: Vocab;
  /** Documents in the stream (each followed by an EOS). */
  docs: number;
  /** Code points encoded (EOS not counted). */
  chars: number;
}

/** Encode `texts` cut by `rule`. With `vocab` given (fine-tuning), a character outside it is a
 *  DataError listing them; otherwise the vocabulary is the corpus's, refused above `maxVocab`. */
export function encodeCorpusStream(texts: readonly string[], rule: DocSplit, opts: { vocab?: Vocab; maxVocab: number }): CorpusStream {
  const seen = newSeenTable();
  let docs = 0, chars = 0;
  visitPieces(texts, rule, (s, a, b) => { chars += markCodePoints(texts[s]!, a, b, seen); }, () => { docs++; });
  if (docs === 0) throw noDocuments();
  const vocab = opts.vocab ?? vocabFromSeen(seen, opts.maxVocab);

  const lookup = createLookup(vocab);
  const tokens = newTokens(vocabSize(vocab), 1 + chars + docs);
  const unknown = new Map<number, number>();
  let k = 0;
  tokens[k++] = EOS_ID;
  visitPieces(texts, rule, (s, a, b) => { k = encodeRange(texts[s]!, a, b, lookup, tokens, k, unknown); }, () => { tokens[k++] = EOS_ID; });
  checkUnknown(unknown, 'error');
  return { tokens, vocab, docs, chars };
}

/** Each document as pieces of text: `piece` for each part, `end` after the document. Only 'none'
 *  has documents of several pieces: its one document spans the files (unless all are blank). */
function visitPieces(texts: readonly string[], rule: DocSplit, piece: (text: number, start: number, end: number) => void, end: () => void): void {
  if (rule !== 'none') {
    forEachDocument(texts, rule, (s, a, b) => { piece(s, a, b); end(); });
    return;
  }
  if (texts.every((t) => isBlankRange(t, 0, t.length))) return;
  texts.forEach((t, s) => { if (t.length > 0) piece(s, 0, t.length); });
  end();
}
