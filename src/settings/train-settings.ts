// Every `rnn train` setting, declared once: one row holds its key (the flag is its kebab-case
// form), type and range, default, help group and text, where a checkpoint keeps it, whether
// --resume may change it, whether a time budget may pick it, and whether it is part of the
// "equivalent flags" that repeat a run. The option parser, the checkpoint validator, the flags
// printer, the resume-conflict list and the settings types are all derived from this table
// (src/cli/train-options.ts, src/checkpoint/validate.ts, ./derive.ts), so they cannot disagree.
// Adding a setting is one row here plus the code that uses it.

import { DOC_SPLITS } from '../data/doc-split.js';
import { CELL_TYPES } from '../model/config.js';

export type Group = 'data' | 'model' | 'optimization' | 'budget' | 'checkpoints' | 'system';

/** Text some help lines take from modules above this one (the time-budget rule). */
export interface HelpNotes {
  timeRule: string;
}

interface RowBase {
  readonly key: string;
  /** Placeholder of the value in --help, e.g. '<n>'; absent for a switch. */
  readonly arg?: string;
  readonly group: Group;
  readonly help: string | ((notes: HelpNotes) => string);
  /** fixed: the checkpoint fixes it, so --resume refuses a different value; free: --resume may change it. */
  readonly resume: 'fixed' | 'free';
  /** Where a checkpoint keeps it: `training.settings`, `model` or `vocab`; absent: not kept. */
  readonly stored?: 'settings' | 'model' | 'vocab';
  /** A time budget (`--time` without model flags) picks it unless the flag is given. */
  readonly auto?: true;
  /** Part of the flags that repeat a run exactly; a function limits it to the runs it shapes. */
  readonly repeat?: true | ((s: Readonly<Record<string, unknown>>) => boolean);
  /** The value a checkpoint written before this setting existed implies. */
  readonly legacy?: unknown;
}
export interface IntRow extends RowBase { readonly kind: 'int'; readonly min: number; readonly max?: number; readonly default?: number }
export interface FloatRow extends RowBase {
  readonly kind: 'float'; readonly min: number; readonly max: number;
  readonly minOpen?: boolean; readonly maxOpen?: boolean; readonly default?: number;
}
export interface ChoiceRow extends RowBase { readonly kind: 'choice'; readonly choices: readonly string[]; readonly default?: string }
/** Seconds, written as 90, 90s, 30m or 2h. */
export interface DurationRow extends RowBase { readonly kind: 'duration'; readonly default?: undefined }
export interface SwitchRow extends RowBase { readonly kind: 'switch'; readonly default?: undefined }
export interface PathRow extends RowBase { readonly kind: 'path'; readonly default?: undefined }
export type SettingRow = IntRow | FloatRow | ChoiceRow | DurationRow | SwitchRow | PathRow;

/** The step budget when no --steps, --epochs or --time is given: under a minute for the default
 *  model on 2 cores with the WASM kernel. */
export const DEFAULT_STEPS = 1000;

/** Adam's peak learning rate when --lr is not given, by hidden width (the first row whose bound
 *  holds), for any budget: small models take large steps (1×64 on the names list: 0.01 reached
 *  2.17 nats/char in a minute where 0.003 reached 2.26). Above 128 units 4e-3, not char-rnn's
 *  2e-3: GRU 2×384 on tiny-shakespeare, 1,800 steps of 32×128, 5e-3 ended 1.4555 where PyTorch's
 *  recipe rate 3e-3 ended 1.4850; 2e-3 left GRU 2×192 0.33 nats behind at 3 minutes and LSTM 2×256
 *  behind at 1,000 and 3,000 steps (issue 18; BENCHMARKS.md, "Defaults for a step budget"). */
export const LR_BY_WIDTH: readonly (readonly [maxHidden: number, lr: number])[] = [[64, 1e-2], [128, 5e-3], [Infinity, 4e-3]];

export function defaultLr(hidden: number): number {
  return LR_BY_WIDTH.find(([h]) => hidden <= h)![1];
}

/** Dropout when --dropout is not given, by the passes the run will make over the training text
 *  (the first row whose bound the passes are under): more passes, more to memorise. GRU 2×384 on
 *  tiny-shakespeare: at 7.3 passes 0.2 beat 0.3 (1.4850 against 1.5052), at 12.7 passes 0.3 beat
 *  0.25 and 0.2 (BENCHMARKS.md, "Quality in a time budget"). */
