// Settings for a time budget (`rnn train --time 30m` with no model flags): on 2 cores speed is
// quality, so the model is the largest that this machine can feed enough characters per parameter
// within the budget, where repeated passes over a small text count for less than new text. The
// rule, and the runs behind it (README "How to pick settings", BENCHMARKS.md "Quality in a time
// budget" and "Quality matrix"):
//   - shape B 16 × T 128: the PyTorch recipe's T (../shared/peers/torch_budget.py) and half its
//     batch, for twice the updates per character; T shrinks for corpora too small for 64 windows
//     per epoch;
//   - at most MAX_PASSES passes over the text: a budget that buys more ends early;
//   - candidates from 1×64 up to 2×1024, measured on this machine smallest first; the pick is the
//     largest that still gets MIN_STEPS optimizer steps and MIN_CHARS_PER_PARAM effective
//     characters per parameter in those passes (effectiveChars: the
//     data-constrained scaling of Muennighoff et al. 2023, where pass k over the same text is worth
//     e^-(k-1)/R* of new text). A fixed bar of 10 passes picked a 1×64 on a 4.2 MB corpus at 3
//     minutes where a 1×256 at 1.3 passes ended 0.14 nats lower (issue 18); on tiny-shakespeare at
//     30 minutes the two rules agree (GRU 2×384 at 13.6 passes: 6.7 effective chars/param);
//   - dropout, learning rate, warmup and schedule from the tables every budget uses (settings/
//     train-settings.ts: dropout by passes, lr by width, 200 warmup steps or a twentieth,
//     warmup-stable-decay, whose flat rate lets the run time most of its budget), except Adam's
//     β2 and learning rate for picks of up to 128 units (AUTO_ADAM).
// Flags the user gives always win: they fix that setting, and the search works around it.

import type { CellType } from '../model/config.js';
import { buildLayout } from '../model/layout.js';
import { defaultLr, defaultWarmup, dropoutFor, type AutoKey, type Optimizer, type SettingValue } from '../settings/train-settings.js';
import { streamLayout } from './streams.js';

/** Effective characters (effectiveChars) the picked model must train on, per parameter, within
 *  the budget: a large model that sees too few is still learning when the time is up. 30 minutes
 *  on tiny-shakespeare (BENCHMARKS.md): GRU 2×512 at 11.4 epochs (3.4 effective per parameter)
 *  ended at 1.4487 where GRU 2×384 at 13.6 (6.7) ended at 1.4413 on the same machine; PyTorch's
 *  LSTM 2×512 at 6.65 epochs, 1.4805, its 2×384 at 11.7, 1.4477. */
export const MIN_CHARS_PER_PARAM = 6;

/** Optimizer steps the picked model must take within the budget: Adam at these batch sizes needs
 *  updates as much as characters. 1-minute cells of the quality matrix (BENCHMARKS.md): on three
 *  corpora GRU 1×64 at 2,855-3,900 steps ended 0.19-0.37 nats below GRU 1×128 at 1,360-1,590
 *  steps, which had 17-30 characters per parameter; on three others GRU 1×128 at 2,383-3,255 steps
 *  ended 0.09-0.17 below 1×64. The bar sits between the two, where the ±15% of a one-second probe
 *  (the same size read 17.6-23.4 ms a step on one machine) cannot move a size across from either
 *  side; at 30 minutes on tiny-shakespeare it does not bind (GRU 2×384: 5,300 steps). */
export const MIN_STEPS = 2000;

/** The most passes a --time run makes over its text: past them a small corpus only overfits, so a
 *  budget that buys more ends early instead (`--epochs` uses it all). GRU 1×128, wsd, at equal
 *  steps (BENCHMARKS.md, "Passes on a small text"): on the 48 kB names list 12 and 25 passes ended
 *  at 2.038 and 2.036 (seed 2: 2.038, 2.041), 50 at 2.052 and 661 (five minutes) at 2.137; on
 *  100 kB of tiny-shakespeare 25 passes validated at 1.613, 12 at 1.770, 50 at 1.631 and 100 at
 *  1.649. At 30 minutes on all of tiny-shakespeare the rule's 2×384 makes 11.6-20 passes. */
