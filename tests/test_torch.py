"""PyTorch float64 cross-checks of the same expressions (skipped where torch is not installed)."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from expressions import N_INPUTS, evaluate, torch_lib, trees, value_lib
from micrograd_core import MLP, Value

torch = pytest.importorskip("torch")

inputs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_INPUTS, max_size=N_INPUTS)


@settings(max_examples=150, deadline=None)
@given(trees(), inputs)
def test_values_and_grads_match_pytorch(tree, xs):
    vs = [Value(x) for x in xs]
    out = evaluate(tree, vs, value_lib(Value))
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    ref = evaluate(tree, ts, torch_lib(torch))
    if not isinstance(out, Value):
        return
    out.backward()
    assert math.isclose(out.data, ref.item(), rel_tol=1e-12, abs_tol=1e-12)
    if ref.requires_grad:
        ref.backward()
    for v, t in zip(vs, ts):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert math.isclose(v.grad, expected, rel_tol=1e-9, abs_tol=1e-12), (tree, v.grad, expected)


@pytest.mark.parametrize("op", ["exp", "log", "tanh", "relu", "sigmoid"])
def test_unary_ops_match_pytorch(op):
    for x in (-3.0, -0.5, 0.25, 2.0):
        if op == "log" and x <= 0:
            continue
        v = Value(x)
        out = getattr(v, op)()
        out.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ref = getattr(torch, op)(t)
        ref.backward()
        assert out.data == pytest.approx(ref.item(), rel=1e-12)
        assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-15)


def test_mlp_grads_match_pytorch():
    random.seed(5)
    model = MLP(3, [4, 4, 1])
    x = [0.5, -1.5, 2.0]
    out = model(x)
    out.backward()
    # the same network in torch, from the same weights
    h = torch.tensor(x, dtype=torch.float64)
    params = []
    for li, layer in enumerate(model.layers):
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        params.append((W, b, layer))
        h = W @ h + b
        if li < len(model.layers) - 1:
            h = torch.relu(h)
    h.sum().backward()
    assert out.data == pytest.approx(h.sum().item(), rel=1e-12)
    for W, b, layer in params:
        for j, n in enumerate(layer.neurons):
            assert [w.grad for w in n.w] == pytest.approx(W.grad[j].tolist(), rel=1e-12, abs=1e-15)
            assert n.b.grad == pytest.approx(b.grad[j].item(), rel=1e-12, abs=1e-15)
