// Sampling speed (characters/s) of rnn/browser in headless Chromium, on one thread and on Web
// Workers (a cross-origin isolated page from a local server), beside `rnn sample` on 1 and 2
// threads, for the same model, settings and seed (so every row generates the same characters).
// The rows run in turn, A B C … A B C …, for `--runs` rounds after one warm-up round, so drift in
// the machine's load falls on all of them alike; each row reports the median and min–max.
//
//   page 1 thread / page workers   model.sample() timed inside the page (page and model load excluded)
//   node lib --threads 1 / 2       the Node library (what `rnn sample` runs), in this process: the
//                                  CLI's figure without process start and model load
//   rnn sample --threads 1 / 2     the CLI spawned, wall time: process start and model load included
//
// Node runs the plain SIMD build (RNN_WASM_FMA=0), the one the page runs, so the kernels match.
// Models: the names model (1×128 LSTM, trained here as `rnn train` does by default, ~1,000 samples
// ending at EOS) and a 2×512 LSTM (a few training steps; fixed-length samples, EOS not stopping),
// where a step has enough work per op for threads to matter.
//
// Usage: npm run bench:browser [-- --runs 7 --chromium /usr/bin/chromium]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HERE, fmtRate, log, machine, median } from './bench-util.mjs';
import { libraryPage, serveFiles } from './static-server.mjs';

process.env.RNN_WASM_FMA = '0'; // before dist/ loads the kernel: Node on the page's build
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' }, chromium: { type: 'string', default: process.env.RNN_CHROMIUM ?? '/usr/bin/chromium' } } });
const RUNS = Number(args.runs);
const RNN = join(HERE, '../bin/rnn');
const { loadModel } = await import('../dist/api/index.js');
const { default: puppeteer } = await import('puppeteer-core');

const MODELS = [
  { name: 'names 1×128 LSTM', train: [], sample: { count: 1000, seed: 1 } },
  { name: '2×512 LSTM', train: ['--layers', '2', '--hidden', '512', '--steps', '5', '--batch', '8', '--seq-len', '32'], sample: { count: 20, seed: 1, maxChars: 100, eosStop: false } },
];
const flagsOf = (s) => ['--count', String(s.count), '--seed', String(s.seed), ...(s.maxChars ? ['--max-chars', String(s.maxChars)] : []), ...(s.eosStop === false ? ['--no-eos-stop'] : [])];

function exec(argv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [RNN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [], err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const sec = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`rnn ${argv.join(' ')}: exit ${code}\n${Buffer.concat(err)}`));
      else resolve({ sec, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

const load0 = loadavg()[0];
const dir = mkdtempSync(join(tmpdir(), 'rnn-bench-browser-'));
const browser = await puppeteer.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const chromium = await browser.version();
const results = [];
try {
  for (const m of MODELS) {
    log(`training ${m.name}`);
    const out = join(dir, m.name.replace(/\W+/g, '-'));
    await exec(['train', ...m.train, '--out', out, '--quiet']);
    const ckPath = join(out, 'best.json');
    const ck = readFileSync(ckPath);
    const server = await serveFiles({ '/': libraryPage('/rnn.js'), '/rnn.js': readFileSync(join(HERE, '../dist/browser/rnn.js')), '/model.json': ck }, { isolated: true });
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'rnn' in globalThis);
    const pageInfo = await page.evaluate(async () => {
      globalThis.models = [await rnn.loadModel('/model.json', { threads: 1 }), await rnn.loadModel('/model.json', { threads: 2 })];
      return { isolated: crossOriginIsolated, threads: models.map((x) => x.info.threads) };
    });
    if (!pageInfo.isolated || pageInfo.threads.join() !== '1,2') throw new Error(`page not as intended: ${JSON.stringify(pageInfo)}`);
    const node = [await loadModel(ckPath, { threads: 1 }), await loadModel(ckPath, { threads: 2 })];
    if (node.some((x) => x.info.kernel !== 'wasm')) throw new Error('Node is not on the plain SIMD build');

    /** Each row: { label, run() → { sec, text, chars } }; text checks that every row drew the same
     *  samples; chars counts the generated characters (Sample.length). */
    const drawn = (s) => ({ text: s.map((x) => x.text).join('\n'), chars: s.reduce((n, x) => n + x.length, 0) });
    const inPage = (k) => async () => {
      const r = await page.evaluate((k, o) => {
        const t0 = performance.now();
        const s = models[k].sample(o);
        return { sec: (performance.now() - t0) / 1000, s };
      }, k, m.sample);
      return { sec: r.sec, ...drawn(r.s) };
    };
    const inNode = (k) => async () => {
      const t0 = performance.now();
      const s = node[k].sample(m.sample);
      return { sec: (performance.now() - t0) / 1000, ...drawn(s) };
    };
    const cli = (t) => async () => {
      const r = await exec(['sample', ckPath, ...flagsOf(m.sample), '--threads', String(t), '--json']);
      return { sec: r.sec, ...drawn(r.stdout.trim().split('\n').map((l) => JSON.parse(l))) };
    };
    const rows = [
      { label: 'page, 1 thread (kernels-single.wasm)', run: inPage(0) },
      { label: 'page, Web Workers: 2 threads (kernels.wasm)', run: inPage(1) },
      { label: 'Node library, --threads 1 (sampling only)', run: inNode(0) },
      { label: 'Node library, --threads 2 (sampling only)', run: inNode(1) },
      { label: '`rnn sample --threads 1` (wall: process start, load)', run: cli(1) },
      { label: '`rnn sample --threads 2` (wall: process start, load)', run: cli(2) },
    ].map((r) => ({ ...r, secs: [] }));
    let text = null, chars = 0;
    for (let round = 0; round <= RUNS; round++) {
      log(`${m.name}: round ${round === 0 ? 'warm-up' : `${round}/${RUNS}`}`);
      for (const r of rows) {
        const got = await r.run();
        text ??= got.text;
        chars = got.chars;
        if (got.text !== text) throw new Error(`${r.label} drew other samples than the first row`);
        if (round > 0) r.secs.push(got.sec);
      }
    }
    if (problems.length) throw new Error(`page errors: ${problems.join('; ')}`);
    results.push({ model: m.name, chars, count: m.sample.count, rows });
    for (const x of node) x.dispose();
    await page.close();
    await server.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}

const mc = machine();
console.log(`${mc.model}, ${mc.cores} cores, Node ${mc.node}, ${chromium}; load average ${load0.toFixed(2)} at start; ${RUNS} rounds (after a warm-up), rows alternating\n`);
for (const r of results) {
  console.log(`**${r.model}**: ${r.count} samples, ${r.chars.toLocaleString('en-US')} characters (the same in every row)\n`);
  console.log('| | median | min–max | chars/s (median) | chars/s (min–max) |\n|---|---:|---:|---:|---:|');
  for (const row of r.rows) {
    const s = [...row.secs].sort((a, b) => a - b);
    const ms = (x) => `${(x * 1000).toFixed(0)} ms`;
    console.log(`| ${row.label} | ${ms(median(s))} | ${ms(s[0])}–${ms(s.at(-1))} | ${fmtRate(r.chars / median(s))} | ${fmtRate(r.chars / s.at(-1))}–${fmtRate(r.chars / s[0])} |`);
  }
  console.log('');
}
