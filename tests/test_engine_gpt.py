"""The engine's `linear` (notebook 17's projections), and the claims notebook 17 rests on.

- `linear(W, x)` gives the values and grads of PyTorch float64 and exactly those of weighted_sum
  row by row (without its bias); it refuses what weighted_sum refuses, with the lengths named.
- bench/bench_gpt.py runs the notebook's own model cells, and its engines agree on the losses
  (the timing itself is the bench's business: no assertion on time here).
- The MLP number notebook 17 quotes is notebook 15's stored one.
"""

import json
import math
import random
import re
import sys
from pathlib import Path

import pytest

from micrograd_core import Value, cross_entropy, linear, weighted_sum

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
LESSON = ROOT / "notebooks" / "17_attention_and_a_tiny_gpt.ipynb"


def random_case(seed, rows=5, cols=4):
    rng = random.Random(seed)
    W = [[rng.uniform(-2, 2) for _ in range(cols)] for _ in range(rows)]
    x = [rng.uniform(-2, 2) for _ in range(cols)]
    return W, x


@pytest.mark.parametrize("seed", range(5))
def test_linear_matches_pytorch_float64(seed):
    torch = pytest.importorskip("torch")
    W, x = random_case(seed)
    Wv = [[Value(w) for w in row] for row in W]
    xv = [Value(v) for v in x]
    out = linear(Wv, xv)
    loss = cross_entropy([o * o for o in out] + out, seed % 5)   # every output used, twice
    loss.backward()
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ot = Wt @ xt
    ref = torch.nn.functional.cross_entropy(torch.cat([ot * ot, ot]).unsqueeze(0), torch.tensor([seed % 5]))
    ref.backward()
    assert [o.data for o in out] == pytest.approx(ot.tolist(), rel=1e-12, abs=1e-12)
    assert loss.data == pytest.approx(ref.item(), rel=1e-12)
    assert [w.grad for row in Wv for w in row] == pytest.approx(Wt.grad.flatten().tolist(), rel=1e-9, abs=1e-12)
    assert [v.grad for v in xv] == pytest.approx(xt.grad.tolist(), rel=1e-9, abs=1e-12)


def test_linear_is_weighted_sum_row_by_row_to_the_bit():
    W, x = random_case(7, rows=6, cols=9)
    results = []
    for fused in (True, False):
        Wv = [[Value(w) for w in row] for row in W]
        xv = [Value(v) for v in x]
        out = linear(Wv, xv) if fused else [weighted_sum(row, xv) for row in Wv]
        total = sum(o * (k + 1) for k, o in enumerate(out))
        total.backward()
        results.append(([o.data for o in out], [w.grad for row in Wv for w in row], [v.grad for v in xv]))
    assert results[0] == results[1]


def test_linear_makes_one_node_per_row_with_its_inputs():
    W, x = random_case(3, rows=3, cols=2)
    Wv = [[Value(w) for w in row] for row in W]
    xv = [Value(v) for v in x]
    out = linear(Wv, xv)
    assert len(out) == 3
    for row, o in zip(Wv, out):
        assert o._op == "w.x" and list(o._prev) == row + xv
        assert len(o.topological_order()) == len(row) + len(xv) + 1


def test_linear_accepts_numbers_and_refuses_the_rest():
    out = linear([[1, 2.5]], [Value(2.0), 4])
    assert out[0].data == 12.0
    with pytest.raises(ValueError, match="a row of 3 weights for 2 inputs"):
        linear([[1.0, 2.0, 3.0]], [1.0, 2.0])
    with pytest.raises(TypeError, match="linear: every input must be a Value or a number"):
        linear([[1.0]], ["a"])
    with pytest.raises(TypeError, match="linear"):
        linear([[None]], [1.0])
    assert linear([], [1.0]) == []


def test_gradient_check_of_linear_and_attention_cells():
    """The lesson's own attention code, run here from its cells, passes a gradient check."""
    import bench_gpt
    import micrograd_core
    space = {"math": math, "random": random, "Value": Value, "Module": micrograd_core.Module, "V": 27,
             "stoi": {}, "weighted_sum": weighted_sum, "linear": linear, "cross_entropy": cross_entropy}
    for source in bench_gpt.model_cells():
        exec(source, space)
    rng = random.Random(11)
    xs = [[Value(rng.gauss(0, 1)) for _ in range(3)] for _ in range(4)]
    ws = [[[Value(rng.gauss(0, 0.7)) for _ in range(3)] for _ in range(3)] for _ in range(3)]
    mix = [rng.uniform(-1, 1) for _ in range(12)]

    def block():
        outs, _ = space["causal_self_attention"](xs, *ws)
        return weighted_sum(mix, [v for out in outs for v in out])
    report = micrograd_core.gradient_check(block, [v for x in xs for v in x] + [v for m in ws for r in m for v in r])
    assert report.ok, report


def test_the_bench_runs_the_notebooks_model_and_the_engines_agree():
    import bench_gpt
    sources = bench_gpt.model_cells()
    assert len(sources) >= 3 and any("class TinyGPT" in s for s in sources)
    assert any("def causal_self_attention" in s for s in sources) and any("def train_step" in s for s in sources)
    itos, train_names = bench_gpt.load_data()
    runs = [list(bench_gpt.trainer(Value, functions, itos, train_names, steps=2))
            for _, Value, functions in bench_gpt.engines()]
    first = [loss for loss, _ in runs[0]]
    assert first[0] == pytest.approx(3.3117, abs=1e-4)   # the notebook's initial weights, first batch
    for other in runs[1:]:
        assert [loss for loss, _ in other] == pytest.approx(first, rel=1e-12)


def test_the_bench_reads_the_cells_the_lesson_runs():
    """Every cell the bench reads is a code cell of the lesson, run in order before training."""
    import bench_gpt
    cells = json.loads(LESSON.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    marked = [i for i, s in enumerate(code) if s.startswith(bench_gpt.MARK)]
    training = next(i for i, s in enumerate(code) if "for t in range(1, STEPS + 1)" in s)
    assert marked and max(marked) < training
    assert [code[i] for i in marked] == bench_gpt.model_cells()


def stored_text(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))


def test_the_mlp_number_quoted_is_notebook_15s():
    nb15 = stored_text(ROOT / "notebooks" / "15_character_language_model.ipynb")
    mlp = re.search(r"MLP \(200 steps\)\s+2000\s+(\d\.\d{4})", nb15)
    bigram = re.search(r"bigram \(counting\)\s+2000\s+(\d\.\d{4})", nb15)
    assert mlp and bigram
    source = "\n".join("".join(c["source"]) for c in json.loads(LESSON.read_text(encoding="utf-8"))["cells"])
    assert f"MLP_NOTEBOOK_15 = {mlp.group(1)}" in source
    assert f'round(scores["bigram (counting)"], 4) == {bigram.group(1)}' in source
    nb17 = stored_text(LESSON)
    assert re.search(r"MLP, notebook 15\s+" + re.escape(mlp.group(1)), nb17)
    assert re.search(r"bigram \(counting\)\s+" + re.escape(bigram.group(1)), nb17)
