#!/usr/bin/env node
// rnn's speed on this machine, in one invocation (`npm run bench -- [options]`, which builds first;
// the bench imports the built JavaScript from dist/):
//
// 1. Training chars/s for shapes (a) LSTM 2×256 B32 T64, (b) LSTM 1×128 B50 T50, (c) LSTM 2×512
//    B50 T50, (d) GRU 2×256 B32 T64 on tiny-shakespeare (../shared/corpora; a generated text with
//    its 65 characters when absent), a step being what src/train/trainer.ts does: forwardBackward,
//    gradNormSq, scaleGrads when the norm is over 5, Adam (train-rates.mjs). Measured for
//      - the WASM kernel on 1 thread and on all threads (os.availableParallelism()): 2 warm-up steps,
//        then --steps steps per repetition (default: as many as take about 4 s);
//      - the TypeScript reference kernel (about 30× slower): 2 warm-up steps on a B2 T4 engine of the
//        same model, which runs the same code, then 1 step per repetition at the full shape, and no
//        further repetitions once its runs for the shape have taken 30 s (so (c) gets one);
//      - PyTorch, when /usr/bin/python3 can import torch: ../shared/peers/torch_peer.py with
//        OPENBLAS_NUM_THREADS=2 and --threads 1, 2 warm-up steps, steps sized from a short trial run
//        (torch-peer.mjs).
//    Shapes (a)-(d) are the classic ones; (e)-(h) are GRUs of 16 streams of 128, the shape the
//    time-budget rule trains, at the sizes it picks (bench-util.mjs SHAPES).
//    The four alternate within each repetition, so load from other processes falls on all of them.
//    Reported: the median of --reps repetitions (each run listed); the ratio wasm all threads /
//    PyTorch and the 1 → all threads speedup, each taken within a repetition (the two figures ran
//    seconds apart), as the median of the repetitions' ratios with their min-max. A verdict
//    (faster / slower than PyTorch) is printed only when every repetition's ratio falls on the
//    same side of 1: with 7 independent repetitions the chance that the true median ratio lies
//    outside [min, max] is 2 · 2^-7 < 2%. Fewer than 5 repetitions give no verdict.
//    Before the first shape and after the last, /proc/stat says how busy the cores were with the
//    bench asleep; a busy machine is reported, not waited for.
// 2. GFLOP/s of the gemm op in its three training forms on those shapes, through Pool over a shared
//    WebAssembly.Memory, on 1 and all threads (gemm-rates.mjs).
// 3. Sampling chars/s for a 2×512 LSTM (batch 1, seqLen 1, one forwardLoss per character, through
//    src/sample/sampler.ts's generate) on the WASM kernel with 1 and 2 threads and on the TS kernel
//    (sample-rates.mjs).
// 4. The bench process's peak RSS (process.resourceUsage().maxRSS; PyTorch's processes excluded).
// It ends with the results as markdown tables for BENCHMARKS.md. Progress goes to stderr.
//
// Options: --reps N (default 7; the GEMM and sampling figures take at most 3)  --steps N (timed steps per repetition for WASM and PyTorch)
//          --only a,b (subset of shapes, in that order)  --no-torch  --quick (1 rep, few steps:
//          checks that the script works; its figures are rough)

import { availableParallelism, loadavg } from 'node:os';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { kernelModule, kernelUnavailable, kernelVariant } from '../dist/kernels/wasm/module.js';
import {
  SHAPES, busyShare, fmtGflops, fmtRate, fmtRatio, fmtRuns, loadCorpus, log, machine, median, pad, padL, shapeName,
} from './bench-util.mjs';
import { gemmRates } from './gemm-rates.mjs';
import { createSampler } from './sample-rates.mjs';
import { runTorch, torchStatus } from './torch-peer.mjs';
import { createTrainer } from './train-rates.mjs';

/** Seconds each timed figure aims at: training and sampling, and one gemm figure. */
const TARGET = { train: 3, gemm: 1, sample: 3 };
const QUICK = { reps: 1, wasmSteps: 2, torchSteps: 3, gemm: 0.1, sample: 0.3 };
const SAMPLE_MODEL = { cell: 'lstm', layers: 2, hidden: 512 };
const TORCH_WARMUP = 2;
/** Seconds of TS-kernel training per shape after which its remaining repetitions are skipped. */
const TS_BUDGET = 30;

