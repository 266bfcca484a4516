// npm run bench:chaos [-- --interruptions 200 --seed 1]: one run interrupted many times at random
// moments by SIGINT, SIGTERM and SIGKILL (bench/chaos-harness.mjs), then compared bit for bit with
// the same run never interrupted. Prints the counts of each kind of interruption and of each way
// back, and whether anything was lost; exits 1 if it was. Not a timing: the machine may be busy.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { chaosRun, essence, loggedSteps, runRnn } from './chaos-harness.mjs';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const interruptions = arg('interruptions', 200), seed = arg('seed', 1), steps = arg('steps', 3000);

const dir = mkdtempSync(join(tmpdir(), 'rnn-chaos-'));
// A names-like corpus of 20,000 made-up words from a seeded generator (no third-party text).
let s = seed >>> 0;
const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
const syll = ['an', 'na', 'ro', 'li', 'ke', 'ma', 'sa', 'to', 'ri', 'el', 'do', 'vi'];
const words = Array.from({ length: 20000 }, () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => syll[Math.floor(next() * syll.length)]).join(''));
const corpus = join(dir, 'words.txt');
writeFileSync(corpus, `${words.join('\n')}\n`);
const flags = ['--cell', 'gru', '--layers', '2', '--hidden', '64', '--dropout', '0.2', '--batch', '16', '--seq-len', '32',
  '--steps', String(steps), '--eval-every', '250', '--save-every', '50'];

console.log(`chaos: ${interruptions} interruptions of a ${steps}-step run (GRU 2×64, B16 T32, saves every 50 steps), seed ${seed}, in ${dir}`);
const ref = await runRnn(['train', corpus, ...flags, '--out', join(dir, 'ref'), '--quiet']);
if (ref.code !== 0) throw new Error(`the uninterrupted run failed: ${ref.stderr}`);
const out = join(dir, 'chaos');
const t0 = Date.now();
const r = await chaosRun({ args: ['train', corpus, ...flags, '--out', out], out, steps, interruptions, seed, margin: 100, saveEvery: 50, damage: 0.1,
  log: (m) => { if (process.env.CHAOS_VERBOSE) console.log(m); } });
const same = ['last.json', 'best.json'].map((f) => isDeepStrictEqual(essence(join(out, f)), essence(join(dir, 'ref', f))));
const stepsOnce = isDeepStrictEqual(loggedSteps(join(out, 'metrics.jsonl')), loggedSteps(join(dir, 'ref', 'metrics.jsonl')));
console.log(`interruptions that landed: ${r.landed} (SIGINT ${r.counts.SIGINT}, SIGTERM ${r.counts.SIGTERM}, SIGKILL ${r.counts.SIGKILL}) in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
console.log(`last.json damaged on purpose after ${r.damaged} of them (one base64 character of a tensor changed)`);
console.log(`ways back: ${r.ways.last} from last.json, ${r.ways.prev} from last.prev.json, ${r.ways.fresh} fresh starts (no checkpoint yet)`);
console.log(`unexpected ends: ${r.unexpected.length}${r.unexpected.length ? ` ${JSON.stringify(r.unexpected.slice(0, 3))}` : ''}`);
console.log(`last.json ${same[0] ? 'bit-identical' : 'DIFFERENT'}, best.json ${same[1] ? 'bit-identical' : 'DIFFERENT'}, metrics.jsonl ${stepsOnce ? 'each step once' : 'DIFFERENT'}`);
process.exitCode = same.every(Boolean) && stepsOnce && r.unexpected.length === 0 ? 0 : 1;
