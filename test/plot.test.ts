// `rnn plot`: the pieces (ticks, sparkline, where a point lands in the SVG) checked against hand
// calculations, and the command end to end. The SVG itself was also rendered with headless
// Chromium and looked at (test/tools/render-svg.sh).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartSvg, lossChartSvg } from '../src/plot/loss-chart.js';
import { sparkline } from '../src/plot/sparkline.js';
import { niceTicks } from '../src/plot/ticks.js';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

describe('plot pieces', () => {
  it('niceTicks steps by 1, 2 or 5 × 10^k inside the range', async () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1.3, 3.7, 5)).toEqual([1.5, 2, 2.5, 3, 3.5]); // raw step 0.48 → 0.5
    expect(niceTicks(0, 3000, 8)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000]); // raw 375 → 500
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('sparkline maps the range onto eight heights and averages when it must shrink', async () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0, 0, 10, 10], 2)).toBe('▁█');
    expect(sparkline([5, 5, 5], 10)).toBe('▁▁▁');
    expect(sparkline([], 10)).toBe('');
  });

  it('puts points where the axes say (hand-computed coordinates)', async () => {
    // losses span [2, 3], padded by 5% to [1.95, 3.05]; steps span [0, 20]; plot area x 70..730, y 50..380
    const svg = lossChartSvg([{ step: 10, trainLoss: 3, valLoss: null }, { step: 20, trainLoss: 2, valLoss: 2.5 }], 'run');
    // x(10) = 70 + 10/20·660 = 400; y(3) = 50 + (1 − 1.05/1.1)·330 = 65; y(2) = 50 + (1 − 0.05/1.1)·330 = 365
    expect(svg).toMatch(/<polyline class="train" [^>]*points="400,65 730,365"/);
    // validation at step 20, loss 2.5: y = 50 + (1 − 0.55/1.1)·330 = 215
    expect(svg).toContain('<circle class="val-point" cx="730" cy="215"');
    expect(svg).toContain('loss (nats/char)');
    expect(svg).toContain('bits/char');
    expect(svg.trim()).toMatch(/^<svg [^]*<\/svg>$/);
    // every element is closed: self-closing, or opened and closed as often
    for (const tag of ['svg', 'text']) expect(svg.split(`<${tag}`).length).toBe(svg.split(`</${tag}>`).length);
  });

  it('several series share the axes: x spans 0..the largest x of any series', async () => {
    // losses span [2, 3] → [1.95, 3.05]; x spans [0, 10]: x(5) = 70 + 5/10·660 = 400, y(2.5) = 215,
    // x(10) = 730, y(3) = 65, y(2) = 365
    const svg = chartSvg([
      { key: 'a', label: 'run a', colour: '#000', points: [{ x: 0, y: 2 }, { x: 10, y: 3 }] },
      { key: 'b', label: 'run b', colour: '#111', points: [{ x: 5, y: 2.5 }], markers: true },
    ], 'two', 'training time (minutes)');
    expect(svg).toMatch(/<polyline class="a" [^>]*points="70,365 730,65"/);
    expect(svg).toContain('<circle class="b-point" cx="400" cy="215"');
    expect(svg).toContain('>run a</text>');
    expect(svg).toContain('>training time (minutes)</text>');
  });

  it('escapes the title', async () => {
    expect(lossChartSvg([{ step: 1, trainLoss: 1, valLoss: null }], 'a<b & "c"')).toContain('a&lt;b &amp; &quot;c&quot;');
  });
});

describe('rnn plot', () => {
  const dir = tempDir();
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const run = join(dir, 'run');

  it('writes loss.svg in the run directory and prints a sparkline per curve', async () => {
    expect((await rnn(['train', corpus, '--hidden', '8', '--batch', '4', '--seq-len', '8', '--steps', '40', '--eval-every', '10', '--out', run, '--quiet'])).code).toBe(0);
    const r = await rnn(['plot', run]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^train [▁▂▃▄▅▆▇█]{4} {2}\d\.\d{3} → \d\.\d{3} nats\/char$/); // rows at steps 10, 20, 30, 40
    expect(lines[1]).toMatch(/^val {3}[▁▂▃▄▅▆▇█]{4} {2}\d\.\d{3} → \d\.\d{3} nats\/char \(best \d\.\d{3} = \d\.\d{3} bits\/char at step \d+\)$/);
    expect(r.stderr).toBe(`wrote ${join(run, 'loss.svg')}\n`);
    const svg = readFileSync(join(run, 'loss.svg'), 'utf8');
    expect(svg.match(/<circle class="val-point"/g)).toHaveLength(4);
  });

  it('with no argument plots the newest run under ./runs from its metrics.jsonl, to the last step', async () => {
    const out = join(dir, 'runs', 'names');
    expect((await rnn(['train', corpus, '--hidden', '8', '--batch', '4', '--seq-len', '8', '--steps', '40', '--eval-every', '10', '--out', out, '--quiet'])).code).toBe(0);
    const r = await rnn(['plot'], { cwd: dir });
    expect(r.code).toBe(0);
    const last = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').pop()!);
    expect(r.stdout.split('\n')[1]).toContain(`→ ${last.valLoss.toFixed(3)} nats/char`); // the step-40 validation, not best.json's
    expect(r.stderr).toBe(`wrote ${join('runs', 'names', 'loss.svg')}\n`);
  });

  it('reads a checkpoint too, and --out chooses the file', async () => {
    const out = join(dir, 'from-ck.svg');
    const r = await rnn(['plot', join(run, 'last.json'), '--out', out]);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('several runs: their validation losses in one chart, against minutes of training with --x time', async () => {
    const other = join(dir, 'other');
    expect((await rnn(['train', corpus, '--hidden', '12', '--batch', '4', '--seq-len', '8', '--steps', '30', '--eval-every', '10', '--out', other, '--quiet'])).code).toBe(0);
    const out = join(dir, 'compare.svg');
    const r = await rnn(['plot', run, other, '--x', 'time', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l === 'run' || l === 'other')).toEqual(['run', 'other']);
    const svg = readFileSync(out, 'utf8');
    expect(svg.match(/<circle class="val run0-point"/g)).toHaveLength(4);
    expect(svg.match(/<circle class="val run1-point"/g)).toHaveLength(3);
    expect(svg).toContain('>training time (minutes)</text>');
  });

  it('a metrics file with a bad line is a one-line data error naming the line', async () => {
    const bad = writeText(dir, 'bad.jsonl', '{"step":10,"trainLoss":2}\nnot json\n');
    const r = await rnn(['plot', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rnn: .*bad\.jsonl:2 is not a JSON line$/m);
  });
});
