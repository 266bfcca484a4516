// The time-budget rule's learning rate at equal steps (issue 18): each quality-matrix cell's rule
// run (bench/matrix-results.json: its recorded flags, which fix the model, the step count and the
// schedule) trained again with each learning rate in --lrs, same seed, scored by `rnn eval` of
// best.json on the whole held-out 10%. The pair differs only by the rate, and --steps runs are
// bit-identical for any thread count, so jobs may share the machine (--jobs, one thread each):
// only the losses are compared, never the timings.
//
//   npm run bench:rule-lr -- --lrs 0.005,0.007 [--budget 1m] [--only a,b] [--jobs 2]

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE } from './bench-util.mjs';
import { prepareCorpus, suiteCorpora } from './matrix-data.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const RNN = join(HERE, '../bin/rnn');
const WORK = join(HERE, '../runs/bench-rule-lr');
const lrs = opt('lrs', '0.005,0.007').split(',');
const budget = opt('budget', '1m');
const jobs = Number(opt('jobs', '2'));
const suite = suiteCorpora();
if (!suite) { console.error('corpora/suite/manifest.json not found: run `npm run corpora:suite` first'); process.exit(1); }

const results = JSON.parse(readFileSync(join(HERE, 'matrix-results.json'), 'utf8'));
const rules = results.filter((c) => c.variant === 'rule' && c.budget === budget);
const only = opt('only', rules.map((c) => c.corpus).join(',')).split(',');

/** `rnn` with args; resolves with its stdout, rejects with its stderr. */
function rnn(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RNN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (b) => { out += b; });
    p.stderr.on('data', (b) => { err += b; });
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`rnn ${args.join(' ')}: ${err.trim()}`))));
  });
}

const tasks = [];
for (const cell of rules.filter((c) => only.includes(c.corpus))) {
  const { train, val } = prepareCorpus(suite.find((c) => c.name === cell.corpus));
  for (const lr of lrs) {
    const flags = cell.flags.replace(/--lr \S+/, `--lr ${lr}`).split(' ');
    tasks.push(async () => {
      const out = join(WORK, `${cell.corpus}-${budget}-lr${lr}`);
      process.stderr.write(`… ${cell.corpus} lr ${lr}\n`);
      const r = JSON.parse(await rnn(['train', train, ...flags, '--threads', '1', '--out', out, '--force', '--json', '--quiet']));
      const e = JSON.parse(await rnn(['eval', r.best ?? r.checkpoint, val, '--json', '--threads', '1']));
      return { corpus: cell.corpus, lr, loss: e.loss, steps: r.steps, matrixRule: cell.best };
    });
  }
}

const rows = [];
let next = 0;
await Promise.all(Array.from({ length: jobs }, async () => { while (next < tasks.length) rows.push(await tasks[next++]()); }));

console.log(`# bench/rule-lr.mjs ${new Date().toISOString().slice(0, 10)}: the ${budget} rule runs at their recorded steps, learning rates ${lrs.join(', ')}`);
console.log(`| corpus | steps | matrix rule (lr ${rules[0]?.settings.lr}) | ${lrs.map((l) => `lr ${l}`).join(' | ')} |`);
console.log(`|---|---:|---:|${lrs.map(() => '---:').join('|')}|`);
for (const c of only) {
  const rs = rows.filter((r) => r.corpus === c);
  if (!rs.length) continue;
  console.log(`| ${c} | ${rs[0].steps} | ${rs[0].matrixRule.toFixed(4)} | ${lrs.map((l) => rs.find((r) => r.lr === l)?.loss.toFixed(4) ?? '–').join(' | ')} |`);
}