export const MAX_PASSES = 25;

/** The steps MAX_PASSES passes over an epoch of `windows` windows take: where a --time run stops,
 *  for the pick here and for the count the run fixes (plan.ts). */
export function passCapSteps(windows: number): number {
  return Math.ceil(MAX_PASSES * windows);
}

/** R*: how many repeated passes the value of repeating decays over (Muennighoff et al. 2023,
 *  "Scaling Data-Constrained Language Models", fit R*_D = 15.4). */
export const REPEAT_DECAY = 15;

/** Characters of new text that `epochs` passes over `trainChars` are worth: all of the first pass,
 *  then passes that count for less and less, to at most 1 + R* passes' worth. */
export function effectiveChars(trainChars: number, epochs: number): number {
  if (epochs <= 1) return epochs * trainChars;
  return trainChars * (1 + REPEAT_DECAY * (1 - Math.exp(-(epochs - 1) / REPEAT_DECAY)));
}

/** Candidate sizes, smallest first. */
export const SIZES: readonly [layers: number, hidden: number][] = [
  [1, 64], [1, 128], [2, 128], [2, 192], [2, 256], [2, 384], [2, 512], [2, 768], [2, 1024],
];

/** The cell when --cell is not given: GRU trains ~1.35× the characters per second of an LSTM of the
 *  same width (3 gates to 4). 30 minutes on tiny-shakespeare (BENCHMARKS.md), seeds 1 and 2 on three
 *  machines: GRU 2×384 1.4394/1.4360, 1.4375/1.4397 and, on the fastest, 1.4413/1.4337; LSTM 2×384
 *  on that fastest machine 1.4273/1.4495: no better on average, and far less steady. */
export const AUTO_CELL: CellType = 'gru';

/** Streams per step: 16 makes twice the updates of 32 for 4.5% fewer characters per second (GRU
 *  2×384, 2 threads); at equal characters it ended 0.023 nats lower (BENCHMARKS.md). */
export const AUTO_BATCH = 16;

/** Adam for the rule's picks of up to maxHidden units (the first row that holds) that make fewer
 *  than AUTO_ADAM_PASSES passes: β2 0.95 and 1.4× the width default learning rate; other picks keep
 *  PyTorch's 0.999 and the width default. A lower β2 bounds the step a rare large gradient takes
 *  once the second moment has decayed
 *  (lr·(1−β1)/√(1−β2): 3.2·lr at 0.999, 0.45·lr at 0.95), which is what made 7e-3 with 0.999
 *  diverge on the glibc headers. At the 1-minute cells' steps: GRU 1×128 at 7e-3 with 0.95 ended
 *  0.013-0.050 below 5e-3 with 0.999 on six corpora; GRU 1×64 on linux-core, 1.4e-2 with 0.95
 *  0.014 below 1e-2 with 0.999 (1e-2 with 0.95: level). On the names list (GRU 1×128, 196 passes,
 *  best at its first validation) 7e-3 with 0.95 ended 0.014 above, and GRU 2×384 at 4e-3 with 0.95
 *  was behind 0.999 at the 30-minute length (11.6 passes; BENCHMARKS.md, "Adam's β2 for the rule's
 *  small picks"). The rate goes with the β2: a --beta2 other than the row's keeps the width
 *  default. */
export const AUTO_ADAM: readonly (readonly [maxHidden: number, lr: number, beta2: number])[] = [[64, 1.4e-2, 0.95], [128, 7e-3, 0.95]];
/** The passes from which AUTO_ADAM no longer applies: the bound where dropout rises to 0.3. */
export const AUTO_ADAM_PASSES = 10;

export interface AutoInput {
  /** Training targets (characters + EOS) per epoch. */
  trainChars: number;
  /** V, EOS included: the input and output width, for parameter counts. */
  vocabSize: number;
  budgetSec: number;
  optimizer: Optimizer;
  /** Values the user gave explicitly; the rest are chosen. */
  given: Partial<{ [K in AutoKey]: SettingValue<K> }>;
  /** Seconds per training step of this model and shape on this machine (a short calibration). */
  measure(m: { cell: CellType; layers: number; hidden: number; dropout: number }, batch: number, seqLen: number): Promise<number>;
}

