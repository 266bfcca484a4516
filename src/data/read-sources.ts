// Reading the corpus: each path (or '-' for standard input) to one normalised Source. File-system
// failures become one-line DataErrors naming the path; a corpus with no visible text is refused.

import { readFile, stat } from 'node:fs/promises';
import { DataError, UsageError } from '../errors.js';
import { decodeSource } from './decode-source.js';
import { isBlankRange } from './text-scan.js';

export const STDIN_PATH = '-';
/** How standard input is named in messages. */
export const STDIN_NAME = '<stdin>';

export interface Source {
  /** The path as given, or STDIN_NAME. */
  name: string;
  /** UTF-8 decoded, BOM stripped, line ends normalised to LF. */
  text: string;
}

export interface ReadOptions {
  /** What '-' reads; process.stdin when absent. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** Read every path in order. Throws DataError for unreadable inputs and for a corpus that is empty
 *  or only whitespace, UsageError for no paths or '-' given twice. */
export async function readSources(paths: readonly string[], opts: ReadOptions = {}): Promise<Source[]> {
  if (paths.length === 0) throw new UsageError('no corpus files given', "give one or more text files, or '-' for standard input");
  if (paths.filter((p) => p === STDIN_PATH).length > 1) {
    throw new UsageError("standard input ('-') is given more than once", "give '-' at most once");
  }
  const sources: Source[] = [];
  for (const path of paths) {
    if (path === STDIN_PATH) {
      const bytes = await readStdin(opts.stdin ?? process.stdin);
      sources.push({ name: STDIN_NAME, text: decodeSource(STDIN_NAME, bytes) });
    } else {
      sources.push({ name: path, text: decodeSource(path, await readPath(path)) });
    }
  }
  checkNotBlank(sources);
  return sources;
}

/** All of a stream's bytes. */
export async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function readStdin(stream: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<Buffer> {
  if (stream.isTTY === true) {
    throw new UsageError("'-' reads the corpus from standard input, but standard input is a terminal",
      'pipe the text in, e.g. cat corpus.txt | rnn train -');
  }
  return readStream(stream);
}

async function readPath(path: string): Promise<Buffer> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      throw new DataError(`${path}: is a directory, not a text file`, `give the files inside it, e.g. ${path.replace(/\/+$/, '')}/*.txt`);
    }
    // A device (/dev/zero) or a socket would be read forever or not at all; a pipe, as from
    // `rnn train <(zcat corpus.gz)`, is read to its end like standard input.
    if (st.isCharacterDevice() || st.isBlockDevice() || st.isSocket()) {
      throw new DataError(`${path}: is a device or socket, not a text file`, "give a file; to read a stream, pipe it to '-'");
    }
    return await readFile(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw fsError(path, err);
  }
}

function fsError(path: string, err: unknown): DataError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT': return new DataError(`${path}: no such file`, "check the path; give '-' to read standard input");
    case 'ENOTDIR': return new DataError(`${path}: no such file (a parent is not a directory)`, 'check the path');
    case 'EISDIR': return new DataError(`${path}: is a directory, not a text file`, 'give the files inside it');
    case 'EACCES':
    case 'EPERM': return new DataError(`${path}: permission denied`, `make it readable, e.g. chmod u+r ${path}`);
    case 'ERR_FS_FILE_TOO_LARGE': return new DataError(`${path}: file too large to read at once`, 'split it into several files');
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return new DataError(`${path}: cannot read (${code ?? detail})`, 'check that the file exists and is readable');
    }
  }
}

function checkNotBlank(sources: readonly Source[]): void {
  if (sources.some((s) => !isBlankRange(s.text, 0, s.text.length))) return;
  const names = sources.length <= 3 ? sources.map((s) => s.name).join(', ') : `${sources.length} files`;
  const what = sources.every((s) => s.text.length === 0) ? 'is empty' : 'contains only whitespace';
  throw new DataError(`corpus ${what} (${names})`, 'give at least one file with some text in it');
}
