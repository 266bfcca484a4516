// Peak memory of `rnn train` on 100 MB corpora (issue 4: within about 3× the corpus plus the
// model). Two corpora are generated in a temporary directory:
//   ascii     tiny-shakespeare (../shared/corpora) repeated to 100 MB, --doc-split none
//   two-byte  100 MB of generated syllables with é, à, ü in ~13.6 M short lines, --doc-split line
//             (a two-byte JavaScript string, and many documents)
// Each is trained for 3 steps of the default model under /usr/bin/time; peak RSS is its %M.
//
//   npm run bench:memory

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HERE } from './bench-util.mjs';
import { createRng } from '../dist/rng.js';

const MB = 1e6;
const dir = mkdtempSync(join(tmpdir(), 'rnn-memory-'));
const RNN = join(HERE, '../bin/rnn');

function ascii() {
  const base = readFileSync(join(HERE, '../../shared/corpora/tiny-shakespeare.txt'));
  const path = join(dir, 'ascii.txt');
  writeFileSync(path, Buffer.concat(Array.from({ length: Math.ceil(100 * MB / base.length) }, () => base)));
  return path;
}

function twoByte() {
  const syll = ['ka', 'lé', 'mo', 'rà', 'ti', 'sü', 'na', 'vé', 'po', 'lu', 'dà', 'gi'];
  const r = createRng(1, 'memory-bench');
  const lines = [];
  let bytes = 0;
  while (bytes < 100 * MB) {
    const n = 1 + Math.floor(r.next() * 3);
    let w = '';
    for (let k = 0; k < n; k++) w += syll[Math.floor(r.next() * syll.length)];
    lines.push(w);
    bytes += Buffer.byteLength(w) + 1;
  }
  const path = join(dir, 'two-byte.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

console.log(`# bench:memory ${new Date().toISOString().slice(0, 10)}: peak RSS of rnn train --steps 3 (default model)`);
for (const [name, make, split] of [['ascii', ascii, 'none'], ['two-byte', twoByte, 'line']]) {
  const path = make();
  const size = statSync(path).size;
  const p = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, RNN, 'train', path, '--doc-split', split, '--steps', '3',
    '--val-fraction', '0.0002', '--out', join(dir, `run-${name}`), '--quiet'], { encoding: 'utf8' });
  const kb = Number((p.stderr.trim().split('\n').pop() ?? '').trim());
  if (p.status !== 0 || !kb) { console.error(p.stderr); process.exit(1); }
  console.log(`${name.padEnd(9)} ${(size / MB).toFixed(1)} MB, --doc-split ${split}: peak RSS ${(kb / 1024).toFixed(0)} MiB = ${((kb * 1024) / size).toFixed(2)}× the file`);
  rmSync(path);
}
rmSync(dir, { recursive: true, force: true });
