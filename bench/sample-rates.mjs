// Sampling speed: src/sample/sampler.ts's generate() on an engine with batch 1 and seqLen 1, as
// `rnn sample` runs it: one forwardLoss per character (the state carried), then pickToken on the
// logits (temperature 1, no top-k/top-p). Random initial weights; EOS does not stop the sample, so
// every call produces exactly maxChars characters.

import { createEngine } from '../dist/kernels/create-engine.js';
import { initParams } from '../dist/model/layout.js';
import { createRng } from '../dist/rng.js';
import { generate } from '../dist/sample/sampler.js';

/** A sampler of `model` ({ cell, layers, hidden }); `time(n)` generates n characters and returns
 *  the seconds it took. engineOpts: { kernel: 'wasm' | 'ts', threads }. */
export async function createSampler(model, chars, engineOpts) {
  const cfg = { ...model, vocabSize: chars.length + 1, dropout: 0 };
  const e = await createEngine(cfg, 1, 1, engineOpts);
  initParams(e.params, cfg, createRng(1, 'init').next);
  e.paramsChanged();
  const codePoints = chars.map((c) => c.codePointAt(0));
  const rng = createRng(1, 'sample');
  return {
    time(n) {
      const o = { temperature: 1, topK: 0, topP: 1, prime: [], maxChars: n, eosStop: false, stops: [], eosText: '\n' };
      const t0 = performance.now();
      const { length } = generate(e, codePoints, o, rng);
      const sec = (performance.now() - t0) / 1000;
      if (length !== n) throw new Error(`generate produced ${length} characters, not ${n}`);
      return sec;
    },
    dispose: () => e.dispose(),
  };
}
