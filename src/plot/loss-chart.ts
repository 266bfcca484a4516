// Train and validation loss against step as a standalone SVG: nats per character on the left
// axis, bits per character (the same lines, ÷ ln 2) on the right.

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

/** The plot's coordinate mapping (test/plot.test.ts checks where points land by hand). */
function chartScales(points: readonly LossPoint[]): { x: (step: number) => number; y: (nats: number) => number; lo: number; hi: number; maxStep: number } {
  const losses = points.flatMap((p) => [p.trainLoss, p.valLoss]).filter((v): v is number => v !== null && Number.isFinite(v));
  let lo = Math.min(...losses), hi = Math.max(...losses);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.05;
  lo = Math.max(0, lo - pad); hi += pad;
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART;
  return {
    x: (step) => L + (step / maxStep) * (W - L - R),
    y: (nats) => T + (1 - (nats - lo) / (hi - lo)) * (H - T - B),
    lo, hi, maxStep,
  };
}

export function lossChartSvg(points: readonly LossPoint[], title: string): string {
  const { width: W, height: H, left: L, right: R, top: T, bottom: B } = CHART;
  const { x, y, lo, hi, maxStep } = chartScales(points);
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
  for (const s of niceTicks(0, maxStep, 8)) {
    out.push(`<line x1="${num(x(s))}" x2="${num(x(s))}" y1="${T}" y2="${H - B}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${num(x(s))}" y="${H - B + 18}" text-anchor="middle">${s}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${W / 2}" y="${H - 16}" text-anchor="middle">step</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">loss (nats/char)</text>`);
  out.push(`<text transform="translate(${W - 14} ${(T + H - B) / 2}) rotate(90)" text-anchor="middle">bits/char</text>`);
  // the lines
  const train = points.filter((p) => p.trainLoss !== null && Number.isFinite(p.trainLoss));
  const val = points.filter((p) => p.valLoss !== null && Number.isFinite(p.valLoss));
  if (train.length) {
    out.push(`<polyline class="train" fill="none" stroke="${TRAIN_COLOUR}" stroke-width="1.5" points="${train.map((p) => `${num(x(p.step))},${num(y(p.trainLoss!))}`).join(' ')}"/>`);
  }
  if (val.length) {
    out.push(`<polyline class="val" fill="none" stroke="${VAL_COLOUR}" stroke-width="2" points="${val.map((p) => `${num(x(p.step))},${num(y(p.valLoss!))}`).join(' ')}"/>`);
    for (const p of val) out.push(`<circle class="val-point" cx="${num(x(p.step))}" cy="${num(y(p.valLoss!))}" r="3" fill="${VAL_COLOUR}"/>`);
  }
  // legend, top right (losses fall, so that corner is usually empty), on a white card
  const lx = W - R - 190;
  out.push(`<rect x="${lx}" y="${T + 6}" width="182" height="22" fill="white" fill-opacity="0.85"/>`);
  out.push(`<line x1="${lx + 10}" x2="${lx + 34}" y1="${T + 17}" y2="${T + 17}" stroke="${TRAIN_COLOUR}" stroke-width="2"/><text x="${lx + 40}" y="${T + 21}">train</text>`);
  out.push(`<line x1="${lx + 90}" x2="${lx + 114}" y1="${T + 17}" y2="${T + 17}" stroke="${VAL_COLOUR}" stroke-width="2"/><text x="${lx + 120}" y="${T + 21}">validation</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
