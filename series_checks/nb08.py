"""Checkers for notebook 08 (more operations).

Each checker compares the learner's answer with the engine (micrograd_core) and, where a derivative
is asked for, with a symmetric finite difference. A wrong answer gets a hint aimed at the mistake it
looks like; the expected value is never printed before the answer is right.
"""

import math

from micrograd_core import Value

from . import check_number, close, failed, is_waiting, numeric_derivative, passed, waiting
from . import checker

__all__ = ["check_exercise_1", "check_exercise_2", "check_exercise_3", "EXERCISE_3_OPTIONS"]

# The points where the learner's rule for d(a/b)/db is tried: positive and negative, small and large.
_POINTS_1 = ((3.0, 2.0), (1.0, 0.5), (-2.0, 4.0), (5.0, -1.25), (0.5, 3.0))


def _engine_div_grad_b(a, b):
    av, bv = Value(a, label="a"), Value(b, label="b")
    (av / bv).backward()
    return bv.grad


@checker
def check_exercise_1(rule):
    """Exercise 1: `rule(a, b)` must return d(a/b)/db for plain floats a and b."""
    name = "Exercise 1 (d(a/b)/db)"
    if is_waiting(rule):
        return waiting(name, "write the body of the function")
    if not callable(rule):
        return failed(name, "pass the function itself (its name, without parentheses), not a number.")
    got = []
    for a, b in _POINTS_1:
        try:
            value = rule(a, b)
        except Exception as e:  # a learner's function may fail in any way: turn it into a hint
            return failed(name, f"calling your function with a={a}, b={b} raised {type(e).__name__}: {e}")
        if is_waiting(value):
            return waiting(name, "replace the `...` after `return` with a formula in a and b")
        try:
            got.append(float(value))
        except (TypeError, ValueError):
            return failed(name, f"the function should return a number (a float), got {type(value).__name__}. "
                                "If you built Values inside it, return .data or work with plain floats.")
    engine = [_engine_div_grad_b(a, b) for a, b in _POINTS_1]
    numeric = [numeric_derivative(lambda bb, a=a: a / bb, b) for a, b in _POINTS_1]
    if all(close(g, e) and close(g, n, 1e-3) for g, e, n in zip(got, engine, numeric)):
        a, b = _POINTS_1[0]
        return passed(name, f"At a={a}, b={b} your rule gives {got[0]:.4f}, backward() gives {engine[0]:.4f} "
                            f"and a finite difference {numeric[0]:.4f}; it also agrees at {len(_POINTS_1) - 1} "
                            "other points.")
    wrong_rules = (
        (lambda a, b: 1 / b, "that is the derivative with respect to a (the numerator). "
                             "Differentiate with respect to the divisor b instead."),
        (lambda a, b: -1 / b ** 2, "you have the derivative of b**-1; the numerator a still multiplies it."),
        (lambda a, b: -a / b, "the power rule lowers the exponent by one: d(b**-1)/db = -1 * b**-2."),
        (lambda a, b: -a / b ** 3, "one power too many: d(b**-1)/db = -1 * b**-2, so divide by b squared."),
    )
    for wrong, hint in wrong_rules:
        if all(close(g, wrong(a, b)) for g, (a, b) in zip(got, _POINTS_1)):
            return failed(name, hint)
    if all(close(g, -e) for g, e in zip(got, engine)):
        return failed(name, "the size is right everywhere but the sign is flipped: making the divisor larger "
                            "makes a positive a / b smaller.")
    bad = next((a, b) for (a, b), g, e in zip(_POINTS_1, got, engine) if not close(g, e))
    return failed(name, f"at a={bad[0]}, b={bad[1]} your rule disagrees with backward(). Write a / b as "
                        "a * b**-1 and use the power rule on b**-1.")


@checker
def check_exercise_2(answer):
    """Exercise 2: the slope of the sigmoid at x = 0.5."""
    x = 0.5
    v = Value(x, label="x")
    s = v.sigmoid()
    s.backward()
    sig = lambda t: 1.0 / (1.0 + math.exp(-t))
    numeric = numeric_derivative(sig, x)
    sx = sig(x)
    hints = (
        (sx, "that is the value of the sigmoid at 0.5, not its slope."),
        (1 - sx ** 2, "1 - s**2 is tanh's rule. The sigmoid's rule is written with s and 1 - s."),
        (0.25, "0.25 is the slope at x = 0, where s = 0.5. Use s = sigmoid(0.5)."),
        (1 - sx, "that is only one factor of the sigmoid's rule; it has two."),
        (x * (1 - x), "evaluate the rule at s = sigmoid(0.5), not at x = 0.5 itself."),
    )
    return check_number("Exercise 2 (sigmoid slope)", answer, v.grad, hints=hints,
                        confirmed_by=f"backward() gives {v.grad:.4f} and a finite difference {numeric:.4f}.")


# Exercise 3: the expressions, evaluated by the engine at x = 1000 inside the checker.
EXERCISE_3_OPTIONS = {
    "A": ("(x.exp() + 1).log()", lambda x: (x.exp() + 1).log()),
    "B": ("x.exp() / (x.exp() + 1)", lambda x: x.exp() / (x.exp() + 1)),
    "C": ("x.sigmoid()", lambda x: x.sigmoid()),
    "D": ("x.tanh()", lambda x: x.tanh()),
}


@checker
def check_exercise_3(answer):
    """Exercise 3: which expression gives nan at x = 1000? Answer with a letter."""
    name = "Exercise 3 (which op gives nan)"
    if is_waiting(answer):
        return waiting(name, "put one letter in quotes, e.g. 'A'")
    letter = str(answer).strip().upper()
    if letter not in EXERCISE_3_OPTIONS:
        return failed(name, f"answer with one of the letters {', '.join(EXERCISE_3_OPTIONS)}, in quotes.")
    results = {k: fn(Value(1000.0, label="x")).data for k, (_, fn) in EXERCISE_3_OPTIONS.items()}
    nan_letters = [k for k, r in results.items() if math.isnan(r)]
    if letter in nan_letters:
        return passed(name, f"The engine agrees: {EXERCISE_3_OPTIONS[letter][0]} at x = 1000 gives "
                            f"{results[letter]}, because e**1000 overflows to inf and inf / inf has no value.")
    if math.isinf(results[letter]):
        return failed(name, "that one goes wrong too, but to inf, not nan: log of a huge number is just "
                            "huge. nan needs an operation with no answer at all, like inf / inf or inf - inf.")
    return failed(name, "that one is computed by the engine with a formula that never takes exp of a "
                        "large positive number, so it stays finite. Look for an expression that divides "
                        "one overflowing exp by another.")
