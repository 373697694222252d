"""Checkers for notebook 04, the chain rule automated.

Exercise 1  check_card(local, contribution, after)   one row of the stepper's chain-rule card
Exercise 2  check_my_backward(fn)                    a backward pass written with topological_order()

(Counting a topological order, once exercise 2 of this notebook, is in notebook 05: series_checks.nb05.)

Every expected number is computed here from the engine (and, where a gradient is involved, confirmed
with a finite difference), never typed in, so the checkers follow the engine if it changes.
"""

import contextlib
import math

from micrograd_core import Value

from . import all_passed, call_safely, check_number, checker, close, describe, failed, is_function
from . import is_unwritten, is_waiting, labelled, lecture_expression, numeric_derivative, passed
from . import waiting
from series_language import N_, _

__all__ = ["EX1_INPUTS", "ex1_expression", "check_card", "check_my_backward"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: predict one row of a chain-rule card
# ----------------------------------------------------------------------------------------------

EX1_INPUTS = {"u": 3.0, "v": -1.0, "w": 2.0}


def ex1_expression(u=None, v=None, w=None):
    """out = (u * v + w) * u, with labels; returns (u, v, w, s, t, out). Floats default to EX1_INPUTS."""
    u = Value(EX1_INPUTS["u"] if u is None else u, label="u")
    v = Value(EX1_INPUTS["v"] if v is None else v, label="v")
    w = Value(EX1_INPUTS["w"] if w is None else w, label="w")
    s = labelled(u * v, "s")
    t = labelled(s + w, "t")
    out = labelled(t * u, "out")
    return u, v, w, s, t, out


def _ex1_expected():
    """The engine's own numbers for input u in the chain-rule step at s = u * v."""
    u, v, w, s, t, out = ex1_expression()
    for step in out.backward_steps():
        if step.node is s:
            (row,) = [r for r in step.slots if r.child is u]
            return row
    raise RuntimeError("check_card: the backward pass never reached node s")  # cannot happen


@checker
def check_card(local, contribution, after):
    """Exercise 1: the row for input u in the card of the chain-rule step at s."""
    ex = "Exercise 1"
    if is_waiting(local) and is_waiting(contribution) and is_waiting(after):
        return waiting(ex, _("replace the three `...` with your numbers"))
    row = _ex1_expected()
    # After this step nothing else sends a grad to u, so u.grad is complete: d(out)/du.
    x = EX1_INPUTS
    numeric = numeric_derivative(lambda uu: (uu * x["v"] + x["w"]) * uu, x["u"])
    upstream, before = row.upstream, row.before

    ok_local = check_number(
        ex + _(" (local derivative)"), local, row.local,
        hints=[(x["u"], _("that is u's own value. For the u slot of a product, the local derivative "
                          "d s/d u is the other factor's value.")),
               (1.0, _("1 is the local derivative of a sum; s is a product.")),
               (row.contribution, _("that is already local × upstream; the local derivative alone is "
                                    "d s/d u, before any upstream grad is involved."))],
        confirmed_by=_("d(u·v)/du is v's value, as the engine's local derivatives of * say."))
    ok_contribution = check_number(
        ex + _(" (contribution)"), contribution, row.contribution,
        hints=[(row.local, _("you gave the local derivative alone: multiply it by the upstream grad, "
                             "s.grad at that moment (what did the chain-rule step at t pass down to s?).")),
               (upstream, _("that is the upstream grad s.grad on its own (or the right size with the "
                            "wrong sign): the contribution is local × upstream, signs included.")),
               (x["u"] * upstream, _("you multiplied the upstream by u's own value; for the u slot of "
                                     "a product the local derivative is the other factor."))],
        confirmed_by=_("The engine's card for this step shows the same contribution."))
    ok_after = check_number(
        ex + _(" (grad after)"), after, row.after,
        hints=[(row.contribution, _("u already had a grad before this step: an earlier step (out = t * u) "
                                    "gave it one. The chain-rule step adds its contribution (+=), it does not "
                                    "overwrite.")),
               (before, _("that is u's grad before this step: add this step's contribution to it.")),
               (before - row.contribution, _("add the contribution, do not subtract it: "
                                             "input.grad += local * out.grad.")),
               (-before + row.contribution, _("check the sign of the grad u had before this step: "
                                              "it came from out = t * u, with local derivative t."))],
        confirmed_by=_("This is u's final grad, and a finite difference of out with respect to u gives "
                       "{numeric}.").format(numeric=f"{numeric:.4f}"))
    return all_passed([ok_local, ok_contribution, ok_after])


# ----------------------------------------------------------------------------------------------
# Exercise 2: write the backward pass from topological_order() and _backward()
# ----------------------------------------------------------------------------------------------

def _case_double_add():
    a = Value(3.0, label="a")
    b = labelled(a + a, "b")
    c = labelled(b + b, "c")
    return c, [a], lambda xa: 4 * xa


def _case_shared_inner():
    x = Value(2.0, label="x")
    t = labelled(x * 3, "t")
    w = labelled(t + 1, "w")
    y = labelled(t * w, "y")
    return y, [x], lambda xx: (xx * 3) * (xx * 3 + 1)


def _case_L():
    g = lecture_expression()
    return g["L"], [g["a"], g["b"], g["c"], g["f"]], lambda xa, xb, xc, xf: (xa * xb + xc) * xf


def _case_unseen():
    """A graph the notebook never shows: two leaves, reuse at two depths, tanh and a power."""
    p = Value(0.5, label="p")
    q = Value(-1.5, label="q")
    r = labelled(p * q + p, "r")
    s = labelled(r.tanh(), "s")
    z = labelled(s * q ** 2 + r, "z")

    def float_fn(xp, xq):
        rr = xp * xq + xp
        return math.tanh(rr) * xq ** 2 + rr
    return z, [p, q], float_fn


_CASES = [(N_("c = b + b with b = a + a"), _case_double_add),
          (N_("y = t * (t + 1) with t = x * 3"), _case_shared_inner),
          ("L = (a*b + c) * f", _case_L),
          (N_("a graph you have not seen, z = tanh(p*q + p) * q**2 + (p*q + p)"), _case_unseen)]


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


def _each_step_twice(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        node._backward()
        node._backward()


_WRONG_WALKS = [
    (_late_seed, N_("the chain-rule steps were taken while the output's grad was still 0, so they passed "
                    "on nothing: seed the output's grad with 1 (d root/d root) before the first chain-rule "
                    "step.")),
    (_forward_order, N_("your grads are what you get when the steps are taken leaves first: a node then "
                        "takes its chain-rule step while its grad is still 0. A node takes its step only "
                        "after every node that uses it has taken its own: outputs first.")),
    (_naive_recursion, N_("your grads match a recursive walk that follows every edge: a node used twice "
                          "takes its chain-rule step twice. Use the order from topological_order() instead "
                          "of recursing.")),
    (_visited_recursion, N_("your grads match a depth-first walk that takes a node's chain-rule step on first "
                            "arrival: some nodes take their step before every node that uses them has "
                            "passed its grad down. Use the order from topological_order().")),
    (_twice, N_("your grads are doubled: the whole pass ran twice, and grads accumulate (+=). Each node "
                "takes its chain-rule step exactly once.")),
    (_each_step_twice, N_("each node took its chain-rule step twice in a row, so every contribution was added "
                          "twice (+=). Each node takes its chain-rule step exactly once.")),
]


# The engine's own pass, in every form a learner could reach it: the exercise is to write it.
# (_backprop is the older engine's internal pass; only the names this engine has are switched off.)
_ENGINE_PASSES = tuple(name for name in ("backward", "backward_steps", "_backprop") if hasattr(Value, name))


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
    """Exercise 2: `fn(root)` must fill in every grad like root.backward() does, without calling it."""
    ex = "Exercise 2"
    if is_waiting(fn):
        return waiting(ex, _("define my_backward(root) and pass the function itself"))
    if not is_function(ex, fn, "my_backward"):
        return False
    if is_unwritten(fn):
        return waiting(ex, _("write the body of my_backward: replace the `...`"))
    for title, case in _CASES:
        title = _(title)
        root, leaves, float_fn = case()
        ok, outcome = False, None
        with _engine_pass_forbidden() as tries:
            try:
                ok, outcome = call_safely(ex, fn, root, case=_("on {graph}").format(graph=title))
            except _EnginePassUsed:
                pass
        if tries:
            return failed(ex, _("your function calls the engine's own pass ({name}()). Write the pass "
                                "yourself with topological_order() and each node's _backward(); calling "
                                "the engine's would hide the point of the exercise.").format(name=tries[0]))
        if not ok:
            return outcome
        got = _all_grads(root)
        engine_root, engine_leaves, _float_fn = case()
        engine_root.backward()
        expected = _all_grads(engine_root)
        numeric = _numeric_grads(float_fn, engine_leaves)
        if not all(close(leaf.grad, n) for leaf, n in zip(engine_leaves, numeric)):  # cannot happen
            return failed(ex, _("on {graph} the engine and a finite difference disagree; tell your teacher.").format(
                graph=title))
        if not isinstance(root.grad, (int, float)) or not close(root.grad, 1.0):
            if root.grad == 0.0:
                return failed(ex, _("on {graph}, the output's grad is still 0: seed the output's grad "
                                    "with 1 (d root/d root) before the first chain-rule step.").format(graph=title))
            return failed(ex, _("on {graph}, the output's grad ended at {what}; it should "
                                "be d root/d root, whatever else happens.").format(graph=title,
                                                                                   what=describe(root.grad)))
        if _same_grads(got, expected):
            continue
        for walk, hint in _WRONG_WALKS:
            if _same_grads(got, _grads_after(walk, case)):
                return failed(ex, _("on {graph}: {hint}").format(graph=title, hint=_(hint)))
        return failed(ex, _("on {graph}, some grads differ from backward(). Check the three "
                            "beats: seed the output's grad with 1, visit the nodes so that each one comes "
                            "after every node that uses it, and take each node's chain-rule step exactly "
                            "once.").format(graph=title))
    return passed(ex, _("Your pass gives the same grads as backward() and as finite differences on "
                        "{count} graphs, including the two where naive recursion goes wrong and "
                        "one you had not seen.").format(count=len(_CASES)))
