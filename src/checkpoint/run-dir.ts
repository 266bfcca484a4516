// Where a run's files go: --out, or runs/<corpus name> (runs/<name>-2, -3, … when that already
// holds checkpoints), and how `rnn sample`/`eval` find a checkpoint from a file or run directory.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { BEST_FILE, LAST_FILE, PREV_FILE } from './run-files.js';
import { UsageError } from '../errors.js';

export { BEST_FILE, LAST_FILE, PREV_FILE };
export const METRICS_FILE = 'metrics.jsonl';
/** `rnn plot`'s chart of a run. */
export const CHART_FILE = 'loss.svg';
/** Every file a run leaves in its directory: a new run there replaces them all, so nothing of
 *  the run before it can be taken for its own. */
export const RUN_FILES = [LAST_FILE, PREV_FILE, BEST_FILE, METRICS_FILE, CHART_FILE] as const;
export const RUNS_DIR = 'runs';

/** A directory holding any checkpoint of a run, the kept previous one included. */
export const hasCheckpoints = (dir: string): boolean =>
  [LAST_FILE, BEST_FILE, PREV_FILE].some((f) => existsSync(join(dir, f)));

export function resolveOutDir(out: string | undefined, corpusPaths: string[], force: boolean): string {
  if (out !== undefined) {
    if (hasCheckpoints(out) && !force) {
      throw new UsageError(`${out} already holds checkpoints of another run`, 'choose another --out, or add --force to overwrite them');
    }
    return out;
  }
  const first = corpusPaths[0] ?? 'corpus';
  const stem = first === '-' ? 'stdin' : basename(first, extname(first)) || 'corpus';
  let dir = join(RUNS_DIR, stem);
  for (let k = 2; hasCheckpoints(dir) && !force; k++) dir = join(RUNS_DIR, `${stem}-${k}`);
  return dir;
}

/** A checkpoint path from a file, a run directory (best.json, else last.json), or, when absent,
 *  the most recently written checkpoint under ./runs. last.prev.json is never picked: it is the
 *  fallback a user names after last.json turned out damaged. */
export function resolveCheckpoint(arg: string | undefined): string {
  if (arg === undefined) {
    const found = newestRunCheckpoint();
    if (!found) throw new UsageError('no checkpoint given, and there is no run under ./runs', 'train one first with `rnn train`, or give a checkpoint path');
    return found;
  }
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    for (const f of [BEST_FILE, LAST_FILE]) if (existsSync(join(arg, f))) return join(arg, f);
    const prev = join(arg, PREV_FILE);
    throw new UsageError(`${arg} is a directory without ${BEST_FILE} or ${LAST_FILE}`, existsSync(prev)
      ? `it holds the previous checkpoint ${prev}: give that file to use it`
      : 'give a checkpoint file or a run directory');
  }
  return arg;
}

function newestRunCheckpoint(): string | null {
  if (!existsSync(RUNS_DIR)) return null;
  let best: { path: string; mtime: number } | null = null;
  for (const d of readdirSync(RUNS_DIR)) {
    for (const f of [BEST_FILE, LAST_FILE]) {
      const p = join(RUNS_DIR, d, f);
      if (!existsSync(p)) continue;
      const mtime = statSync(p).mtimeMs;
      if (!best || mtime > best.mtime) best = { path: p, mtime };
      break;
    }
  }
  return best?.path ?? null;
}
