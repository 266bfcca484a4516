// Robustness: thousands of randomly mutated and truncated checkpoints (deleted fields, changed types
// and numbers, reordered or duplicated entries, corrupted base64, non-finite tensor values, cut or
// garbled text) each either parse to a checkpoint that re-parses to itself, or throw one short
// CheckpointError line naming the file; never another exception, and each case in milliseconds.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../src/checkpoint/io.js';
import { decodeF32 } from '../src/checkpoint/tensor-codec.js';
import type { Checkpoint } from '../src/checkpoint/types.js';
import { CheckpointError } from '../src/errors.js';
import { stateCount } from '../src/model/config.js';
import { buildLayout } from '../src/model/layout.js';
import { cloneJson, smallCheckpoint } from './checkpoint-helpers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const BASES: Json[] = [
  smallCheckpoint(),
  smallCheckpoint({ cell: 'lstm', layers: 1, hidden: 2, batch: 1 }),
  smallCheckpoint({ cell: 'rnn', layers: 3, hidden: 1, codePoints: [32, 0x10ffff] }),
  smallCheckpoint({ cell: 'gru', training: false }),
].map((c) => cloneJson(c) as unknown as Json);

/** Every node of `v` (the root included) with its path, in document order. */
function nodes(v: Json, p: Path = [], out: [Path, Json][] = []): [Path, Json][] {
  out.push([p, v]);
  if (Array.isArray(v)) v.forEach((x, i) => nodes(x, [...p, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) nodes(x, [...p, k], out);
  return out;
}

/** One node of `candidates`, picked so that every schema field (array indices collapsed, e.g.
 *  `tensors[*].shape`) is equally likely, however many elements its arrays have. */
function pickField(candidates: [Path, Json][], k: number): [Path, Json] | undefined {
  const groups = new Map<string, [Path, Json][]>();
  for (const c of candidates) {
    const key = c[0].map((x) => (typeof x === 'number' ? '*' : x)).join('.');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const keys = [...groups.keys()];
  if (keys.length === 0) return undefined;
  const members = groups.get(keys[k % keys.length]!)!;
  return members[Math.floor(k / keys.length) % members.length];
}

function parentOf(root: Json, p: Path): Record<string | number, Json> {
  let o = root as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  return o;
}

const NUMBER_TWEAKS: ((n: number) => number)[] = [
  (n) => n + 1, (n) => n - 1, (n) => -n, (n) => n + 0.5, (n) => n * 2 ** 31, () => 0, () => 2 ** 32, () => 2 ** 53 + 2, () => 1e308,
];
const NONFINITE_F32 = [[0, 0, 0xc0, 0x7f], [0, 0, 0x80, 0x7f], [0, 0, 0x80, 0xff], [1, 0, 0x80, 0x7f]];
const BASE64_CHARS = ['A', '/', '+', '=', '-', '_', ' ', '!', '\n', 'é'];
const TEXT_CHARS = ['"', '{', '}', '[', ']', ',', ':', '0', '9', 'e', '-', '.', ' ', '\\', 'n', 't'];

const weird: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 0.5, 1e308, -1e308, 2 ** 32, 2 ** 53, '', 'AAAA', 'lstm', 'f32', [], {}, [[[[]]]],
    { name: 'carry' }, [1, 2, 3, 4], ['a']),
  fc.integer(), fc.double(), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

const op = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: weird }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), tweak: fc.nat(NUMBER_TWEAKS.length - 1) }),
  fc.record({ kind: fc.constant('base64' as const), at: fc.nat(), how: fc.nat(4), pos: fc.nat(), ch: fc.constantFrom(...BASE64_CHARS) }),
  fc.record({ kind: fc.constant('reorder' as const), at: fc.nat(), i: fc.nat(), j: fc.nat(), dup: fc.boolean() }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
const textOp = fc.record({ how: fc.nat(2), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(40), ch: fc.constantFrom(...TEXT_CHARS) });

function applyOp(root: Json, o: Op): Json {
  const all = nodes(root);
  switch (o.kind) {
    case 'delete': case 'set': {
      const [p] = pickField(all, o.at)!;
      if (p.length === 0) return o.kind === 'set' ? o.value : null;
      const parent = parentOf(root, p), k = p[p.length - 1]!;
      if (o.kind === 'set') parent[k] = o.value;
      else if (Array.isArray(parent)) parent.splice(k as number, 1);
      else delete parent[k];
      return root;
    }
    case 'number': {
      const hit = pickField(all.filter(([p, v]) => typeof v === 'number' && p.length > 0), o.at);
      if (hit) parentOf(root, hit[0])[hit[0][hit[0].length - 1]!] = NUMBER_TWEAKS[o.tweak]!(hit[1] as number);
      return root;
    }
    case 'base64': {
      const hit = pickField(all.filter(([p, v]) => p[p.length - 1] === 'data' && typeof v === 'string'), o.at);
      if (!hit) return root;
      const s = hit[1] as string, at = s.length ? o.pos % s.length : 0;
      let out: string;
      if (o.how === 0) out = s.slice(0, at) + o.ch + s.slice(at + 1);
      else if (o.how === 1) out = s.slice(0, at);
      else if (o.how === 2) out = s + o.ch.repeat(1 + (o.pos % 4));
      else if (o.how === 3) out = s.slice(0, at) + o.ch + s.slice(at);
      else {
        const bytes = Buffer.from(s, 'base64');
        if (bytes.length >= 4) bytes.set(NONFINITE_F32[o.pos % NONFINITE_F32.length]!, 4 * (o.pos % (bytes.length >> 2)));
        out = bytes.toString('base64');
      }
      parentOf(root, hit[0])[hit[0][hit[0].length - 1]!] = out;
      return root;
    }
    case 'reorder': {
      const hit = pickField(all.filter(([, v]) => Array.isArray(v) && v.length > 0), o.at);
      if (!hit) return root;
      const a = hit[1] as Json[], i = o.i % a.length, j = o.j % a.length;
      if (o.dup) a.splice(i, 0, cloneJson(a[j]!));
      else [a[i], a[j]] = [a[j]!, a[i]!];
      return root;
    }
  }
}

function applyText(text: string, t: { how: number; at: number; len: number; ch: string }): string {
  const at = Math.floor(t.at * text.length);
  if (t.how === 0) return text.slice(0, at);
  if (t.how === 1) return text.slice(0, at) + t.ch + text.slice(at + 1);
  return text.slice(0, at) + text.slice(at + t.len);
}

/** Parse `text` and check the outcome: a checkpoint that re-parses to itself, or one short line. */
function outcome(text: string): { kind: 'valid' | 'error'; message: string } {
  let ck: Checkpoint;
  try {
    ck = parseCheckpoint(text, 'ck.json');
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw new Error(`not a CheckpointError: ${String(e)}`);
    expect(e.message).not.toContain('\n');
    expect(e.message.startsWith('ck.json: ')).toBe(true);
    expect(e.message.length).toBeLessThan(300);
    expect(e.message).not.toContain('invalid checkpoint ('); // parseCheckpoint's net for non-CheckpointErrors
    return { kind: 'error', message: e.message };
  }
  expect(parseCheckpoint(JSON.stringify(ck), 'again.json')).toEqual(ck);
  expectUsable(ck);
  return { kind: 'valid', message: '' };
}

/** What the trainer and sampler rely on in an accepted checkpoint, checked independently of validate.ts. */
function expectUsable(ck: Checkpoint): void {
  const layout = buildLayout(ck.model);
  expect(ck.tensors.map((t) => [t.name, decodeF32(t).length])).toEqual(layout.tensors.map((t) => [t.name, t.size]));
  expect(ck.vocab.codePoints.length + 1).toBe(ck.model.vocabSize);
  expect(ck.vocab.codePoints.every((cp, i) => i === 0 || cp > ck.vocab.codePoints[i - 1]!)).toBe(true);
  const tr = ck.training;
  if (!tr) return;
  expect(tr.moments.map((m) => decodeF32(m).length)).toEqual([layout.size, layout.size]);
  expect(decodeF32(tr.carry).length).toBe(ck.model.layers * stateCount(ck.model.cell) * tr.settings.batch * ck.model.hidden);
  expect(tr.rng.some((x) => x !== 0) && tr.rng.every((x) => x >>> 0 === x)).toBe(true);
}

describe('parseCheckpoint under random damage', () => {
  it('3,000 mutated and truncated checkpoints: a valid checkpoint or a one-line CheckpointError, each fast', () => {
    const seen = { valid: 0, error: 0 };
    let slowest = 0;
    const fieldNamed = /^ck\.json: (expected a JSON object at the top level|[a-zA-Z][\w.[\]]*: )/;
    fc.assert(fc.property(fc.nat(BASES.length - 1), fc.array(op, { minLength: 1, maxLength: 2 }), fc.option(textOp, { freq: 3 }),
      (base, ops, text) => {
        let doc: Json = cloneJson(BASES[base]!);
        for (const o of ops) doc = applyOp(doc, o);
        let input = JSON.stringify(doc) ?? '';
        if (text) input = applyText(input, text);
        const t0 = performance.now();
        const { kind, message } = outcome(input);
        slowest = Math.max(slowest, performance.now() - t0);
        seen[kind]++;
        if (kind === 'error' && !text) expect(message).toMatch(fieldNamed);
      }), { numRuns: 3000, seed: 20260101 });
    expect(seen.valid + seen.error).toBe(3000);
    expect(seen.valid).toBeGreaterThan(20); // harmless mutations (a metric, a code point in range) do occur
    expect(seen.error).toBeGreaterThan(1500);
    expect(slowest).toBeLessThan(250);
  });

  it('arbitrary JSON values, at the top level or in place of any field, only ever give CheckpointError', () => {
    fc.assert(fc.property(fc.nat(BASES.length - 1), fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.nat(20), (base, value, at, top) => {
      const doc = cloneJson(BASES[base]!);
      const [p] = pickField(nodes(doc).filter(([q]) => q.length > 0), at)!;
      parentOf(doc, p)[p[p.length - 1]!] = value as Json;
      outcome(JSON.stringify(top === 0 ? value : doc) ?? '');
    }), { numRuns: 1500, seed: 7 });
  });

  it('deeply nested input (100,000 levels) in any field is one CheckpointError, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = JSON.stringify(BASES[0]);
    for (const field of ['model', 'cell', 'codePoints', 'tensors', 'shape', 'data', 'rng', 'metrics']) {
      const at = text.indexOf(`"${field}":`) + field.length + 3;
      const { kind, message } = outcome(text.slice(0, at) + deep + text.slice(valueEnd(text, at)));
      expect(kind).toBe('error');
      expect(message).toContain(field);
    }
    expect(outcome(deep).kind).toBe('error');
  });
});

/** End index of the JSON value starting at `i` in `text` (strings without escapes suffice here). */
function valueEnd(text: string, i: number): number {
  let depth = 0, inString = false;
  for (let k = i; k < text.length; k++) {
    const ch = text[k];
    if (inString) { if (ch === '"') inString = false; if (depth === 0 && !inString) return k + 1; continue; }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') { depth--; if (depth === 0) return k + 1; if (depth < 0) return k; }
    else if (ch === ',' && depth === 0) return k;
  }
  return text.length;
}
