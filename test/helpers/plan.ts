// `rnn train ARGS` parsed by the real command definition and planned in-process, for tests of the
// plan step and of runs that need a fake machine or file system.

import { buildProgram } from '../../src/cli/main.js';
import type { SettingKey, TrainFlags } from '../../src/settings/train-settings.js';
import { planRun, type PlanInput, type RunPlan } from '../../src/train/plan.js';

export async function parseTrain(args: string[]): Promise<Pick<PlanInput, 'corpus' | 'flags' | 'given'>> {
  const cmd = buildProgram().commands.find((c) => c.name() === 'train')!;
  let parsed: Pick<PlanInput, 'corpus' | 'flags' | 'given'> | null = null;
  cmd.exitOverride().action((corpus: string[], opts: TrainFlags) => {
    parsed = { corpus, flags: { ...opts }, given: (k: SettingKey) => cmd.getOptionValueSource(k) === 'cli' };
  });
  await cmd.parseAsync(args, { from: 'user' });
  return parsed!;
}

/** A machine on which a step costs 1e-9 s per (layers · hidden² · B · T), as in auto-settings.test.ts. */
export const fakeMeasure = async (m: { layers: number; hidden: number }, B: number, T: number): Promise<number> => 1e-9 * m.layers * m.hidden ** 2 * B * T;

export async function planTrain(args: string[], log: (m: string) => void = () => {}): Promise<RunPlan> {
  return planRun({ ...(await parseTrain(args)), log, measure: fakeMeasure });
}
