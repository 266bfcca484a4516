// Types of chaos-harness.mjs, for the test that imports it.
export const RNN: string;
export function seeded(seed: number): () => number;
export function runRnn(args: string[], opts?: { signal?: NodeJS.Signals; afterMs?: number; atStep?: number }): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
export interface ChaosResult {
  counts: { SIGINT: number; SIGTERM: number; SIGKILL: number };
  ways: { fresh: number; last: number; prev: number };
  unexpected: { cmd: string; signal: string | null; code: number | null; stderr: string }[];
  landed: number;
  damaged: number;
}
export function chaosRun(o: { args: string[]; out: string; steps: number; interruptions: number; saveEvery?: number; startupMs?: number; margin?: number; damage?: number; seed?: number; log?: (m: string) => void }): Promise<ChaosResult>;
export function essence(path: string): unknown;
export function loggedSteps(path: string): number[];
