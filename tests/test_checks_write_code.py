"""Tests for the write-code exercises added to notebooks 00, 02, 03, 05, 09, 10 and 16.

For each checker: an unwritten function (`...` body) and a bare `...` are waiting; the reference
solution passes; every declared mistake gets its own hint and no pass; hostile functions (returning
inf, nan, text, huge ints, None, a Value, an object that claims to equal everything; raising; never
returning; not callable at all) are refused without a traceback; and no hint contains the answer
the checker expected on the case it names.
"""

import math
import re

import numpy as np
import pytest

import series_checks
from expressions import recursive_order
from micrograd_core import Value
from series_checks import nb00, nb02, nb03, nb05, nb09, nb10, nb18


# ----------------------------------------------------------------------------------------------
# Reference solutions (the ones in the solutions notebooks)
# ----------------------------------------------------------------------------------------------

def predict_L(L, nudges):
    return L.data + sum(leaf.grad * change for leaf, change in nudges.items())


def count_nodes(root):
    counted, todo = set(), [root]
    while todo:
        node = todo.pop()
        if node not in counted:
            counted.add(node)
            todo.extend(node._prev)
    return len(counted)


def pass_back(node):
    x, y = node._prev
    if node._op == "+":
        x.grad = 1.0 * node.grad
        y.grad = 1.0 * node.grad
    elif node._op == "*":
        x.grad = y.data * node.grad
        y.grad = x.data * node.grad


def my_topological_order(root):
    order, placed, opened, stack = [], set(), set(), [root]
    while stack:
        node = stack.pop()
        if node in placed:
            continue
        if node in opened:
            placed.add(node)
            order.append(node)
            continue
        opened.add(node)
        stack.append(node)
        stack.extend(child for child in node._prev if child not in opened)
    return order


def neuron(xs, ws, b):
    total = b
    for w, x in zip(ws, xs):
        total = total + w * x
    return total.tanh()


def count_parameters(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))


def layer_grads(W, x, b, c):
    return np.outer(c, x), W.T @ c, c.copy()


# ----------------------------------------------------------------------------------------------
# The mistakes each checker declares, as the functions a learner would write
# ----------------------------------------------------------------------------------------------

def _rebuild_L(L, nudges):
    (d, f) = L._prev
    (e, c) = d._prev
    (a, b) = e._prev
    n = lambda v: v.data + nudges.get(v, 0.0)  # noqa: E731
    return (n(a) * n(b) + n(c)) * n(f)


PREDICT_MISTAKES = [
    (lambda L, n: sum(v.grad * d for v, d in n.items()), "that is the change of L"),
    (lambda L, n: L.data - sum(v.grad * d for v, d in n.items()), "wrong sign"),
    (lambda L, n: L.data, "L before the nudge"),
    (lambda L, n: L.data + sum(v.data * d for v, d in n.items()), "use its .grad"),
    (_rebuild_L, "the exact new L"),
    (lambda L, n: L.data + 1.0, "The prediction is L.data plus"),
]


def _count_per_path(root):
    return 1 + sum(_count_per_path(child) for child in root._prev)


def _all_nodes(root):
    return root.topological_order()


COUNT_MISTAKES = [
    (_count_per_path, "counted twice"),
    (lambda r: count_nodes(r) - 1, "one too few"),
    (lambda r: sum(1 for v in _all_nodes(r) if not v._prev), "only the leaves"),
    (lambda r: sum(1 for v in _all_nodes(r) if v._prev), "only the nodes made by an operation"),
    (lambda r: 42, "Start a to-do list"),
]


def _local_only(node):
    x, y = node._prev
    x.grad, y.grad = (1.0, 1.0) if node._op == "+" else (y.data, x.data)


def _own_value(node):
    x, y = node._prev
    if node._op == "+":
        x.grad = y.grad = node.grad
    else:
        x.grad, y.grad = x.data * node.grad, y.data * node.grad