export const DROPOUT_BY_PASSES: readonly (readonly [passesUnder: number, dropout: number])[] = [[4, 0.1], [10, 0.2], [80, 0.3], [Infinity, 0.4]];

export function dropoutFor(passes: number): number {
  return DROPOUT_BY_PASSES.find(([p]) => passes < p)![1];
}

/** wsd's decay share when --decay-share is not given, by the passes the run will make (the first
 *  row whose bound the passes are under). Hägele et al. 2024 ("Scaling Laws and Compute-Optimal
 *  Training Beyond Fixed Training Durations") match a cosine's final loss with a 20% cooldown, and
 *  so did the 1-minute cells of the quality matrix (1.2-7.5 passes: 0.4 there was 0.002-0.008 worse
 *  on five of six corpora). At 11.6 passes, where the model overfits as fast as it learns, GRU
 *  2×384 on tiny-shakespeare ended 1.4411 with 0.4 against 1.4512 with 0.2 and 1.4440 with cosine
 *  (BENCHMARKS.md, "The 30-minute anchor with the wsd rule"). The bound is dropout's. */
export const DECAY_SHARE_BY_PASSES: readonly (readonly [passesUnder: number, share: number])[] = [[10, 0.2], [Infinity, 0.4]];

export function decayShareFor(passes: number): number {
  return DECAY_SHARE_BY_PASSES.find(([p]) => passes < p)![1];
}

/** Warmup steps when --warmup is not given: AUTO_WARMUP, or a twentieth of the run when that is
 *  fewer (50 of the default 1,000 steps). 200 of the time rule's 16 × 128 are 100 of PyTorch's
 *  recipe's 32 × 128 (../shared/peers/torch_budget.py). */
export const AUTO_WARMUP = 200;

export function defaultWarmup(steps: number): number {
  return Math.min(AUTO_WARMUP, Math.max(1, Math.round(steps / 20)));
}

/** Per-optimizer defaults of the shared β flags: PyTorch's Adam betas, SGD momentum (beta1),
 *  RMSprop alpha (beta2); 0 where the optimizer has no such term. */
export const OPTIMIZER_BETAS = {
  adam: { beta1: 0.9, beta2: 0.999 },
  sgd: { beta1: 0.9, beta2: 0 },
  rmsprop: { beta1: 0, beta2: 0.99 },
} as const;

const lrHelp = (): string => LR_BY_WIDTH.map(([h, lr], i) =>
  (i === LR_BY_WIDTH.length - 1 ? `else ${lr}` : `${lr} for ≤${h}${i === 0 ? ' hidden units' : ''}`)).join(', ');
/** A table by passes in words: "0.1 under 4, 0.2 under 10, else 0.3". */
const byPassesHelp = (table: readonly (readonly [number, number])[]): string => table.map(([p, d], i) =>
  (i === table.length - 1 ? `else ${d}` : `${d} under ${p}`)).join(', ');
const betaHelp = (k: 'beta1' | 'beta2', users: (keyof typeof OPTIMIZER_BETAS)[]): string =>
  [...new Set(users.map((o) => OPTIMIZER_BETAS[o][k]))].join(' / ');

