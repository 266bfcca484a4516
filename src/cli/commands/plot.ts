// `rnn plot`: train and validation loss of a run as an SVG (nats and bits per character), plus a
// sparkline of each on stdout. Reads a run directory's metrics.jsonl, a metrics file, or the
// metrics history inside a checkpoint.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../../checkpoint/atomic-write.js';
import { loadCheckpoint } from '../../checkpoint/io.js';
import { DataError } from '../../errors.js';
import { lossChartSvg, type LossPoint } from '../../plot/loss-chart.js';
import { sparkline } from '../../plot/sparkline.js';
import { METRICS_FILE, resolveCheckpoint } from '../run-dir.js';

interface PlotFlags { out?: string; width: number }

const LN2 = Math.log(2);

function readMetricsFile(path: string): LossPoint[] {
  const rows: LossPoint[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let r: { step?: unknown; trainLoss?: unknown; valLoss?: unknown };
    try { r = JSON.parse(line); } catch { throw new DataError(`${path}:${i + 1} is not a JSON line`, 'give a metrics.jsonl written by rnn train, a run directory or a checkpoint'); }
    if (typeof r.step !== 'number') throw new DataError(`${path}:${i + 1} has no step`, 'give a metrics.jsonl written by rnn train');
    rows.push({ step: r.step, trainLoss: typeof r.trainLoss === 'number' ? r.trainLoss : null, valLoss: typeof r.valLoss === 'number' ? r.valLoss : null });
  });
  return rows;
}

/** The metrics to plot and where they came from. */
function source(given: string | undefined): { points: LossPoint[]; from: string; dir: string; title: string } {
  // No argument: the newest run's directory (its metrics.jsonl runs to the last step; best.json's
  // history stops at the best one).
  const arg = given ?? dirname(resolveCheckpoint(undefined));
  const isDir = existsSync(arg) && statSync(arg).isDirectory();
  if (isDir && existsSync(join(arg, METRICS_FILE))) {
    const from = join(arg, METRICS_FILE);
    return { points: readMetricsFile(from), from, dir: arg, title: basename(arg) };
  }
  if (arg.endsWith('.jsonl')) return { points: readMetricsFile(arg), from: arg, dir: dirname(arg), title: basename(dirname(arg)) };
  const ck = resolveCheckpoint(arg);
  const rows = loadCheckpoint(ck).training?.metrics ?? [];
  return { points: rows.map((r) => ({ step: r.step, trainLoss: r.trainLoss, valLoss: r.valLoss })), from: ck, dir: dirname(ck), title: basename(dirname(ck)) };
}

export async function plotMain(arg: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as PlotFlags;
  const { points, from, dir, title } = source(arg);
  if (!points.some((p) => p.trainLoss !== null || p.valLoss !== null)) {
    throw new DataError(`${from} holds no losses to plot`, 'train for at least 10 steps first (metrics are written every 10 steps)');
  }
  const out = f.out ?? join(dir, 'loss.svg');
  writeFileAtomic(out, lossChartSvg(points, `${title}: loss per character`));
  const line = (label: string, vals: number[], extra = ''): string => (vals.length
    ? `${label.padEnd(6)}${sparkline(vals, f.width)}  ${vals[0]!.toFixed(3)} → ${vals[vals.length - 1]!.toFixed(3)} nats/char${extra}\n` : '');
  const train = points.flatMap((p) => (p.trainLoss === null ? [] : [p.trainLoss]));
  const valRows = points.filter((p) => p.valLoss !== null);
  const best = valRows.reduce<LossPoint | null>((b, p) => (b === null || p.valLoss! < b.valLoss! ? p : b), null);
  process.stdout.write(line('train', train)
    + line('val', valRows.map((p) => p.valLoss!), best ? ` (best ${best.valLoss!.toFixed(3)} = ${(best.valLoss! / LN2).toFixed(3)} bits/char at step ${best.step})` : ''));
  process.stderr.write(`wrote ${out}\n`);
}