def _products_only(node):
    x, y = node._prev
    if node._op == "*":
        x.grad, y.grad = y.data * node.grad, x.data * node.grad


def _flipped(node):
    pass_back(node)
    for child in node._prev:
        child.grad = -child.grad


def _doubled(node):
    pass_back(node)
    for child in node._prev:
        child.grad = 2 * child.grad


def _text_grad(node):
    for child in node._prev:
        child.grad = "six"


PASS_BACK_MISTAKES = [
    (_local_only, "local derivative alone"),
    (_own_value, "the input's own value"),
    (_products_only, "nothing arrived"),
    (_flipped, "sign is flipped"),
    (_doubled, "For '+' each input gets the upstream grad"),
    (_text_grad, "a grad is a plain number"),
]


def _order_without_placed_set(root):
    order = []

    def visit(node):  # every path: a reused node comes twice
        for child in node._prev:
            visit(child)
        order.append(node)
    visit(root)
    return order


ORDER_MISTAKES = [
    (lambda r: list(reversed(my_topological_order(r))), "the root comes first"),
    (_order_without_placed_set, "is listed twice"),
    (lambda r: [v for v in my_topological_order(r) if v._prev], "are missing"),
    (lambda r: sorted(my_topological_order(r), key=lambda v: v.label.lower()), "is listed before its input"),
    (recursive_order, "RecursionError"),
    (lambda r: r.topological_order(), "without calling topological_order()"),
    (lambda r: [v.data for v in my_topological_order(r)], "the Value nodes themselves"),
    (lambda r: my_topological_order(r) + [Value(1.0)], "not in the graph of root"),
    (lambda r: 7, "return a list of the nodes"),
]


def _weighted_sum(xs, ws, b):
    return sum((w * x for w, x in zip(ws, xs)), b)


NEURON_MISTAKES = [
    (_weighted_sum, "apply tanh"),
    (lambda xs, ws, b: sum((w * x for w, x in zip(ws, xs)), Value(0.0)).tanh(), "leaves out the bias"),
    (lambda xs, ws, b: (sum(ws, Value(0.0)) + b).tanh(), "multiply each weight by its own input"),
    (lambda xs, ws, b: Value(math.tanh(sum(w.data * x for w, x in zip(ws, xs)) + b.data)), "not with their .data"),
    (lambda xs, ws, b: neuron(xs, ws, b).data, "not a Value"),
    (lambda xs, ws, b: (_weighted_sum(xs, ws, b) + b).tanh(), "which is not tanh("),
]


