// The one place that chooses a backend for a model and batch shape.

import type { ModelConfig } from '../model/config.js';
import type { Engine } from './engine.js';
import { createRefEngine } from './ref/ref-engine.js';

export type KernelName = 'ts';

export interface EngineOptions {
  kernel?: KernelName;
}

export async function createEngine(cfg: ModelConfig, batch: number, seqLen: number, _opts: EngineOptions = {}): Promise<Engine> {
  return createRefEngine(cfg, batch, seqLen);
}
