// Full training settings for tests that drive the trainer or write checkpoints directly: the
// table's defaults, Adam's betas, warmup 50 (what the budget rule gives 1,000 steps), wsd's
// decay share 0.2 (what the rule gives under 10 passes), and whatever the test sets.

import { storedSettings } from '../../src/settings/derive.js';
import { OPTIMIZER_BETAS, TRAIN_DEFAULTS, type TrainSettings } from '../../src/settings/train-settings.js';

export function trainSettings(overrides: Partial<TrainSettings> = {}): TrainSettings {
  return storedSettings({ ...TRAIN_DEFAULTS, ...OPTIMIZER_BETAS.adam, lr: 1e-3, warmup: 50, decayShare: 0.2, steps: 10, ...overrides });
}
