// A loaded model for library callers, in Node and in the browser alike: generation (a stateful
// generator, whole samples as `rnn sample` draws them, an async stream) and scoring (as `rnn eval`
// computes it). It owns its engines, so it is the one class here: dispose() releases them (the
// WASM kernel's worker threads in Node). Nothing in this file touches Node: engines come from the
// factory the entry point passes in (index.ts in Node, browser.ts in a page).

import type { Checkpoint } from '../checkpoint/types.js';
import { docSetFromStrings, splitDocuments } from '../data/documents.js';
import { encodeDocuments, type UnknownPolicy } from '../data/encode.js';
import { printableChar } from '../data/printable-char.js';
import { createLookup, lookupId, type VocabLookup } from '../data/vocab.js';
import { DataError, RuntimeError, UsageError } from '../errors.js';
import type { Engine, KernelVariant, TokenArray } from '../kernels/engine.js';
import type { ModelConfig } from '../model/config.js';
import { createRng, type Rng } from '../rng.js';
import { pickToken } from '../sample/pick-token.js';
import { generateSteps, SAMPLE_DEFAULTS, type SampleOptions as CoreSampleOptions, type StopReason } from '../sample/sampler.js';
import { ADAPT_LR, ADAPT_LR_MAX, adaptiveFigure, type AdaptiveFigure } from '../train/dynamic-eval.js';
import { EVAL_BATCH, EVAL_SEQ_LEN, evaluateTokens } from '../train/evaluate.js';
import { loadParams, modelConfigOf } from '../train/snapshot.js';
import { checkPick, checkSample, type PickOptions, type SampleOptions } from './options.js';

/** Builds an engine for a model config and batch shape (B streams, T steps per pass). */
export type EngineFactory = (cfg: ModelConfig, batch: number, seqLen: number) => Promise<Engine>;

/** One sample, as `rnn sample --json` prints it. */
export interface Sample {
  /** The prime followed by the generated text. */
  text: string;
  stop: StopReason;
  /** Log-probability in nats under the model at temperature 1 of the generated characters (and of
   *  the EOS it stopped at). */
  logProb: number;
  /** Generated characters (code points), the prime not included. */
  length: number;
}

/** A text's loss under the model, as `rnn eval` computes it: the text is split into documents by
 *  the model's rule, every character and every document's EOS is a target, and the token stream is
 *  read as 16 parallel streams from a zero state (validation's layout, src/train/streams.ts), so
 *  a character near the start of a stream is predicted with less context. For the probabilities
 *  of a text read in order from a fresh document, feed it to a generator. */
export interface Score {
  /** Mean nats per target token: `rnn eval`'s loss. */
  loss: number;
  bitsPerChar: number;
  perplexity: number;
  /** Summed nats over every target. */
  nats: number;
  /** Targets: characters plus one EOS per document. */
  tokens: number;
  chars: number;
  docs: number;
  /** Characters outside the vocabulary dropped (unknown: 'skip'). */
  skipped: number;
  /** The natural-log probability of each target in order: each document's characters, then its
   *  EOS (length `tokens`). */
  logProbs: Float64Array;
  /** With options.adapt: dynamic evaluation's figure (`rnn eval --adapt`), a different quantity
   *  from `loss`: each window is scored, then one SGD step of rate `lr` on it moves the weights
   *  before the next. The model's own weights are not changed. */
  adaptive?: AdaptiveFigure;
}

export interface ScoreOptions {
  /** Characters the model never saw: 'error' (default, a DataError listing them) or 'skip'. */
  unknown?: UnknownPolicy;
  /** Treat the text as one document (no split by the model's rule). */
  oneDocument?: boolean;
  /** Also report dynamic evaluation (`rnn eval --adapt`): true for the default rate, or SGD's
   *  learning rate in [0, 100]. */
  adapt?: boolean | number;
}

/** options.adapt as a rate, or null without it. */
function checkAdapt(a: ScoreOptions['adapt']): number | null {
  if (a === undefined || a === false) return null;
  if (a === true) return ADAPT_LR;
  if (typeof a !== 'number' || !(a >= 0 && a <= ADAPT_LR_MAX)) {
    throw new UsageError(`adapt must be true or a learning rate in [0, ${ADAPT_LR_MAX}], got ${String(a)}`, `${ADAPT_LR} is the default rate`);
  }
  return a;
}

