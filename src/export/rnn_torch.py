#!/usr/bin/env python3
"""PyTorch reference model for the safetensors files `rnn export` writes (written beside them).

    python3 rnn_torch.py model.safetensors text.txt              # eval loss (as rnn eval) + greedy sample
    python3 rnn_torch.py model.safetensors train.txt --train-steps 200 --save tuned.safetensors
    rnn import tuned.safetensors --out tuned.json                  # back to rnn
    torchrun --standalone --nproc_per_node 2 rnn_torch.py model.safetensors train.txt --train-steps 200 --save tuned.safetensors

An nn.LSTM/GRU/RNN(tanh) named `rnn` over one-hot input, then nn.Linear(H, V) named `head`, dropout
between layers and before `head`. Text is cut into documents by the file's doc_split rule, each
followed by EOS (id 0), after a leading EOS. Evaluation cuts the stream into 16 parts, each from a
zero state, as `rnn eval` does, so the losses agree. Needs only torch (Debian: python3-torch).
Started by torchrun, training is data-parallel on CPU (gloo): each process takes --batch / N of the
streams, gradients are summed with all_reduce before the clip, so N processes take the same steps
as one; process 0 prints, evaluates and saves.
"""
import argparse, json, math, struct, sys
import os
import torch, torch.distributed as dist, torch.nn as nn, torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
# Exactly the characters rnn treats as whitespace (JavaScript's \s).
SPACE = set("\t\n\v\f\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}

def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta, tensors = header.pop("__metadata__", {}), {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        raw = bytearray(data[8 + n + a:8 + n + b])
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[t["dtype"]]).reshape(t["shape"]).float() if raw else torch.zeros(t["shape"])
    return tensors, meta

def write_safetensors(path, tensors, meta):
    header, blobs, offset = {"__metadata__": meta}, [], 0
    for name, t in tensors.items():
        blob = t.detach().to(torch.float32).contiguous().cpu().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob); offset += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # data starts 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

class CharRNN(nn.Module):
    def __init__(self, cell, vocab_size, hidden, layers, dropout=0.0):
        super().__init__()
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.V = vocab_size
        self.rnn = kind(vocab_size, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, x, state=None):  # x: (B, T) token ids -> logits (B, T, V)
        out, state = self.rnn(F.one_hot(x, self.V).float(), state)
        return self.head(self.drop(out)), state

def load(path):
    weights, meta = read_safetensors(path)
    vocab = json.loads(meta["vocab"])
    assert vocab[0] == "EOS", "vocab must start with EOS"
    model = CharRNN(meta["cell"], len(vocab), int(meta["hidden"]), int(meta["layers"]), float(meta.get("dropout", 0)))
    model.load_state_dict(weights, strict=True)
    return model, meta, [chr(c) for c in vocab[1:]]

def documents(texts, rule):
    """rnn's --doc-split rules: line, blank (paragraphs), file, none."""
    blank = lambda s: all(c in SPACE for c in s)
    if rule in ("none", "file"):
        docs = ["".join(texts)] if rule == "none" else [t.rstrip("\n") for t in texts]
        return [d for d in docs if not blank(d)]
    docs = []
    for t in texts:
        para = []
        for line in t.split("\n") + [""]:
            if rule == "line" or blank(line):
                docs += [line] if rule == "line" and not blank(line) else ["\n".join(para)] if para else []
                para = []
            else:
                para.append(line)
    return docs

def encode(paths, rule, chars):
    texts = [open(p, encoding="utf-8-sig").read() for p in paths]  # universal newlines: CRLF/CR -> LF
    index = {c: i + 1 for i, c in enumerate(chars)}
    ids = [0]
    for d in documents(texts, rule):
        unknown = sorted({c for c in d if c not in index})
        if unknown: sys.exit(f"characters outside the vocabulary: {unknown[:10]}")
        ids += [index[c] for c in d] + [0]
    return torch.tensor(ids, dtype=torch.long)

