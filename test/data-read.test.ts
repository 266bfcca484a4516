import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readSources, STDIN_NAME } from '../src/data/read-sources.js';
import { DataError, UsageError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rnn-data-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function rejection(p: Promise<unknown>): Promise<Error & { hint?: string }> {
  try { await p; } catch (err) { return err as Error; }
  throw new Error('expected a rejection');
}

describe('readSources', () => {
  it('reads several files in order, each decoded and normalised on its own', async () => {
    // the property: one Source per path, named by the path, BOM stripped per file, CRLF -> LF
    const a = file('a.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('one\r\ntwo\r\n')]));
    const b = file('b.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('three 🙂\r')]));
    expect(await readSources([a, b])).toEqual([
      { name: a, text: 'one\ntwo\n' },
      { name: b, text: 'three 🙂\n' },
    ]);
  });

  it("reads '-' from the given stdin stream, in its place among the files", async () => {
    // the property: '-' becomes a Source named <stdin>, chunks joined even when split mid-character
    const a = file('s1.txt', 'file text\n');
    const emoji = Buffer.from('🙂');
    const stdin = Readable.from([Buffer.from('from '), emoji.subarray(0, 2), emoji.subarray(2), Buffer.from('\r\nstdin')]);
    expect(await readSources([a, '-'], { stdin })).toEqual([
      { name: a, text: 'file text\n' },
      { name: STDIN_NAME, text: 'from 🙂\nstdin' },
    ]);
  });

  it('names <stdin> in decoding errors', async () => {
    // the property: errors from stdin bytes carry the stdin name and byte offset
    const stdin = Readable.from([Buffer.from([0x61, 0x62, 0x63, 0xff])]);
    const e = await rejection(readSources(['-'], { stdin }));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe('<stdin>: invalid UTF-8 at byte 3 (invalid lead byte)');
  });

  it("refuses '-' twice, no paths, and a terminal as stdin, as usage errors", async () => {
    // the property: argument mistakes are UsageErrors with hints, before anything is read
    const twice = await rejection(readSources(['-', '-'], { stdin: Readable.from([]) }));
    expect(twice).toBeInstanceOf(UsageError);
    expect(twice.hint).toBeTruthy();
    expect(await rejection(readSources([]))).toBeInstanceOf(UsageError);
    const tty = Object.assign(Readable.from([Buffer.from('x')]), { isTTY: true });
    const e = await rejection(readSources(['-'], { stdin: tty }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.hint).toMatch(/pipe/);
  });

  it('turns a missing file into a one-line DataError naming the path', async () => {
    // the property: ENOENT -> "<path>: no such file" with a hint
    const path = join(dir, 'does-not-exist.txt');
    const e = await rejection(readSources([path]));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`${path}: no such file`);
    expect(e.message).not.toContain('\n');
    expect(e.hint).toBeTruthy();
    const under = join(file('plain.txt', 'x'), 'child.txt');
    expect((await rejection(readSources([under]))).message).toMatch(/^.*child\.txt: no such file/);
  });

  it('turns a directory into a DataError naming the path', async () => {
    // the property: a directory is refused before reading, with a hint to give its files
    const sub = join(dir, 'subdir');
    mkdirSync(sub);
    const e = await rejection(readSources([sub]));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`${sub}: is a directory, not a text file`);
    expect(e.hint).toContain(`${sub}/*.txt`);
  });

  it('refuses a device instead of reading it forever (/dev/zero) or as empty (/dev/null)', async () => {
    for (const dev of ['/dev/zero', '/dev/null']) {
      const e = await rejection(readSources([dev]));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toBe(`${dev}: is a device or socket, not a text file`);
    }
  });

  it('refuses an empty corpus and a whitespace-only corpus, but not one empty file among others', async () => {
    // the property: the check is over the whole corpus; the message says which case it is
    const empty = file('empty.txt', '');
    const blank = file('blank.txt', ' \n\t\r\n\u00a0\u3000\n');
    const text = file('text.txt', 'x');
    let e = await rejection(readSources([empty]));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toBe(`corpus is empty (${empty})`);
    expect(e.hint).toBeTruthy();
    e = await rejection(readSources([empty, blank]));
    expect(e.message).toBe(`corpus contains only whitespace (${empty}, ${blank})`);
    expect(await readSources([empty, blank, text])).toHaveLength(3);
    e = await rejection(readSources(['-'], { stdin: Readable.from([]) }));
    expect(e.message).toBe('corpus is empty (<stdin>)');
  });

  it('reports a NUL byte in a file with its path and offset', async () => {
    // the property: decoding errors name the path as the user gave it
    const path = file('bin.dat', Buffer.from([0x41, 0x42, 0x00, 0x43]));
    const e = await rejection(readSources([path]));
    expect(e.message).toBe(`${path}: NUL byte at byte 2 (binary file?)`);
  });
});
