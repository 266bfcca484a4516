// Every training default, written once. The CLI shows these in --help and fills unset flags.

import type { TrainSettings } from '../checkpoint/types.js';

export const DEFAULT_TRAIN: Omit<TrainSettings, 'steps'> = {
  batch: 32,          // B: parallel streams; 32 keeps the GEMMs efficient and the gradient smooth
  seqLen: 32,         // T: BPTT window; longer windows learn longer dependencies but cost time per step
  lr: 0,              // 0 = by model size, see defaultLr
  lrSchedule: 'cosine',
  warmup: 50,         // steps of linear warmup, which keeps early Adam steps from overshooting
  lrDecay: 0.5,       // step schedule: factor per lrDecayEvery steps
  lrDecayEvery: 1000,
  lrMin: 0.05,        // cosine schedule: final lr as a fraction of the peak
  optimizer: 'adam',
  beta1: 0.9,         // PyTorch's Adam defaults
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  clip: 5,            // global-norm clip, as char-rnn and torch-rnn
  seed: 1,
  evalEvery: 0,       // 0 = about ten evaluations per run
  saveEvery: 0,       // 0 = save whenever validation runs
  valFraction: 0.05,
  dropoutMode: 'standard',
  patience: 0,        // 0 = run the whole budget; best.json keeps the best validation anyway
};

/** The step budget when no --steps, --epochs or --time is given: under a minute for the default
 *  model on 2 cores with the WASM kernel. */
export const DEFAULT_STEPS = 1000;

/** Adam's peak learning rate when --lr is not given: small models take large steps (1×64 on the
 *  names list: 0.01 reached 2.17 nats/char in a minute where 0.003 reached 2.26); 2e-3 is
 *  char-rnn's choice for 128–512 units. */
export function defaultLr(hidden: number): number {
  return hidden <= 64 ? 1e-2 : hidden <= 128 ? 5e-3 : 2e-3;
}

/** Per-optimizer defaults of the shared β flags: SGD momentum (beta1), RMSprop alpha (beta2). */
export const OPTIMIZER_BETAS = {
  adam: { beta1: 0.9, beta2: 0.999 },
  sgd: { beta1: 0.9, beta2: 0 },
  rmsprop: { beta1: 0, beta2: 0.99 },
} as const;

/** Validation runs with this many streams and window length (independent of the training shape). */
export const EVAL_BATCH = 16;
export const EVAL_SEQ_LEN = 128;
