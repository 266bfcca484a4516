// The browser side. 'rnn/browser' gives `rnn sample`'s samples and `rnn eval`'s loss on the plain
// SIMD build (RNN_WASM_FMA=0; the relaxed-SIMD build Node prefers may differ in the last bits):
// on one thread over an unshared memory (kernels-single.wasm) where the page is not cross-origin
// isolated, with a notice if more threads were asked for, and on Web Workers over shared memory
// (kernels.wasm) in a page served with COOP/COEP headers, with the same results to the bit; its
// bundle imports no node: module. The page `rnn export --format web` writes, opened from file:// in headless Chromium
// (Debian's, driven by puppeteer-core), samples what `rnn sample` prints for the same settings,
// driven from the keyboard, shows the next-character distribution the library computes, loads
// nothing from the network and logs no error.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { loadModel, type Model, type Sample } from 'rnn/browser';
import { libraryPage, serveFiles } from '../bench/static-server.mjs';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const ROOT = resolve(__dirname, '..');
const KERNEL = join(ROOT, 'dist/kernels/wasm/kernels-single.wasm');
const CHROMIUM = process.env.RNN_CHROMIUM ?? '/usr/bin/chromium';
const PLAIN_SIMD = { RNN_WASM_FMA: '0' };
const SETTINGS = { count: 5, seed: 4, temperature: 0.7, topK: 6, topP: 0.95, prime: 'a' };
const FLAGS = ['--count', '5', '--seed', '4', '--temperature', '0.7', '--top-k', '6', '--top-p', '0.95', '--prime', 'a'];
const HELD_OUT = 'anna\nbob\nemily\n';

let dir: string, ckPath: string, cliSamples: Sample[], cliTexts: string[], evalLoss: number, model: Model;

