"""The engine's many-input operations, weighted_sum and cross_entropy (the block at the end of
micrograd_core.py): the same values and gradients as the composed operations, finite differences
and PyTorch; one node each; errors a human can act on."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from micrograd_core import Value, cross_entropy, gradient_check, weighted_sum

finite = st.floats(min_value=-5, max_value=5, allow_nan=False)


def composed_weighted_sum(ws, xs, b):
    return sum((w * x for w, x in zip(ws, xs)), b)


def composed_cross_entropy(logits, target):
    biggest = max(v.data for v in logits)
    return sum((v - biggest).exp() for v in logits).log() + biggest - logits[target]


def grads_of(build, leaves):
    for v in leaves:
        v.grad = 0.0
    out = build()
    out.backward()
    return out.data, [v.grad for v in leaves]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=8), finite, st.integers(0, 7))
def test_fused_equal_composed(pairs, bias, target):
    ws = [Value(w) for w, _ in pairs]
    xs = [Value(x) for _, x in pairs]
    b = Value(bias)
    scales = [1.0, -0.5, 2.0]
    target = target % len(scales)
    leaves = ws + xs + [b]

    def fused():
        return cross_entropy([weighted_sum(ws, xs, b) * k for k in scales], target)

    def composed():
        return composed_cross_entropy([composed_weighted_sum(ws, xs, b) * k for k in scales], target)

    (vf, gf), (vc, gc) = grads_of(fused, leaves), grads_of(composed, leaves)
    assert vf == pytest.approx(vc, rel=1e-9, abs=1e-9)
    assert gf == pytest.approx(gc, rel=1e-7, abs=1e-9)


def test_one_node_each_and_slots_in_order():
    ws, xs, b = [Value(1.0), Value(2.0)], [Value(3.0), Value(-1.0)], Value(0.5)
    out = weighted_sum(ws, xs, b)
    assert out.data == 1.0 * 3.0 + 2.0 * -1.0 + 0.5
    assert out._prev == (*ws, *xs, b) and out.topological_order() == [*ws, *xs, b, out]
    ce = cross_entropy([out, Value(0.0)], 1)
    assert len(ce._prev) == 2 and len(ce.topological_order()) == 8


def test_finite_differences_with_a_reused_input():
    rng = random.Random(3)
    x = Value(rng.uniform(-1, 1), label="x")        # the same input in three slots
    ws = [Value(rng.uniform(-1, 1), label=f"w{i}") for i in range(3)]
    b = Value(0.2, label="b")
    report = gradient_check(lambda: cross_entropy([weighted_sum(ws, [x, x, x], b), x * 2, Value(0.3)], 0),
                            ws + [x, b])
    assert report.ok, report


def test_cross_entropy_is_stable_and_its_gradient_is_p_minus_y():
    logits = [Value(1000.0), Value(999.0), Value(-1000.0)]
    loss = cross_entropy(logits, 1)
    loss.backward()
    p = [1 / (1 + math.exp(-1)), 1 / (1 + math.e), 0.0]
    assert loss.data == pytest.approx(-math.log(p[1]))
    assert [v.grad for v in logits] == pytest.approx([p[0], p[1] - 1, 0.0])
    assert sum(v.grad for v in logits) == pytest.approx(0.0, abs=1e-12)


def test_backward_steps_sees_one_update_per_slot():
    ws, xs = [Value(0.5), Value(-1.0)], [Value(2.0), Value(3.0)]
    loss = cross_entropy([weighted_sum(ws, xs, 1.0), Value(0.0)], 0)
    steps = list(loss.backward_steps())
    assert [len(s.slots) for s in steps[1:]] == [2, 5]
    assert steps[2].slots[0].local == pytest.approx(2.0)   # d(w.x+b)/dw_0 = x_0


def test_numbers_become_leaves():
    out = weighted_sum([2.0, Value(3.0)], [1, 2])
    assert out.data == 8.0 and len(out._prev) == 5


@pytest.mark.parametrize("call, words", [
    (lambda: weighted_sum([Value(1.0)], [Value(1.0), Value(2.0)]), "1 weights for 2 inputs"),
    (lambda: weighted_sum(["a"], [Value(1.0)]), "got str 'a'"),
    (lambda: cross_entropy([], 0), "no logits"),
    (lambda: cross_entropy([Value(1.0), Value(2.0)], 2), "0 to 1"),
    (lambda: cross_entropy([Value(1.0)], True), "index of a class"),
    (lambda: cross_entropy([Value(1.0), None], 0), "got NoneType"),
])
def test_errors_say_what_to_do(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert words in str(info.value)


def test_against_torch():
    torch = pytest.importorskip("torch", reason="torch not installed: PyTorch cross-check skipped")
    rng = random.Random(7)
    wv = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(5)]
    xv = [rng.uniform(-1, 1) for _ in range(4)]
    ws = [[Value(v) for v in row] for row in wv]
    xs = [Value(v) for v in xv]
    loss = cross_entropy([weighted_sum(row, xs, 0.1) for row in ws], 3)
    loss.backward()
    W = torch.tensor(wv, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy((W @ x + 0.1).unsqueeze(0), torch.tensor([3]))
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item())
    assert [v.grad for v in xs] == pytest.approx(x.grad.tolist())
    assert [v.grad for row in ws for v in row] == pytest.approx(W.grad.flatten().tolist())
