// Training display on stderr. On a terminal: a cli-progress bar with step, loss, validation,
// speed, ETA and gradient norm, with notices printed above it. Otherwise: plain timestamped lines.
// --quiet shows nothing (errors are printed by the entry point).

import { chalkStderr } from 'chalk';
import cliProgress from 'cli-progress';
import { formatDuration } from '../format.js';
import type { StepInfo } from '../train/trainer.js';

export interface Reporter {
  info(msg: string): void;
  start(total: number, startStep: number): void;
  step(s: StepInfo): void;
  evaluated(step: number, valLoss: number, improved: boolean): void;
  /** Whether a short sample after each evaluation is shown (on a terminal only). */
  readonly wantsSamples: boolean;
  sample(text: string): void;
  stop(): void;
}

const LN2 = Math.log(2);

export function createReporter(opts: { quiet: boolean; tty: boolean }): Reporter {
  if (opts.quiet) return { info() {}, start() {}, step() {}, evaluated() {}, wantsSamples: false, sample() {}, stop() {} };
  if (opts.tty) return ttyReporter();
  return plainReporter();
}

const c = chalkStderr;
const fmt = (v: number | null, d = 3): string => (v === null ? '-' : v.toFixed(d));
const rate = (v: number): string => Math.round(v).toLocaleString('en-US');


function plainReporter(): Reporter {
  const stamp = (): string => new Date().toISOString().slice(11, 19);
  const line = (msg: string): void => void process.stderr.write(`[${stamp()}] ${msg}\n`);
  return {
    info: line,
    start() {},
    step(s) {
      const eta = (s.totalSteps - s.step) * (s.elapsedSec / Math.max(1, s.step));
      line(`step ${s.step}/${s.totalSteps}  epoch ${s.epoch.toFixed(2)}  loss ${fmt(s.trainLoss)}  val ${fmt(s.valLoss)}`
        + `${s.valLoss === null ? '' : ` (${fmt(s.valLoss / LN2)} bpc)`}  ${rate(s.charsPerSec)} chars/s  |g| ${fmt(s.gradNorm, 2)}  eta ${formatDuration(eta)}`);
    },
    evaluated(step, v, improved) {
      line(`val ${fmt(v)} nats/char = ${fmt(v / LN2)} bits/char at step ${step}${improved ? ' (best)' : ''}`);
    },
    wantsSamples: false,
    sample() {},
    stop() {},
  };
}

function ttyReporter(): Reporter {
  const multi = new cliProgress.MultiBar({
    stream: process.stderr,
    format: `${c.cyan('{bar}')} {value}/{total} │ loss {loss} │ val {val} │ {cps} chars/s │ eta {etaText} │ |g| {gnorm}`,
    barCompleteChar: '█', barIncompleteChar: '░', barsize: 24, hideCursor: true, clearOnComplete: false,
    etaBuffer: 50, fps: 10, autopadding: true,
  });
  let bar: cliProgress.SingleBar | null = null;
  let started = 0;
  let last = { loss: '-', val: '-', cps: '-', etaText: '?', gnorm: '-' };
  return {
    info(msg) { if (bar) multi.log(`${msg}\n`); else process.stderr.write(`${msg}\n`); },
    start(total, startStep) { started = startStep; bar = multi.create(total, startStep, last); },
    step(s) {
      const per = s.elapsedSec / Math.max(1, s.step - started || s.step);
      last = {
        loss: fmt(s.trainLoss), val: s.valLoss === null ? '-' : `${fmt(s.valLoss)} (${fmt(s.valLoss / LN2, 2)} bpc)`,
        cps: rate(s.charsPerSec), etaText: formatDuration((s.totalSteps - s.step) * per), gnorm: fmt(s.gradNorm, 2),
      };
      // A --time run fixes its step count after the warmup, so the total can change once.
      if (bar && bar.getTotal() !== s.totalSteps) bar.setTotal(s.totalSteps);
      bar?.update(s.step, last);
    },
    evaluated(step, v, improved) {
      multi.log(`${c.dim(`step ${step}`)}  val ${c.bold(fmt(v))} nats/char = ${fmt(v / LN2)} bits/char${improved ? c.green(' best') : ''}\n`);
    },
    wantsSamples: true,
    sample(text) { multi.log(`${c.dim('  sample')} ${c.italic(text)}\n`); },
    stop() { if (bar) { multi.stop(); bar = null; } },
  };
}
