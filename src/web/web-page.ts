// The one HTML file `rnn export --format web` writes: the page's markup and styles, the model (a
// weights-only checkpoint, JSON) and the script (dist/web/page.js: src/web/page.ts with the
// library and the base64 kernels inside), all inline, so it opens from file:// by double-click,
// offline, loading nothing from anywhere. Its Content-Security-Policy allows no fetch; `worker-src
// blob:` lets the library start its Web Workers from its own script text where the page is served
// cross-origin isolated (src/kernels/wasm/web-pool.ts).

import type { Checkpoint } from '../checkpoint/types.js';
import { SAMPLE_DEFAULTS } from '../sample/sampler.js';
import { VERSION } from '../version.js';

/** What the page keeps of a checkpoint: the weights and vocabulary, no optimizer or training
 *  state (a third of the size, and nothing to resume), and the corpus by file name only, so the
 *  page does not publish the paths of the machine it was trained on. */
export function pageCheckpoint(ck: Checkpoint): Checkpoint {
  const base = (p: string): string => p.split(/[\\/]/).pop() ?? p;
  return { ...ck, corpus: { ...ck.corpus, paths: ck.corpus.paths.map(base) }, training: null };
}

/** Text inside <script>: no '</script' or '<!--' can end or confuse it. JSON and JS both read
 *  '\u003c' in a string as '<', and the JSON has '<' only inside strings. */
const inScript = (s: string): string => s.replace(/<(?=\/script|!--)/gi, '\\u003c');
const html = (s: string): string => s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

export function webPage(ck: Checkpoint, title: string, script: string): string {
  const model = JSON.stringify(pageCheckpoint(ck)).replace(/</g, '\\u003c');
  const m = ck.model, d = SAMPLE_DEFAULTS;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; worker-src blob:; style-src 'unsafe-inline'">
<title>${html(title)}: character-level language model</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
  body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
  h2 { font-size: 1.1rem; margin: 0 0 0.5rem; }
  .layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(14rem, 2fr); gap: 1.5rem; }
  @media (max-width: 44rem) { .layout { grid-template-columns: 1fr; } }
  fieldset { border: 1px solid #8888; border-radius: 6px; display: grid; grid-template-columns: auto 7rem; gap: 0.4rem 0.8rem; align-items: center; }
  label { font-weight: 500; }
  textarea { width: 100%; box-sizing: border-box; font: inherit; font-family: ui-monospace, monospace; }
  input, textarea, button { font-size: 1rem; }
  button { padding: 0.35rem 1rem; margin: 0.6rem 0.4rem 0 0; }
  :focus-visible { outline: 3px solid #2a7de1; outline-offset: 2px; }
  #samples { font-family: ui-monospace, monospace; white-space: pre-wrap; padding-left: 2rem; }
  #samples li { margin-bottom: 0.3rem; }
  #chart { list-style: none; padding: 0; margin: 0; font-variant-numeric: tabular-nums; }
  #chart li { display: grid; grid-template-columns: 4.5rem 1fr 3.5rem; gap: 0.4rem; align-items: center; }
  #chart .char { font-family: ui-monospace, monospace; text-align: right; }
  #chart .bar { height: 0.9rem; background: #2a7de1; min-width: 1px; border-radius: 2px; }
  #chart .p { text-align: right; }
  #problem { color: #c0392b; font-weight: 600; }
  .note { color: #777; font-size: 0.9rem; }
</style>
</head>
<body>
<header>
  <h1>${html(title)}</h1>
  <p id="status" role="status">Loading the model…</p>
</header>
<main class="layout">
  <div>
    <form id="controls">
      <label for="prime">Prime text (each sample starts with it)</label>
      <textarea id="prime" rows="2" spellcheck="false" autocomplete="off"></textarea>
      <fieldset>
        <legend>Sampling</legend>
        <label for="temperature">Temperature (0 = greedy)</label>
        <input id="temperature" type="number" min="0" max="100" step="0.05" value="${d.temperature}" required>
        <label for="top-k">Top-k (0 = all characters)</label>
        <input id="top-k" type="number" min="0" max="${m.vocabSize}" step="1" value="${d.topK}" required>
        <label for="top-p">Top-p (probability mass kept)</label>
        <input id="top-p" type="number" min="0.01" max="1" step="0.01" value="${d.topP}" required>
        <label for="count">Samples</label>
        <input id="count" type="number" min="1" max="1000" step="1" value="${d.count}" required>
        <label for="max-chars">Characters per sample, at most</label>
        <input id="max-chars" type="number" min="1" max="100000" step="1" value="${d.maxChars}" required>
        <label for="seed">Seed</label>
        <input id="seed" type="number" min="0" max="4294967295" step="1" value="${d.seed}" required>
      </fieldset>
      <button id="run" type="submit" disabled>Sample</button>
      <button id="stop" type="button" disabled>Stop</button>
      <p id="problem" role="alert"></p>
    </form>
    <section aria-labelledby="samples-title">
      <h2 id="samples-title">Samples</h2>
      <ol id="samples" aria-live="polite"></ol>
    </section>
  </div>
  <section aria-labelledby="chart-title">
    <h2 id="chart-title">Next character after the prime</h2>
    <ol id="chart" aria-live="polite"></ol>
    <p class="note">The ${Math.min(12, m.vocabSize)} most likely characters at the chosen temperature; "end" is the end of a sample.</p>
  </section>
</main>
<footer><p class="note">${m.layers}×${m.hidden} ${m.cell.toUpperCase()} exported by rnn ${VERSION}. Runs in this page, offline.</p></footer>
<script type="application/json" id="rnn-model">${model}</script>
<script>${inScript(script)}</script>
</body>
</html>
`;
}