beforeAll(async () => {
  dir = tempDir('rnn-web-');
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const r = await rnn(['train', corpus, '--steps', '40', '--hidden', '16', '--batch', '4', '--seq-len', '16', '--out', join(dir, 'run'), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  ckPath = join(dir, 'run', 'best.json');
  const s = await rnn(['sample', ckPath, ...FLAGS, '--json'], { env: PLAIN_SIMD });
  expect(s.code, s.stderr).toBe(0);
  cliSamples = s.stdout.trim().split('\n').map((l) => JSON.parse(l) as Sample);
  cliTexts = cliSamples.map((x) => x.text);
  const e = await rnn(['eval', ckPath, writeText(dir, 'held.txt', HELD_OUT), '--json'], { env: PLAIN_SIMD });
  expect(e.code, e.stderr).toBe(0);
  evalLoss = (JSON.parse(e.stdout) as { loss: number }).loss;
  model = await loadModel(readFileSync(ckPath), { wasm: readFileSync(KERNEL) });
});
afterAll(() => model?.dispose());

describe('rnn/browser', () => {
  it("samples as rnn sample on the plain SIMD build, on one thread over unshared memory", () => {
    expect(model.info.kernel).toBe('wasm');
    expect(model.sample(SETTINGS).map((s) => s.text)).toEqual(cliTexts);
  });

  it('scores as rnn eval on the plain SIMD build, to 1e-9 relative', async () => {
    expect(Math.abs((await model.score(HELD_OUT)).loss - evalLoss) / evalLoss).toBeLessThan(1e-9);
  });

  it('runs on one thread, with a notice, when threads are asked for without shared memory (Node has no crossOriginIsolated)', async () => {
    const notices: string[] = [];
    const m = await loadModel(readFileSync(ckPath), { wasm: readFileSync(KERNEL), threads: 2, onNotice: (n) => notices.push(n) });
    try {
      expect(m.info.threads).toBe(1);
      expect(notices).toEqual([expect.stringMatching(/threads: 2 needs a cross-origin isolated page .*Cross-Origin-Embedder-Policy: require-corp/)]);
    } finally {
      m.dispose();
    }
    await expect(loadModel(readFileSync(ckPath), { threads: 0 })).rejects.toThrow(/threads must be a whole number in \[1, 256\], got 0/);
  });

  it('is bundled with both kernels and the worker script inside and no node: import', () => {
    const bundle = readFileSync(join(ROOT, 'dist/browser/rnn.js'), 'utf8');
    expect(bundle).not.toMatch(/\bfrom\s*["']node:|import\(\s*["']node:|require\(/);
    expect(bundle).toContain(readFileSync(KERNEL).toString('base64'));
    expect(bundle).toContain(readFileSync(join(ROOT, 'dist/kernels/wasm/kernels.wasm')).toString('base64'));
  });
});

/** Console errors and warnings and uncaught errors of `page`, as they come. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${(e as Error).message}`));
  return problems;
}

/** What a page's run of the library gives back: what the model says it runs on, and its results. */
interface PageRun {
  isolated: boolean;
  info: { kernel: string; threads: number };
  notices: string[];
  samples: Sample[];
  loss: number;
  logProbs: number[];
  /** The same text's per-target log-probabilities with threads: 1. */
  oneThreadLogProbs: number[];
}

describe('rnn/browser in headless Chromium', () => {
  let browser: Browser;
  const servers: { url: string; close(): Promise<void> }[] = [];
  beforeAll(async () => {
    const { default: puppeteer } = await import('puppeteer-core');
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  /** `files` served by a local server (isolated: with COOP/COEP), '/' loaded in a new tab;
   *  `problems` collects console errors and warnings and uncaught page errors. */
  async function open(files: Record<string, string | Uint8Array>, isolated: boolean): Promise<{ page: Page; problems: string[] }> {
    const server = await serveFiles(files, { isolated });
    servers.push(server);
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/`);
    return { page, problems };
  }

  /** The library page (rnn/browser as globalThis.rnn, the model at /model.json). */
  async function openLibrary(isolated: boolean): Promise<{ page: Page; problems: string[] }> {
    const files = { '/': libraryPage('/rnn.js'), '/rnn.js': readFileSync(join(ROOT, 'dist/browser/rnn.js')), '/model.json': readFileSync(ckPath) };
    const opened = await open(files, isolated);
    await opened.page.waitForFunction(() => 'rnn' in globalThis);
    return opened;
  }

  /** Loads the model in the page with `threads` (undefined: the default), samples with SETTINGS
   *  and scores HELD_OUT, and again on one thread for the per-target log-probabilities. */
  function runInPage(page: Page, threads: number | undefined): Promise<PageRun> {
    return page.evaluate(async (threads, settings, text) => {
      const lib = (globalThis as unknown as { rnn: typeof import('rnn/browser') }).rnn;
      const notices: string[] = [];
      const m = await lib.loadModel('/model.json', { threads, onNotice: (n) => notices.push(n) });
      const one = await lib.loadModel('/model.json', { threads: 1 });
      try {
        const score = await m.score(text);
        return {
          isolated: crossOriginIsolated && typeof SharedArrayBuffer === 'function',
          info: m.info, notices, samples: m.sample(settings), loss: score.loss, logProbs: [...score.logProbs],
          oneThreadLogProbs: [...(await one.score(text)).logProbs],
        };
      } finally {
        m.dispose();
        one.dispose();
      }
    }, threads, SETTINGS, HELD_OUT);
  }

  it('runs on 2 Web Workers threads in a cross-origin isolated page: rnn sample\'s samples, rnn eval\'s loss, no console errors', async () => {
    const { page, problems } = await openLibrary(true);
    const r = await runInPage(page, 2);
    expect(r.isolated).toBe(true);
    expect(r.info).toMatchObject({ kernel: 'wasm', threads: 2 });
    expect(r.notices).toEqual([]);
    // Texts and stop reasons to the character; the summed log-probability to float64 rounding
    // (Chromium's V8 and Node's may round Math.log's last bit differently).
    expect(r.samples.map(({ logProb: _, ...rest }) => rest)).toEqual(cliSamples.map(({ logProb: _, ...rest }) => rest));
    r.samples.forEach((x, i) => expect(Math.abs(x.logProb - cliSamples[i]!.logProb)).toBeLessThanOrEqual(1e-12 * Math.abs(cliSamples[i]!.logProb)));
    expect(Math.abs(r.loss - evalLoss) / evalLoss).toBeLessThan(1e-9);
    expect(r.logProbs).toHaveLength(HELD_OUT.length);
    expect(r.logProbs).toEqual(r.oneThreadLogProbs);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs on one thread in a page that is not isolated, with a notice when threads were asked for', async () => {
    const { page, problems } = await openLibrary(false);
    const asked = await runInPage(page, 2);
    expect(asked.isolated).toBe(false);
    expect(asked.info).toMatchObject({ kernel: 'wasm', threads: 1 });
    expect(asked.notices).toEqual([expect.stringMatching(/threads: 2 needs a cross-origin isolated page/)]);
    expect(asked.samples.map((x) => x.text)).toEqual(cliTexts);
    const byDefault = await runInPage(page, undefined);
    expect(byDefault.info.threads).toBe(1);
    expect(byDefault.notices).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs the exported page on Web Workers where it is served isolated (its CSP lets blob: workers start)', async () => {
    const web = join(dir, 'web-isolated');
    const ex = await rnn(['export', ckPath, '--format', 'web', '--out', web]);
    expect(ex.code, ex.stderr).toBe(0);
    const { page, problems } = await open({ '/': readFileSync(join(web, 'index.html')) }, true);
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
    // The default where isolated: min(4, navigator.hardwareConcurrency) threads.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(4, cores);
    expect(await page.$eval('#status', (e) => e.textContent)).toMatch(threads > 1 ? `kernel, ${threads} threads (Web Workers).` : 'kernel, one thread.');
    await page.evaluate((values) => {
      for (const [id, v] of Object.entries(values)) (document.getElementById(id) as HTMLInputElement).value = String(v);
      document.getElementById('run')!.click();
    }, { count: 5, seed: 4, temperature: 0.7, 'top-k': 6, 'top-p': 0.95, prime: 'a' });
    await page.waitForFunction(() => document.getElementById('samples')!.dataset.state === 'done', { timeout: 30_000 });
    expect(await page.$$eval('#samples li', (els) => els.map((e) => e.textContent))).toEqual(cliTexts);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('rnn export --format web', () => {
  it('refuses an --out that is a file', async () => {
    const r = await rnn(['export', ckPath, '--format', 'web', '--out', writeText(dir, 'a-file', 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a file; the web format writes a directory/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('the exported web page in headless Chromium', () => {
  it('samples what rnn sample prints, from the keyboard, offline and without console errors', async () => {
    const web = join(dir, 'web');
    const ex = await rnn(['export', ckPath, '--format', 'web', '--out', web, '--json']);
    expect(ex.code, ex.stderr).toBe(0);
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const problems = watchProblems(page), requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewport({ width: 1000, height: 760 });
      await page.goto(pathToFileURL(join(web, 'index.html')).href);
      await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
      // A page from file:// is not cross-origin isolated: no SharedArrayBuffer, so one thread.
      expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([false, 'undefined']);
      expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/WebAssembly SIMD kernel, one thread\.$/);
      // Every control has a label.
      expect(await page.$$eval('input, textarea', (els) => els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id))).toEqual([]);
      const set = async (id: string, value: string | number): Promise<void> => {
        await page.$eval(`#${id}`, (e, v) => { (e as HTMLInputElement).value = String(v); e.dispatchEvent(new Event('input', { bubbles: true })); }, value);
      };
      for (const [id, v] of [['count', 5], ['seed', 4], ['temperature', 0.7], ['top-k', 6], ['top-p', 0.95]] as const) await set(id, v);
      await page.focus('#prime');
      await page.keyboard.type('a');
      // The chart follows the prime: its first row is the library's most likely next character.
      const top = model.generator().feed('a').top(1, 0.7)[0]!;
      await page.waitForFunction(() => document.querySelectorAll('#chart li').length > 0);
      expect(await page.$eval('#chart li .p', (e) => e.textContent)).toBe(`${(100 * top.p).toFixed(1)}%`);
      await page.focus('#run');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.getElementById('samples')!.dataset.state === 'done', { timeout: 30_000 });
      expect(await page.$$eval('#samples li', (els) => els.map((e) => e.textContent))).toEqual(cliTexts);
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      const shot = process.env.RNN_SCREENSHOT ?? join(dir, 'web-page.png');
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot as `${string}.png` });
      expect(existsSync(shot)).toBe(true);
    } finally {
      await browser.close();
    }
  });

});
