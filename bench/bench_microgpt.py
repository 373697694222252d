"""A microgpt-like workload: our engine against a minimal engine of the microgpt design.

    .venv/bin/python bench/bench_microgpt.py [--steps 24]

The model: a 1-layer GPT over characters (token and position embeddings, rmsnorm, one causal
self-attention block with 4 heads, an MLP with ReLU, softmax cross-entropy), trained with Adam, one
name of data/names.txt per step. The same model code runs on both engines from the same initial
weights, so the losses must agree to the bit. Both engines store each op's local derivatives at
forward time; what differs is how (bench/minimal_engine.py: a tuple of inputs and a tuple of local
derivatives per node, as microgpt does; micrograd_core: two slots each, no tuples) and how the
chain-rule steps are taken. Prints CPU ms per step (medians) and the ratio; no assertions on time.
"""

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import micrograd_core  # noqa: E402
import minimal_engine  # noqa: E402

N_EMBD, N_HEAD, BLOCK = 16, 4, 16
HEAD = N_EMBD // N_HEAD


def load_names():
    names = (HERE.parent / "data" / "names.txt").read_text(encoding="utf-8").split()
    random.Random(42).shuffle(names)
    return names


def initial_weights(vocab, seed=0):
    """Plain floats for every parameter matrix, shared by both engines."""
    rng = random.Random(seed)

    def matrix(rows, cols, std=0.08):
        return [[rng.gauss(0, std) for _ in range(cols)] for _ in range(rows)]
    return {"wte": matrix(vocab, N_EMBD), "wpe": matrix(BLOCK, N_EMBD),
            "wq": matrix(N_EMBD, N_EMBD), "wk": matrix(N_EMBD, N_EMBD), "wv": matrix(N_EMBD, N_EMBD),
            "wo": matrix(N_EMBD, N_EMBD), "fc1": matrix(4 * N_EMBD, N_EMBD), "fc2": matrix(N_EMBD, 4 * N_EMBD),
            "lm_head": matrix(vocab, N_EMBD)}


def linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def softmax(logits):
    top = max(v.data for v in logits)
    exps = [(v - top).exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rmsnorm(x):
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    return [xi * scale for xi in x]


def gpt(p, token, pos, keys, values):
    """Logits for the next character, given one token at one position (keys/values: a KV cache)."""
    x = [t + q for t, q in zip(p["wte"][token], p["wpe"][pos])]
    x = rmsnorm(x)
    residual = x
    x = rmsnorm(x)
    q, k, v = linear(x, p["wq"]), linear(x, p["wk"]), linear(x, p["wv"])
    keys.append(k)
    values.append(v)
    heads = []
    for h in range(N_HEAD):
        s = slice(h * HEAD, (h + 1) * HEAD)
        scores = [sum(qi * ki for qi, ki in zip(q[s], kt[s])) / math.sqrt(HEAD) for kt in keys]
        weights = softmax(scores)
        heads += [sum(w * vt[s][j] for w, vt in zip(weights, values)) for j in range(HEAD)]
    x = [a + b for a, b in zip(linear(heads, p["wo"]), residual)]
    residual = x
    x = [h.relu() for h in linear(rmsnorm(x), p["fc1"])]
    x = [a + b for a, b in zip(linear(x, p["fc2"]), residual)]
    return linear(x, p["lm_head"])


def train(Value, names, weights, steps):
    """A generator: one (loss, seconds) per training step."""
    chars = sorted(set("".join(names)))
    bos = len(chars)
    index = {c: i for i, c in enumerate(chars)}
    p = {name: [[Value(w) for w in row] for row in m] for name, m in weights.items()}
    params = [v for m in p.values() for row in m for v in row]
    m1, m2 = [0.0] * len(params), [0.0] * len(params)
    lr, beta1, beta2, eps = 0.01, 0.85, 0.99, 1e-8
    for step in range(steps):
        start = time.process_time()  # CPU time of this process: other jobs on the machine do not count
        tokens = [bos] + [index[c] for c in names[step]] + [bos]
        n = min(BLOCK, len(tokens) - 1)
        keys, values, losses_here = [], [], []
        for pos in range(n):
            probs = softmax(gpt(p, tokens[pos], pos, keys, values))
            losses_here.append(-probs[tokens[pos + 1]].log())
        loss = sum(losses_here) * (1.0 / n)
        for v in params:
            v.grad = 0.0
        loss.backward()
        rate = lr * (1 - step / steps)
        for i, v in enumerate(params):                 # Adam, with bias correction
            m1[i] = beta1 * m1[i] + (1 - beta1) * v.grad
            m2[i] = beta2 * m2[i] + (1 - beta2) * v.grad ** 2
            m_hat = m1[i] / (1 - beta1 ** (step + 1))
            v_hat = m2[i] / (1 - beta2 ** (step + 1))
            v.data -= rate * m_hat / (v_hat ** 0.5 + eps)
        yield loss.data, time.process_time() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=24)
    args = parser.parse_args()
    names = load_names()
    chars = sorted(set("".join(names)))
    weights = initial_weights(len(chars) + 1)
    print(f"Python {sys.version.split()[0]}: 1-layer GPT, n_embd {N_EMBD}, {N_HEAD} heads, Adam, "
          f"{args.steps} steps of one name each ({len(names)} names, vocabulary {len(chars) + 1})")
    # The engines take turns, one step each, so a change in the machine's load hits both alike.
    # (Neither leaves cyclic garbage behind, so neither bills the other for its collection.)
    turns = zip(train(micrograd_core.Value, names, weights, args.steps),
                train(minimal_engine.Value, names, weights, args.steps))
    (l_ours, t_ours), (l_min, t_min) = (zip(*pairs) for pairs in zip(*turns))
    same = list(l_ours) == list(l_min)
    med_ours, med_min = statistics.median(t_ours), statistics.median(t_min)
    print(f"   ours             median {med_ours * 1000:8.1f} ms/step (CPU time)")
    print(f"   microgpt design  median {med_min * 1000:8.1f} ms/step (CPU time)")
    print(f"   speed-up {med_min / med_ours:5.2f}x   (target >= 1.5x)")
    print(f"   losses identical to the bit: {same}; first {l_ours[0]:.6f}, last {l_ours[-1]:.6f}")
    if not same:
        raise SystemExit("the two engines disagree: " + repr(list(zip(l_ours, l_min))))


if __name__ == "__main__":
    main()
