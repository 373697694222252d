"""Checkers for the exercises of notebook 06, gradients accumulate.

Each expected number comes from the engine's backward() and, where a derivative is asked for,
from a symmetric finite difference as well. A wrong answer gets a hint for the mistake it looks
like (a forgotten path, a forgotten or an extra backward call, a missing zero_grad); the expected
number is never printed before the answer is right.
"""

from micrograd_core import Neuron, Value

from . import all_passed, call_and_read, check_number, checker, close, failed, is_unwritten
from . import is_waiting, keep_random_state, labelled, numeric_derivative, passed, read_numbers
from . import waiting
from series_language import _

__all__ = ["check_exercise1", "check_exercise2", "check_exercise3", "EX1_X", "EX2_A", "EX2_B"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: d/dx of x * x * x
# ----------------------------------------------------------------------------------------------

EX1_X = -2.0


@checker
def check_exercise1(answer):
    """Check the grad of x in y = x * x * x at x = EX1_X."""
    label = "Exercise 1"
    if is_waiting(answer):
        return waiting(label, _("replace the `...` of {name} with a number").format(name="x_grad"))
    x = Value(EX1_X, label="x")
    y = x * x * x
    y.backward()
    numeric = numeric_derivative(lambda t: t * t * t, EX1_X)
    if not close(x.grad, numeric):  # cannot happen: the two references must agree
        return failed(label, _("the engine and a finite difference disagree; tell your teacher."))
    one_use = EX1_X * EX1_X  # what one use of x contributes: the product of the other two
    hints = [
        (2 * one_use, _("you counted two of the three uses of x. Each of the three slots where x "
                        "goes in passes back a contribution; add all three.")),
        (one_use, _("that is what a single use of x passes back (and what '=' instead of '+=' "
                    "would leave). x goes into the graph three times: add every contribution.")),
        (3 * EX1_X, _("each use of x passes back the product of the *other two* factors, "
                      "not a single x.")),
        (2 * EX1_X, _("that would be the slope of x * x; here x is multiplied in three times.")),
    ]
    return check_number(label, answer, x.grad, hints=hints,
                        confirmed_by=_("backward() gives {grad}, a finite difference {numeric}.").format(
                            grad=f"{x.grad:.4f}", numeric=f"{numeric:.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 2: grads after calling backward() twice
# ----------------------------------------------------------------------------------------------

EX2_A, EX2_B = 3.0, 4.0


def _ex2_graph():
    a, b = Value(EX2_A, label="a"), Value(EX2_B, label="b")
    m = labelled(a * b, "m")
    y = labelled(m + a, "y")
    return a, b, m, y


@checker
def check_exercise2(a_grad, m_grad, y_grad):
    """Check a.grad, m.grad and y.grad after y.backward() has run twice on y = a * b + a."""
    a, b, m, y = _ex2_graph()
    y.backward()
    once = {"a": a.grad, "m": m.grad, "y": y.grad}
    y.backward()
    twice = {"a": a.grad, "m": m.grad, "y": y.grad}
    # The finite-difference side: one call gives the true dy/da; the second call is what we ask about.
    slope = numeric_derivative(lambda t: t * EX2_B + t, EX2_A)
    if not close(once["a"], slope):  # cannot happen: the two references must agree
        return failed("Exercise 2", _("the engine and a finite difference disagree; tell your teacher."))
    answers = {"a": a_grad, "m": m_grad, "y": y_grad}
    second_call = twice["a"] - once["a"]   # what the second call added to a.grad
    hints = {
        "a": [(once["a"], _("that is the value after *one* call. The second call takes every chain-rule "
                            "step again, and each step adds on top of what is already there.")),
              (2 * once["a"], _("plain doubling holds for the root's direct inputs. But a is also "
                                "reached through m, and on the second call m.grad is no longer 1: "
                                "the path through m passes back more than it did the first time.")),
              (second_call, _("that is what the second call adds; the first call's contribution is "
                              "still in a.grad underneath it.")),
              (twice["a"] - 2 * 1.0, _("you left out the direct path a -> '+' -> y, which contributes "
                                       "on both calls.")),
              (2 * EX2_B, _("a is used twice in y: both its paths contribute, on both calls."))],
        "m": [(once["m"], _("only the root's grad is *set* at the start of backward(); m is an "
                            "ordinary node, so the second call adds to its grad.")),
              (0.0, _("nothing resets m between the two calls: its grad keeps what it received."))],
        "y": [(twice["m"], _("backward() *sets* the root's grad to 1 at its start instead of adding "
                             "to it: the root is the one node that does not pile up."))],
    }
    results = []
    for name in ("a", "m", "y"):
        label = f"Exercise 2, {name}.grad"
        if is_waiting(answers[name]):
            results.append(waiting(label, _("replace the `...` of {name} with a number").format(name=f"{name}_grad")))
            continue
        if name == "a":
            detail = _("Two calls of backward() leave {value}, although the true dy/da is {true} (one "
                       "call; a finite difference gives {numeric}).").format(
                value=f"{twice[name]:.4f}", true=f"{once['a']:.4f}", numeric=f"{slope:.4f}")
        else:
            detail = _("Two calls of backward() leave {value}.").format(value=f"{twice[name]:.4f}")
        results.append(check_number(label, answers[name], twice[name], hints=hints[name],
                                    confirmed_by=detail))
    return all_passed(results)


# ----------------------------------------------------------------------------------------------
# Exercise 3: fix a loop that forgets zero_grad
# ----------------------------------------------------------------------------------------------

EX3_X = [0.5, -1.5]
EX3_PASSES = 3
EX3_WEIGHTS = (0.8, -0.4, 0.1)   # w0, w1, b of the notebook's neuron
# Cases the notebook does not show: other weights, inputs and numbers of passes.
EX3_CASES = [(EX3_WEIGHTS, EX3_X, EX3_PASSES), ((-0.3, 1.2, -0.5), [2.0, 0.25], 5)]


def _fresh_neuron(weights=EX3_WEIGHTS):
    """A tanh neuron with fixed weights, made without disturbing the caller's random numbers."""
    with keep_random_state():
        n = Neuron(len(weights) - 1, activation="tanh")
    for p, value in zip(n.parameters(), weights):
        p.data = value
    return n


def _one_clean_pass(weights, x):
    """Every parameter's grad after one backward pass on a fresh neuron: what each pass must read."""
    n = _fresh_neuron(weights)
    n(x).backward()
    return [p.grad for p in n.parameters()]


def _ex3_hint(history, expected, passes):
    if all(close(g, (i + 1) * expected) for i, g in enumerate(history)):
        return _("the grads still pile up (1x, 2x, 3x ...): the parameters keep their grad from one "
                 "pass to the next, and nothing clears it on every pass (section 7 shows what does).")
    if all(close(g, 0.0) for g in history):
        return _("every grad reads 0: the reset happens after backward() and before you read the "
                 "grad. Reset before backward(), read after it.")
    if close(history[0], expected):
        return _("the first pass is right but later ones are not: is the reset inside the loop, so "
                 "that it runs on every pass?")
    return _("the grads do not match one clean backward pass: each pass should reset the parameters' "
             "grads, run the neuron, call backward(), then read n.w[0].grad.")


@checker
def check_exercise3(loop):
    """Check a function loop(n, x, passes) that returns [n.w[0].grad after each backward pass].

    It runs on the notebook's neuron and on one it does not show, and checks the neuron itself
    afterwards: its grads must be those of one clean pass, not a pile-up divided by the pass count.
    """
    label = "Exercise 3"
    if is_waiting(loop):
        return waiting(label, _("define {name}").format(name="fixed_loop"))
    if is_unwritten(loop):
        return waiting(label, _("write the body of fixed_loop: it should return the list of grads"))
    for weights, x, passes in EX3_CASES:
        expected_grads = _one_clean_pass(weights, x)
        expected = expected_grads[0]

        def out_for(w0, weights=weights, x=x):
            return _fresh_neuron((w0,) + tuple(weights[1:]))(x).data
        numeric = numeric_derivative(out_for, weights[0])
        if not close(expected, numeric):  # cannot happen: the two references must agree
            return failed(label, _("the engine and a finite difference disagree; tell your teacher."))
        n = _fresh_neuron(weights)
        ok, history = call_and_read(label, loop, n, list(x), passes, case=_("with {passes} passes").format(passes=passes),
                                    read=read_numbers, name=_("the list fixed_loop returns"),
                                    what=_("write the body of fixed_loop: it should return the list of grads"))
        if not ok:
            return history
        if len(history) != passes:
            return failed(label, _("fixed_loop should return one grad per pass ({passes} passes), "
                                   "got {count} numbers.").format(passes=passes, count=len(history)))
        if not all(close(g, expected) for g in history):
            return failed(label, _ex3_hint(history, expected, passes))
        left = [p.grad for p in n.parameters()]
        if not all(close(g, e) for g, e in zip(left, expected_grads)):
            return failed(label, _("the numbers you return look right, but the neuron's own grads "
                                   "(n.w[0].grad and the others) are not those of one pass: they "
                                   "still pile up. Reset the grads on every pass instead of correcting "
                                   "the numbers afterwards."))
    return passed(label, _("Every pass reads the same grad, {grad} (a finite difference agrees), on the "
                           "notebook's neuron and on another one with {passes} passes.").format(
                               grad=f"{_one_clean_pass(EX3_WEIGHTS, EX3_X)[0]:.4f}", passes=EX3_CASES[1][2]))
