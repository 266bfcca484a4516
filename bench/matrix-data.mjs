// The quality matrix's data protocol, shared by bench/matrix.mjs and bench/schedule.mjs: each
// suite corpus as both systems read it, and its last 10% of code points as validation.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE } from './bench-util.mjs';

export const SUITE = join(HERE, '../corpora/suite');
const DATA = join(HERE, '../runs/bench-matrix/data');

/** The suite's corpora (corpora/suite/manifest.json), or null before `npm run corpora:suite`. */
export function suiteCorpora() {
  const file = join(SUITE, 'manifest.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).corpora : null;
}

/** The corpus as both systems read it (documents shuffled for list-like corpora), and its last
 *  10% of code points, rnn's and torch_budget.py's validation text. */
export function prepareCorpus(c) {
  const train = join(DATA, `${c.name}.txt`), val = join(DATA, `${c.name}.val.txt`);
  mkdirSync(DATA, { recursive: true });
  if (existsSync(train) && existsSync(val)) return { train, val };
  let text = readFileSync(join(HERE, '..', c.path), 'utf8');
  if (c.docSplit === 'line' || c.docSplit === 'blank') {
    const sep = c.docSplit === 'line' ? '\n' : '\n\n';
    const docs = text.split(c.docSplit === 'line' ? /\n/ : /\n[^\S\n]*\n\s*/).filter((d) => d.trim() !== '');
    let s = 1 >>> 0; // a fixed LCG: the order is part of the protocol
    for (let k = docs.length - 1; k > 0; k--) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const j = Math.floor((s / 4294967296) * (k + 1));
      [docs[k], docs[j]] = [docs[j], docs[k]];
    }
    text = `${docs.join(sep)}\n`;
  }
  writeFileSync(train, text);
  const cps = Array.from(text);
  writeFileSync(val, cps.slice(cps.length - Math.round(cps.length * 0.1)).join(''));
  return { train, val };
}

