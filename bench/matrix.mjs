// The quality matrix (issue 18): corpus × time budget. In each cell:
//   rule   `rnn train --time B` with no model flags (the time-budget rule's pick);
//   grid   the rule's pick with one setting moved: the size below and above it (SIZES in
//          src/train/auto-settings.ts) and the learning rate ×0.5 and ×2;
//   torch  ../shared/peers/torch_budget.py at the grid's best size, as LSTM and as GRU, with its
//          recipe's batch 32, T 128, lr 3e-3 and the rule's dropout, validated once, at the end
//          of its budget (its cosine schedule ends there; each validation of a large held-out
//          text costs PyTorch's one thread as long as a 1-minute budget);
// plus, once per corpus, the 7-gram Kneser-Ney baseline (`rnn eval --baseline`).
//
// The figure compared is `rnn eval` of the run's best.json on the whole held-out text (a --time run
// may validate on a subset of a large one, --val-chars), as torch_budget.py scores its model.
//
// Data protocol, the same for both systems: the file's last 10% of code points is validation
// (rnn: --doc-split none --val-fraction 0.1; torch_budget.py's split). Corpora of documents (line
// or blank split: word lists, names, fortunes, email) are first shuffled document by document with
// a fixed seed, so that tail is a random tenth of the documents and not, say, the words from "v"
// on of a sorted list; prose and code keep their order.
//
// Resumable: every finished run is a record in bench/matrix-results.json, keyed by corpus, budget
// and variant, and is not run again; the markdown tables (bench/matrix-tables.md) are rewritten from
// that file after each run. One run at a time, nothing else on the machine; a cell costs about
// 7 × its budget plus validation. Needs the suite: `npm run corpora:suite` first.
//
//   npm run bench:matrix -- [--budgets 1m,5m] [--corpora names,shakespeare] [--variants rule,grid,torch,baseline]
//                           [--results FILE.json] [--tables] [--plot shakespeare,bible-kjv,linux-core]
//
// --plot draws best validation loss against budget (the rule, the grid's best and PyTorch's best,
// one colour per corpus) from the results, as FILE-budget.svg beside the results file.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIZES } from '../dist/train/auto-settings.js';
import { chartSvg, RUN_COLOURS } from '../dist/plot/loss-chart.js';
import { HERE, rnnJson } from './bench-util.mjs';
import { prepareCorpus, suiteCorpora } from './matrix-data.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const WORK = join(HERE, '../runs/bench-matrix');
const RESULTS = opt('results', join(HERE, 'matrix-results.json'));
const TABLES = RESULTS.replace(/-results\.json$|\.json$/, '-tables.md');
const TORCH = join(HERE, '../../shared/peers/torch_budget.py');
/** Budgets in seconds by name; 30 minutes only on the corpora named in LONG. */
const BUDGETS = { '1m': 60, '5m': 300, '30m': 1800 };
const LONG = ['shakespeare', 'linux-core', 'bible-kjv'];
/** Debian's PyTorch runs on whatever libblas.so.3 points to: the reference BLAS, about 20 times
 *  slower, unless libopenblas0-pthread is installed (../shared/peers/README.md). */
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';

const results = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : [];
const key = (r) => `${r.corpus}|${r.budget}|${r.variant}`;
const done = new Set(results.map(key));
const save = () => { writeFileSync(RESULTS, `${JSON.stringify(results, null, 1)}\n`); writeFileSync(TABLES, tables()); };

if (argv.includes('--tables')) { save(); process.exit(0); }
if (opt('plot')) { plot(opt('plot').split(',')); process.exit(0); }
const manifest = suiteCorpora();
if (!manifest) { console.error('corpora/suite/manifest.json not found: run `npm run corpora:suite` first'); process.exit(1); }
const wanted = opt('corpora', manifest.map((c) => c.name).join(',')).split(',');
const budgets = opt('budgets', '1m,5m,30m').split(',');
const variants = opt('variants', 'rule,grid,torch,baseline').split(',');

