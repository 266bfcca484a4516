// Builds the browser side (run by `npm run build` after tsc and the .wasm builds):
//   dist/browser/rnn.js   the ESM library 'rnn/browser' (src/api/browser.ts), with inside:
//                         kernels-single.wasm and kernels.wasm as base64, and the Web Worker's
//                         script (src/kernels/wasm/web-worker.ts, bundled first) as text
//   dist/web/page.js      the exported page's script (src/web/page.ts, the library included), one
//                         classic script that `rnn export --format web` inlines into its HTML
// All must run without Node's modules: the build fails if any imports a node: module.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base64 = (name) => readFileSync(join(root, 'dist/kernels/wasm', name)).toString('base64');
const common = { bundle: true, platform: 'browser', target: 'es2022', legalComments: 'none', logLevel: 'warning', metafile: true };

/** Throws if a build pulled in a node: module or a package from node_modules. */
function checkSelfContained(r) {
  const inputs = Object.keys(r.metafile.inputs).filter((p) => p.startsWith('node:') || /(^|\/)node_modules\//.test(p));
  const imports = Object.values(r.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  if (inputs.length || imports.length) throw new Error(`the browser build depends on ${[...inputs, ...imports].join(', ')}`);
}

// The worker is started from a Blob URL of this text (src/kernels/wasm/web-pool.ts), so it must be
// one classic script.
const worker = await build({
  ...common, entryPoints: [join(root, 'src/kernels/wasm/web-worker.ts')], format: 'iife', minify: true, write: false, outfile: 'web-worker.js',
});
checkSelfContained(worker);
const define = {
  __RNN_KERNEL_WASM_BASE64__: JSON.stringify(base64('kernels-single.wasm')),
  __RNN_SHARED_KERNEL_WASM_BASE64__: JSON.stringify(base64('kernels.wasm')),
  __RNN_WEB_WORKER_SOURCE__: JSON.stringify(worker.outputFiles[0].text),
};
const results = await Promise.all([
  build({ ...common, define, entryPoints: [join(root, 'src/api/browser.ts')], format: 'esm', outfile: join(root, 'dist/browser/rnn.js') }),
  build({ ...common, define, entryPoints: [join(root, 'src/web/page.ts')], format: 'iife', minify: true, outfile: join(root, 'dist/web/page.js') }),
]);
results.forEach(checkSelfContained);
