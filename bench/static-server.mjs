// A local HTTP server of a few fixed files, for driving pages in headless Chromium (test/web.test.ts
// and bench/browser-rates.mjs). With `isolated`, every response carries the two headers that make a
// page cross-origin isolated, so it gets SharedArrayBuffer and rnn/browser runs on Web Workers:
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
// (https://web.dev/articles/coop-coep). Same-origin files need no Cross-Origin-Resource-Policy.

import { createServer } from 'node:http';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };

/** Serves `files` ({ '/path': string | Buffer }) on 127.0.0.1 at a free port; resolves to
 *  { url, close() }. Other paths get 404. */
export function serveFiles(files, { isolated = false } = {}) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = files[path];
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    if (body === undefined) { res.writeHead(404, headers).end(); return; }
    const ext = /\.[a-z]+$/.exec(path)?.[0] ?? '.html';
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    });
  });
}

/** A blank page (no favicon request, so no 404 in the console) that imports rnn/browser from
 *  `libPath` as globalThis.rnn. */
export function libraryPage(libPath = '/rnn.js') {
  return `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>rnn</title>
<script type="module">import * as rnn from '${libPath}'; globalThis.rnn = rnn;</script>`;
}
