"""Notebook 17's tiny GPT: one training step on our engine against the microgpt-design engine.

    .venv/bin/python bench/bench_gpt.py [--steps 20]

"The same model" by construction: the bench reads notebook 17's code cells that start with the line
"# the model: bench/bench_gpt.py runs this cell on both engines" and runs them once per engine, with
that engine's Value, so the two cannot drift from the lesson. Both start from the same initial
weights (the same seed, the same draws) and take the same batches of names; their losses must agree.

What each engine gets for the notebook's three engine functions:
- ours: micrograd_core's fused `linear`, `weighted_sum` and `cross_entropy` (one node per weighted
  sum, one node per loss), as the notebook uses them;
- microgpt design (bench/minimal_engine.py): the same three functions composed from its own + * exp
  log, as microgpt writes its model (a sum of products, a log-softmax).
A third line runs our engine on the composed functions too: the engine alone, without fusion.
Prints CPU ms per step (medians, the engines taking turns step by step) and the ratios; the target is
ours at least 1.5x faster than the microgpt design. No assertion on time.
"""

import argparse
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import micrograd_core  # noqa: E402
import minimal_engine  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "17_attention_and_a_tiny_gpt.ipynb"
MARK = "# the model: bench/bench_gpt.py runs this cell on both engines"
INIT_SEED, BATCH_SEED, BATCH, LR = 2, 3, 4, 0.015   # the notebook's


def model_cells(path=NOTEBOOK):
    """The source of the notebook's code cells marked as the model, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [s for s in sources if s.split("\n", 1)[0] == MARK]


def composed(Value):
    """The notebook's three engine functions written from + * exp log only, as microgpt writes them."""
    def weighted_sum(weights, inputs, bias=0.0):
        total = Value(bias) if not isinstance(bias, Value) else bias
        for w, x in zip(weights, inputs):
            total = total + w * x
        return total

    def linear(W, x):
        return [sum((w * xi for w, xi in zip(row, x)), Value(0.0)) for row in W]

    def cross_entropy(logits, target):
        top = max(v.data for v in logits)
        return sum(((v - top).exp() for v in logits), Value(0.0)).log() + top - logits[target]
    return {"weighted_sum": weighted_sum, "linear": linear, "cross_entropy": cross_entropy}


def engines():
    """(label, namespace for the notebook's model cells) per engine."""
    fused = {"weighted_sum": micrograd_core.weighted_sum, "linear": micrograd_core.linear,
             "cross_entropy": micrograd_core.cross_entropy}
    return [("ours (fused ops, as in the notebook)", micrograd_core.Value, fused),
            ("microgpt design", minimal_engine.Value, composed(minimal_engine.Value)),
            ("ours, composed like microgpt", micrograd_core.Value, composed(micrograd_core.Value))]


def load_data():
    """The notebook's vocabulary and training names (notebook 15's split, seed 1)."""
    names = (ROOT / "data" / "names.txt").read_text(encoding="utf-8").split()
    itos = ["."] + sorted(set("".join(names)))
    shuffled = names[:]
    random.Random(1).shuffle(shuffled)
    return itos, shuffled[len(names) // 10:]


def build(Value, functions, itos):
    """Run the notebook's model cells with this engine; return the namespace and a fresh model."""
    space = {"math": math, "random": random, "Value": Value, "Module": micrograd_core.Module,
             "V": len(itos), "stoi": {c: i for i, c in enumerate(itos)}, **functions}
    for source in model_cells():
        exec(compile(source, str(NOTEBOOK.name), "exec"), space)
    random.seed(INIT_SEED)                      # the notebook's initial weights
    return space, space["TinyGPT"]()


def trainer(Value, functions, itos, train_names, steps):
    """A generator: (loss, CPU seconds) for each of the notebook's training steps."""
    space, model = build(Value, functions, itos)
    batches, state = random.Random(BATCH_SEED), {}
    for t in range(1, steps + 1):
        batch = batches.sample(train_names, BATCH)
        start = time.process_time()
        loss = space["train_step"](model, batch, state, LR * (1 - 0.9 * (t - 1) / 500), t)
        yield loss, time.process_time() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    itos, train_names = load_data()
    print(f"Python {sys.version.split()[0]}: notebook 17's tiny GPT ({len(model_cells())} model cells read "
          f"from the notebook), {args.steps} training steps of {BATCH} names each")
    runs = [trainer(Value, functions, itos, train_names, args.steps) for _, Value, functions in engines()]
    losses, seconds = [[] for _ in runs], [[] for _ in runs]
    for _ in range(args.steps):       # the engines take turns, one step each: a change in load hits all
        for k, run in enumerate(runs):
            loss, spent = next(run)
            losses[k].append(loss)
            seconds[k].append(spent)
    medians = [statistics.median(s) for s in seconds]
    for (label, _, _), median in zip(engines(), medians):
        print(f"   {label:<38} median {median * 1000:7.1f} ms/step (CPU time)")
    print(f"   speed-up over the microgpt design: {medians[1] / medians[0]:5.2f}x with the notebook's fused "
          f"ops (target >= 1.5x), {medians[1] / medians[2]:5.2f}x for the engine alone")
    worst = max(abs(a - b) for other in losses[1:] for a, b in zip(losses[0], other))
    print(f"   losses agree: largest difference {worst:.1e}; first {losses[0][0]:.6f}, last {losses[0][-1]:.6f}")
    if worst > 1e-9:
        raise SystemExit("the engines disagree: " + repr(list(zip(*losses))))


if __name__ == "__main__":
    main()
