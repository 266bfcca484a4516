// Quality in a time budget (issue 8): `rnn train` on tiny-shakespeare with --doc-split none
// --val-fraction 0.1 --time <budget> and no other flags, for each seed; then `rnn eval` of the best
// checkpoint on the file's last 10%, which must agree with the validation figure training reported.
// Optionally PyTorch's tuned recipe (../shared/peers/torch_budget.py) in the same run, after ours.
// Not part of CI: a run takes the whole budget per seed. One at a time on 2 cores.
//
//   npm run bench:quality -- [--minutes 30] [--seeds 1,2] [--torch] [-- extra rnn train flags]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE } from './bench-util.mjs';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const extra = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const opt = (name, dflt) => { const i = own.indexOf(`--${name}`); return i >= 0 ? own[i + 1] : dflt; };
const minutes = Number(opt('minutes', '30'));
const seeds = opt('seeds', '1,2').split(',').map(Number);
const withTorch = own.includes('--torch');

const CORPUS = join(HERE, '../../shared/corpora/tiny-shakespeare.txt');
const RNN = join(HERE, '../bin/rnn');
const OUT = join(HERE, '../runs/bench-quality');
if (!existsSync(CORPUS)) { console.error(`${CORPUS} not found`); process.exit(1); }
mkdirSync(OUT, { recursive: true });

// The file's last 10% of code points: exactly the validation split of --doc-split none --val-fraction 0.1.
const cps = Array.from(readFileSync(CORPUS, 'utf8'));
const tailPath = join(OUT, 'tiny-shakespeare-last10.txt');
writeFileSync(tailPath, cps.slice(cps.length - Math.round(cps.length * 0.1)).join(''));

const date = new Date().toISOString().slice(0, 10);
console.log(`# bench:quality ${date}: tiny-shakespeare, --time ${minutes}m, seeds ${seeds.join(', ')}${extra.length ? `, extra flags: ${extra.join(' ')}` : ''}`);
const rows = [];
for (const seed of seeds) {
  const out = join(OUT, `seed${seed}`);
  const args = [RNN, 'train', CORPUS, '--doc-split', 'none', '--val-fraction', '0.1', '--time', `${minutes}m`, '--seed', String(seed),
    '--out', out, '--force', '--json', ...extra];
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0) { console.error(`rnn train failed (exit ${p.status})`); process.exit(1); }
  const r = JSON.parse(p.stdout);
  const ev = spawnSync(process.execPath, [RNN, 'eval', r.best, tailPath, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const e = JSON.parse(ev.stdout);
  const s = r.settings;
  rows.push({ seed, flags: s.flags, steps: r.steps, epochs: r.epochs, trainSec: r.elapsedSec, wall, best: r.bestValLoss, evalLoss: e.loss });
  console.log(`seed ${seed}: best val ${r.bestValLoss.toFixed(4)} nats/char (${(r.bestValLoss / Math.LN2).toFixed(4)} bits) at step ${r.bestStep}; `
    + `rnn eval of best.json on the last 10%: ${e.loss.toFixed(4)}; ${r.steps} steps, ${r.epochs.toFixed(2)} epochs, `
    + `${Math.round((r.steps * s.batch * s.seqLen) / r.elapsedSec)} chars/s, training ${(r.elapsedSec / 60).toFixed(1)} min, wall ${(wall / 60).toFixed(1)} min`);
  console.log(`  flags: ${s.flags}`);
}

if (withTorch) {
  const peer = join(HERE, '../../shared/peers/torch_budget.py');
  const args = [peer, CORPUS, '--layers', '2', '--hidden', '384', '--dropout', '0.2', '--batch', '32', '--seq', '128', '--lr', '3e-3',
    '--minutes', String(minutes), '--eval-minutes', String(Math.max(1, minutes / 10))];
  const p = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '1' } });
  const m = /FINAL best_val ([\d.]+)/.exec(p.stdout ?? '');
  console.log(`torch_budget.py 2×384 LSTM dropout 0.2: ${m ? `best val ${m[1]}` : `failed: ${(p.stderr ?? '').trim().split('\n').pop()}`}`);
  writeFileSync(join(OUT, 'torch.log'), p.stdout ?? '');
  // Its evaluation lines as an rnn metrics file, so `rnn plot` can draw both runs against time.
  const rows = [...(p.stdout ?? '').matchAll(/^step (\d+) train_s ([\d.]+) .* train ([\d.]+) val ([\d.]+)/gm)]
    .map((r) => JSON.stringify({ step: Number(r[1]), time: Number(r[2]), trainLoss: Number(r[3]), valLoss: Number(r[4]) }));
  writeFileSync(join(OUT, 'pytorch.jsonl'), `${rows.join('\n')}\n`);
  const plot = spawnSync(process.execPath, [RNN, 'plot', join(OUT, `seed${seeds[0]}`), join(OUT, 'pytorch.jsonl'), '--x', 'time', '--out', join(OUT, 'quality.svg')], { encoding: 'utf8' });
  process.stdout.write(plot.stdout);
}
writeFileSync(join(OUT, `summary-${date}.json`), `${JSON.stringify(rows, null, 2)}\n`);