/** Dynamic evaluation on the scoring engine, whose weights are the checkpoint's again after it. */
function adaptiveScore(engine: Engine, ck: Checkpoint, tokens: TokenArray, lr: number): AdaptiveFigure {
  try {
    return adaptiveFigure(engine, tokens, lr);
  } finally {
    loadParams(engine, ck);
    engine.resetState();
  }
}

/** What a model is: its architecture, vocabulary and the kernel build it runs on. */
export interface ModelInfo {
  cell: ModelConfig['cell'];
  layers: number;
  hidden: number;
  /** V, EOS included. */
  vocabSize: number;
  parameters: number;
  docSplit: Checkpoint['vocab']['docSplit'];
  /** 'wasm', 'wasm-fma' or 'ts' (the TypeScript reference). */
  kernel: KernelVariant;
  /** Threads generation runs on (in a page: above 1 only on Web Workers, where it is cross-origin
   *  isolated). Results do not depend on it. */
  threads: number;
}

export class Model {
  /** The checkpoint the model came from (weights, vocabulary, and training state if any). */
  readonly checkpoint: Checkpoint;
  /** The character of each token id; id 0 is EOS, null. */
  readonly chars: readonly (string | null)[];
  readonly info: ModelInfo;
  private readonly makeEngine: EngineFactory;
  private readonly lookup: VocabLookup;
  /** (B = 1, T = 1) engine shared by every generator; `owner` holds its state. */
  private gen: Engine | null;
  private owner: TextGenerator | null = null;
  private scorer: Promise<Engine> | null = null;

  private constructor(ck: Checkpoint, makeEngine: EngineFactory, gen: Engine) {
    this.checkpoint = ck;
    this.makeEngine = makeEngine;
    this.gen = gen;
    this.chars = [null, ...ck.vocab.codePoints.map((c) => String.fromCodePoint(c))];
    this.lookup = createLookup({ codePoints: ck.vocab.codePoints });
    const m = ck.model;
    this.info = {
      cell: m.cell, layers: m.layers, hidden: m.hidden, vocabSize: m.vocabSize, parameters: gen.layout.size,
      docSplit: ck.vocab.docSplit, kernel: gen.variant, threads: gen.threads,
    };
  }

  /** A model over `ck`'s weights; the entry points (loadModel) call this. */
  static async create(ck: Checkpoint, makeEngine: EngineFactory): Promise<Model> {
    const engine = await makeEngine(modelConfigOf(ck), 1, 1);
    loadParams(engine, ck);
    return new Model(ck, makeEngine, engine);
  }

  /** A stateful generator: starts at a fresh document (the state after EOS), with its own random
   *  stream from `seed` (default 1). Generators of one model do not disturb each other. */
  generator(options: { seed?: number } = {}): TextGenerator {
    return new TextGenerator(this, options.seed ?? SAMPLE_DEFAULTS.seed);
  }

  /** `count` samples (default 1) exactly as `rnn sample` draws them with the same options and seed. */
  sample(options: SampleOptions & { count?: number } = {}): Sample[] {
    const count = options.count ?? 1;
    checkSample({ ...options, count });
    const g = this.generator({ seed: options.seed });
    const out: Sample[] = [];
    for (let i = 0; i < count; i++) out.push(g.sample(options));
    return out;
  }

  /** One sample's text as it is generated (the prime first), as `rnn sample --count 1` prints it on
   *  a terminal. */
  stream(options: SampleOptions = {}): AsyncIterableIterator<string> {
    return this.generator({ seed: options.seed }).stream(options);
  }

