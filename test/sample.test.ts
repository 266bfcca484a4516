// Sampling: the token choice (temperature, top-k, top-p) against distributions computed by hand,
// and generate()'s stopping rules (EOS, --stop strings, --no-eos-stop, --max-chars) on a fake
// engine whose next-token logits follow a fixed script.

import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/kernels/engine.js';
import { createRng } from '../src/rng.js';
import { pickToken } from '../src/sample/pick-token.js';
import { generate } from '../src/sample/sampler.js';

const V = 4;
// softmax([0, ln 2, ln 3, ln 4]) = [1, 2, 3, 4] / 10
const LOGITS = Float32Array.from([0, Math.log(2), Math.log(3), Math.log(4)]);

function frequencies(o: { temperature: number; topK: number; topP: number }, n = 40000): number[] {
  const rng = createRng(9), work = new Float64Array(2 * V), f = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) f[pickToken(LOGITS, V, o, rng, work)]!++;
  return f.map((c) => c / n);
}

describe('pickToken', () => {
  it('temperature 0 is greedy', () => {
    expect(pickToken(LOGITS, V, { temperature: 0, topK: 0, topP: 1 }, createRng(1), new Float64Array(2 * V))).toBe(3);
  });

  it('temperature 1 follows the softmax: [0.1, 0.2, 0.3, 0.4]', () => {
    frequencies({ temperature: 1, topK: 0, topP: 1 }).forEach((f, i) => expect(Math.abs(f - [0.1, 0.2, 0.3, 0.4][i]!)).toBeLessThan(0.01));
  });

  it('temperature 0.5 squares the odds: [1, 4, 9, 16] / 30', () => {
    frequencies({ temperature: 0.5, topK: 0, topP: 1 }).forEach((f, i) => expect(Math.abs(f - [1, 4, 9, 16][i]! / 30)).toBeLessThan(0.01));
  });

  it('top-k 2 keeps the two most likely, renormalised: [0, 0, 3/7, 4/7]', () => {
    frequencies({ temperature: 1, topK: 2, topP: 1 }).forEach((f, i) => expect(Math.abs(f - [0, 0, 3 / 7, 4 / 7][i]!)).toBeLessThan(0.01));
  });

  it('top-p 0.5 keeps the smallest set reaching half the mass: 0.4 + 0.3 → [0, 0, 3/7, 4/7]', () => {
    frequencies({ temperature: 1, topK: 0, topP: 0.5 }).forEach((f, i) => expect(Math.abs(f - [0, 0, 3 / 7, 4 / 7][i]!)).toBeLessThan(0.01));
  });

  it('top-p 0.3 keeps only the most likely token', () => {
    expect(frequencies({ temperature: 1, topK: 0, topP: 0.3 }, 2000)).toEqual([0, 0, 0, 1]);
  });
});

/** A batch-1 engine whose next token (given the last fed one) is script[last]: ids 0 EOS, 1 a, 2 b, 3 c. */
function scripted(script: number[]): Engine {
  const logits = new Float32Array(V);
  return {
    cfg: { cell: 'lstm', layers: 1, hidden: 1, vocabSize: V, dropout: 0 }, batch: 1, seqLen: 1, logits,
    resetState() {},
    forwardLoss(x: Int32Array) { logits.fill(-20); logits[script[x[0]!]!] = 20; return 0; },
  } as unknown as Engine;
}

const chars = [0x61, 0x62, 0x63]; // a b c
const base = { prime: [], temperature: 0, topK: 0, topP: 1, eosText: '\n', stops: [] as string[], eosStop: true, maxChars: 50 };

describe('generate', () => {
  // after EOS → a, a → b, b → c, c → EOS
  const e = scripted([1, 2, 3, 0]);

  it('stops at EOS without printing it', () => {
    expect(generate(e, chars, base, createRng(1))).toMatchObject({ text: 'abc', reason: 'eos', length: 3 });
  });

  it('--no-eos-stop runs on across documents, EOS shown as the separator, up to --max-chars', () => {
    expect(generate(e, chars, { ...base, eosStop: false, maxChars: 9 }, createRng(1))).toMatchObject({ text: 'abc\nabc\na', reason: 'max-chars', length: 9 });
  });

  it('--stop ends at a stop string and leaves it out', () => {
    expect(generate(e, chars, { ...base, eosStop: false, stops: ['\nab'] }, createRng(1))).toMatchObject({ text: 'abc', reason: 'stop-string' });
    expect(generate(e, chars, { ...base, stops: ['bc'] }, createRng(1))).toMatchObject({ text: 'a', reason: 'stop-string' });
  });

  it('a prime is fed after EOS and not repeated in the text', () => {
    expect(generate(e, chars, { ...base, prime: [1] }, createRng(1))).toMatchObject({ text: 'bc', reason: 'eos' });
  });

  it('streams exactly the returned text, holding back what a stop string could still remove', () => {
    let streamed = '';
    const r = generate(e, chars, { ...base, eosStop: false, maxChars: 20, stops: ['c\na'] }, createRng(1), (s) => { streamed += s; });
    expect(r.text).toBe('ab');
    expect(streamed).toBe('ab');
  });
});
