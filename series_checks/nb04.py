"""Checkers for notebook 04, the chain rule automated.

Exercise 1  check_card(local, contribution, after)   one row of the stepper's chain-rule card
Exercise 2  check_order(n_nodes, n_rules)            size of a topological order, rules backward() runs
Exercise 3  check_my_backward(fn)                    a backward pass written with topological_order()

Every expected number is computed here from the engine (and, where a gradient is involved, confirmed
with a finite difference), never typed in, so the checkers follow the engine if it changes.
"""

import contextlib
import math

from micrograd_core import Value

from . import all_passed, call_safely, check_number, checker, close, describe, failed, is_unwritten
from . import is_waiting, numeric_derivative, passed, waiting

__all__ = ["EX1_INPUTS", "ex1_expression", "EX2_X", "ex2_expression",
           "check_card", "check_order", "check_my_backward"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: predict one row of a chain-rule card
# ----------------------------------------------------------------------------------------------

EX1_INPUTS = {"u": 3.0, "v": -1.0, "w": 2.0}


def ex1_expression(u=None, v=None, w=None):
    """out = (u * v + w) * u, with labels; returns (u, v, w, s, t, out). Floats default to EX1_INPUTS."""
    u = Value(EX1_INPUTS["u"] if u is None else u, label="u")
    v = Value(EX1_INPUTS["v"] if v is None else v, label="v")
    w = Value(EX1_INPUTS["w"] if w is None else w, label="w")
    s = u * v
    s.label = "s"
    t = s + w
    t.label = "t"
    out = t * u
    out.label = "out"
    return u, v, w, s, t, out


def _ex1_expected():
    """The engine's own numbers for slot u in the step that applies the rule of s = u * v."""
    u, v, w, s, t, out = ex1_expression()
    for step in out.backward_steps():
        if step.node is s:
            (row,) = [r for r in step.slots if r.child is u]
            return row
    raise RuntimeError("check_card: the backward pass never reached node s")  # cannot happen


@checker
def check_card(local, contribution, after):
    """Exercise 1: the row for input u in the card of the step that applies s's rule."""
    ex = "Exercise 1"
    if is_waiting(local) and is_waiting(contribution) and is_waiting(after):
        return waiting(ex, "replace the three `...` with your numbers")
    row = _ex1_expected()
    # After this step nothing else sends a grad to u, so u.grad is complete: d(out)/du.
    x = EX1_INPUTS
    numeric = numeric_derivative(lambda uu: (uu * x["v"] + x["w"]) * uu, x["u"])
    upstream, before = row.upstream, row.before

    ok_local = check_number(
        f"{ex} (local derivative)", local, row.local,
        hints=[(x["u"], "that is u's own value. For the u slot of a product, the local derivative "
                        "d s/d u is the other factor's value."),
               (1.0, "1 is the local derivative of a sum; s is a product."),
               (row.contribution, "that is already local × upstream; the local derivative alone is "
                                  "d s/d u, before any upstream grad is involved.")],
        confirmed_by="d(u·v)/du is v's value, as the engine's rule _mul_backward says.")
    ok_contribution = check_number(
        f"{ex} (contribution)", contribution, row.contribution,
        hints=[(row.local, "you gave the local derivative alone: multiply it by the upstream grad, "
                           "s.grad at that moment (what did t's rule pass down to s?)."),
               (upstream, "that is the upstream grad s.grad on its own (or the right size with the "
                          "wrong sign): the contribution is local × upstream, signs included."),
               (x["u"] * upstream, "you multiplied the upstream by u's own value; for the u slot of "
                                   "a product the local derivative is the other factor.")],
        confirmed_by="The engine's card for this step shows the same contribution.")
    ok_after = check_number(
        f"{ex} (grad after)", after, row.after,
        hints=[(row.contribution, "u already had a grad before this step: an earlier step (out = t * u) "
                                  "gave it one. The rule adds its contribution (+=), it does not overwrite."),
               (before, "that is u's grad before this step: add this step's contribution to it."),
               (before - row.contribution, "add the contribution, do not subtract it: "
                                           "input.grad += local * out.grad."),
               (-before + row.contribution, "check the sign of the grad u had before this step: "
                                            "it came from out = t * u, with local derivative t.")],
        confirmed_by=f"This is u's final grad, and a finite difference of out with respect to u gives "
                     f"{numeric:.4f}.")
    return all_passed([ok_local, ok_contribution, ok_after])


# ----------------------------------------------------------------------------------------------
# Exercise 2: how long is a topological order, and how many rules run?
# ----------------------------------------------------------------------------------------------

EX2_X = 0.5


def ex2_expression():
    """y = tanh(x * 2 + x); returns (x, y)."""
    x = Value(EX2_X, label="x")
    y = (x * 2 + x).tanh()
    y.label = "y"
    return x, y


COUNT_HINT = ("list the nodes on paper first: every Value, leaves and constants included, exactly "
              "once; then mark the ones made by an operation.")


@checker
def check_order(n_nodes, n_rules):
    """Exercise 2: len(y.topological_order()) and how many nodes' rules y.backward() runs."""
    ex = "Exercise 2"
    if is_waiting(n_nodes) and is_waiting(n_rules):
        return waiting(ex, "replace both `...` with whole numbers")
    x, y = ex2_expression()
    order = y.topological_order()
    expected_nodes = len(order)
    expected_rules = sum(1 for node in order if node._rule is not None)
    ok_nodes = check_number(
        f"{ex} (nodes in the order)", n_nodes, expected_nodes, whole=True, otherwise=COUNT_HINT,
        hints=[(expected_nodes - 1, "one node is missing: the plain number 2 in x * 2 is turned into a "
                                    "Value of its own (a leaf), so it is a node too."),
               (expected_nodes + 1, "one too many: x is used twice, but it is one node, and the order "
                                    "lists every node exactly once."),
               (expected_rules, "you counted only the results of operations: the leaves are in the "
                                "order too.")],
        confirmed_by=f"len(y.topological_order()) is {expected_nodes}.")
    ok_rules = check_number(
        f"{ex} (rules run by backward)", n_rules, expected_rules, whole=True, otherwise=COUNT_HINT,
        hints=[(expected_nodes, "leaves have no rule (nothing comes before them): count only the nodes "
                                "made by an operation."),
               (expected_rules + 1, "the seed (y.grad = 1) is a step of the stepper, but it runs no rule; "
                                    "or did you count x twice? Each rule runs once per node."),
               (expected_rules - 1, "count every operation: the multiplication, the addition and tanh "
                                    "each made a node with a rule.")],
        confirmed_by=f"y.backward() applies {expected_rules} rules (the BackpropStepper has "
                     f"{expected_rules + 1} steps: the seed, then one per rule).")
    return all_passed([ok_nodes, ok_rules])


# ----------------------------------------------------------------------------------------------
# Exercise 3: write the backward pass from topological_order() and _backward()
# ----------------------------------------------------------------------------------------------

def _case_double_add():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return c, [a], lambda xa: 4 * xa


def _case_shared_inner():
    x = Value(2.0, label="x")
    t = x * 3
    t.label = "t"
    w = t + 1
    w.label = "w"
    y = t * w
    y.label = "y"
    return y, [x], lambda xx: (xx * 3) * (xx * 3 + 1)


def _case_L():
    a, b, c, f = (Value(v, label=n) for v, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, [a, b, c, f], lambda xa, xb, xc, xf: (xa * xb + xc) * xf


def _case_unseen():
    """A graph the notebook never shows: two leaves, reuse at two depths, tanh and a power."""
    p = Value(0.5, label="p")
    q = Value(-1.5, label="q")
    r = p * q + p
    r.label = "r"
    s = r.tanh()
    s.label = "s"
    z = s * q ** 2 + r
    z.label = "z"

    def float_fn(xp, xq):
        rr = xp * xq + xp
        return math.tanh(rr) * xq ** 2 + rr
    return z, [p, q], float_fn


_CASES = [("c = b + b with b = a + a", _case_double_add),
          ("y = t * (t + 1) with t = x * 3", _case_shared_inner),
          ("L = (a*b + c) * f", _case_L),
          ("a graph you have not seen, z = tanh(p*q + p) * q**2 + (p*q + p)", _case_unseen)]


def _numeric_grads(fn, leaves):
    xs = [leaf.data for leaf in leaves]
    grads = []
    for i in range(len(xs)):
        def g(xi, i=i):
            args = list(xs)
            args[i] = xi
            return fn(*args)
        grads.append(numeric_derivative(g, xs[i]))
    return grads


# The wrong walks learners write, run on fresh copies to recognise a result and name its mistake.

def _forward_order(root):
    root.grad = 1.0
    for node in root.topological_order():
        node._backward()


def _naive_recursion(root):
    def walk(node):
        node._backward()
        for child in node._prev:
            walk(child)
    root.grad = 1.0
    walk(root)


def _visited_recursion(root):
    seen = set()

    def walk(node):
        if node in seen:
            return
        seen.add(node)
        node._backward()
        for child in node._prev:
            walk(child)
    root.grad = 1.0
    walk(root)


def _twice(root):
    for _ in range(2):
        root.grad = 1.0
        for node in reversed(root.topological_order()):
            node._backward()


def _late_seed(root):
    for node in reversed(root.topological_order()):
        node._backward()
    root.grad = 1.0


def _each_rule_twice(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        node._backward()
        node._backward()


_WRONG_WALKS = [
    (_late_seed, "the rules ran while the output's grad was still 0, so they passed on nothing: set the "
                 "output's grad to 1 (d root/d root) before the first rule runs."),
    (_forward_order, "your grads are what you get when the rules run leaves first: a rule then runs "
                     "while its node's grad is still 0. Run a node's rule only after every node that "
                     "uses it has run: outputs first."),
    (_naive_recursion, "your grads match a recursive walk that follows every edge: a node used twice "
                       "gets its rule run twice. Use the order from topological_order() instead of "
                       "recursing."),
    (_visited_recursion, "your grads match a depth-first walk that runs a node's rule on first arrival: "
                         "some rules run before every user of the node has passed its grad down. "
                         "Use the order from topological_order()."),
    (_twice, "your grads are doubled: the whole pass ran twice, and grads accumulate (+=). Each node's "
             "rule must run exactly once."),
    (_each_rule_twice, "each rule ran twice in a row, so every contribution was added twice (+=). Each "
                       "node's rule must run exactly once."),
]


# The engine's own pass, in every form a learner could reach it: the exercise is to write it.
_ENGINE_PASSES = ("backward", "backward_steps", "_backprop")


class _EnginePassUsed(BaseException):
    """Raised by the switched-off engine pass; a BaseException, so call_safely lets it through."""


@contextlib.contextmanager
def _engine_pass_forbidden():
    """While the block runs, the engine's backward pass raises; the list yielded records each try."""
    tries = []
    saved = {name: getattr(Value, name) for name in _ENGINE_PASSES}

    def forbidden(name):
        def method(self, *args, **kwargs):
            tries.append(name)
            raise _EnginePassUsed(name)
        return method
    for name in _ENGINE_PASSES:
        setattr(Value, name, forbidden(name))
    try:
        yield tries
    finally:
        for name, method in saved.items():
            setattr(Value, name, method)


def _all_grads(root):
    """Every node's grad, in the (deterministic) topological order: leaves and intermediates."""
    return [node.grad for node in root.topological_order()]


def _same_grads(got, expected):
    return len(got) == len(expected) and all(close(g, e) for g, e in zip(got, expected))


def _grads_after(walk, case):
    root, _, _ = case()
    walk(root)
    return _all_grads(root)


@checker
def check_my_backward(fn):
    """Exercise 3: `fn(root)` must fill in every grad like root.backward() does, without calling it."""
    ex = "Exercise 3"
    if is_waiting(fn):
        return waiting(ex, "define my_backward(root) and pass the function itself")
    if not callable(fn):
        return failed(ex, f"pass the function itself, my_backward (no parentheses); got {describe(fn)}.")
    if is_unwritten(fn):
        return waiting(ex, "write the body of my_backward: replace the `...`")
    for title, case in _CASES:
        root, leaves, float_fn = case()
        ok, outcome = False, None
        with _engine_pass_forbidden() as tries:
            try:
                ok, outcome = call_safely(ex, fn, root, case=f"on {title}")
            except _EnginePassUsed:
                pass
        if tries:
            return failed(ex, f"your function calls the engine's own pass ({tries[0]}()). Write the pass "
                              f"yourself with topological_order() and each node's _backward(); calling "
                              f"the engine's would hide the point of the exercise.")
        if not ok:
            return outcome
        got = _all_grads(root)
        engine_root, engine_leaves, _ = case()
        engine_root.backward()
        expected = _all_grads(engine_root)
        numeric = _numeric_grads(float_fn, engine_leaves)
        if not all(close(leaf.grad, n) for leaf, n in zip(engine_leaves, numeric)):  # cannot happen
            return failed(ex, f"on {title} the engine and a finite difference disagree; tell your teacher.")
        if not isinstance(root.grad, (int, float)) or not close(root.grad, 1.0):
            if root.grad == 0.0:
                return failed(ex, f"on {title}, the output's grad is still 0: seed it with 1 "
                                  f"(d root/d root) before running any rule.")
            return failed(ex, f"on {title}, the output's grad ended at {describe(root.grad)}; it should "
                              f"be d root/d root, whatever else happens.")
        if _same_grads(got, expected):
            continue
        for walk, hint in _WRONG_WALKS:
            if _same_grads(got, _grads_after(walk, case)):
                return failed(ex, f"on {title}: {hint}")
        return failed(ex, f"on {title}, some grads differ from backward(). Check the three "
                          f"beats: seed the output with 1, visit the nodes so that each one comes after "
                          f"every node that uses it, and run each node's rule exactly once.")
    return passed(ex, f"Your pass gives the same grads as backward() and as finite differences on "
                      f"{len(_CASES)} graphs, including the two where naive recursion goes wrong and "
                      f"one you had not seen.")
