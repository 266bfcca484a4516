// Keeping the previous checkpoint: replacing last.json moves its predecessor to last.prev.json by
// renames that leave a complete last.json, and a complete last.prev.json once there was one, after
// every single file-system call, on file systems with or without hard links, and after a failure
// at any call; the directory is fsynced after the renames. A last.json that does not load points at
// a last.prev.json that does; run directories still resolve to best.json, else last.json.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFs, writeFileAtomic, type AtomicFs } from '../src/checkpoint/atomic-write.js';
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint/io.js';
import { CheckpointError, RnnError, UsageError } from '../src/errors.js';
import { resolveCheckpoint, resolveOutDir } from '../src/checkpoint/run-dir.js';
import { cloneJson, smallCheckpoint, thrown } from './checkpoint-helpers.js';
import { tempDir } from './helpers/cli.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: injected`), { code });

/** A run directory whose last.json holds `last` and, when given, last.prev.json holds `prev`. */
function runDir(last: string, prev?: string): { dir: string; last: string; prev: string } {
  const dir = tempDir('rnn-rotate-');
  writeFileSync(join(dir, 'last.json'), last);
  if (prev !== undefined) writeFileSync(join(dir, 'last.prev.json'), prev);
  return { dir, last: join(dir, 'last.json'), prev: join(dir, 'last.prev.json') };
}

const read = (p: string): string | null => (existsSync(p) ? readFileSync(p, 'utf8') : null);

/** `base` with `check` run after every call (`fail` before it: throwing there stops the call),
 *  and a log of the calls with the file names they were given. */
function watched(base: AtomicFs, check: (call: string) => void, log: string[] = [], fail?: (call: string) => void): AtomicFs {
  const fs = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(base)) {
    fs[name] = (...args: unknown[]) => {
      const call = `${name}(${args.filter((a) => typeof a === 'string').map((a) => String(a).split('/').pop()).join(', ')})`;
      fail?.(call);
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      log.push(call);
      check(call);
      return r;
    };
  }
  return fs as unknown as AtomicFs;
}

const noLinks: AtomicFs = { ...nodeFs, link: () => { throw errno('EPERM'); } };

