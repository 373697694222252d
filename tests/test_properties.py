"""Property tests: on random expression trees, backward() agrees with finite differences."""

import math

from hypothesis import given, settings, strategies as st

from expressions import N_INPUTS, evaluate, recursive_order, trees, value_lib
from micrograd_core import Value

LIB = value_lib(Value)
inputs = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_INPUTS, max_size=N_INPUTS)


def forward(tree, xs):
    return evaluate(tree, [Value(x) for x in xs], LIB).data


@settings(max_examples=150, deadline=None)
@given(trees(smooth_only=True), inputs)
def test_backward_matches_finite_differences(tree, xs):
    vs = [Value(x) for x in xs]
    out = evaluate(tree, vs, LIB)
    if not isinstance(out, Value):
        return
    out.backward()
    h = 1e-6
    for i, v in enumerate(vs):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        numeric = (forward(tree, up) - forward(tree, down)) / (2 * h)
        assert math.isclose(v.grad, numeric, rel_tol=1e-4, abs_tol=1e-5), (tree, i, v.grad, numeric)


@settings(max_examples=100, deadline=None)
@given(trees(), inputs)
def test_backward_steps_equal_backward(tree, xs):
    def grads(use_steps):
        vs = [Value(x) for x in xs]
        out = evaluate(tree, vs, LIB)
        if isinstance(out, Value):
            if use_steps:
                for _ in out.backward_steps():
                    pass
            else:
                out.backward()
        return [v.grad for v in vs]
    assert grads(True) == grads(False)


@settings(max_examples=100, deadline=None)
@given(trees(), inputs)
def test_topological_order_puts_inputs_first(tree, xs):
    out = evaluate(tree, [Value(x) for x in xs], LIB)
    if isinstance(out, Value):
        order = out.topological_order()
        position = {v: i for i, v in enumerate(order)}
        assert len(position) == len(order)
        assert all(position[c] < position[v] for v in order for c in v._prev)


@settings(max_examples=100, deadline=None)
@given(trees(), inputs)
def test_topological_order_is_the_depth_first_order_notebook_05_draws(tree, xs):
    # Inputs are shared by many nodes in these trees, so nodes are pushed twice and skipped once.
    out = evaluate(tree, [Value(x) for x in xs], LIB)
    if isinstance(out, Value):
        assert out.topological_order() == recursive_order(out)