  /** The loss of `text`, equal to `rnn eval`'s on the same text and kernel; several texts are
   *  scored as `rnn eval` scores several files. */
  async score(text: string | readonly string[], options: ScoreOptions = {}): Promise<Score> {
    this.live();
    const adaptLr = checkAdapt(options.adapt);
    const ck = this.checkpoint;
    // As `rnn eval` reads a file (data/decode-source.ts): no BOM, LF line ends.
    const texts = (typeof text === 'string' ? [text] : [...text]).map((t) => t.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
    const docs = options.oneDocument ? docSetFromStrings([texts.join('')])
      : splitDocuments(texts.map((t, i) => ({ name: `text ${i}`, text: t })), ck.vocab.docSplit);
    const enc = encodeDocuments(docs, { codePoints: ck.vocab.codePoints }, { unknown: options.unknown ?? 'error' });
    if (enc.tokens.length < 2) throw new DataError('nothing to score: the text has no characters the model knows', 'check the text, or the unknown option');
    // Without dropout, so that dynamic evaluation's training pass drops nothing either.
    this.scorer ??= this.makeEngine({ ...modelConfigOf(ck), dropout: 0 }, EVAL_BATCH, EVAL_SEQ_LEN).then((e) => { loadParams(e, ck); return e; });
    const engine = await this.scorer;
    this.live();
    const perTarget = new Float64Array(enc.tokens.length);
    const { nats, count } = evaluateTokens(engine, enc.tokens, perTarget);
    const logProbs = new Float64Array(count);
    for (let i = 0; i < count; i++) logProbs[i] = -perTarget[i + 1]!;
    const loss = nats / count;
    return {
      loss, bitsPerChar: loss / Math.LN2, perplexity: Math.exp(loss), nats, tokens: count,
      chars: enc.chars, docs: enc.docs, skipped: enc.skipped, logProbs,
      ...(adaptLr === null ? {} : { adaptive: adaptiveScore(engine, ck, enc.tokens, adaptLr) }),
    };
  }

  /** Release the engines (the WASM kernel's threads and memory). Idempotent; the model cannot be
   *  used afterwards. */
  dispose(): void {
    this.gen?.dispose();
    this.gen = null;
    this.owner = null;
    const s = this.scorer;
    this.scorer = null;
    void s?.then((e) => e.dispose(), () => {});
  }

  /** `using model = …` disposes it at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `await using model = await loadModel(…)` disposes it at the end of the block, once the
   *  scoring engine (if one was starting) is released too. */
  async [Symbol.asyncDispose](): Promise<void> {
    const s = this.scorer;
    this.dispose();
    await s?.catch(() => {});
  }

  /** @internal The generation engine, holding `g`'s state. */
  claim(g: TextGenerator): Engine {
    const e = this.live();
    if (this.owner !== g) {
      this.owner?.save(e);
      g.restore(e);
      this.owner = g;
    }
    return e;
  }

  /** @internal Token ids of `text`, or a DataError listing the characters the model never saw. */
  encode(text: string, what: string): number[] {
    const ids: number[] = [];
    const missing = new Set<string>();
    for (const ch of text) {
      const id = lookupId(this.lookup, ch.codePointAt(0)!);
      if (id < 0) missing.add(printableChar(ch.codePointAt(0)!));
      else ids.push(id);
    }
    if (missing.size) {
      throw new DataError(`${what} has characters the model never saw: ${[...missing].join(', ')}`,
        'use only characters of the training corpus (model.chars lists them)');
    }
    return ids;
  }

  private live(): Engine {
    if (!this.gen) throw new RuntimeError('the model was disposed', 'load it again');
    return this.gen;
  }
}

/** Generation state of one document: fed text, the next-character distribution, drawn characters.
 *  Create with model.generator(). */
export class TextGenerator {
  private readonly model: Model;
  private readonly rng: Rng;
  private state: Float32Array | null = null;
  private logits: Float32Array | null = null;
  private readonly x = new Int32Array(1);
  private readonly y = new Int32Array(1).fill(-1);
  private readonly work: Float64Array;

  /** @internal */
  constructor(model: Model, seed: number) {
    checkSample({ seed });
    this.model = model;
    this.rng = createRng(seed, 'sample');
    this.work = new Float64Array(2 * model.info.vocabSize);
    this.reset();
  }

  /** Back to a fresh document: the state after EOS. */
  reset(): this {
    const e = this.model.claim(this);
    e.resetState();
    this.step(e, 0);
    return this;
  }

