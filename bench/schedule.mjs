// Warmup-stable-decay against cosine at the same step count (issue 18): the time-budget rule's
// schedule must be one whose rate does not depend on the step count until late in the run, so
// that a --time run can time most of its budget (src/train/time-budget.ts); this checks it costs
// no validation loss. Each pair is one model, shape, learning rate, dropout, warmup and step
// count (the rule's picks and step counts for 1 and 5 minutes in the quality matrix), once with
// each schedule, on the matrix's data protocol (bench/matrix-data.mjs), scored by `rnn eval` of
// best.json on the whole held-out 10%. Same seed for both, so the pair differs only by schedule.
//
//   npm run bench:schedule -- [--only names,words-fr,...] [--seeds 1,2]
//
// One run at a time, nothing else on the machine: about 25 minutes.

import { join } from 'node:path';
import { HERE, rnnJson } from './bench-util.mjs';
import { prepareCorpus, suiteCorpora } from './matrix-data.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const WORK = join(HERE, '../runs/bench-schedule');

/** corpus, model and steps: the rule's pick in the quality matrix's 1-minute cells (shakespeare: 5
 *  minutes), at about the step count it reached there. */
const CASES = [
  { corpus: 'names', flags: '--cell gru --layers 1 --hidden 128 --batch 16 --seq-len 32 --lr 5e-3 --dropout 0.4 --warmup 200 --steps 16000' },
  { corpus: 'words-fr', flags: '--cell gru --layers 1 --hidden 128 --batch 16 --seq-len 128 --lr 5e-3 --dropout 0.1 --warmup 200 --steps 4000' },
  { corpus: 'glibc-headers', flags: '--cell gru --layers 1 --hidden 128 --batch 16 --seq-len 128 --lr 5e-3 --dropout 0.1 --warmup 200 --steps 4000' },
  { corpus: 'email-ham', flags: '--cell gru --layers 1 --hidden 128 --batch 16 --seq-len 128 --lr 5e-3 --dropout 0.1 --warmup 200 --steps 4000' },
  { corpus: 'shakespeare', flags: '--cell gru --layers 2 --hidden 192 --batch 16 --seq-len 128 --lr 4e-3 --dropout 0.2 --warmup 200 --steps 4500' },
];
const only = opt('only', CASES.map((c) => c.corpus).join(',')).split(',');
const seeds = opt('seeds', '1').split(',');
const suite = suiteCorpora();
if (!suite) { console.error('corpora/suite/manifest.json not found: run `npm run corpora:suite` first'); process.exit(1); }

const rows = [];
for (const k of CASES.filter((c) => only.includes(c.corpus))) {
  const { train, val } = prepareCorpus(suite.find((c) => c.name === k.corpus));
  for (const seed of seeds) {
    const pair = {};
    for (const schedule of ['cosine', 'wsd']) {
      const out = join(WORK, `${k.corpus}-${schedule}-s${seed}`);
      const args = ['train', train, '--doc-split', 'none', '--val-fraction', '0.1', ...k.flags.split(' '), '--lr-schedule', schedule, '--seed', seed, '--out', out, '--force', '--json', '--quiet'];
      process.stderr.write(`… ${k.corpus} seed ${seed} ${schedule}\n`);
      const r = rnnJson(args);
      pair[schedule] = rnnJson(['eval', r.best ?? r.checkpoint, val, '--json']).loss;
    }
    rows.push({ corpus: k.corpus, flags: k.flags, seed, ...pair });
  }
}
console.log('| corpus | settings (both) | seed | cosine | wsd | wsd − cosine |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.corpus} | \`${r.flags}\` | ${r.seed} | ${r.cosine.toFixed(4)} | ${r.wsd.toFixed(4)} | ${(r.wsd - r.cosine).toFixed(4)} |`);