def streams(ids, batch):
    """(B, Lb) inputs and targets: stream b holds targets [b*Lb, (b+1)*Lb); padding targets are -100."""
    n = len(ids) - 1
    lb = -(-n // batch)
    x = torch.zeros(batch, lb, dtype=torch.long)
    y = torch.full((batch, lb), -100, dtype=torch.long)
    for b in range(batch):
        k = max(0, min(lb, n - b * lb))
        x[b, :k], y[b, :k] = ids[b * lb:b * lb + k], ids[b * lb + 1:b * lb + k + 1]
    return x, y

@torch.no_grad()
def evaluate(model, ids, batch=16, seq_len=128):
    model.eval()
    x, y = streams(ids, batch)
    nats, state = 0.0, None
    for a in range(0, x.shape[1], seq_len):
        logits, state = model(x[:, a:a + seq_len], state)
        nats += F.cross_entropy(logits.reshape(-1, model.V), y[:, a:a + seq_len].reshape(-1), ignore_index=-100, reduction="sum").item()
    return nats / (len(ids) - 1)

@torch.no_grad()
def greedy(model, chars, prime="", max_chars=200):
    model.eval()
    index = {c: i + 1 for i, c in enumerate(chars)}
    logits, state = model(torch.tensor([[0] + [index[c] for c in prime]]))
    out = prime
    for _ in range(max_chars):
        nxt = int(logits[0, -1].argmax())
        if nxt == 0: break  # EOS
        out += chars[nxt - 1]
        logits, state = model(torch.tensor([[nxt]]), state)
    return out

def train(model, ids, steps, lr, batch, seq_len, clip=5.0):
    """Truncated BPTT over B contiguous streams, state carried between windows (as rnn trains).
    Under torchrun, process r of N owns streams [r*B/N, (r+1)*B/N). The loss is each process's sum
    over its targets divided by the count over all processes, and the gradients are summed across
    processes (not averaged, as DDP does per process), so the clipped step equals one process's on
    all B streams whatever the padding per process. Every process then holds the same weights."""
    x, y = streams(ids, batch)
    rank, world = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
    if batch % world: sys.exit(f"--batch {batch} does not split into {world} processes")
    part = slice(rank * batch // world, (rank + 1) * batch // world)
    x, y = x[part], y[part]
    total = lambda t: (dist.all_reduce(t), t)[1] if world > 1 else t
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    state, a = None, 0
    for step in range(1, steps + 1):
        if a >= x.shape[1]: state, a = None, 0  # next epoch
        model.train()
        logits, state = model(x[:, a:a + seq_len], state)
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        target = y[:, a:a + seq_len].reshape(-1)
        count = total((target != -100).sum().double()).item()
        loss = F.cross_entropy(logits.reshape(-1, model.V), target, ignore_index=-100, reduction="sum") / count
        opt.zero_grad(); loss.backward()
        for p in model.parameters(): total(p.grad)
        nn.utils.clip_grad_norm_(model.parameters(), clip); opt.step()
        a += seq_len
        loss = total(loss.detach()).item()
        if rank == 0 and (step % max(1, steps // 10) == 0 or step == steps):
            print(f"step {step}/{steps}  train loss {loss:.6f}")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help=".safetensors file from rnn export")
    ap.add_argument("text", nargs="*", help="UTF-8 text files to evaluate on (and to train on with --train-steps)")
    ap.add_argument("--train-steps", type=int, default=0, help="continue training for this many Adam steps first")
    for flag, kind, default in (("--lr", float, 1e-3), ("--batch", int, 32), ("--seq-len", int, 128), ("--seed", int, 1), ("--max-chars", int, 200)):
        ap.add_argument(flag, type=kind, default=default)
    ap.add_argument("--save", help="write the (trained) weights here as safetensors, with the same metadata")
    ap.add_argument("--prime", default="", help="text the greedy sample starts with")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1: dist.init_process_group("gloo")  # started by torchrun
    model, meta, chars = load(a.model)
    if dist.is_initialized():
        if a.train_steps and a.text: train(model, encode(a.text, meta["doc_split"], chars), a.train_steps, a.lr, a.batch, a.seq_len)
        rank = dist.get_rank()
        dist.destroy_process_group()
        if rank: return  # process 0 evaluates and saves what every process holds
        a.train_steps = 0
    print(f"{meta['layers']}x{meta['hidden']} {meta['cell'].upper()}, {len(chars) + 1} tokens, {meta['doc_split']} split")
    if a.text:
        ids = encode(a.text, meta["doc_split"], chars)
        if a.train_steps:
            train(model, ids, a.train_steps, a.lr, a.batch, a.seq_len)
        loss = evaluate(model, ids)
        print(f"loss {loss:.6f} nats/char  {loss / math.log(2):.6f} bits/char  ({len(ids) - 1} tokens)")
    if a.save:
        write_safetensors(a.save, model.state_dict(), meta)
        print(f"wrote {a.save}")  # rnn import reads it back
    print("greedy sample:", json.dumps(greedy(model, chars, a.prime, a.max_chars), ensure_ascii=False))

if __name__ == "__main__":
    main()