  /** Advance the state over `text` (each character must be in the vocabulary). */
  feed(text: string): this {
    const ids = this.model.encode(text, 'the text fed');
    const e = this.model.claim(this);
    for (const id of ids) this.step(e, id);
    return this;
  }

  /** The next token's probabilities at `temperature` (default 1), indexed by id (model.chars). */
  probabilities(temperature = 1): Float64Array {
    const e = this.model.claim(this);
    const V = this.model.info.vocabSize;
    const p = new Float64Array(V);
    if (temperature === 0) {
      p[pickToken(e.logits, V, { temperature: 0, topK: 0, topP: 1 }, this.rng, this.work)] = 1;
      return p;
    }
    let max = -Infinity, sum = 0;
    for (let v = 0; v < V; v++) max = Math.max(max, e.logits[v]!);
    for (let v = 0; v < V; v++) sum += (p[v] = Math.exp((e.logits[v]! - max) / temperature));
    for (let v = 0; v < V; v++) p[v]! /= sum;
    return p;
  }

  /** The `k` most likely next characters (null: EOS), most likely first. */
  top(k: number, temperature = 1): { char: string | null; p: number }[] {
    const p = this.probabilities(temperature);
    return [...p.keys()].sort((a, b) => p[b]! - p[a]! || a - b).slice(0, k).map((id) => ({ char: this.model.chars[id]!, p: p[id]! }));
  }

  /** Draw the next character with the generator's random stream, feed it, and return it (null
   *  for EOS, after which the state is that of a fresh document). */
  next(options: PickOptions = {}): string | null {
    const pick = checkPick(options);
    const e = this.model.claim(this);
    const id = pickToken(e.logits, this.model.info.vocabSize, pick, this.rng, this.work);
    this.step(e, id);
    return this.model.chars[id]!;
  }

  /** One whole sample from a fresh document, as `rnn sample` draws it: successive calls on one
   *  generator give `rnn sample --count N --seed S`'s samples in order. `onText` receives the
   *  generated text as it becomes final (not the prime). The generator is left where the sample
   *  ended. */
  sample(options: SampleOptions = {}, onText?: (text: string) => void): Sample {
    const steps = this.steps(options);
    let r;
    while (!(r = steps.it.next()).done) { onText?.(r.value); this.model.claim(this); }
    return { text: steps.prime + r.value.text, stop: r.value.reason, logProb: r.value.logProb, length: r.value.length };
  }

  /** sample(), streamed: the prime, then the text as it is generated. */
  async *stream(options: SampleOptions = {}): AsyncIterableIterator<string> {
    const steps = this.steps(options);
    if (steps.prime) yield steps.prime;
    for (;;) {
      this.model.claim(this);
      const r = steps.it.next();
      if (r.done) return;
      yield r.value;
    }
  }

  private steps(options: SampleOptions): { prime: string; it: Generator<string, { text: string; reason: StopReason; logProb: number; length: number }, void> } {
    const o = checkSample(options);
    const prime = this.model.encode(o.prime, 'the prime');
    const core: CoreSampleOptions = {
      prime, maxChars: o.maxChars, temperature: o.temperature, topK: o.topK, topP: o.topP, eosStop: o.eosStop,
      stops: o.stop, eosText: this.model.info.docSplit === 'blank' ? '\n\n' : '\n',
    };
    const engine = this.model.claim(this);
    return { prime: o.prime, it: generateSteps(engine, this.model.checkpoint.vocab.codePoints, core, this.rng) };
  }

  private step(e: Engine, id: number): void {
    this.x[0] = id;
    e.forwardLoss(this.x, this.y);
  }

  /** @internal Keep the engine's state and logits while another generator uses it. */
  save(e: Engine): void {
    (this.state ??= new Float32Array(e.state.length)).set(e.state);
    (this.logits ??= new Float32Array(e.logits.length)).set(e.logits);
  }

  /** @internal */
  restore(e: Engine): void {
    if (this.state && this.logits) { e.state.set(this.state); e.logits.set(this.logits); }
  }
}