describe('writeFileAtomic with keepPrevious', () => {
  for (const [what, base] of [['with hard links', nodeFs], ['without hard links (copied instead)', noLinks]] as const) {
    it(`${what}: after every call last.json is old or new and last.prev.json older or old, never missing or partial`, () => {
      const r = runDir('OLD', 'OLDER');
      const seen = new Set<string>();
      const fs = watched(base, (call) => {
        const last = read(r.last), prev = read(r.prev);
        expect(['OLD', 'NEW'], `last.json after ${call}`).toContain(last);
        expect(['OLDER', 'OLD'], `last.prev.json after ${call}`).toContain(prev);
        seen.add(`${last}/${prev}`);
      });
      writeFileAtomic(r.last, 'NEW', fs, { keepPrevious: r.prev });
      expect([read(r.last), read(r.prev)]).toEqual(['NEW', 'OLD']);
      expect(readdirSync(r.dir).sort()).toEqual(['last.json', 'last.prev.json']);
      // the previous file moves first, then the new one: the two states in between, in order
      expect([...seen]).toEqual(['OLD/OLDER', 'OLD/OLD', 'NEW/OLD']);
    });
  }

  it('fsyncs a copy before renaming it, and the directory after the last rename', () => {
    const r = runDir('OLD');
    const log: string[] = [];
    writeFileAtomic(r.last, 'NEW', watched(noLinks, () => {}, log), { keepPrevious: r.prev });
    const at = (re: RegExp): number => log.findIndex((c) => re.test(c));
    const copyOpened = at(/^open\(.*\.prev\.tmp, r\+\)$/);
    expect(log[copyOpened + 1]).toBe('fsync()');
    expect(copyOpened).toBeGreaterThan(at(/^copyFile\(/));
    expect(at(/^rename\(.*\.prev\.tmp, last\.prev\.json\)$/)).toBeGreaterThan(copyOpened);
    const lastRename = at(/^rename\(.*\.tmp, last\.json\)$/);
    expect(log.slice(lastRename + 1)).toEqual([`open(${r.dir.split('/').pop()}, r)`, 'fsync()', 'close()']);
  });

  it('keeps nothing on the first write, when there is no previous file', () => {
    const dir = tempDir('rnn-rotate-');
    writeFileAtomic(join(dir, 'last.json'), 'FIRST', nodeFs, { keepPrevious: join(dir, 'last.prev.json') });
    expect(readdirSync(dir)).toEqual(['last.json']);
  });

  it('a failure at any call leaves last.json as it was (or new, once renamed), last.prev.json complete, no temporary file', () => {
    const log: string[] = [];
    const first = runDir('OLD', 'OLDER');
    writeFileAtomic(first.last, 'NEW', watched(nodeFs, () => {}, log), { keepPrevious: first.prev });
    for (let k = 0; k < log.length; k++) {
      const r = runDir('OLD', 'OLDER');
      let n = 0, renamed = false;
      const fs = watched(nodeFs, (call) => { if (/^rename\(.*\.tmp, last\.json\)$/.test(call)) renamed = true; }, [],
        () => { if (n++ === k) throw errno('EIO'); });
      let threw = false;
      try { writeFileAtomic(r.last, 'NEW', fs, { keepPrevious: r.prev }); } catch (e) { threw = true; expect(e).toBeInstanceOf(RnnError); }
      expect(read(r.last), `failing ${log[k]}`).toBe(renamed ? 'NEW' : 'OLD');
      if (!renamed) expect(threw, `failing ${log[k]}`).toBe(true);
      expect(['OLDER', 'OLD']).toContain(read(r.prev));
      expect(readdirSync(r.dir).sort(), `failing ${log[k]}`).toEqual(['last.json', 'last.prev.json']);
    }
  });
});

describe('saveCheckpoint', () => {
  it('a last.json keeps its predecessor as last.prev.json; best.json and other names keep none', () => {
    const dir = tempDir('rnn-rotate-');
    const a = smallCheckpoint(), b = cloneJson(a), c = cloneJson(a);
    b.training!.step = 6; c.training!.step = 7;
    for (const ck of [a, b, c]) {
      saveCheckpoint(join(dir, 'last.json'), ck);
      saveCheckpoint(join(dir, 'best.json'), ck);
      saveCheckpoint(join(dir, 'other.json'), ck);
    }
    expect(readdirSync(dir).sort()).toEqual(['best.json', 'last.json', 'last.prev.json', 'other.json']);
    expect(loadCheckpoint(join(dir, 'last.json')).training!.step).toBe(7);
    expect(loadCheckpoint(join(dir, 'last.prev.json')).training!.step).toBe(6);
  });
});

describe('loading a damaged last.json', () => {
  const good = (step: number): string => { const ck = cloneJson(smallCheckpoint()); ck.training!.step = step; return JSON.stringify(ck); };
  const flipped = (): string => {
    const ck = cloneJson(smallCheckpoint());
    const d = ck.tensors[0]!.data;
    ck.tensors[0]!.data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1);
    return JSON.stringify(ck);
  };

  it('a checksum failure names last.json, and the hint how to continue from a last.prev.json that loads', () => {
    const r = runDir(flipped(), good(4));
    const e = thrown(() => loadCheckpoint(r.last), CheckpointError);
    expect(e.message).toBe(`${r.last}: tensors[0].data: does not match its checksum (the file is damaged)`);
    expect(e.hint).toBe(`the previous checkpoint ${r.prev} (step 4) loads: continue with rnn train --resume ${r.prev}`);
  });

  it('so does a truncated last.json', () => {
    const r = runDir(good(5).slice(0, 500), good(4));
    const e = thrown(() => loadCheckpoint(r.last), CheckpointError);
    expect(e.message).toBe(`${r.last}: not a complete JSON document (truncated or not a checkpoint?)`);
    expect(e.hint).toBe(`the previous checkpoint ${r.prev} (step 4) loads: continue with rnn train --resume ${r.prev}`);
  });

  it('when last.prev.json is damaged too, the hint says so and does not offer it', () => {
    const r = runDir(flipped(), 'garbage');
    const e = thrown(() => loadCheckpoint(r.last), CheckpointError);
    expect(e.hint).toMatch(new RegExp(`^the previous checkpoint does not load either \\(${r.prev}: not a complete JSON document`));
    expect(e.hint).not.toContain('--resume');
  });

  it('without last.prev.json, or for a file not named last.json, the hint is the plain one', () => {
    const alone = runDir(flipped());
    expect(thrown(() => loadCheckpoint(alone.last), CheckpointError).hint).not.toContain('last.prev.json loads');
    const r = runDir(good(5), good(4));
    writeFileSync(join(r.dir, 'best.json'), flipped());
    expect(thrown(() => loadCheckpoint(join(r.dir, 'best.json')), CheckpointError).hint).not.toContain(r.prev);
  });
});

describe('run directories', () => {
  it('resolve to best.json, else last.json, never to last.prev.json', () => {
    const r = runDir('x', 'y');
    writeFileSync(join(r.dir, 'best.json'), 'z');
    expect(resolveCheckpoint(r.dir)).toBe(join(r.dir, 'best.json'));
    const noBest = runDir('x', 'y');
    expect(resolveCheckpoint(noBest.dir)).toBe(noBest.last);
    const onlyPrev = tempDir('rnn-rotate-');
    writeFileSync(join(onlyPrev, 'last.prev.json'), 'y');
    const e = thrown(() => resolveCheckpoint(onlyPrev), UsageError);
    expect(e.message).toBe(`${onlyPrev} is a directory without best.json or last.json`);
    expect(e.hint).toBe(`it holds the previous checkpoint ${join(onlyPrev, 'last.prev.json')}: give that file to use it`);
  });

  it('a directory holding only last.prev.json counts as holding checkpoints for --out', () => {
    const dir = join(tempDir('rnn-rotate-'), 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'last.prev.json'), 'y');
    expect(() => resolveOutDir(dir, [], false)).toThrow(UsageError);
    expect(resolveOutDir(dir, [], true)).toBe(dir);
  });
});