for (const c of manifest.filter((m) => wanted.includes(m.name))) {
  const { train, val } = prepareCorpus(c);
  for (const budget of budgets.filter((b) => b !== '30m' || LONG.includes(c.name))) {
    const sec = BUDGETS[budget] ?? Number(budget.replace(/s$/, ''));
    if (variants.includes('rule')) runRnn(c, budget, 'rule', train, val, ['--time', String(sec)]);
    const rule = results.find((r) => r.corpus === c.name && r.budget === budget && r.variant === 'rule');
    if (!rule) continue;
    if (variants.includes('grid')) {
      const s = rule.settings, i = SIZES.findIndex(([l, h]) => l === s.layers && h === s.hidden);
      const at = (l, h, lr) => ['--time', String(sec), '--cell', s.cell, '--layers', String(l), '--hidden', String(h), ...(lr ? ['--lr', String(lr)] : [])];
      if (i > 0) runRnn(c, budget, `size ${SIZES[i - 1].join('×')}`, train, val, at(...SIZES[i - 1]));
      if (i >= 0 && i + 1 < SIZES.length) runRnn(c, budget, `size ${SIZES[i + 1].join('×')}`, train, val, at(...SIZES[i + 1]));
      runRnn(c, budget, 'lr ×0.5', train, val, at(s.layers, s.hidden, s.lr / 2));
      runRnn(c, budget, 'lr ×2', train, val, at(s.layers, s.hidden, s.lr * 2));
    }
    if (variants.includes('torch')) {
      const best = bestRnn(c.name, budget);
      for (const cell of ['lstm', 'gru']) runTorch(c, budget, sec, cell, best.settings, train);
    }
  }
  if (variants.includes('baseline')) baseline(c, train, val);
}
save();
process.stdout.write(tables());

function runRnn(c, budget, variant, train, val, flags) {
  const rec = { corpus: c.name, budget, variant };
  if (done.has(key(rec))) return;
  const out = join(WORK, c.name, budget, variant.replace(/[^a-z0-9.]+/gi, '-'));
  const args = ['train', train, '--doc-split', 'none', '--val-fraction', '0.1', '--seed', '1', ...flags, '--out', out, '--force', '--json', '--quiet'];
  console.error(`… ${c.name} ${budget} ${variant}: rnn ${args.join(' ')}`);
  let r, full;
  try {
    r = rnnJson(args);
    // The figure compared is rnn eval of best.json on the whole held-out text, as torch_budget.py
    // scores it: a --time run validates on a subset of a large one (--val-chars).
    full = rnnJson(['eval', r.best ?? r.checkpoint, val, '--json']).loss;
  } catch (e) { console.error(`  failed: ${e.message}`); return; }
  const ck = JSON.parse(readFileSync(r.checkpoint, 'utf8'));
  const s = { ...r.settings, cell: ck.model.cell, layers: ck.model.layers, hidden: ck.model.hidden, dropout: ck.model.dropout };
  Object.assign(rec, {
    date: new Date().toISOString().slice(0, 10), best: full, runBest: r.bestValLoss, valChars: s.valChars ?? 0, steps: r.steps, epochs: r.epochs, trainSec: r.elapsedSec,
    wallSec: r.wallSec, budgetSec: flags[flags.indexOf('--time') + 1] === undefined ? null : Number(flags[flags.indexOf('--time') + 1]), charsPerSec: (r.steps * s.batch * s.seqLen) / r.elapsedSec,
    stopReason: r.stopReason, settings: s, flags: s.flags, checkpoint: r.best ?? r.checkpoint, val,
  });
  results.push(rec); done.add(key(rec)); save();
  console.error(`  best val ${full.toFixed(4)} (in the run ${r.bestValLoss?.toFixed(4)}), ${s.layers}×${s.hidden} ${s.cell}, ${r.epochs.toFixed(2)} passes, ${(r.elapsedSec / 60).toFixed(2)} min of training`);
}

function runTorch(c, budget, sec, cell, s, train) {
  const rec = { corpus: c.name, budget, variant: `torch ${cell}` };
  if (done.has(key(rec))) return;
  if (!existsSync(OPENBLAS)) { console.error(`  torch ${cell} not run: ${OPENBLAS} is missing (apt-get install -y libopenblas0-pthread)`); return; }
  const args = [TORCH, train, '--cell', cell, '--layers', String(s.layers), '--hidden', String(s.hidden), '--dropout', String(s.dropout),
    '--batch', '32', '--seq', '128', '--lr', '3e-3', '--minutes', String(sec / 60), '--eval-minutes', String(sec / 60)];
  console.error(`… ${c.name} ${budget} torch ${cell}: python3 ${args.join(' ')}`);
  const p = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '1' }, maxBuffer: 1 << 26 });
  const m = /FINAL best_val ([\d.]+) .*steps (\d+), epochs ([\d.]+)/.exec(p.stdout ?? '');
  if (!m) { console.error(`  failed: ${(p.stderr ?? '').trim().split('\n').pop()}`); return; }
  const rate = [...(p.stdout ?? '').matchAll(/chars\/s (\d+)/g)].pop();
  Object.assign(rec, { date: new Date().toISOString().slice(0, 10), best: Number(m[1]), steps: Number(m[2]), epochs: Number(m[3]), charsPerSec: rate ? Number(rate[1]) : null, settings: { cell, layers: s.layers, hidden: s.hidden, dropout: s.dropout, batch: 32, seqLen: 128, lr: 3e-3 } });
  results.push(rec); done.add(key(rec)); save();
}

