// Loss curves as a standalone SVG: nats per character on the left axis, bits per character (the
// same lines, ÷ ln 2) on the right. One run's train and validation loss against step, or the
// validation loss of several runs against step or training time.

import { niceTicks } from './ticks.js';

export interface LossPoint {
  step: number;
  trainLoss: number | null;
  valLoss: number | null;
}

const CHART = { width: 800, height: 440, left: 70, right: 70, top: 50, bottom: 60 } as const;
const LN2 = Math.log(2);
const TRAIN_COLOUR = '#1f77b4', VAL_COLOUR = '#d62728';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number): string => String(Math.round(v * 100) / 100);

/** One line of a chart: (x, nats) points, drawn in `colour`; `markers` adds a dot per point. */
export interface Series {
  key: string;
  label: string;
  colour: string;
  points: { x: number; y: number }[];
  markers?: boolean;
  width?: number;
}

/** Colours for runs compared in one chart (validation lines), in order. */
export const RUN_COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** The plot's coordinate mapping (test/plot.test.ts checks where points land by hand). */
function chartScales(series: readonly Series[]): { x: (v: number) => number; y: (nats: number) => number; lo: number; hi: number; maxX: number } {
  const losses = series.flatMap((s) => s.points.map((p) => p.y)).filter((v) => Number.isFinite(v));
  let lo = Math.min(...losses), hi = Math.max(...losses);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.05;
  lo = Math.max(0, lo - pad); hi += pad;
  const maxX = Math.max(1e-9, ...series.flatMap((s) => s.points.map((p) => p.x)));
  const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART;
  return {
    x: (v) => L + (v / maxX) * (W - L - R),
    y: (nats) => T + (1 - (nats - lo) / (hi - lo)) * (H - T - B),
    lo, hi, maxX,
  };
}

/** Train and validation loss of one run against step. */
export function lossChartSvg(points: readonly LossPoint[], title: string): string {
  const pick = (f: (p: LossPoint) => number | null): { x: number; y: number }[] =>
    points.flatMap((p) => { const v = f(p); return v !== null && Number.isFinite(v) ? [{ x: p.step, y: v }] : []; });
  return chartSvg([
    { key: 'train', label: 'train', colour: TRAIN_COLOUR, points: pick((p) => p.trainLoss), width: 1.5 },
    { key: 'val', label: 'validation', colour: VAL_COLOUR, points: pick((p) => p.valLoss), markers: true, width: 2 },
  ], title, 'step');
}

/** Lines of loss (nats/char left, bits/char right) against `xLabel`, with a legend. */
export function chartSvg(series: readonly Series[], title: string, xLabel: string): string {
  const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART;
  const { x, y, lo, hi, maxX } = chartScales(series);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  // grid and left axis (nats)
  for (const v of niceTicks(lo, hi, 6)) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${num(y(v))}" y2="${num(y(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${L - 8}" y="${num(y(v) + 4)}" text-anchor="end">${v}</text>`);
  }
  // right axis (bits per character): ticks placed at nats = bpc · ln 2
  for (const b of niceTicks(lo / LN2, hi / LN2, 6)) {
    out.push(`<text x="${W - R + 8}" y="${num(y(b * LN2) + 4)}">${b}</text>`);
  }
  for (const s of niceTicks(0, maxX, 8)) {
    out.push(`<line x1="${num(x(s))}" x2="${num(x(s))}" y1="${T}" y2="${H - B}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${num(x(s))}" y="${H - B + 18}" text-anchor="middle">${s}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${W / 2}" y="${H - 16}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">loss (nats/char)</text>`);
  out.push(`<text transform="translate(${W - 14} ${(T + H - B) / 2}) rotate(90)" text-anchor="middle">bits/char</text>`);
  // the lines
  for (const s of series) {
    if (!s.points.length) continue;
    out.push(`<polyline class="${esc(s.key)}" fill="none" stroke="${s.colour}" stroke-width="${s.width ?? 2}" points="${s.points.map((p) => `${num(x(p.x))},${num(y(p.y))}`).join(' ')}"/>`);
    if (s.markers) for (const p of s.points) out.push(`<circle class="${esc(s.key)}-point" cx="${num(x(p.x))}" cy="${num(y(p.y))}" r="3" fill="${s.colour}"/>`);
  }
  // legend, top right (losses fall, so that corner is usually empty), on a white card
  const shown = series.filter((s) => s.points.length && s.label !== ''); // an unlabelled series is explained by the title
  const itemW = (s: Series): number => 40 + 7 * s.label.length;
  const cardW = 10 + shown.reduce((n, s) => n + itemW(s), 0);
  let lx = W - R - cardW - 8;
  out.push(`<rect x="${lx}" y="${T + 6}" width="${cardW}" height="22" fill="white" fill-opacity="0.85"/>`);
  lx += 10;
  for (const s of shown) {
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${T + 17}" y2="${T + 17}" stroke="${s.colour}" stroke-width="2"/><text x="${lx + 30}" y="${T + 21}">${esc(s.label)}</text>`);
    lx += itemW(s);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
