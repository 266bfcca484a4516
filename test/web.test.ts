// The browser side. 'rnn/browser' runs the WASM kernel on one thread over an unshared memory
// (kernels-single.wasm), and gives `rnn sample`'s samples on the plain SIMD build (RNN_WASM_FMA=0;
// the relaxed-SIMD build Node prefers may differ in the last bits); its bundle imports no node:
// module. The page `rnn export --format web` writes, opened from file:// in headless Chromium
// (Debian's, driven by puppeteer-core), samples what `rnn sample` prints for the same settings,
// driven from the keyboard, shows the next-character distribution the library computes, loads
// nothing from the network and logs no error.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Model } from 'rnn/browser';
import { rnn, tempDir, TINY_NAMES, writeText } from './helpers/cli.js';

const ROOT = resolve(__dirname, '..');
const KERNEL = join(ROOT, 'dist/kernels/wasm/kernels-single.wasm');
const CHROMIUM = process.env.RNN_CHROMIUM ?? '/usr/bin/chromium';
const PLAIN_SIMD = { RNN_WASM_FMA: '0' };
const SETTINGS = { count: 5, seed: 4, temperature: 0.7, topK: 6, topP: 0.95, prime: 'a' };
const FLAGS = ['--count', '5', '--seed', '4', '--temperature', '0.7', '--top-k', '6', '--top-p', '0.95', '--prime', 'a'];

let dir: string, ckPath: string, cliTexts: string[], model: Model;

beforeAll(async () => {
  dir = tempDir('rnn-web-');
  const corpus = writeText(dir, 'names.txt', TINY_NAMES);
  const r = await rnn(['train', corpus, '--steps', '40', '--hidden', '16', '--batch', '4', '--seq-len', '16', '--out', join(dir, 'run'), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  ckPath = join(dir, 'run', 'best.json');
  const s = await rnn(['sample', ckPath, ...FLAGS, '--json'], { env: PLAIN_SIMD });
  expect(s.code, s.stderr).toBe(0);
  cliTexts = s.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
  model = await loadModel(readFileSync(ckPath), { wasm: readFileSync(KERNEL) });
});
afterAll(() => model?.dispose());

describe('rnn/browser', () => {
  it("samples as rnn sample on the plain SIMD build, on one thread over unshared memory", () => {
    expect(model.info.kernel).toBe('wasm');
    expect(model.sample(SETTINGS).map((s) => s.text)).toEqual(cliTexts);
  });

  it('scores as rnn eval on the plain SIMD build, to 1e-9 relative', async () => {
    const text = 'anna\nbob\nemily\n';
    const e = await rnn(['eval', ckPath, writeText(dir, 'held.txt', text), '--json'], { env: PLAIN_SIMD });
    expect(e.code, e.stderr).toBe(0);
    const want = (JSON.parse(e.stdout) as { loss: number }).loss;
    expect(Math.abs((await model.score(text)).loss - want) / want).toBeLessThan(1e-9);
  });

  it('is bundled with the kernel inside and no node: import', () => {
    const bundle = readFileSync(join(ROOT, 'dist/browser/rnn.js'), 'utf8');
    expect(bundle).not.toMatch(/\bfrom\s*["']node:|import\(\s*["']node:|require\(/);
    expect(bundle).toContain(readFileSync(KERNEL).toString('base64'));
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
      const problems: string[] = [], requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`pageerror: ${(e as Error).message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewport({ width: 1000, height: 760 });
      await page.goto(pathToFileURL(join(web, 'index.html')).href);
      await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
      // A page from file:// is not cross-origin isolated: no SharedArrayBuffer, so one thread.
      expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([false, 'undefined']);
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