function baseline(c, train, val) {
  const rec = { corpus: c.name, budget: '-', variant: 'kn7' };
  if (done.has(key(rec))) return;
  const any = results.find((r) => r.corpus === c.name && r.checkpoint);
  if (!any) return;
  let kn;
  try { kn = rnnJson(['eval', any.checkpoint, val, '--baseline', '--json']).baseline.loss; } catch (e) { console.error(`  baseline failed: ${e.message}`); return; }
  Object.assign(rec, { date: new Date().toISOString().slice(0, 10), best: kn, train });
  results.push(rec); done.add(key(rec)); save();
}

function bestRnn(corpus, budget) {
  return results.filter((r) => r.corpus === corpus && r.budget === budget && !r.variant.startsWith('torch') && r.best !== null)
    .reduce((a, b) => (b.best < a.best ? b : a));
}

function tables() {
  const f = (x) => (x === undefined || x === null ? '–' : x.toFixed(4));
  const lines = [`# Quality matrix (generated by bench/matrix.mjs from ${RESULTS.split('/').pop()})`, '',
    'Best validation loss, nats/char, on the last 10% of each prepared corpus. Δ = rule − grid best.', '',
    '| corpus | budget | rule: pick | rule | grid best (setting) | Δ | torch LSTM | torch GRU | KN 7-gram | chars/s (rule) | passes | budget used | wall / budget |',
    '|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  const cells = [...new Set(results.filter((r) => r.budget !== '-').map((r) => `${r.corpus}|${r.budget}`))];
  for (const cell of cells) {
    const [corpus, budget] = cell.split('|');
    const rows = results.filter((r) => r.corpus === corpus && r.budget === budget);
    const rule = rows.find((r) => r.variant === 'rule');
    const grid = rows.filter((r) => !r.variant.startsWith('torch') && r.best !== null);
    const gb = grid.length ? grid.reduce((a, b) => (b.best < a.best ? b : a)) : null;
    const t = (cell2) => rows.find((r) => r.variant === `torch ${cell2}`)?.best;
    const kn = results.find((r) => r.corpus === corpus && r.variant === 'kn7')?.best;
    const s = rule?.settings;
    lines.push(`| ${corpus} | ${budget} | ${s ? `${s.cell.toUpperCase()} ${s.layers}×${s.hidden}, lr ${s.lr}, dropout ${s.dropout}` : '–'} | ${f(rule?.best)} | `
      + `${gb ? `${f(gb.best)} (${gb.variant})` : '–'} | ${rule && gb ? (rule.best - gb.best).toFixed(4) : '–'} | ${f(t('lstm'))} | ${f(t('gru'))} | ${f(kn)} | `
      + `${rule ? Math.round(rule.charsPerSec).toLocaleString('en-US') : '–'} | ${rule ? rule.epochs.toFixed(2) : '–'} | `
      + `${rule?.budgetSec ? `${((100 * rule.trainSec) / rule.budgetSec).toFixed(1)}%` : '–'} | ${rule?.budgetSec && rule.wallSec ? (rule.wallSec / rule.budgetSec).toFixed(2) : '–'} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Best validation loss against budget, in minutes, one colour per corpus: the rule as a line,
 *  PyTorch's better cell as dots. */
function plot(corpora) {
  const series = corpora.flatMap((corpus, i) => {
    const colour = RUN_COLOURS[i % RUN_COLOURS.length];
    const at = (pick) => Object.entries(BUDGETS).flatMap(([b, sec]) => {
      const v = pick(results.filter((r) => r.corpus === corpus && r.budget === b && r.best !== null));
      return v === undefined ? [] : [{ x: sec / 60, y: v }];
    });
    const torch = (rows) => { const t = rows.filter((r) => r.variant.startsWith('torch')); return t.length ? Math.min(...t.map((r) => r.best)) : undefined; };
    return [
      { key: `${corpus}-rule`, label: corpus, colour, points: at((rows) => rows.find((r) => r.variant === 'rule')?.best), markers: true, width: 2 },
      { key: `${corpus}-torch`, label: '', colour, points: at(torch), markers: true, width: 0 },
    ];
  });
  const file = RESULTS.replace(/-results\.json$|\.json$/, '-budget.svg');
  writeFileSync(file, chartSvg(series, 'best validation loss by time budget, 2 cores: rnn train --time (lines), PyTorch (dots)', 'budget (minutes)'));
  console.log(`wrote ${file}`);
}
