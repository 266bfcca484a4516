// `rnn info`: what a checkpoint holds: architecture, parameter count, vocabulary, corpus and split
// rule, training progress and settings, and the rnn version that wrote it.

import { loadCheckpoint } from '../../checkpoint/io.js';
import { printableChar } from '../../data/printable-char.js';
import { buildLayout } from '../../model/layout.js';
import { equivalentFlags } from '../../settings/derive.js';
import { formatDuration } from '../../format.js';
import { resolveCheckpoint } from '../../checkpoint/run-dir.js';

export async function infoMain(checkpointArg: string | undefined, raw: Record<string, unknown>): Promise<void> {
  const path = resolveCheckpoint(checkpointArg);
  const ck = loadCheckpoint(path);
  const params = buildLayout(ck.model).size;
  const tr = ck.training;
  const summary = {
    checkpoint: path, rnnVersion: ck.rnnVersion, createdAt: ck.createdAt, model: ck.model, parameters: params,
    vocabulary: { size: ck.model.vocabSize, characters: ck.vocab.codePoints.map((c) => String.fromCodePoint(c)).join('') },
    docSplit: ck.vocab.docSplit, corpus: ck.corpus,
    training: tr && {
      step: tr.step, steps: tr.settings.steps, epoch: tr.epoch, elapsedSec: tr.elapsedSec, kernel: tr.kernel ?? null,
      bestValLoss: tr.bestValLoss, bestValBitsPerChar: tr.bestValLoss === null ? null : tr.bestValLoss / Math.LN2, bestStep: tr.bestStep,
      settings: tr.settings,
    },
  };
  if (raw.json) { process.stdout.write(`${JSON.stringify(summary)}\n`); return; }
  const m = ck.model;
  const lines = [
    `checkpoint   ${path} (rnn ${ck.rnnVersion}, ${ck.createdAt})`,
    `model        ${m.layers}×${m.hidden} ${m.cell.toUpperCase()}, dropout ${m.dropout}, ${params.toLocaleString('en-US')} parameters`,
    `vocabulary   ${m.vocabSize} tokens: EOS ${ck.vocab.codePoints.map(printableChar).join(' ')}`,
    `corpus       ${ck.corpus.paths.join(', ')} (${ck.vocab.docSplit} split; train ${ck.corpus.trainTokens.toLocaleString('en-US')} tokens in ${ck.corpus.trainDocs.toLocaleString('en-US')} docs, val ${ck.corpus.valTokens.toLocaleString('en-US')} in ${ck.corpus.valDocs.toLocaleString('en-US')})`,
  ];
  if (tr) {
    const s = tr.settings;
    lines.push(
      `training     step ${tr.step} of ${s.steps}, epoch ${tr.epoch}, ${formatDuration(tr.elapsedSec)} of training${tr.kernel ? ` on the ${tr.kernel} kernel` : ''}`,
      `best val     ${tr.bestValLoss === null ? '-' : `${tr.bestValLoss.toFixed(4)} nats/char = ${(tr.bestValLoss / Math.LN2).toFixed(4)} bits/char at step ${tr.bestStep}`}`,
      `settings     ${s.flags ?? equivalentFlags({ ...s, ...ck.model, docSplit: ck.vocab.docSplit })}`,
    );
  } else lines.push('training     none (weights only)');
  process.stdout.write(`${lines.join('\n')}\n`);
}