export interface AutoChoice {
  cell: CellType; layers: number; hidden: number; dropout: number;
  batch: number; seqLen: number; lr: number; warmup: number;
  /** undefined: the optimizer's default. */
  beta2: number | undefined;
  steps: number; epochs: number; secPerStep: number;
  /** Every size measured: what a user sees to understand the pick. charsPerParam counts effective
   *  characters (effectiveChars). */
  measured: { layers: number; hidden: number; secPerStep: number; epochs: number; charsPerParam: number }[];
}

/** The rule in one clause, for `rnn train --help`. */
export function timeRuleHelp(): string {
  return `the largest (${AUTO_CELL.toUpperCase()} unless --cell) that gets ${MIN_STEPS} steps and ${MIN_CHARS_PER_PARAM} characters per parameter in the budget on this machine (passes over the same text counting less and less), with dropout, shape and lr to match (Adam β2 0.95 up to 128 units under ${AUTO_ADAM_PASSES} passes); at most ${MAX_PASSES} passes, so a small text ends early`;
}

export async function pickSettings(o: AutoInput): Promise<AutoChoice> {
  const g = o.given;
  const cell = g.cell ?? AUTO_CELL;
  const batch = g.batch ?? AUTO_BATCH;
  let seqLen = g.seqLen ?? 128;
  if (g.seqLen === undefined) while (seqLen > 16 && o.trainChars / (batch * seqLen) < 64) seqLen /= 2;
  const params = (layers: number, hidden: number): number => buildLayout({ cell, layers, hidden, vocabSize: o.vocabSize, dropout: 0 }).size;
  const sizes = SIZES.filter(([l, h]) => (g.layers === undefined || l === g.layers) && (g.hidden === undefined || h === g.hidden));
  if (!sizes.length) sizes.push(g.layers === undefined && g.hidden === undefined ? [1, 64] : [g.layers ?? 2, g.hidden ?? 256]);

  // the steps a size takes in the budget, at most MAX_PASSES passes' worth
  const passCap = passCapSteps(streamLayout(o.trainChars + 1, batch, seqLen).windows);
  const stepsIn = (secPerStep: number): number => Math.min(o.budgetSec / secPerStep, passCap);
  const measured: AutoChoice['measured'] = [];
  let pick: AutoChoice['measured'][number] | null = null;
  for (const [layers, hidden] of sizes) {
    const secPerStep = await o.measure({ cell, layers, hidden, dropout: g.dropout ?? 0.2 }, batch, seqLen);
    const epochs = (stepsIn(secPerStep) * batch * seqLen) / o.trainChars;
    const m = { layers, hidden, secPerStep, epochs, charsPerParam: effectiveChars(o.trainChars, epochs) / params(layers, hidden) };
    measured.push(m);
    const enough = m.charsPerParam >= MIN_CHARS_PER_PARAM && stepsIn(secPerStep) >= MIN_STEPS;
    if (pick === null || enough) pick = m; // the smallest always qualifies
    if (!enough) break; // larger sizes are slower and larger still
  }
  const p = pick!;
  const steps = Math.max(1, Math.floor(stepsIn(p.secPerStep)));
  const adam = o.optimizer === 'adam' && p.epochs < AUTO_ADAM_PASSES ? AUTO_ADAM.find(([h]) => p.hidden <= h) : undefined;
  const beta2 = g.beta2 ?? adam?.[2];
  return {
    cell, layers: p.layers, hidden: p.hidden, dropout: g.dropout ?? dropoutFor(p.epochs),
    batch, seqLen, lr: g.lr ?? (adam && beta2 === adam[2] ? adam[1] : defaultLr(p.hidden)), beta2,
    warmup: g.warmup ?? defaultWarmup(steps),
    steps, epochs: p.epochs, secPerStep: p.secPerStep, measured,
  };
}
