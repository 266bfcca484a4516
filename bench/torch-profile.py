#!/usr/bin/env python3
"""Where a PyTorch training step's time goes, beside bench/profile.mjs (rnn's own breakdown).

The step is ../shared/peers/torch_peer.py's: one-hot input, nn.LSTM / nn.GRU, nn.Linear head,
cross-entropy, backward, clip_grad_norm_ 5, Adam 2e-3, on B streams of T characters of
tiny-shakespeare's first 90%. Warm-up steps first, then --steps steps under
torch.autograd.profiler; printed: self CPU time per op, in ms per step, largest first.

Usage (OpenBLAS reads its thread count when it loads, so set it in the environment, as the bench
does):
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch-profile.py gru 2 384 16 128
"""
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def main():
    args = sys.argv[1:]
    cell, L, H, B, T = (args + ["gru", "2", "384", "16", "128"][len(args):])[:5]
    L, H, B, T = int(L), int(H), int(B), int(T)
    steps, warmup = 10, 3
    corpus = os.environ.get("CORPUS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpora", "tiny-shakespeare.txt"))
    torch.manual_seed(0)
    torch.set_num_threads(1)
    text = open(corpus, encoding="utf-8").read()
    chars = sorted(set(text))
    V = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text], dtype=torch.long)
    train = data[: int(len(data) * 0.9)]
    n = len(train) // B
    streams = train[: n * B].view(B, n).t().contiguous()

    rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(V, H, L)
    head = nn.Linear(H, V)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=2e-3)
    state = {"h": None, "pos": 0}

    def step():
        pos = state["pos"]
        if pos + T + 1 > n:
            pos, state["h"] = 0, None
        x, y = streams[pos : pos + T], streams[pos + 1 : pos + T + 1]
        state["pos"] = pos + T
        h = state["h"]
        if h is not None:
            h = tuple(t.detach() for t in h) if isinstance(h, tuple) else h.detach()
        out, h = rnn(F.one_hot(x, V).float(), h)
        state["h"] = h
        loss = F.cross_entropy(head(out).reshape(-1, V), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step().item()
    plain = (time.perf_counter() - t0) / steps * 1000
    with torch.autograd.profiler.profile() as prof:
        for _ in range(steps):
            step().item()
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    total = sum(e.self_cpu_time_total for e in rows) / steps / 1000
    print(f"torch {torch.__version__} {cell} {L}x{H}, batch {B}, seq {T}, OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, 1 torch thread: {plain:.1f} ms/step unprofiled "
          f"({B * T / plain * 1000:,.0f} chars/s), {total:.1f} ms/step of self CPU time under the profiler")
    for e in rows:
        ms = e.self_cpu_time_total / steps / 1000
        if ms < 0.05:
            continue
        print(f"  {e.key[:40]:40s} {ms:8.2f} ms/step {100 * ms / total:5.1f}%  {e.count // steps:6d} calls")


if __name__ == "__main__":
    main()
