// Defaults for a step budget (issue 18): `rnn train --steps N` with the shape given and nothing
// else, against explicit settings around it. Tiny-shakespeare's first 90% is the corpus (its
// own held-out 5% is the run's validation); each run's best.json is then scored on the file's last
// 10%, text no run has seen. The bundled names list's default run (the README's first command)
// is checked beside them against the dropout it had before.
//
//   npm run bench:steps -- [--steps 1000,3000] [--only names,shakespeare] [--rule | --no-rule]
//                          [--variants 'NAME;NAME'] [--seeds 1,2 (names)]
//
// One run at a time, nothing else on the machine; 1,000 steps of the 2×256 LSTM take about 1.5
// minutes here, so the default set takes about 30.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE, rnnJson } from './bench-util.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const WORK = join(HERE, '../runs/bench-steps');
const SHAKESPEARE = join(HERE, '../../shared/corpora/tiny-shakespeare.txt');
const stepsList = opt('steps', '1000,3000').split(',').map(Number);
const only = opt('only', 'names,shakespeare').split(',');
/** --rule: only the no-flags rows; --no-rule: all but them. */
const keep = (name) => (argv.includes('--rule') ? name === RULE : argv.includes('--no-rule') ? name !== RULE : true)
  && (opt('variants') === undefined || opt('variants').split(';').includes(name));
const namesSeeds = opt('seeds', '1,2').split(',');
const RULE = 'no flags (the rule)';
mkdirSync(WORK, { recursive: true });

const SHAPE = ['--cell', 'lstm', '--layers', '2', '--hidden', '256'];
/** Explicit settings around the rule; `[]` is the rule itself (no optimiser or dropout flags). */
const VARIANTS = {
  'no flags (the rule)': [],
  'lr 2e-3, cosine, dropout 0.1, warmup 50 (the old defaults)': ['--lr', '2e-3', '--dropout', '0.1', '--warmup', '50'],
  'lr 2e-3, constant, dropout 0': ['--lr', '2e-3', '--lr-schedule', 'constant', '--dropout', '0'],
  'lr 4e-3, cosine, dropout 0': ['--lr', '4e-3', '--dropout', '0'],
  'lr 4e-3, cosine, dropout 0.1': ['--lr', '4e-3', '--dropout', '0.1'],
  'lr 4e-3, wsd, dropout 0': ['--lr', '4e-3', '--lr-schedule', 'wsd', '--dropout', '0'],
  'lr 4e-3, wsd, dropout 0.1': ['--lr', '4e-3', '--lr-schedule', 'wsd', '--dropout', '0.1'],
};
const LONG_VARIANTS = ['no flags (the rule)', 'lr 2e-3, cosine, dropout 0.1, warmup 50 (the old defaults)', 'lr 2e-3, constant, dropout 0'];

function train(corpus, flags, out) {
  return rnnJson(['train', ...(corpus ? [corpus] : []), ...flags, '--out', out, '--force', '--json', '--quiet']);
}
function evalOn(checkpoint, text) {
  return rnnJson(['eval', checkpoint, text, '--json']).loss;
}
const fmt = (x) => (x === null || x === undefined ? '–' : x.toFixed(4));
const settingsOf = (r) => `lr ${r.settings.lr}, ${r.settings.lrSchedule}, dropout ${r.settings.dropout ?? '?'}, warmup ${r.settings.warmup}`;

const rows = [];
if (only.includes('shakespeare')) {
  const cps = Array.from(readFileSync(SHAKESPEARE, 'utf8'));
  const cut = cps.length - Math.round(cps.length * 0.1);
  const head = join(WORK, 'shakespeare-90.txt'), tail = join(WORK, 'shakespeare-last10.txt');
  if (!existsSync(head)) { writeFileSync(head, cps.slice(0, cut).join('')); writeFileSync(tail, cps.slice(cut).join('')); }
  for (const steps of stepsList) {
    for (const [name, flags] of Object.entries(VARIANTS)) {
      if ((steps > 1000 && !LONG_VARIANTS.includes(name)) || !keep(name)) continue;
      const out = join(WORK, `s${steps}-${name.replace(/[^a-z0-9.]+/gi, '-')}`);
      process.stderr.write(`… shakespeare ${steps} steps, ${name}\n`);
      const r = train(head, [...SHAPE, '--steps', String(steps), ...flags], out);
      const ck = JSON.parse(readFileSync(r.best ?? r.checkpoint, 'utf8'));
      rows.push({ corpus: 'shakespeare first 90%, LSTM 2×256', steps, name, got: `${settingsOf(r)}`.replace('dropout ?', `dropout ${ck.model.dropout}`), val: r.bestValLoss, last10: evalOn(r.best ?? r.checkpoint, tail), epochs: r.epochs });
    }
  }
}
if (only.includes('names')) {
  const NAMES = {
    'no flags (the rule)': [], 'cosine, dropout 0.1 (the old defaults)': ['--lr-schedule', 'cosine', '--dropout', '0.1'],
    'cosine, dropout 0.3': ['--lr-schedule', 'cosine', '--dropout', '0.3'], 'wsd, dropout 0.1': ['--lr-schedule', 'wsd', '--dropout', '0.1'],
    'wsd, dropout 0.3': ['--lr-schedule', 'wsd', '--dropout', '0.3'],
  };
  for (const [name, flags] of Object.entries(NAMES).filter(([n]) => keep(n))) {
    for (const seed of namesSeeds) {
      process.stderr.write(`… names, ${name}, seed ${seed}\n`);
      const r = train(null, [...flags, '--seed', seed], join(WORK, `names-${name.replace(/[^a-z0-9.]+/gi, '-')}-s${seed}`));
      const ck = JSON.parse(readFileSync(r.best ?? r.checkpoint, 'utf8'));
      rows.push({ corpus: `names (bundled), LSTM 1×128, seed ${seed}`, steps: r.steps, name, got: settingsOf(r).replace('dropout ?', `dropout ${ck.model.dropout}`), val: r.bestValLoss, last10: null, epochs: r.epochs });
    }
  }
}

console.log('| corpus, model | steps | settings | resolved to | passes | best val (own 5%) | last 10% of the file |');
console.log('|---|---:|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.corpus} | ${r.steps} | ${r.name} | ${r.got} | ${r.epochs.toFixed(2)} | ${fmt(r.val)} | ${fmt(r.last10)} |`);
