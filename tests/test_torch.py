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


# ----------------------------------------------------------------------------------------------
# Edge cases: each one against the value torch float64 gives (or its error, where it raises)
# ----------------------------------------------------------------------------------------------

def torch_grad(fn, x):
    """(fn(x).item(), d fn/dx at x) in torch float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(t)
    out.backward()
    return out.item(), t.grad.item()


def test_power_zero_at_zero_has_grad_zero():
    # torch: (x ** 0) at x = 0 is 1 with grad 0 (not 0 * 0**-1 = nan)
    assert torch_grad(lambda t: t ** 0, 0.0) == (1.0, 0.0)
    x = Value(0.0)
    out = x ** 0
    out.backward()
    assert (out.data, x.grad) == (1.0, 0.0)


def test_relu_of_nan_is_nan():
    value, grad = torch_grad(torch.relu, math.nan)
    assert math.isnan(value) and grad == 1.0          # torch: nan, and the upstream passes
    x = Value(math.nan)
    out = x.relu()
    out.backward()
    assert math.isnan(out.data) and x.grad == 1.0


def test_relu_masks_instead_of_multiplying_zero_by_inf():
    # sqrt(relu(x)) at x = -1: sqrt's local derivative at 0 is inf; relu passes nothing back
    assert torch_grad(lambda t: torch.relu(t) ** 0.5, -1.0) == (0.0, 0.0)
    x = Value(-1.0)
    out = x.relu() ** 0.5
    out.backward()
    assert (out.data, x.grad) == (0.0, 0.0)


@pytest.mark.parametrize("base,expected", [(1.0, 1.0), (0.5, 0.0), (-1.0, 1.0), (-0.5, 0.0), (2.0, math.inf)])
def test_integer_powers_are_exact_for_huge_exponents(base, expected):
    # torch cannot take 10**400 as an exponent; it agrees on the even exponent 2.0**1000 (an exact
    # float) and IEEE pow on inf, which is what a huge even integer power tends to.
    assert torch.tensor(base, dtype=torch.float64).pow(2.0 ** 1000).item() == expected
    assert (Value(base) ** (10 ** 400)).data == expected
    assert (Value(base) ** (2 ** 1000)).data == expected


def test_huge_odd_and_negative_exponents_keep_sign_and_size():
    assert torch.tensor(-1.0, dtype=torch.float64).pow(2.0 ** 1000 + 1).item() == 1.0  # (float: even)
    assert (Value(-1.0) ** (10 ** 400 + 1)).data == -1.0
    assert (Value(2.0) ** -(10 ** 400)).data == 0.0
    assert (Value(0.5) ** -(10 ** 400)).data == math.inf
    x = Value(1.0)
    out = x ** (10 ** 400)
    out.backward()                                   # n * x**(n-1) = 10**400: inf, no OverflowError
    assert out.data == 1.0 and x.grad == math.inf
    assert "1e400" in out._op


def test_gradient_check_restores_the_data_when_f_raises():
    from micrograd_core import gradient_check
    a = Value(2.0, label="a")
    calls = []

    def f():
        calls.append(a.data)
        if len(calls) > 1:                             # the nudged evaluation fails
            raise RuntimeError("f broke")
        return a * a
    with pytest.raises(RuntimeError, match="f broke"):
        gradient_check(f, [a])
    assert a.data == 2.0 and calls[1] != 2.0
    # torch.autograd.gradcheck restores its inputs too: the tensor keeps its value
    t = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda u: u * u, (t,)) and t.item() == 2.0


@pytest.mark.parametrize("make,expected", [
    (lambda: MLP(3, [4, 1]), 3),
    (lambda: MLP(3, [4, 1]).layers[0], 3),
    (lambda: MLP(3, [4, 1]).layers[0].neurons[0], 3),
])
def test_wrong_number_of_inputs_is_a_clear_error_with_both_lengths(make, expected):
    # torch: a Linear(3, 4) given 2 inputs raises "mat1 and mat2 shapes cannot be multiplied"
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied"):
        torch.nn.Linear(3, 4, dtype=torch.float64)(torch.zeros(1, 2, dtype=torch.float64))
    random.seed(0)
    module = make()
    for wrong in ([1.0, 2.0], [1.0, 2.0, 3.0, 4.0]):
        with pytest.raises(ValueError) as info:
            module(wrong)
        message = str(info.value)
        assert f"takes {expected} inputs" in message and f"got {len(wrong)}" in message
    module([1.0, 2.0, 3.0])  # the right length works


def test_numpy_booleans_count_as_booleans():
    np = pytest.importorskip("numpy")
    # torch: a numpy bool becomes 1.0 in float64, as True does
    assert torch.tensor(np.bool_(True), dtype=torch.float64).item() == 1.0
    assert Value(np.bool_(True)).data == 1.0 == Value(True).data
    assert (Value(2.0) * np.bool_(False)).data == 0.0
    assert (Value(2.0) ** np.bool_(True)).data == 2.0
    with pytest.raises(TypeError) as info:
        Value(np.str_("x"))
    assert "got str" in str(info.value)


def test_labels_may_be_any_object_shown_with_str():
    import viz
    v = Value(1.5, label=7)
    out = v * 2
    out.label = ("out",)
    out.backward()
    assert v.grad == 2.0 and "label=7" in repr(v)
    assert "7" in viz.draw_dot(out).source
    with pytest.raises(ValueError, match="'7'"):
        Value(-1.0, label=7).log()
