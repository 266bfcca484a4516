// The script of the page `rnn export --format web` writes (web-page.ts builds the HTML around it):
// the model comes from the page's <script type="application/json" id="rnn-model">, the kernels from
// the bundle (as base64), so the page works from file:// with no server and no network. From file://
// it is not cross-origin isolated, so it runs on one thread (kernels-single.wasm); served with
// COOP/COEP headers it would run on Web Workers, as the library does (src/api/browser.ts). Samples stream into a list; the chart shows the next-character distribution after the
// prime as it is typed. Controls are native form elements with labels, so the keyboard and screen
// readers work without extra code; results are announced through aria-live regions.

import { loadModel, type Model, type SampleOptions } from '../api/browser.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
/** Longest a streaming loop runs before letting the page paint. */
const FRAME_MS = 30;
const CHART_ROWS = 12;

async function main(): Promise<void> {
  const status = $('status');
  const form = $<HTMLFormElement>('controls');
  const out = $<HTMLOListElement>('samples');
  const stop = $<HTMLButtonElement>('stop');
  const run = $<HTMLButtonElement>('run');
  const prime = $<HTMLTextAreaElement>('prime');
  const problem = $('problem');
  let model: Model;
  try {
    model = await loadModel(JSON.parse($('rnn-model').textContent!));
  } catch (err) {
    status.textContent = `The model did not load: ${(err as Error).message}`;
    return;
  }
  const i = model.info;
  status.textContent = `${i.layers}×${i.hidden} ${i.cell.toUpperCase()}, ${i.parameters.toLocaleString('en-US')} parameters, `
    + `${i.vocabSize - 1} characters; ${i.kernel === 'ts' ? 'TypeScript' : 'WebAssembly SIMD'} kernel, `
    + `${i.threads === 1 ? 'one thread' : `${i.threads} threads (Web Workers)`}.`;
  run.disabled = false;

  const num = (id: string): number => Number($<HTMLInputElement>(id).value);
  const options = (): SampleOptions => ({
    prime: prime.value, temperature: num('temperature'), topK: num('top-k'), topP: num('top-p'), maxChars: num('max-chars'),
  });
  const showProblem = (err: unknown): void => { problem.textContent = err instanceof Error ? err.message : String(err); };

  function chart(): void {
    const list = $<HTMLOListElement>('chart');
    problem.textContent = '';
    try {
      const g = model.generator().feed(prime.value);
      const temperature = num('temperature');
      const rows = g.top(CHART_ROWS, temperature > 0 ? temperature : 1);
      const most = rows[0]?.p ?? 1;
      list.replaceChildren(...rows.map(({ char, p }) => {
        const li = document.createElement('li');
        const label = document.createElement('span');
        label.className = 'char';
        label.textContent = char === null ? 'end' : char === ' ' ? 'space' : char === '\n' ? 'newline' : char;
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.style.width = `${((100 * p) / most).toFixed(1)}%`; // the most likely fills the row
        bar.setAttribute('aria-hidden', 'true');
        const value = document.createElement('span');
        value.className = 'p';
        value.textContent = `${(100 * p).toFixed(1)}%`;
        li.append(label, bar, value);
        return li;
      }));
    } catch (err) {
      list.replaceChildren();
      showProblem(err);
    }
  }

  let stopping = false;
  stop.addEventListener('click', () => { stopping = true; });
  form.addEventListener('input', chart);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      problem.textContent = '';
      out.replaceChildren();
      out.dataset.state = 'running';
      run.disabled = true;
      stop.disabled = false;
      stopping = false;
      try {
        const o = options();
        const g = model.generator({ seed: num('seed') });
        let t0 = performance.now();
        for (let k = 0; k < num('count') && !stopping; k++) {
          const li = out.appendChild(document.createElement('li'));
          for await (const piece of g.stream(o)) {
            li.textContent += piece;
            if (performance.now() - t0 > FRAME_MS) {
              await new Promise((r) => setTimeout(r, 0));
              t0 = performance.now();
              if (stopping) break;
            }
          }
        }
      } catch (err) {
        showProblem(err);
      } finally {
        out.dataset.state = 'done';
        run.disabled = false;
        stop.disabled = true;
      }
    })();
  });
  chart();
}

void main();