/** Repetitions of the GEMM and sampling figures, which are not ratios and need fewer. */
const SIDE_REPS = 3;
/** Fewest repetitions for a verdict; the share of all cores busy before a run above which the
 *  machine is reported as not idle. */
const VERDICT_REPS = 5;
const BUSY = 0.05;

const USAGE = `usage: node bench/throughput.mjs [--reps N] [--steps N] [--only a,b,…,h] [--no-torch] [--quick]
shapes: ${Object.values(SHAPES).map(shapeName).join('; ')}`;

function options() {
  let v;
  try {
    ({ values: v } = parseArgs({
      options: {
        reps: { type: 'string' }, steps: { type: 'string' }, only: { type: 'string' },
        'no-torch': { type: 'boolean' }, quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`bench: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (v.help) { console.log(USAGE); process.exit(0); }
  const count = (name, s) => {
    if (s === undefined) return undefined;
    if (!/^[1-9]\d*$/.test(s)) { console.error(`bench: --${name} must be a positive integer, not ${s}\n${USAGE}`); process.exit(2); }
    return Number(s);
  };
  const only = (v.only ?? Object.keys(SHAPES).join(',')).split(',').map((k) => k.trim()).filter(Boolean);
  const bad = only.filter((k) => !SHAPES[k]);
  if (bad.length || !only.length) { console.error(`bench: unknown shape ${bad.join(',') || '(none)'}\n${USAGE}`); process.exit(2); }
  const quick = Boolean(v.quick);
  const steps = count('steps', v.steps);
  return {
    quick,
    reps: count('reps', v.reps) ?? (quick ? QUICK.reps : 7),
    wasmSteps: steps ?? (quick ? QUICK.wasmSteps : null),
    torchSteps: steps ?? (quick ? QUICK.torchSteps : null),
    shapes: only.map((k) => SHAPES[k]),
    torch: !v['no-torch'],
    gemmTarget: quick ? QUICK.gemm : TARGET.gemm,
    sampleTarget: quick ? QUICK.sample : TARGET.sample,
  };
}

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** a / b within each repetition (both ran in it, seconds apart): { median, min, max, n }, or null
 *  when no repetition has both. */
function pairedRatio(a, b) {
  const rs = [];
  for (let r = 0; r < Math.min(a.runs.length, b.runs.length); r++) if (b.runs[r] > 0) rs.push(a.runs[r] / b.runs[r]);
  return rs.length ? { median: median(rs), min: Math.min(...rs), max: Math.max(...rs), n: rs.length } : null;
}
const fmtSpread = (r) => `${fmtRatio(r.median)} (${fmtRatio(r.min)}-${fmtRatio(r.max)})`;

/** What the repetitions' ratios allow one to say about wasm against PyTorch (header: why min-max). */
function verdict(r) {
  if (r.n < VERDICT_REPS) return `none: ${r.n} repetition${r.n === 1 ? '' : 's'} (a verdict needs ${VERDICT_REPS})`;
  if (r.min >= 1) return 'at or above PyTorch (every repetition)';
  if (r.max < 1) return 'below PyTorch (every repetition)';
  return 'none: the repetitions fall on both sides of 1';
}

/** The idle check: how busy the cores were, and who kept them busy, as one line. */
function idleLine(when) {
  const b = busyShare();
  if (!b) return `idle      not checked (no /proc/stat); load ${loadavg().map((x) => x.toFixed(2)).join(' ')} ${when}`;
  const pct = `${(100 * b.share).toFixed(0)}% of the cores busy over 1.5 s ${when}`;
  return b.share > BUSY
    ? `idle      NO: ${pct}, mostly ${b.top.join(', ') || 'short-lived processes'}; these figures are not an idle machine's`
    : `idle      yes: ${pct}`;
}
const threadsLabel = (n) => `wasm, ${n} thread${n === 1 ? '' : 's'}`;

/** A timed figure: runs[] of chars/s filled by measure(), one call per repetition; none after
 *  its runs have taken `budget` seconds. */
const figure = (key, label, unit, measure, dispose = () => {}, budget = Infinity) =>
  ({ key, label, unit, measure, dispose, budget, spent: 0, runs: [], error: null });

/** Run every figure once per repetition, in turn; a figure that throws keeps its error and stops. */
function repeat(figs, reps, what) {
  for (let r = 0; r < reps; r++) {
    for (const f of figs) {
      if (f.error || f.spent >= f.budget) continue;
      log(`${what}: ${f.label}, rep ${r + 1}/${reps} (${f.unit})`);
      const t0 = performance.now();
      try { f.runs.push(f.measure()); } catch (err) { f.error = err.message; }
      f.spent += (performance.now() - t0) / 1000;
    }
  }
  for (const f of figs) { f.median = f.runs.length ? median(f.runs) : null; f.dispose(); }
}

function printFigure(f, extra = '') {
  const body = f.error && !f.runs.length ? `failed: ${f.error}` : `${padL(fmtRate(f.median), 9)} chars/s   runs ${fmtRuns(f.runs, fmtRate)}   (${f.unit})${extra}`;
  console.log(`  ${pad(f.label, 22)}${body}`);
}

async function benchTraining(s, ctx) {
  const { o, corpus, threads, torch } = ctx;
  const name = shapeName(s), figs = [];
  for (const n of threads) {
    log(`${name}: ${threadsLabel(n)}, warm-up`);
    const tr = await createTrainer(s, corpus.V, corpus.tokens, { kernel: 'wasm', threads: n });
    tr.time(1);
    const perStep = tr.time(1);
    const steps = o.wasmSteps ?? clamp(Math.round(TARGET.train / perStep), 2, 100_000);
    figs.push(figure(`wasm${n}`, threadsLabel(n), `${steps} steps each`, () => (steps * tr.charsPerStep) / tr.time(steps), tr.dispose));
  }
  {
    log(`${name}: ts kernel, warm-up on B2 T4`);
    const warm = await createTrainer(s, corpus.V, corpus.tokens, { kernel: 'ts' }, 2, 4);
    warm.time(2);
    warm.dispose();
    const tr = await createTrainer(s, corpus.V, corpus.tokens, { kernel: 'ts' });
    figs.push(figure('ts', 'ts kernel', '1 step each', () => tr.charsPerStep / tr.time(1), tr.dispose, TS_BUDGET));
  }
  if (torch.version) {
    let steps = o.torchSteps;
    let error = null;
    if (steps == null) {
      log(`${name}: PyTorch, trial run`);
      try {
        const { rate } = runTorch(corpus.path, s, 5, TORCH_WARMUP);
        steps = clamp(Math.round((TARGET.train * rate) / (s.batch * s.seq)), 5, 100_000);
      } catch (err) { error = err.message; }
    }
    const f = figure('torch', 'PyTorch', `${steps ?? '?'} steps each`, () => runTorch(corpus.path, s, steps, TORCH_WARMUP).rate);
    f.error = error;
    figs.push(f);
  }
  repeat(figs, o.reps, name);

  const by = Object.fromEntries(figs.map((f) => [f.key, f]));
  const f1 = by[`wasm${threads[0]}`], fN = by[`wasm${threads.at(-1)}`], ft = by.torch ?? null;
  const result = {
    shape: s, one: f1.median, all: fN.median, ts: by.ts.median, torch: ft?.median ?? null,
    speedup: threads.length > 1 ? pairedRatio(fN, f1) : null,
    ratio: ft ? pairedRatio(fN, ft) : null,
  };
  console.log(`${name}   (${s.batch * s.seq} characters per step)`);
  for (const f of figs) {
    let extra = '';
    if (f.key === `wasm${threads.at(-1)}` && result.speedup) extra = `   speedup ×${fmtSpread(result.speedup)} over 1 thread`;
    printFigure(f, extra);
  }
  if (!torch.version) console.log(`  ${pad('PyTorch', 22)}not run: ${torch.reason}`);
  else if (result.ratio) console.log(`  ${pad('wasm / PyTorch', 22)}${fmtSpread(result.ratio)}   verdict: ${verdict(result.ratio)}`);
  return result;
}

async function benchSampling(ctx) {
  const { o, corpus } = ctx;
  const what = `sampling ${SAMPLE_MODEL.cell.toUpperCase()} ${SAMPLE_MODEL.layers}×${SAMPLE_MODEL.hidden}`;
  const figs = [];
  for (const [label, opts] of [[threadsLabel(1), { kernel: 'wasm', threads: 1 }], [threadsLabel(2), { kernel: 'wasm', threads: 2 }], ['ts kernel', { kernel: 'ts' }]]) {
    log(`${what}: ${label}, warm-up`);
    const sm = await createSampler(SAMPLE_MODEL, corpus.chars, opts);
    sm.time(16);
    const n = clamp(Math.round((o.sampleTarget * 32) / sm.time(32)), 32, 10_000_000);
    figs.push(figure(label, label, `${n} characters each`, () => n / sm.time(n), sm.dispose));
  }
  repeat(figs, Math.min(o.reps, SIDE_REPS), what);
  console.log(`\n## Sampling, ${SAMPLE_MODEL.cell.toUpperCase()} ${SAMPLE_MODEL.layers}×${SAMPLE_MODEL.hidden}, batch 1 (generate(): forwardLoss + pickToken per character)`);
  for (const f of figs) printFigure(f);
  return figs;
}

function printGemmRow(row, threads) {
  const [M, N, K] = row.mnk;
  const cells = threads.map((n) => {
    const runs = row.runs.get(n);
    return `${n} thr ${padL(fmtGflops(median(runs)), 6)} (${fmtRuns(runs, fmtGflops)})`;
  });
  const speed = threads.length > 1 ? `   ×${fmtRatio(median(row.runs.get(threads.at(-1))) / median(row.runs.get(threads[0])))}` : '';
  console.log(`  ${pad(`(${row.shape.key})`, 4)}${pad(row.form, 20)}${pad(`${M}×${N}×${K}`, 16)}${cells.join('   ')}${speed}`);
}

function markdown(ctx, train, gemm, sampling, rssMB) {
  const { o, threads, torch, mach, date, idle0, idle1 } = ctx;
  const N = threads.at(-1);
  const args = process.argv.slice(2).join(' ');
  const lines = [
    `## Throughput: WASM kernel, TS kernel and PyTorch (${date.slice(0, 10)})`,
    '',
    `    npm run bench${args ? ` -- ${args}` : ''}`,
    '',
    `${mach.model}, ${mach.cores} cores, Node ${mach.node}, kernel variant ${kernelVariant()}. Median of ${o.reps} `
      + `repetition${o.reps === 1 ? '' : 's'}, side by side in one invocation; training is forward, backward, clip 5 and Adam `
      + `on tiny-shakespeare windows${torch.version ? `; PyTorch ${torch.version} with OPENBLAS_NUM_THREADS=2, 1 torch thread` : ''}. `
      + `Idle check (/proc/stat, bench asleep): ${idle0.replace(/^idle\s+/, '')}; at the end ${idle1.replace(/^idle\s+/, '')}.`,
    '',
    'Training, chars/s (the ts kernel: 1 step per repetition, at most 30 s per shape):',
    '',
    `Ratios are medians of the repetitions' own ratios, with their min-max; the verdict needs every repetition on one side of 1.`,
    '',
    `| shape | wasm 1 thread | wasm ${N} threads | 1 → ${N} threads | ts kernel | PyTorch | wasm ${N} threads / PyTorch | verdict |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...train.map((t) => `| ${shapeName(t.shape)} | ${fmtRate(t.one)} | ${fmtRate(t.all)} | ${t.speedup ? `×${fmtSpread(t.speedup)}` : '-'} | ${fmtRate(t.ts)} | ${fmtRate(t.torch)} | ${t.ratio ? fmtSpread(t.ratio) : '-'} | ${t.ratio ? verdict(t.ratio) : '-'} |`),
    '',
    'GEMM op, GFLOP/s (the weight-gradient form includes its transpose):',
    '',
    `| shape | form | M×N×K | ${threads.map((n) => `${n} thread${n === 1 ? '' : 's'}`).join(' | ')}${N > 1 ? ` | 1 → ${N} threads` : ''} |`,
    `|---|---|---|${threads.map(() => '---:').join('|')}${N > 1 ? '|---:' : ''}|`,
    ...gemm.map((r) => {
      const m = threads.map((n) => median(r.runs.get(n)));
      return `| (${r.shape.key}) | ${r.form} | ${r.mnk.join('×')} | ${m.map(fmtGflops).join(' | ')}${N > 1 ? ` | ×${fmtRatio(m.at(-1) / m[0])}` : ''} |`;
    }),
    '',
    `Sampling, ${SAMPLE_MODEL.cell.toUpperCase()} ${SAMPLE_MODEL.layers}×${SAMPLE_MODEL.hidden}, batch 1:`,
    '',
    '| kernel | chars/s |',
    '|---|---:|',
    ...sampling.map((f) => `| ${f.label} | ${fmtRate(f.median)} |`),
    '',
    `Peak RSS of the bench process: ${rssMB.toFixed(0)} MB. It holds a shape's 1-thread, ${N}-thread and TS engines at once `
      + '(and the GEMM buffers), so this is not the memory of one `rnn train`; PyTorch runs in its own processes.',
  ];
  return lines.join('\n');
}

async function main() {
  const o = options();
  const module = kernelModule();
  if (!module) { console.error(`bench: the WASM kernel is unavailable: ${kernelUnavailable()}`); process.exit(1); }
  const mach = machine();
  const cores = availableParallelism();
  const threads = cores > 1 ? [1, cores] : [1];
  const corpus = loadCorpus();
  const torch = o.torch ? torchStatus() : { reason: '--no-torch' };
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const ctx = { o, corpus, threads, torch, mach, date, idle0: idleLine('before the start') };

  console.log(`# rnn benchmark, ${date}${o.quick ? '  (--quick: 1 rep, few steps; rough figures)' : ''}`);
  console.log(`machine   ${mach.model}${mach.simd.length ? ` (${mach.simd.join(', ')})` : ''}, ${cores} cores; Node ${mach.node}; WASM kernel variant ${kernelVariant()}`);
  console.log(ctx.idle0);
  console.log(`load      ${loadavg().map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min averages at start)`);
  console.log(`corpus    ${corpus.generated ? 'generated stand-in for tiny-shakespeare' : relative(process.cwd(), corpus.path)}: ${corpus.length.toLocaleString('en-US')} characters, first 90% used; V = ${corpus.V} (${corpus.chars.length} characters + EOS)`);
  console.log(`training  Adam lr 2e-3, clip 5, no dropout; median of ${o.reps} rep${o.reps === 1 ? '' : 's'} (runs listed); warm-up 2 steps; `
    + `wasm ${o.wasmSteps ? `${o.wasmSteps} steps` : `steps for ~${TARGET.train} s`} per rep; ts kernel 1 step per rep, reps stop after ${TS_BUDGET} s per shape`);
  console.log(`PyTorch   ${torch.version ? `${torch.version}: torch_peer.py, OPENBLAS_NUM_THREADS=2 --threads 1, warm-up ${TORCH_WARMUP}, ${o.torchSteps ? `${o.torchSteps} steps` : `steps for ~${TARGET.train} s`} per rep` : `not run: ${torch.reason}`}`);

  console.log('\n## Training (chars/s)');
  const train = [];
  for (const s of o.shapes) train.push(await benchTraining(s, ctx));

  console.log(`\n## GEMM op (GFLOP/s, median of ${o.reps}; ~${o.gemmTarget} s per figure)`);
  const gemm = await gemmRates(module, o.shapes, threads, { reps: Math.min(o.reps, SIDE_REPS), target: o.gemmTarget, onRow: (row) => printGemmRow(row, threads) });

  const sampling = await benchSampling(ctx);

  const rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak RSS  ${rssMB.toFixed(0)} MB (this process, several engines alive at once; PyTorch runs in its own)`);
  ctx.idle1 = idleLine('after the end');
  console.log(ctx.idle1);
  console.log(`\n## For BENCHMARKS.md\n\n${markdown(ctx, train, gemm, sampling, rssMB)}`);
}

await main();
