// rnn ⇄ PyTorch through safetensors, against fixtures made by test/fixtures/torch/make_safetensors.py
// (Debian's python3-torch; the tests need no Python): models built and trained in PyTorch give
// PyTorch's loss and greedy sample in rnn, and a checkpoint exported by rnn gives in PyTorch the loss
// rnn computes. Also the CLI: messages, exit codes, and that imports sample, evaluate and fine-tune.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rnn, tempDir } from './helpers/cli.js';

const FIX = resolve(__dirname, 'fixtures/torch');
const golden = JSON.parse(readFileSync(join(FIX, 'safetensors.json'), 'utf8')) as {
  evalText: string; trainText: string;
  models: Record<string, { file: string; loss: number; greedy: string; greedyPrimed?: string }>;
  fromRnn: { checkpoint: string; file: string; torchLoss: number; torchGreedy: string };
};
const evalText = join(FIX, golden.evalText);

async function evalLoss(checkpoint: string): Promise<number> {
  const r = await rnn(['eval', checkpoint, evalText, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).loss as number;
}

async function greedy(checkpoint: string, prime = ''): Promise<string> {
  const r = await rnn(['sample', checkpoint, '--temperature', '0', '--count', '1', '--max-chars', '60', '--prime', prime, '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).text as string;
}

describe('PyTorch → rnn', () => {
  const dir = tempDir();
  for (const [name, m] of Object.entries(golden.models)) {
    it(`${name}: rnn eval gives PyTorch's loss (1e-5 relative) and greedy sample`, async () => {
      const out = join(dir, `${name}.json`);
      const r = await rnn(['import', join(FIX, m.file), '--out', out]);
      expect(r.code).toBe(0);
      if (name.endsWith('bf16')) expect(r.stderr).toMatch(/notice: all 10 tensors stored as BF16 converted to float32/);
      expect(Math.abs((await evalLoss(out)) - m.loss) / m.loss).toBeLessThan(1e-5);
      expect(await greedy(out)).toBe(m.greedy);
      if (m.greedyPrimed) expect(await greedy(out, 'Ka')).toBe(m.greedyPrimed);
    });
  }
});

describe('rnn → PyTorch', () => {
  it('the export of the committed rnn checkpoint is the file PyTorch evaluated, byte for byte', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.safetensors');
    const r = await rnn(['export', join(FIX, golden.fromRnn.checkpoint), '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, tensors: 10, reference: join(dir, 'rnn_torch.py') });
    expect(readFileSync(out).equals(readFileSync(join(FIX, golden.fromRnn.file)))).toBe(true);
    // The reference model beside it is the one shipped in the package.
    expect(readFileSync(join(dir, 'rnn_torch.py'), 'utf8')).toBe(readFileSync(resolve(__dirname, '../src/export/rnn_torch.py'), 'utf8'));
  });

  it("PyTorch's loss on the exported weights equals rnn eval's (1e-5 relative), and so does the greedy sample", async () => {
    const ck = join(FIX, golden.fromRnn.checkpoint);
    expect(Math.abs((await evalLoss(ck)) - golden.fromRnn.torchLoss) / golden.fromRnn.torchLoss).toBeLessThan(1e-5);
    expect(await greedy(ck)).toBe(golden.fromRnn.torchGreedy);
  });

  it('export → import → the same eval loss, bit-identical tensors, and train --init-from accepts it', async () => {
    const dir = tempDir();
    const src = join(FIX, golden.fromRnn.checkpoint);
    expect((await rnn(['export', src, '--out', join(dir, 'm.safetensors')])).code).toBe(0);
    const imp = await rnn(['import', join(dir, 'm.safetensors')]);
    expect(imp.code).toBe(0);
    expect(imp.stderr).toMatch(/wrote .*m\.json: 2×20 GRU, \d+ tokens, line split \(weights only\)/);
    const a = JSON.parse(readFileSync(src, 'utf8')), b = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(b.tensors).toEqual(a.tensors);
    expect(await evalLoss(join(dir, 'm.json'))).toBe(await evalLoss(src));
    const info = await rnn(['info', join(dir, 'm.json')]);
    expect(info.stdout).toMatch(/training {5}none \(weights only\)/);
    const tune = await rnn(['train', join(FIX, golden.trainText), '--init-from', join(dir, 'm.json'), '--steps', '3', '--batch', '4', '--seq-len', '8', '--out', join(dir, 'tuned'), '--quiet', '--json']);
    expect(tune.code).toBe(0);
    expect(JSON.parse(tune.stdout).steps).toBe(3);
  });
});

describe('CLI errors', () => {
  it('import refuses to overwrite a file without --force (exit 2), and replaces it with --force', async () => {
    const dir = tempDir();
    const st = join(FIX, golden.models['torch-gru']!.file);
    expect((await rnn(['import', st, '--out', join(dir, 'a.json')])).code).toBe(0);
    const again = await rnn(['import', st, '--out', join(dir, 'a.json')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`rnn: ${join(dir, 'a.json')} already exists\nhint: choose another --out, or add --force to replace it\n`);
    expect((await rnn(['import', st, '--out', join(dir, 'a.json'), '--force'])).code).toBe(0);
    // Parent directories are created; one that cannot be is one line (Node's recursive mkdir spins
    // forever on /proc/x: this used to hang train, export and import alike).
    expect((await rnn(['import', st, '--out', join(dir, 'new/sub/b.json')])).code).toBe(0);
    const proc = await rnn(['import', st, '--out', '/proc/rnn-nowhere/b.json']);
    expect(proc.code).toBe(1);
    expect(proc.stderr.split('\n')[0]).toBe('rnn: cannot write to /proc/rnn-nowhere: ENOENT');
    const train = await rnn(['train', join(FIX, golden.trainText), '--steps', '1', '--out', '/proc/rnn-nowhere/run']);
    expect(train.code).toBe(1);
  });

  it('a missing or malformed file is one line and exit 1; export of a non-checkpoint too', async () => {
    const dir = tempDir();
    const missing = await rnn(['import', join(dir, 'nope.safetensors')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')[0]).toBe(`rnn: ${join(dir, 'nope.safetensors')}: no such file`);
    const notSt = await rnn(['import', evalText, '--out', join(dir, 'x.json')]);
    expect(notSt.code).toBe(1);
    expect(notSt.stderr.split('\n')[0]).toMatch(/^rnn: .*st-eval\.txt: header length \d+ runs past the end of the file/);
    const exp = await rnn(['export', evalText]);
    expect(exp.code).toBe(1);
    expect(exp.stderr.split('\n')[0]).toMatch(/not a complete JSON document/);
    const fmt = await rnn(['export', join(FIX, golden.fromRnn.checkpoint), '--format', 'tflite']);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/argument 'tflite' is invalid. Allowed choices are safetensors, onnx/);
  });
});
