// A full garbage collection on demand, for the one moment it matters: after the corpus files are
// decoded, their byte buffers (as large as the corpus) are garbage, but V8 has not collected them
// when the token stream (twice the corpus) is allocated, so a 100 MB corpus peaked 100 MB higher.
// --expose-gc can be set at run time; `gc` then exists in contexts created afterwards.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const f: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      gc = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
