// rnn → ONNX, run in ONNX Runtime (onnxruntime-node's CPU build): for every cell at 1 and 2 layers
// the exported graph gives `rnn eval`'s loss on a fixed text (1e-5 relative) and, fed its own final
// states one token at a time, `rnn sample --temperature 0`'s string. The loss here is computed from
// ONNX Runtime's logits with the stream rule rnn eval documents (16 streams, each from a zero
// state), so a wrong gate order, bias split or state wiring shows as a different number.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../src/checkpoint/io.js';
import { stateCount } from '../src/model/config.js';
import { smallCheckpoint } from './checkpoint-helpers.js';
import { rnn, tempDir, writeText } from './helpers/cli.js';

const CODE_POINTS = [10, 97, 98, 0x1f600]; // ids 1..4: "\n", "a", "b", "😀"; 0 is EOS
const DOCS = ['ab😀ba', 'bab', '😀a', 'aab', 'b😀😀a', 'ba'];
const TEXT = Array.from({ length: 6 }, () => DOCS.join('\n')).join('\n') + '\n';
const STREAMS = 16; // rnn eval's stream count

/** Token ids as rnn's line split encodes them: EOS, then each line's characters and an EOS. */
function encode(text: string): number[] {
  const ids = [0];
  for (const line of text.split('\n').filter((l) => l !== '')) ids.push(...[...line].map((c) => CODE_POINTS.indexOf(c.codePointAt(0)!) + 1), 0);
  return ids;
}

type Session = ort.InferenceSession;
const zeros = (L: number, B: number, H: number): ort.Tensor => new ort.Tensor('float32', new Float32Array(L * B * H), [L, B, H]);

/** One run: tokens (T, B) time-major; returns logits (T·B·V) and the final states by name. */
async function step(s: Session, tokens: number[], T: number, B: number, state: Record<string, ort.Tensor>) {
  const r = await s.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [T, B]), ...state });
  const next: Record<string, ort.Tensor> = { h0: r.hn! };
  if (r.cn) next.c0 = r.cn;
  return { logits: r.logits!.data as Float32Array, state: next };
}

/** Mean cross-entropy (nats) over every target, the ids cut into 16 contiguous streams. */
async function onnxLoss(s: Session, ids: number[], L: number, H: number, lstm: boolean, V: number): Promise<number> {
  const n = ids.length - 1, lb = Math.ceil(n / STREAMS);
  const x: number[] = new Array(lb * STREAMS).fill(0), y: number[] = new Array(lb * STREAMS).fill(-1);
  for (let b = 0; b < STREAMS; b++) {
    for (let t = 0; t < lb && b * lb + t < n; t++) { x[t * STREAMS + b] = ids[b * lb + t]!; y[t * STREAMS + b] = ids[b * lb + t + 1]!; }
  }
  const state = { h0: zeros(L, STREAMS, H), ...(lstm ? { c0: zeros(L, STREAMS, H) } : {}) };
  const { logits } = await step(s, x, lb, STREAMS, state);
  let nats = 0;
  for (let k = 0; k < y.length; k++) {
    if (y[k]! < 0) continue;
    const row = Array.from(logits.subarray(k * V, (k + 1) * V), Number);
    const m = Math.max(...row);
    nats += m + Math.log(row.reduce((a, z) => a + Math.exp(z - m), 0)) - row[y[k]!]!;
  }
  return nats / n;
}

async function onnxGreedy(s: Session, L: number, H: number, lstm: boolean, V: number, maxChars: number): Promise<string> {
  let state: Record<string, ort.Tensor> = { h0: zeros(L, 1, H), ...(lstm ? { c0: zeros(L, 1, H) } : {}) };
  let token = 0, out = '';
  for (let k = 0; k <= maxChars; k++) {
    const r = await step(s, [token], 1, 1, state);
    state = r.state;
    const row = Array.from(r.logits, Number);
    token = row.indexOf(Math.max(...row));
    if (token === 0 || k === maxChars) break;
    out += String.fromCodePoint(CODE_POINTS[token - 1]!);
  }
  return out;
}

describe('rnn export --format onnx, run in ONNX Runtime', () => {
  const dir = tempDir();
  const text = writeText(dir, 'eval.txt', TEXT);
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    for (const layers of [1, 2]) {
      it(`${cell} ×${layers}: ONNX Runtime's loss is rnn eval's (1e-5 relative); stepping its states gives rnn sample's greedy string`, async () => {
        const ck = smallCheckpoint({ cell, layers, hidden: 5, codePoints: CODE_POINTS, training: false });
        const ckPath = join(dir, `${cell}${layers}.json`), out = join(dir, `${cell}${layers}.onnx`);
        saveCheckpoint(ckPath, ck);
        const exp = await rnn(['export', ckPath, '--format', 'onnx', '--out', out, '--json']);
        expect(exp.stderr).toBe('');
        expect(JSON.parse(exp.stdout)).toMatchObject({ out, tensors: ck.tensors.length });
        const s = await ort.InferenceSession.create(readFileSync(out));
        expect(s.inputNames).toEqual(['tokens', ...(stateCount(cell) === 2 ? ['h0', 'c0'] : ['h0'])]);

        const ev = await rnn(['eval', ckPath, text, '--json']);
        expect(ev.code).toBe(0);
        const rnnLoss = JSON.parse(ev.stdout).loss as number;
        const loss = await onnxLoss(s, encode(TEXT), layers, 5, cell === 'lstm', CODE_POINTS.length + 1);
        expect(Math.abs(loss - rnnLoss) / rnnLoss).toBeLessThan(1e-5);

        const sm = await rnn(['sample', ckPath, '--temperature', '0', '--count', '1', '--max-chars', '20', '--json']);
        expect(sm.code).toBe(0);
        expect(await onnxGreedy(s, layers, 5, cell === 'lstm', CODE_POINTS.length + 1, 20)).toBe(JSON.parse(sm.stdout).text);
      });
    }
  }
});
