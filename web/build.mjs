// Builds the browser side (run by `npm run build` after tsc and the .wasm builds):
//   dist/browser/rnn.js   the ESM library 'rnn/browser' (src/api/browser.ts), kernels-single.wasm
//                         inside as base64
//   dist/web/page.js      the exported page's script (src/web/page.ts, the library included), one
//                         classic script that `rnn export --format web` inlines into its HTML
// Both must run without Node's modules: the build fails if either imports a node: module.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasm = readFileSync(join(root, 'dist/kernels/wasm/kernels-single.wasm')).toString('base64');
const common = {
  bundle: true, platform: 'browser', target: 'es2022', legalComments: 'none', logLevel: 'warning', metafile: true,
  define: { __RNN_KERNEL_WASM_BASE64__: JSON.stringify(wasm) },
};
const results = await Promise.all([
  build({ ...common, entryPoints: [join(root, 'src/api/browser.ts')], format: 'esm', outfile: join(root, 'dist/browser/rnn.js') }),
  build({ ...common, entryPoints: [join(root, 'src/web/page.ts')], format: 'iife', minify: true, outfile: join(root, 'dist/web/page.js') }),
]);
for (const r of results) {
  const inputs = Object.keys(r.metafile.inputs).filter((p) => p.startsWith('node:') || /(^|\/)node_modules\//.test(p));
  const imports = Object.values(r.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  if (inputs.length || imports.length) throw new Error(`the browser build depends on ${[...inputs, ...imports].join(', ')}`);
}
