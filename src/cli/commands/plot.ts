// `rnn plot`: train and validation loss of a run as an SVG (nats and bits per character), plus a
// sparkline of each on stdout; with several runs, their validation losses in one chart. Reads a
// run directory's metrics.jsonl, a metrics file, or the metrics history inside a checkpoint;
// against step, or against minutes of training (`--x time`).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../checkpoint/atomic-write.js';
import { loadCheckpoint } from '../../checkpoint/io.js';
import { DataError } from '../../errors.js';
import { chartSvg, lossChartSvg, RUN_COLOURS, type LossPoint } from '../../plot/loss-chart.js';
import { sparkline } from '../../plot/sparkline.js';
import { CHART_FILE, METRICS_FILE, resolveCheckpoint } from '../../checkpoint/run-dir.js';

interface PlotFlags { out?: string; width: number; x: 'step' | 'time' }

type Row = LossPoint & { time: number | null };

const LN2 = Math.log(2);

function readMetricsFile(path: string): Row[] {
  const rows: Row[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: { step?: unknown; time?: unknown; trainLoss?: unknown; valLoss?: unknown };
    try { r = JSON.parse(line); } catch { throw new DataError(`${path}:${i + 1} is not a JSON line`, 'give a metrics.jsonl written by rnn train, a run directory or a checkpoint'); }
    if (typeof r.step !== 'number') throw new DataError(`${path}:${i + 1} has no step`, 'give a metrics.jsonl written by rnn train');
    rows.push({
      step: r.step, time: typeof r.time === 'number' ? r.time : null,
      trainLoss: typeof r.trainLoss === 'number' ? r.trainLoss : null, valLoss: typeof r.valLoss === 'number' ? r.valLoss : null,
    });
  });
  return rows;
}

/** The metrics to plot and where they came from. */
function source(given: string | undefined): { points: Row[]; from: string; dir: string; title: string } {
  // No argument: the newest run's directory (its metrics.jsonl runs to the last step; best.json's
  // history stops at the best one).
  const arg = given ?? dirname(resolveCheckpoint(undefined));
  const isDir = existsSync(arg) && statSync(arg).isDirectory();
  if (isDir && existsSync(join(arg, METRICS_FILE))) {
    const from = join(arg, METRICS_FILE);
    return { points: readMetricsFile(from), from, dir: arg, title: basename(arg) };
  }
  if (arg.endsWith('.jsonl')) return { points: readMetricsFile(arg), from: arg, dir: dirname(arg), title: basename(arg) === METRICS_FILE ? basename(dirname(arg)) : basename(arg, '.jsonl') };
  const ck = resolveCheckpoint(arg);
  const rows = loadCheckpoint(ck).training?.metrics ?? [];
  return { points: rows.map((r) => ({ step: r.step, time: r.time, trainLoss: r.trainLoss, valLoss: r.valLoss })), from: ck, dir: dirname(ck), title: basename(dirname(ck)) };
}

export async function plotMain(args: string[], raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as PlotFlags;
  const runs = (args.length ? args : [undefined]).map(source);
  for (const r of runs) {
    if (!r.points.some((p) => p.trainLoss !== null || p.valLoss !== null)) {
      throw new DataError(`${r.from} holds no losses to plot`, 'train for at least 10 steps first (metrics are written every 10 steps)');
    }
    if (f.x === 'time' && r.points.some((p) => p.time === null)) throw new DataError(`${r.from} has rows without a time`, 'plot it against --x step');
  }
  // x of a row: its step, or minutes of training
  const xOf = (p: Row): number => (f.x === 'time' ? p.time! / 60 : p.step);
  const xLabel = f.x === 'time' ? 'training time (minutes)' : 'step';
  let out: string;
  if (runs.length === 1) {
    const { points, dir, title } = runs[0]!;
    out = f.out ?? join(dir, CHART_FILE);
    writeFileAtomic(out, f.x === 'time'
      ? chartSvg([
        { key: 'train', label: 'train', colour: RUN_COLOURS[1]!, width: 1.5, points: points.flatMap((p) => (p.trainLoss === null ? [] : [{ x: xOf(p), y: p.trainLoss }])) },
        { key: 'val', label: 'validation', colour: RUN_COLOURS[0]!, markers: true, points: points.flatMap((p) => (p.valLoss === null ? [] : [{ x: xOf(p), y: p.valLoss }])) },
      ], `${title}: loss per character`, xLabel)
      : lossChartSvg(points, `${title}: loss per character`));
  } else {
    out = f.out ?? 'compare.svg';
    writeFileAtomic(out, chartSvg(runs.map((r, i) => ({
      key: `val run${i}`, label: r.title, colour: RUN_COLOURS[i % RUN_COLOURS.length]!, markers: true,
      points: r.points.flatMap((p) => (p.valLoss === null ? [] : [{ x: xOf(p), y: p.valLoss }])),
    })), 'validation loss per character', xLabel));
  }
  const line = (label: string, vals: number[], extra = ''): string => (vals.length
    ? `${label.padEnd(6)}${sparkline(vals, f.width)}  ${vals[0]!.toFixed(3)} → ${vals[vals.length - 1]!.toFixed(3)} nats/char${extra}\n` : '');
  let text = '';
  for (const { points, title } of runs) {
    const train = points.flatMap((p) => (p.trainLoss === null ? [] : [p.trainLoss]));
    const valRows = points.filter((p) => p.valLoss !== null);
    const best = valRows.reduce<Row | null>((b, p) => (b === null || p.valLoss! < b.valLoss! ? p : b), null);
    if (runs.length > 1) text += `${title}\n`;
    text += line('train', train)
      + line('val', valRows.map((p) => p.valLoss!), best ? ` (best ${best.valLoss!.toFixed(3)} = ${(best.valLoss! / LN2).toFixed(3)} bits/char at step ${best.step})` : '');
  }
  process.stdout.write(text);
  process.stderr.write(`wrote ${out}\n`);
}
