// The checkpoint files of a run directory, and the one rule that ties two of them together: a file
// named last.json keeps its predecessor as last.prev.json beside it. Saving (io.ts) rotates by this
// rule and loading points at the predecessor when last.json is damaged, so both read it from here.

import { basename, dirname, join } from 'node:path';

/** Written every --save-every steps and at the end of a run. */
export const LAST_FILE = 'last.json';
/** The previous last.json, kept when last.json is replaced: a complete checkpoint to fall back to
 *  if the newest one is damaged. Never picked automatically: a user names it. */
export const PREV_FILE = 'last.prev.json';
/** The best validation loss so far; replaced without keeping its predecessor. */
export const BEST_FILE = 'best.json';

/** Where the predecessor of the checkpoint at `path` is kept, or null for a file that keeps none. */
export function previousCheckpointPath(path: string): string | null {
  return basename(path) === LAST_FILE ? join(dirname(path), PREV_FILE) : null;
}
