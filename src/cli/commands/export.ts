// `rnn export`: a checkpoint's weights as a safetensors file PyTorch loads (export/torch-format.ts),
// with the reference model rnn_torch.py written beside it; as an ONNX model (export/onnx-format.ts);
// or, with --format web, a page that samples from the model in a browser (web/web-page.ts).
// Messages go to stderr; --json prints a summary on stdout.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkWritableDir, writeFileAtomic } from '../../checkpoint/atomic-write.js';
import { loadCheckpoint } from '../../checkpoint/io.js';
import { UsageError } from '../../errors.js';
import { exportSafetensors } from '../../export/torch-format.js';
import { exportOnnx } from '../../export/onnx-format.js';
import { resolveCheckpoint } from '../../checkpoint/run-dir.js';
import type { Checkpoint } from '../../checkpoint/types.js';
import { webPage } from '../../web/web-page.js';

/** The reference model's file name, and where the package keeps it (src/ also when running from dist/). */
export const REFERENCE_FILE = 'rnn_torch.py';
const REFERENCE_SOURCE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? `../../export/${REFERENCE_FILE}` : `../../../src/export/${REFERENCE_FILE}`, import.meta.url));

/** The page's script, built by web/build.mjs into dist/web/. */
const PAGE_SCRIPT = new URL(import.meta.url.endsWith('.ts') ? '../../../dist/web/page.js' : '../../web/page.js', import.meta.url);
/** The file the web format writes inside --out. */
export const WEB_PAGE_FILE = 'index.html';

interface ExportFlags { format: 'safetensors' | 'onnx' | 'web'; out?: string; json?: boolean }

export async function exportMain(checkpointArg: string, raw: Record<string, unknown>): Promise<void> {
  const f = raw as unknown as ExportFlags;
  const path = resolveCheckpoint(checkpointArg);
  const ck = loadCheckpoint(path);
  if (f.format === 'web') return exportWeb(path, ck, f);
  const out = f.out ?? join(dirname(path), `${basename(path, extname(path))}.${f.format}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a directory`, 'give a file name, e.g. model.safetensors');
  checkWritableDir(dirname(out)); // creates it, or one line saying why it cannot
  const params = ck.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  if (f.format === 'onnx') {
    const bytes = exportOnnx(ck);
    writeFileAtomic(out, bytes);
    if (f.json) process.stdout.write(`${JSON.stringify({ checkpoint: path, out, bytes: bytes.length, tensors: ck.tensors.length, parameters: params })}\n`);
    else process.stderr.write(`wrote ${out} (ONNX opset 14, ${params.toLocaleString('en-US')} parameters, ${bytes.length.toLocaleString('en-US')} bytes): tokens (T, B) int64, h0${ck.model.cell === 'lstm' ? '/c0' : ''} (L, B, H) in; logits, hn${ck.model.cell === 'lstm' ? '/cn' : ''} out\n`);
    return;
  }
  const bytes = exportSafetensors(ck);
  writeFileAtomic(out, bytes);
  const script = join(dirname(out), REFERENCE_FILE);
  const source = readFileSync(REFERENCE_SOURCE);
  let scriptNote = '';
  if (!existsSync(script)) writeFileAtomic(script, source);
  else if (!readFileSync(script).equals(source)) {
    scriptNote = `kept the existing ${script}, which differs from this rnn's (delete it to get the current one)`;
  }
  if (f.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: path, out, bytes: bytes.length, tensors: ck.tensors.length, parameters: params, reference: script })}\n`);
  } else {
    process.stderr.write(`wrote ${out} (${ck.tensors.length} tensors, ${params.toLocaleString('en-US')} parameters, ${bytes.length.toLocaleString('en-US')} bytes) and ${script}\n`);
    process.stderr.write(`in PyTorch: python3 ${script} ${out} some-text.txt   (eval loss and a greedy sample; --help for training)\n`);
  }
  if (scriptNote) process.stderr.write(`notice: ${scriptNote}\n`);
}

/** One self-contained HTML file, DIR/index.html (DIR: --out, default the checkpoint's name with
 *  -web beside it). */
function exportWeb(path: string, ck: Checkpoint, f: ExportFlags): void {
  const name = basename(path, extname(path));
  const dir = f.out ?? join(dirname(path), `${name}-web`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is a file; the web format writes a directory`, `give a directory, e.g. --out ${name}-web`);
  checkWritableDir(dir);
  let script: string;
  try {
    script = readFileSync(PAGE_SCRIPT, 'utf8');
  } catch {
    throw new UsageError(`${fileURLToPath(PAGE_SCRIPT)} is missing`, "run 'npm run build' in the rnn directory");
  }
  const title = `${basename(dirname(resolve(path)))}/${basename(path)}`;
  const page = webPage(ck, title, script);
  const out = join(dir, WEB_PAGE_FILE);
  writeFileAtomic(out, page);
  const bytes = Buffer.byteLength(page);
  if (f.json) process.stdout.write(`${JSON.stringify({ checkpoint: path, out, bytes, format: 'web' })}\n`);
  else process.stderr.write(`wrote ${out} (${bytes.toLocaleString('en-US')} bytes: the model, the kernel and the page in one file; open it in a browser, no server needed)\n`);
}
