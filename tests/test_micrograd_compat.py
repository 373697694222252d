"""Drop-in compatibility with micrograd 0.1.0 (a test dependency): same API, same numbers."""

import random
import sys
from pathlib import Path

import pytest

import micrograd_core as ours
from micrograd import engine as mg_engine, nn as mg_nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_engine import demo_step, make_moons  # noqa: E402


def readme_example(Value):
    """The expression of micrograd's README, rewritten here; its numbers are in that README."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def test_readme_example_gives_the_same_numbers():
    g, da, db = readme_example(ours.Value)
    assert (f"{g:.4f}", f"{da:.4f}", f"{db:.4f}") == ("24.7041", "138.8338", "645.5773")
    assert (g, da, db) == pytest.approx(readme_example(mg_engine.Value), rel=1e-12)


def test_same_seed_same_weights():
    random.seed(1337)
    a = ours.MLP(2, [16, 16, 1])
    random.seed(1337)
    b = mg_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert repr(a) == repr(b)


def test_same_number_of_random_draws():
    random.seed(3)
    ours.MLP(3, [4, 4, 1])
    after_ours = random.random()
    random.seed(3)
    mg_nn.MLP(3, [4, 4, 1])
    assert random.random() == after_ours


def test_demo_training_gives_the_same_losses():
    X, y = make_moons()
    random.seed(1337)
    a = ours.MLP(2, [16, 16, 1])
    random.seed(1337)
    b = mg_nn.MLP(2, [16, 16, 1])
    for k in range(3):
        la = demo_step(ours.Value, a, X, y, k)
        lb = demo_step(mg_engine.Value, b, X, y, k)
        assert la == pytest.approx(lb, rel=1e-12)
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-9, abs=1e-12)


def test_same_api_surface():
    for name in ("Value",):
        assert hasattr(ours, name)
    v = ours.Value(2.0)
    for attr in ("data", "grad", "_prev", "_op", "_backward", "backward", "relu", "__radd__",
                 "__rsub__", "__rmul__", "__rtruediv__", "__neg__", "__pow__"):
        assert hasattr(v, attr), attr
    n = ours.Neuron(2, nonlin=False)
    assert (len(n.w), n.nonlin) == (2, False) and n.b.data == 0
    assert len(ours.Layer(2, 3, nonlin=False).neurons) == 3