def _weights_only(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


COUNT_PARAMETERS_MISTAKES = [
    (_weights_only, "counts the weights only"),
    (lambda nin, nouts: sum(nouts), "that counts the neurons"),
    (lambda nin, nouts: (nin + 1) * nouts[0], "first layer only"),
    (lambda nin, nouts: sum(b * (b + 1) for b in nouts), "the layer *before* it"),
    (lambda nin, nouts: count_parameters(nin, nouts) + 2, "Count one layer at a time"),
    (lambda nin, nouts: count_parameters(nin, nouts) + 0.5, "whole number"),
]


LAYER_MISTAKES = [
    (lambda W, x, b, c: (np.outer(np.ones_like(c), x), W.T @ c, c), "right for L = sum(W @ x + b)"),
    (lambda W, x, b, c: (np.outer(c, x), W.T @ np.ones_like(c), c), "dx ignores c"),
    (lambda W, x, b, c: (np.outer(c, x), W.T @ c, np.ones_like(c)), "db is not right"),
    (lambda W, x, b, c: (np.outer(x, c), W.T @ c, c), "a gradient has the shape"),
    (lambda W, x, b, c: (np.outer(c, x), W.T @ c), "return three arrays"),
    (lambda W, x, b, c: (np.outer(c, x) * np.inf, W.T @ c, c), "contains inf or nan"),
    (lambda W, x, b, c: (2 * np.outer(c, x), W.T @ c, c), "dW is not right"),
    (lambda W, x, b, c: (np.outer(c, x), 2 * (W.T @ c), c), "dx is not right"),
    (lambda W, x, b, c: ("dW", W.T @ c, c), "not an array of numbers"),
    (lambda W, x, b, c: (np.outer(c, x).astype(str), W.T @ c, c), "is an array of text"),
    (lambda W, x, b, c: (np.outer(c, x), (W.T @ c) + 0j, c), "is an array of complex numbers"),
    (lambda W, x, b, c: (np.outer(c, x), W.T @ c, c > 0), "is an array of True/False values"),
]


EXERCISES = {
    "nb00 predict_L": (nb00.check_predict_L, predict_L, PREDICT_MISTAKES, 2),
    "nb02 count_nodes": (nb02.check_count_nodes, count_nodes, COUNT_MISTAKES, 1),
    "nb03 pass_back": (nb03.check_pass_back, pass_back, PASS_BACK_MISTAKES, 1),
    "nb05 my_topological_order": (nb05.check_my_topological_order, my_topological_order, ORDER_MISTAKES, 1),
    "nb09 neuron": (nb09.check_neuron, neuron, NEURON_MISTAKES, 3),
    "nb10 count_parameters": (nb10.check_count_parameters, count_parameters, COUNT_PARAMETERS_MISTAKES, 2),
    "nb18 layer_grads": (nb18.check_layer_grads, layer_grads, LAYER_MISTAKES, 4),
}


# ----------------------------------------------------------------------------------------------
# Hostile learner code, the same battery for every function exercise
# ----------------------------------------------------------------------------------------------

class _EqualsEverything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __float__(self):
        return 0.0


def _raises(*args):
    raise ZeroDivisionError("division by zero")


def _generator_that_raises(*args):
    yield 1.0
    raise ValueError("broken on purpose")


def _forever(*args):
    while True:
        pass


HOSTILE_RESULTS = [math.inf, -math.inf, math.nan, "inf", 10 ** 400, None, Value(1.0), _EqualsEverything(),
                   True, [1.0, 2.0], "7"]
HOSTILE_FUNCTIONS = [_raises, _generator_that_raises, _forever]
NOT_FUNCTIONS = [3, "my_function", [1, 2], Value(2.0)]


def _hostile(n_args):
    for result in HOSTILE_RESULTS:
        yield f"returns {result!r}"[:40], (lambda *args, result=result: result)
    for fn in HOSTILE_FUNCTIONS:
        yield fn.__name__, fn


@pytest.fixture(autouse=True)
def _short_time_limit(monkeypatch):
    # A runaway learner loop is stopped after TIME_LIMIT seconds; keep the test run short.
    monkeypatch.setattr(series_checks, "TIME_LIMIT", 0.5)


def _run(check, fn, capsys):
    verdict = check(fn)
    out = capsys.readouterr().out
    assert "Traceback" not in out
    return verdict, out


@pytest.mark.parametrize("name", EXERCISES)
def test_an_unwritten_function_or_bare_ellipsis_is_waiting(name, capsys):
    check = EXERCISES[name][0]

    def unwritten(*args):
        ...

    for answer in (..., unwritten):
        verdict, out = _run(check, answer, capsys)
        assert not verdict and "⏳" in out and "❌" not in out


@pytest.mark.parametrize("name", EXERCISES)
def test_the_reference_solution_passes(name, capsys):
    check, reference, _, _ = EXERCISES[name]
    verdict, out = _run(check, reference, capsys)
    assert verdict, out
    assert out.count("✅") == 1 and "❌" not in out


@pytest.mark.parametrize("name, k", [(name, k) for name in EXERCISES for k in range(len(EXERCISES[name][2]))])
def test_each_declared_mistake_gets_its_own_hint(name, k, capsys):
    check, _, mistakes, _ = EXERCISES[name]
    wrong, words = mistakes[k]
    verdict, out = _run(check, wrong, capsys)
    assert not verdict and "✅" not in out, out
    assert words in verdict.message, (words, verdict.message)
    assert out.count("❌") == 1, out


def test_every_hint_of_an_exercise_is_different():
    for name, (_, _, mistakes, _) in EXERCISES.items():
        words = [w for _, w in mistakes]
        assert len(set(words)) == len(words), name


@pytest.mark.parametrize("name", EXERCISES)
def test_hostile_code_is_refused_without_a_traceback(name, capsys):
    check, _, _, n_args = EXERCISES[name]
    for what, fn in _hostile(n_args):
        verdict, out = _run(check, fn, capsys)
        assert not verdict, (what, out)
        assert "✅" not in out and out.count("❌") == 1, (what, out)
    for thing in NOT_FUNCTIONS:
        verdict, out = _run(check, thing, capsys)
        assert not verdict and "pass the function itself" in verdict.message, (thing, out)


# ----------------------------------------------------------------------------------------------
# Hints never give the answer away
# ----------------------------------------------------------------------------------------------

def test_count_hints_never_name_the_expected_count(capsys):
    """nb02 and nb10 name the learner's count in a hint, never the right one for that case."""
    for check, mistakes, expected_of in [
            (nb02.check_count_nodes, COUNT_MISTAKES, lambda m: _expected_count_nodes(m)),
            (nb10.check_count_parameters, COUNT_PARAMETERS_MISTAKES, lambda m: _expected_parameters(m))]:
        for wrong, _ in mistakes:
            verdict = check(wrong)
            expected = expected_of(verdict.message)
            if expected is None:  # a hint about the form of the answer names no case, and no count
                continue
            assert not re.search(rf"(?<![\d.]){expected}(?![\d.])", verdict.message.split("returns", 1)[-1]
                                 .split(" ", 2)[-1]), verdict.message
    capsys.readouterr()


def _expected_count_nodes(message):
    for name, root in nb02._count_graphs():
        if f"on {name}," in message:
            return len(root.topological_order())
    return None


def _expected_parameters(message):
    """The right count for the shape a hint names (nb10 draws its shapes afresh for each check)."""
    shape = re.search(r"MLP\((\d+), \[([\d, ]+)\]\)", message)
    if shape is None:
        return None
    return count_parameters(int(shape[1]), [int(n) for n in shape[2].split(",")])


def test_predict_hints_never_show_the_prediction(capsys, monkeypatch):
    """nb00 draws its cases afresh for each check: here from a seeded generator, to know them."""
    import random
    for seed, (wrong, _) in enumerate(PREDICT_MISTAKES):
        monkeypatch.setattr(nb00, "fresh_rng", lambda seed=seed: random.Random(seed))
        verdict = nb00.check_predict_L(wrong)
        shown = set(re.findall(r"-?\d+\.\d{4}", verdict.message))
        expected = {f"{L.data + sum(v.grad * d for v, d in n.items()):.4f}"
                    for L, _, n in nb00._predict_cases(random.Random(seed))}
        assert not shown & expected, verdict.message
    capsys.readouterr()


def test_the_checkers_leave_the_random_state_alone():
    import random
    random.seed(5)
    before = random.getstate()
    for check, reference, _, _ in EXERCISES.values():
        check(reference)
    assert random.getstate() == before


def test_the_order_checker_restores_the_engine_even_when_the_learner_fails():
    engine = Value.topological_order
    nb05.check_my_topological_order(lambda r: r.topological_order())
    nb05.check_my_topological_order(_raises)
    assert Value.topological_order is engine
    a = Value(2.0)
    assert len((a * a).topological_order()) == 2


@pytest.mark.parametrize("name", EXERCISES)
def test_the_shared_hostile_battery_is_refused(name):
    """The battery of tests/checks_battery.py (shared by every checker of the series)."""
    from checks_battery import assert_refuses_battery
    check, reference, _, _ = EXERCISES[name]
    assert_refuses_battery(check, (reference,), slot=0, kind="function")