export const TRAIN_SETTINGS = [
  // Data
  { key: 'docSplit', arg: '<rule>', group: 'data', kind: 'choice', choices: ['auto', ...DOC_SPLITS], default: 'auto', resume: 'fixed', stored: 'vocab', repeat: true,
    help: 'how text is cut into documents; each ends with EOS. auto: blank if the text has blank lines, else line' },
  { key: 'valFraction', arg: '<f>', group: 'data', kind: 'float', min: 0, max: 0.5, maxOpen: true, default: 0.05, resume: 'fixed', stored: 'settings', repeat: true,
    help: 'share of the text held out for validation (whole documents, or the tail for none)' },
  { key: 'maxVocab', arg: '<n>', group: 'data', kind: 'int', min: 2, max: 65535, default: 10000, resume: 'free',
    help: 'refuse corpora with more distinct characters than this' },
  // Model. On the bundled names list with the WASM kernel (2 cores, 1000 steps): 1×128 reaches
  // 1.95 nats/char, 1×64 2.26, 2×128 2.10, 1×256 2.11; 1×128 starts to overfit the 48k-character
  // list after ~600 steps, hence a little dropout. LSTM is the cell char-rnn and torch-rnn default to.
  { key: 'cell', arg: '<type>', group: 'model', kind: 'choice', choices: CELL_TYPES, default: 'lstm', resume: 'fixed', stored: 'model', auto: true, repeat: true,
    help: 'recurrent cell' },
  { key: 'layers', arg: '<n>', group: 'model', kind: 'int', min: 1, max: 16, default: 1, resume: 'fixed', stored: 'model', auto: true, repeat: true,
    help: 'stacked recurrent layers' },
  { key: 'hidden', arg: '<n>', group: 'model', kind: 'int', min: 1, max: 8192, default: 128, resume: 'fixed', stored: 'model', auto: true, repeat: true,
    help: 'hidden units per layer' },
  { key: 'dropout', arg: '<p>', group: 'model', kind: 'float', min: 0, max: 1, maxOpen: true, resume: 'fixed', stored: 'model', auto: true, repeat: true,
    help: () => `dropout on each layer output, in [0, 1) [default: by the passes the run makes over the text: ${byPassesHelp(DROPOUT_BY_PASSES)}]` },
  { key: 'weightDrop', arg: '<p>', group: 'model', kind: 'float', min: 0, max: 1, maxOpen: true, default: 0, resume: 'fixed', stored: 'settings', repeat: (s) => s.weightDrop !== 0, legacy: 0,
    help: 'DropConnect on the recurrent weights weight_hh, in [0, 1): one mask per step, shared by every stream and time step (AWD-LSTM)' },
  { key: 'dropoutMode', arg: '<m>', group: 'model', kind: 'choice', choices: ['standard', 'variational'], default: 'standard', resume: 'fixed', stored: 'settings', repeat: true, legacy: 'standard',
    help: 'standard: a new mask every time step; variational: one mask per window, shared by its steps' },
  // Optimization
  { key: 'batch', arg: '<n>', group: 'optimization', kind: 'int', min: 1, max: 4096, default: 32, resume: 'fixed', stored: 'settings', auto: true, repeat: true,
    help: 'B: parallel streams per step' }, // 32 keeps the GEMMs efficient and the gradient smooth
  { key: 'seqLen', arg: '<n>', group: 'optimization', kind: 'int', min: 1, max: 100000, default: 32, resume: 'fixed', stored: 'settings', auto: true, repeat: true,
    help: 'T: BPTT window, characters per stream per step' }, // longer windows learn longer dependencies but cost time per step
  { key: 'optimizer', arg: '<name>', group: 'optimization', kind: 'choice', choices: ['adam', 'sgd', 'rmsprop'], default: 'adam', resume: 'fixed', stored: 'settings', repeat: true,
    help: 'update rule' },
  { key: 'lr', arg: '<rate>', group: 'optimization', kind: 'float', min: 0, max: 10, minOpen: true, resume: 'fixed', stored: 'settings', auto: true, repeat: true,
    help: () => `peak learning rate [default: ${lrHelp()}]` },
  { key: 'beta1', arg: '<b>', group: 'optimization', kind: 'float', min: 0, max: 1, maxOpen: true, resume: 'fixed', stored: 'settings', repeat: true,
    help: () => `Adam β1 / SGD momentum [default: ${betaHelp('beta1', ['adam', 'sgd'])}]` },
  { key: 'beta2', arg: '<b>', group: 'optimization', kind: 'float', min: 0, max: 1, maxOpen: true, resume: 'fixed', stored: 'settings', auto: true, repeat: true,
    help: () => `Adam β2 / RMSprop α [default: ${betaHelp('beta2', ['adam', 'rmsprop'])}]` },
  { key: 'eps', arg: '<e>', group: 'optimization', kind: 'float', min: 0, max: 1, minOpen: true, default: 1e-8, resume: 'fixed', stored: 'settings', repeat: true,
    help: 'Adam / RMSprop epsilon' },
  { key: 'weightDecay', arg: '<w>', group: 'optimization', kind: 'float', min: 0, max: 1, default: 0, resume: 'fixed', stored: 'settings', repeat: true,
    help: 'decoupled weight decay (AdamW)' },
  { key: 'clip', arg: '<norm>', group: 'optimization', kind: 'float', min: 0, max: Infinity, default: 5, resume: 'fixed', stored: 'settings', repeat: true,
    help: 'clip the global gradient norm to this; 0 = off' }, // global-norm clip, as char-rnn and torch-rnn
  { key: 'ema', arg: '<decay>', group: 'optimization', kind: 'float', min: 0, max: 1, maxOpen: true, default: 0, resume: 'fixed', stored: 'settings', repeat: (s) => s.ema !== 0, legacy: 0,
    help: 'validate, save and sample an exponential moving average of the weights, with this decay per step (e.g. 0.999); 0 = the raw weights' },
  { key: 'lrSchedule', arg: '<s>', group: 'optimization', kind: 'choice', choices: ['constant', 'cosine', 'wsd', 'step'], default: 'wsd', resume: 'fixed', stored: 'settings', repeat: true,
    help: 'learning-rate schedule after warmup; wsd: warmup-stable-decay, constant and then a linear fall over the last --decay-share of the steps' },
  { key: 'warmup', arg: '<steps>', group: 'optimization', kind: 'int', min: 0, resume: 'fixed', stored: 'settings', auto: true, repeat: true,
    help: `linear warmup steps [default: ${AUTO_WARMUP}, or a twentieth of the steps when fewer]` }, // keeps early Adam steps from overshooting
  // Decay from the end of warmup, as PyTorch users' warmup-cosine schedules do (Hugging Face's
  // get_cosine_schedule_with_warmup): the learning rate of the warmup steps then does not depend on
  // the step count, so a --time run can time its warmup and fix the count after it. Runs begun
  // before this setting decayed from step 0, and resume on that curve.
  { key: 'cosineFrom', arg: '<w>', group: 'optimization', kind: 'choice', choices: ['warmup', 'start'], default: 'warmup', resume: 'fixed', stored: 'settings',
    repeat: (s) => s.lrSchedule === 'cosine' && s.cosineFrom !== 'warmup', legacy: 'start',
    help: 'cosine: decay from the end of warmup, or from step 0' },
  { key: 'lrMin', arg: '<f>', group: 'optimization', kind: 'float', min: 0, max: 1, default: 0.05, resume: 'fixed', stored: 'settings', repeat: (s) => s.lrSchedule === 'cosine' || s.lrSchedule === 'wsd',
    help: 'cosine, wsd: final lr as a fraction of --lr' },
  { key: 'decayShare', arg: '<f>', group: 'optimization', kind: 'float', min: 0, max: 1, minOpen: true, resume: 'fixed', stored: 'settings', repeat: (s) => s.lrSchedule === 'wsd', legacy: 0.2,
    help: () => `wsd: the last share of the steps, over which lr falls linearly to lr·lr-min [default: by the passes the run makes over the text: ${byPassesHelp(DECAY_SHARE_BY_PASSES)}]` },
  { key: 'lrDecay', arg: '<f>', group: 'optimization', kind: 'float', min: 0, max: 1, minOpen: true, default: 0.5, resume: 'fixed', stored: 'settings', repeat: (s) => s.lrSchedule === 'step',
    help: 'step: multiply lr by this every --lr-decay-every steps' },
  { key: 'lrDecayEvery', arg: '<steps>', group: 'optimization', kind: 'int', min: 1, default: 1000, resume: 'fixed', stored: 'settings', repeat: (s) => s.lrSchedule === 'step',
    help: 'step: decay interval' },
  // Budget: the first given wins, so none has a parser default (DEFAULT_STEPS applies when none is given).
  { key: 'steps', arg: '<n>', group: 'budget', kind: 'int', min: 1, resume: 'free', stored: 'settings', repeat: true,
    help: `optimizer steps [default: ${DEFAULT_STEPS}]` },
  { key: 'epochs', arg: '<n>', group: 'budget', kind: 'float', min: 0, max: 1e6, minOpen: true, resume: 'fixed',
    help: 'passes over the training text' },
  { key: 'time', arg: '<t>', group: 'budget', kind: 'duration', resume: 'fixed',
    help: (n) => `training time: seconds, or 90s, 30m, 2h; calibrated into a step count. Without model flags it also picks the model: ${n.timeRule} (README: How to pick settings)` },
  // Checkpoints
  { key: 'out', arg: '<dir>', group: 'checkpoints', kind: 'path', resume: 'free',
    help: 'directory for last.json, best.json and metrics.jsonl [default: runs/<corpus name>]' },
  { key: 'evalEvery', arg: '<steps>', group: 'checkpoints', kind: 'int', min: 0, default: 0, resume: 'free', stored: 'settings', repeat: true,
    help: 'validate every N steps; 0 = ten times per run' },
  { key: 'valChars', arg: '<n>', group: 'checkpoints', kind: 'int', min: 0, default: 0, resume: 'fixed', stored: 'settings', repeat: (s) => s.valChars !== 0, legacy: 0,
    help: 'validate on about N held-out characters, the start of each of the 16 evaluation streams (spread evenly over the held-out text); 0 = all of it. --time sets it so validation stays near a tenth of the budget' },
  { key: 'patience', arg: '<n>', group: 'checkpoints', kind: 'int', min: 0, default: 0, resume: 'free', stored: 'settings', repeat: (s) => s.patience !== 0, legacy: 0,
    help: 'stop early after N evaluations without a new best validation loss; 0 = never' }, // best.json keeps the best anyway
  { key: 'saveEvery', arg: '<steps>', group: 'checkpoints', kind: 'int', min: 0, default: 0, resume: 'free', stored: 'settings',
    help: 'write last.json every N steps; 0 = at each validation' },
  { key: 'force', group: 'checkpoints', kind: 'switch', resume: 'free',
    help: 'overwrite checkpoints already in --out' },
  { key: 'initFrom', arg: '<checkpoint>', group: 'checkpoints', kind: 'path', resume: 'fixed',
    help: 'start a new run (fresh optimizer, step 0) from these weights, e.g. to fine-tune on another corpus' },
  { key: 'resume', arg: '<checkpoint>', group: 'checkpoints', kind: 'path', resume: 'free',
    help: 'continue a run exactly where its checkpoint stopped (weights, optimizer, data cursor, RNG); --steps may grow' },
  // System
  { key: 'seed', arg: '<n>', group: 'system', kind: 'int', min: 0, max: 4294967295, default: 1, resume: 'fixed', stored: 'settings', repeat: true,
    help: 'seed for init, split and dropout' },
  { key: 'kernel', arg: '<name>', group: 'system', kind: 'choice', choices: ['wasm', 'ts'], default: 'wasm', resume: 'free',
    help: 'compute kernel: wasm (SIMD, multi-threaded) or ts (the TypeScript reference)' },
  { key: 'threads', arg: '<n>', group: 'system', kind: 'int', min: 1, max: 256, resume: 'free',
    help: 'threads for the wasm kernel; checkpoints are identical for any count [default: all cores]' },
  { key: 'quiet', group: 'system', kind: 'switch', resume: 'free',
    help: 'print errors only' },
  { key: 'json', group: 'system', kind: 'switch', resume: 'free',
    help: 'print a JSON summary to stdout when done' },
] as const satisfies readonly SettingRow[];

