// The settings table is the one declaration of every `rnn train` setting: the help text's options,
// the flags --resume refuses, and the "equivalent flags" that repeat a run all follow from it.
// Each expectation below is built from the table rows and commander's documented help format, or
// written out by hand, never from the code that renders them.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../src/checkpoint/io.js';
import { UsageError } from '../src/errors.js';
import { resumeConflicts } from '../src/settings/derive.js';
import { flagOf, SETTING_ROWS, type SettingKey } from '../src/settings/train-settings.js';
import { timeRuleHelp } from '../src/train/auto-settings.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';
import { planTrain } from './helpers/plan.js';

const plan = planTrain;

describe('the settings table', () => {
  it('rnn train --help lists every row in table order, with its help text, choices and default', async () => {
    const r = await rnn(['train', '--help']);
    expect(r.code).toBe(0);
    // Each option block: "  --flag <arg>   text" and continuation lines indented to the text column.
    const blocks: { head: string; text: string }[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^ {2}(-\S+(?: <[^>]+>)?(?:, --\S+)?)\s{2,}(.*)$/.exec(line);
      if (m) blocks.push({ head: m[1]!, text: m[2]! });
      else if (/^ {20,}\S/.test(line) && blocks.length) blocks[blocks.length - 1]!.text += ` ${line.trim()}`;
      else if (!line.startsWith('  ')) blocks.push({ head: '', text: '' }); // a heading ends the block
    }
    const options = blocks.filter((b) => b.head.startsWith('--'));
    expect(options.map((b) => b.head)).toEqual(SETTING_ROWS.map((row) => (row.arg ? `${flagOf(row.key)} ${row.arg}` : flagOf(row.key))));
    SETTING_ROWS.forEach((row, i) => {
      const help = typeof row.help === 'string' ? row.help : row.help({ timeRule: timeRuleHelp() });
      const show = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v));
      const extras = [
        ...(row.kind === 'choice' ? [`choices: ${row.choices.map(show).join(', ')}`] : []),
        ...(row.default !== undefined ? [`default: ${show(row.default)}`] : []),
      ];
      expect(options[i]!.text).toBe(extras.length ? `${help} (${extras.join(', ')})` : help);
    });
  });

  it('--resume refuses exactly the settings that fix the model, the data or the optimizer', () => {
    // The list before the table existed, written out by hand (it lived in train.ts).
    const expected = ['initFrom', 'docSplit', 'valFraction', 'cell', 'layers', 'hidden', 'dropout', 'batch', 'seqLen',
      'optimizer', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'clip', 'lrSchedule', 'warmup', 'lrMin', 'lrDecay', 'lrDecayEvery',
      'epochs', 'time', 'seed', 'dropoutMode',
      'ema', 'weightDrop', 'cosineFrom', 'valChars', 'decayShare']; // added since, with their rows
    expect(resumeConflicts(() => true, {}, {}).sort()).toEqual(expected.sort());
  });

  it('a time budget may pick exactly the model, shape and step-size settings, and nothing the user gave', async () => {
    // The list before the table existed (AUTO_FLAGS in train.ts), written out by hand.
    expect(SETTING_ROWS.filter((r) => r.auto).map((r) => r.key)).toEqual(['cell', 'layers', 'hidden', 'dropout', 'batch', 'seqLen', 'lr', 'beta2', 'warmup']);
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(20));
    const p = await plan([corpus, '--time', '20', '--warmup', '7', '--dropout', '0.05', '--out', join(dir, 'a')]);
    expect([p.settings.warmup, p.cfg.dropout]).toEqual([7, 0.05]);
  });

  it('each refused setting given with another value than the checkpoint holds ends the plan with a usage error naming it', async () => {
    const dir = tempDir();
    const ck = smallCheckpoint({ cell: 'gru', layers: 2, hidden: 3 });
    const path = join(dir, 'last.json');
    saveCheckpoint(path, ck);
    const s = ck.training!.settings;
    // A value that differs from the checkpoint's for every refused setting that takes a value.
    const other: Partial<Record<SettingKey, string>> = {
      docSplit: 'blank', valFraction: '0.2', cell: 'lstm', layers: '3', hidden: '4', dropout: '0.3', dropoutMode: 'variational',
      batch: '5', seqLen: '6', optimizer: 'sgd', lr: '0.5', beta1: '0.5', beta2: '0.5', eps: '0.001', weightDecay: '0.1', clip: '2',
      lrSchedule: 'constant', warmup: '7', cosineFrom: 'start', decayShare: '0.5', valChars: '4096', ema: '0.5', weightDrop: '0.2', lrMin: '0.5', lrDecay: '0.9', lrDecayEvery: '9', epochs: '2', time: '60', seed: '99',
      initFrom: path,
    };
    for (const key of resumeConflicts(() => true, {}, {})) {
      const err = await plan(['--resume', path, flagOf(key), other[key]!]).catch((e: unknown) => e);
      expect(err, key).toBeInstanceOf(UsageError);
      expect((err as Error).message, key).toMatch(key === 'initFrom' ? /cannot be combined/ : new RegExp(`so ${flagOf(key)} cannot change`));
    }
    // The checkpoint's own value repeats the run: not a conflict (the plan goes on to read the corpus).
    const err = await plan(['--resume', path, '--batch', String(s.batch), '--lr', String(s.lr)]).catch((e: unknown) => e);
    expect((err as Error).message).not.toMatch(/cannot change/);
  });

  it('the flags a --time run prints plan the same run: same model, same settings, same flags', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'names.txt', TINY_NAMES.repeat(20));
    for (const extra of [[], ['--hidden', '24', '--lr-schedule', 'step', '--lr-decay-every', '7', '--patience', '3'], ['--cell', 'rnn', '--dropout-mode', 'variational', '--optimizer', 'rmsprop']]) {
      const timed = await plan([corpus, '--time', '20', ...extra, '--out', join(dir, 'a')]);
      expect(timed.timeLimitSec).toBe(20);
      // The count as fixed after the timed warmup steps, at a rate the probe did not measure.
      const fixed = timed.measure ? timed.measure.fix(0.003, 0.5, timed.measure.afterSteps, () => {}) : timed.settings;
      const flags = fixed.flags!;
      const again = await plan([corpus, ...flags.split(' '), '--out', join(dir, 'b')]);
      expect(again.cfg).toEqual(timed.cfg);
      expect(again.settings).toEqual(fixed);
      expect(again.timeLimitSec).toBeUndefined();
      // Settings that shape the run appear in the flags; settings at a value that changes nothing do not.
      expect(flags.includes('--lr-decay-every')).toBe(extra.includes('step'));
      expect(flags.includes('--lr-min')).toBe(!extra.includes('step'));
      expect(flags.includes('--patience')).toBe(extra.includes('--patience'));
    }
  });

  it('a checkpoint setting outside the range the command line accepts is refused with the same bounds', () => {
    const batch = SETTING_ROWS.find((r) => r.key === 'batch')!;
    expect(batch.kind === 'int' && batch.max).toBe(4096);
    const ck = smallCheckpoint();
    ck.training!.settings.batch = 5000;
    const dir = tempDir();
    expect(() => saveCheckpoint(join(dir, 'x.json'), ck)).toThrow(/training\.settings\.batch: 5000 is outside \[1, 4096\]/);
  });
});
