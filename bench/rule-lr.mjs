// The time-budget rule's optimizer settings at equal steps (issue 18): each quality-matrix cell's
// rule run (bench/matrix-results.json: its recorded flags, which fix the model, the step count and
// the schedule) trained again with each variant, same seed, scored by `rnn eval` of best.json on
// the whole held-out 10%. A variant is a few flags that replace the recorded ones of the same name
// (or join them): `--lrs a,b` is short for the variants `--lr a` and `--lr b`. Variants differ only
// by those flags, and --steps runs are bit-identical for any thread count, so jobs may share the
// machine (--jobs, one thread each): only the losses are compared, never the timings.
//
//   npm run bench:rule-lr -- --lrs 0.005,0.007 [--budget 1m] [--only a,b] [--jobs 2]
//   npm run bench:rule-lr -- --variants '--lr 0.007;--lr 0.007 --beta2 0.99'

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HERE, rnnJsonAsync } from './bench-util.mjs';
import { prepareCorpus, suiteCorpora } from './matrix-data.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const WORK = join(HERE, '../runs/bench-rule-lr');
const variants = opt('variants', null)?.split(';').map((v) => v.trim())
  ?? opt('lrs', '0.005,0.007').split(',').map((l) => `--lr ${l}`);
const budget = opt('budget', '1m');
const jobs = Number(opt('jobs', '2'));
const suite = suiteCorpora();
if (!suite) { console.error('corpora/suite/manifest.json not found: run `npm run corpora:suite` first'); process.exit(1); }

const results = JSON.parse(readFileSync(join(HERE, 'matrix-results.json'), 'utf8'));
const rules = results.filter((c) => c.variant === 'rule' && c.budget === budget);
const only = opt('only', rules.map((c) => c.corpus).join(',')).split(',');

/** base with each `--name value` of over in place of base's own, or appended. */
function withFlags(base, over) {
  const out = [...base];
  for (let i = 0; i < over.length; i += 2) {
    const k = out.indexOf(over[i]);
    if (k >= 0) out[k + 1] = over[i + 1];
    else out.push(over[i], over[i + 1]);
  }
  return out;
}

const tasks = [];
for (const cell of rules.filter((c) => only.includes(c.corpus))) {
  const { train, val } = prepareCorpus(suite.find((c) => c.name === cell.corpus));
  for (const variant of variants) {
    const flags = withFlags(cell.flags.split(' '), variant.split(' '));
    tasks.push(async () => {
      const out = join(WORK, `${cell.corpus}-${budget}-${variant.replace(/[^\w.]+/g, '_')}`);
      process.stderr.write(`… ${cell.corpus} ${variant}\n`);
      const r = await rnnJsonAsync(['train', train, ...flags, '--threads', '1', '--out', out, '--force', '--json', '--quiet']);
      const e = await rnnJsonAsync(['eval', r.best ?? r.checkpoint, val, '--json', '--threads', '1']);
      return { corpus: cell.corpus, variant, loss: e.loss, steps: r.steps, matrixRule: cell.best };
    });
  }
}

const rows = [];
let next = 0;
await Promise.all(Array.from({ length: jobs }, async () => { while (next < tasks.length) rows.push(await tasks[next++]()); }));

console.log(`# bench/rule-lr.mjs ${new Date().toISOString().slice(0, 10)}: the ${budget} rule runs at their recorded steps, variants ${variants.join('; ')}`);
console.log(`| corpus | steps | matrix rule (lr ${rules[0]?.settings.lr}) | ${variants.join(' | ')} |`);
console.log(`|---|---:|---:|${variants.map(() => '---:').join('|')}|`);
for (const c of only) {
  const rs = rows.filter((r) => r.corpus === c);
  if (!rs.length) continue;
  console.log(`| ${c} | ${rs[0].steps} | ${rs[0].matrixRule.toFixed(4)} | ${variants.map((v) => rs.find((r) => r.variant === v)?.loss.toFixed(4) ?? '–').join(' | ')} |`);
}
