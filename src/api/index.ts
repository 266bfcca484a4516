// The library, for Node: `import { loadModel, train } from 'rnn'`. Loading a model (checkpoint,
// run directory, rnn export's safetensors; path, URL or bytes), generating and scoring with it,
// training as `rnn train` does, and the typed errors the CLI prints. The CLI's sample and eval
// commands run on the same functions. In a browser, import 'rnn/browser' instead.

export { loadModel, readSource, type LoadOptions, type ModelSource } from './load.js';
export { Model, TextGenerator, type ModelInfo, type Sample, type Score, type ScoreOptions } from './model.js';
export type { PickOptions, SampleOptions } from './options.js';
export { checkpointFromBytes, type ModelBytes } from './source.js';
export { train, type TrainOptions, type TrainResult, type TrainSettingsInput } from './train.js';
export type { StepInfo } from '../train/trainer.js';
export type { Checkpoint } from '../checkpoint/types.js';
export type { KernelName } from '../kernels/create-engine.js';
export type { KernelVariant } from '../kernels/engine.js';
export type { StopReason } from '../sample/sampler.js';
export { TRAIN_DEFAULTS } from '../settings/train-settings.js';
export { SAMPLE_DEFAULTS } from '../sample/sampler.js';
export { CheckpointError, DataError, InterruptedError, RnnError, RuntimeError, UsageError, type ExitCode } from '../errors.js';
export { VERSION } from '../version.js';
