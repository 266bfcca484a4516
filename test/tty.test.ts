// The progress bar is drawn on a terminal and never in a pipe: run `rnn train` under a real
// pseudo-terminal (util-linux `script`) and through a pipe, and compare what stderr shows.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RNN, rnn, run, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

describe('training display', () => {
  const dir = tempDir();
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const args = ['train', corpus, '--steps', '20', '--hidden', '8', '--layers', '1', '--batch', '4', '--seq-len', '8', '--force'];

  it('draws a progress bar on a TTY', async () => {
    const log = join(dir, 'tty.log');
    const cmd = [process.execPath, RNN, ...args, '--out', join(dir, 'a')].map((a) => `'${a}'`).join(' ');
    const r = await run('script', ['-qfec', cmd, log], { env: { ...process.env, NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const screen = readFileSync(log, 'utf8');
    expect(screen).toContain('█');
    expect(screen).toMatch(/20\/20 │ loss \d\.\d{3}/);
    // after each evaluation, one short sample line from the current weights
    expect(screen).toMatch(/^ {2}sample \S.*$/m);
  });

  it('colours the bar on a terminal, unless NO_COLOR (which FORCE_COLOR overrides)', async () => {
    const screen = async (env: Record<string, string>, name: string): Promise<string> => {
      const log = join(dir, `${name}.log`);
      const cmd = [process.execPath, RNN, ...args, '--out', join(dir, name)].map((a) => `'${a}'`).join(' ');
      // A plain terminal: chalk also turns colour off under CI=… or TERM=dumb.
      const base: Record<string, string | undefined> = { ...process.env, TERM: 'xterm-256color' };
      delete base.NO_COLOR; delete base.FORCE_COLOR; delete base.CI;
      expect((await run('script', ['-qfec', cmd, log], { env: { ...base, ...env } })).code).toBe(0);
      return readFileSync(log, 'utf8');
    };
    const CYAN = '\u001b[36m'; // chalk.cyan, the bar's colour
    expect(await screen({}, 'colour')).toContain(CYAN);
    expect(await screen({ NO_COLOR: '1' }, 'no-colour')).not.toContain(CYAN);
    expect(await screen({ NO_COLOR: '1', FORCE_COLOR: '1' }, 'forced')).toContain(CYAN);
  });

  it('prints plain timestamped lines in a pipe', async () => {
    const r = await rnn([...args, '--out', join(dir, 'b')]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('█');
    expect(r.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] step 20\/20 /m);
    expect(r.stderr).not.toMatch(/^ {2}sample /m);
    expect(r.stdout).toBe('');
  });

  it('--quiet prints nothing on success', async () => {
    const r = await rnn([...args, '--out', join(dir, 'c'), '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr + r.stdout).toBe('');
  });
});
