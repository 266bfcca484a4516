// How long one training step of a model and batch shape takes on this machine: what turns a
// --time budget into a step count, and what the time-budget rule weighs sizes by.

import { createEngine, type EngineOptions } from '../kernels/create-engine.js';
import type { ModelConfig } from '../model/config.js';
import type { DropoutMode } from '../settings/train-settings.js';
import { maskSpec } from './dropout.js';
import { median } from './time-budget.js';
import { createWeightDrop, fillWeightMask, forwardBackwardDropped } from './weight-drop.js';

/** Seconds per step of `cfg` at B × T, measured for about `seconds`. */
export type MeasureStep = (cfg: ModelConfig, B: number, T: number, seconds: number) => Promise<number>;

/** The probe's optimizer: the run's own Adam costs the same whatever its settings. */
const PROBE_ADAM = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } as const;

/** A MeasureStep on the kernel the run will use. A probe engine runs steps (dropout masks,
 *  forward/backward, gradient norm, Adam) for about `seconds` after two warm-up steps, and the
 *  median step is the figure (one slow step, a page fault or another process, does not shorten
 *  the schedule; the mean read 2-5% slow against the runs it planned). The run's clock counts the
 *  same work (validation and saving are outside it), so no margin is added: a machine slower than
 *  measured stops at the time limit with its best checkpoint kept. The run's own engine and RNG
 *  are untouched, so the run is exactly what `--steps N` gives. */
export function stepTimer(engineOptions: Pick<EngineOptions, 'kernel' | 'threads'>, dropoutMode: DropoutMode, weightDrop = 0): MeasureStep {
  return async (cfg, B, T, seconds) => {
    const engine = await createEngine(cfg, B, T, engineOptions);
    const wd = weightDrop > 0 ? createWeightDrop(engine.layout, weightDrop) : null;
    try {
      const x = new Int32Array(B * T), y = new Int32Array(B * T);
      const pass = (n: number): void => {
        engine.fillMasks(maskSpec([1, 2], n, cfg.dropout, dropoutMode));
        if (wd) { fillWeightMask(wd, [1, 2], n); forwardBackwardDropped(engine, wd, x, y); } else engine.forwardBackward(x, y);
        engine.gradNormSq();
        engine.optimizerStep(PROBE_ADAM, 0, n + 1); // the probe's weights do not matter
      };
      pass(0); pass(1); // warm-up
      const times: number[] = [];
      const t0 = performance.now();
      while (times.length < 3 || (performance.now() - t0 < seconds * 1000 && times.length < 50)) {
        const t = performance.now();
        pass(times.length + 2);
        times.push((performance.now() - t) / 1000);
      }
      return median(times);
    } finally {
      engine.dispose();
    }
  };
}