/** The table as plain rows, for code that walks every setting. */
export const SETTING_ROWS: readonly SettingRow[] = TRAIN_SETTINGS;

type Row = (typeof TRAIN_SETTINGS)[number];
type ValueOf<R> = R extends { kind: 'choice'; choices: readonly (infer C)[] } ? C
  : R extends { kind: 'switch' } ? boolean : R extends { kind: 'path' } ? string : number;
type Keyed<R, Cond> = R extends Cond ? R extends { key: infer K extends string } ? K : never : never;

export type SettingKey = Row['key'];
export type SettingValue<K extends SettingKey> = ValueOf<Extract<Row, { key: K }>>;

/** The flags of `rnn train` as parsed: a setting with a default always has a value. */
export type TrainFlags = { readonly [R in Row as R['key']]: R extends { default: unknown } ? ValueOf<R> : ValueOf<R> | undefined };

/** What a checkpoint keeps in `training.settings`: every stored setting resolved to its value,
 *  and the run as flags. */
export type TrainSettings = { [R in Row as Keyed<R, { stored: 'settings' }>]: ValueOf<R> } & {
  /** The run as explicit `rnn train` flags (a --time budget resolved to --steps): repeating them
   *  repeats the run exactly. Absent in older checkpoints. */
  flags?: string;
};

/** Settings a time budget picks unless the flag is given. */
export type AutoKey = Keyed<Row, { auto: true }>;

export type DropoutMode = SettingValue<'dropoutMode'>;
export type Optimizer = SettingValue<'optimizer'>;
export type LrSchedule = SettingValue<'lrSchedule'>;

export function settingRow(key: SettingKey): SettingRow {
  return SETTING_ROWS.find((r) => r.key === key)!;
}

/** The flag of a setting: the kebab-case form of its key. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Every default in the table, by key. */
export const TRAIN_DEFAULTS = Object.fromEntries(
  SETTING_ROWS.filter((r) => r.default !== undefined).map((r) => [r.key, r.default]),
) as { readonly [R in Row as R extends { default: unknown } ? R['key'] : never]: ValueOf<R> };
