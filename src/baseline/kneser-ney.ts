// Interpolated Kneser-Ney n-gram model over token ids: the "does the network beat local
// statistics?" baseline of `rnn eval --baseline`. Chen & Goodman's (1998) modified interpolated
// KN: three discounts per order, D(c) = D1, D2 or D3+ for counts 1, 2 and ≥ 3, estimated from the
// count-of-counts n1..n4 with Y = n1 / (n1 + 2·n2): D1 = 1 − 2Y·n2/n1, D2 = 2 − 3Y·n3/n2,
// D3+ = 3 − 4Y·n4/n3, or KenLM's fallback [0.5, 1, 1.5] for an order where these leave (0, c].
//
//   P_k(w | h) = max(c_k(h w) − D(c_k(h w)), 0) / c_k(h •)  +  γ(h) · P_{k−1}(w | h′)
//   γ(h) = (D1·N1(h •) + D2·N2(h •) + D3+·N3+(h •)) / c_k(h •)
//
// h has k − 1 tokens and h′ drops its oldest; the highest order uses raw counts, lower orders the
// continuation count c_k(h w) = N1+(• h w), the number of distinct tokens seen before h w. A history
// never seen (c_k(h •) = 0) defers to P_{k−1}; P_0 is uniform over the vocabulary.
//
// N-grams are Map keys: the ids as UTF-16 code units (ids < 65536), history first.

export interface KneserNey {
  order: number;
  vocabSize: number;
  /** count[k] (k = 1..order): n-gram of length k → raw (k = order) or continuation count. */
  count: Map<string, number>[];
  /** ctx[k]: history of length k − 1 → [Σ_w count_k(h w), γ(h)·Σ_w count_k(h w)]. */
  ctx: Map<string, [number, number]>[];
  /** discount[k] = [D1, D2, D3+]. */
  discount: [number, number, number][];
}

const key = (t: ArrayLike<number>, from: number, to: number): string => {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(t[i]!);
  return s;
};

export function fitKneserNey(tokens: ArrayLike<number>, order: number, vocabSize: number): KneserNey {
  if (vocabSize > 65536) throw new RangeError('the n-gram baseline handles vocabularies up to 65,536 tokens');
  const raw: Map<string, number>[] = [new Map()];
  for (let k = 1; k <= order; k++) {
    const m = new Map<string, number>();
    for (let i = 0; i + k <= tokens.length; i++) {
      const g = key(tokens, i, i + k);
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    raw.push(m);
  }
  const count: Map<string, number>[] = [new Map()];
  for (let k = 1; k <= order; k++) {
    if (k === order) { count.push(raw[k]!); continue; }
    const cont = new Map<string, number>();
    for (const g of raw[k + 1]!.keys()) { const s = g.slice(1); cont.set(s, (cont.get(s) ?? 0) + 1); }
    count.push(cont);
  }
  const ctx: Map<string, [number, number]>[] = [new Map()];
  const discount: [number, number, number][] = [[0, 0, 0]];
  for (let k = 1; k <= order; k++) {
    const n = [0, 0, 0, 0, 0];
    for (const c of count[k]!.values()) if (c <= 4) n[c]!++;
    const D = modifiedDiscounts(n[1]!, n[2]!, n[3]!, n[4]!);
    const m = new Map<string, [number, number]>();
    for (const [g, c] of count[k]!) {
      const h = g.slice(0, -1);
      const d = D[Math.min(c, 3) - 1]!;
      const e = m.get(h);
      if (e) { e[0] += c; e[1] += d; } else m.set(h, [c, d]);
    }
    ctx.push(m);
    discount.push(D);
  }
  return { order, vocabSize, count, ctx, discount };
}

/** The discounts lmplz falls back to (KenLM, lm/builder/adjust_counts.cc, --discount_fallback). */
const FALLBACK_DISCOUNTS: [number, number, number] = [0.5, 1, 1.5];

/** [D1, D2, D3+] from the numbers of n-grams seen exactly 1..4 times: Chen & Goodman, "An Empirical
 *  Study of Smoothing Techniques for Language Modeling" (Harvard TR-10-98, 1998), eq. (26), the one
 *  KenLM's lmplz implements: Y = n1/(n1 + 2·n2), Dc = c − (c + 1)·Y·n(c+1)/n(c). The estimate is
 *  only valid in (0, c]: D1 = n1/(n1 + 2·n2) always is, but D2 and D3+ reach 0 or below on
 *  repetitive text (many n-grams seen 3 or 4 times, few 2 or 3 times; "ab\nab\nbab" at order 3
 *  gives D2 = 0). A history whose continuations all carry a zero discount keeps no mass for the
 *  lower order, so an unseen continuation gets probability 0 and the loss is infinite. Then, as
 *  KenLM does, the whole order takes the fallback: every discount positive keeps γ(h) > 0, hence
 *  P > 0; any D in [0, c] keeps Σ_w P = 1, since γ(h) holds exactly what the discounts removed. */
function modifiedDiscounts(n1: number, n2: number, n3: number, n4: number): [number, number, number] {
  if (n1 === 0 || n2 === 0) return [...FALLBACK_DISCOUNTS];
  const Y = n1 / (n1 + 2 * n2);
  // With no n-gram seen 3 times, D2 = 2 (a doubleton keeps nothing) and D3+ has no estimate.
  const D: [number, number, number] = [1 - 2 * Y * (n2 / n1), 2 - 3 * Y * (n3 / n2), n3 > 0 ? 3 - 4 * Y * (n4 / n3) : FALLBACK_DISCOUNTS[2]];
  return D.every((d, i) => d > 0 && d <= i + 1) ? D : [...FALLBACK_DISCOUNTS];
}

/** P(w | history), history = the tokens before w (only the last order − 1 are used). */
export function kneserNeyProb(m: KneserNey, history: string, w: number): number {
  let p = 1 / m.vocabSize;
  const ch = String.fromCharCode(w);
  for (let k = 1; k <= m.order; k++) {
    if (history.length < k - 1) break;
    const h = history.slice(history.length - (k - 1));
    const c = m.ctx[k]!.get(h);
    if (!c) continue;
    const [total, mass] = c;
    const cw = m.count[k]!.get(h + ch) ?? 0;
    const D = cw === 0 ? 0 : m.discount[k]![Math.min(cw, 3) - 1]!;
    p = (cw - D) / total + (mass / total) * p;
  }
  return p;
}

/** Summed −ln P over targets tokens[1..], each predicted from the tokens before it. */
export function kneserNeyNats(m: KneserNey, tokens: ArrayLike<number>): { nats: number; count: number } {
  let nats = 0;
  for (let i = 1; i < tokens.length; i++) {
    const h = key(tokens, Math.max(0, i - (m.order - 1)), i);
    nats -= Math.log(kneserNeyProb(m, h, tokens[i]!));
  }
  return { nats, count: Math.max(0, tokens.length - 1) };
}
