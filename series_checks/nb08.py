"""Checkers for notebook 08 (more operations).

Each checker compares the learner's answer with the engine (micrograd_core) and, where a derivative
is asked for, with a symmetric finite difference. A wrong answer gets a hint aimed at the mistake it
looks like; the expected value is never printed before the answer is right.
"""

import math

from micrograd_core import Value

from . import call_and_read, check_number, checker, close, failed, is_function, is_unwritten
from . import is_waiting, numeric_derivative, passed, read_choice, waiting
from series_language import _

__all__ = ["check_exercise_1", "check_exercise_2", "check_exercise_3", "EXERCISE_3_OPTIONS"]

# The points where the learner's formula for d(a/b)/db is tried: positive and negative, small and large.
_POINTS_1 = ((3.0, 2.0), (1.0, 0.5), (-2.0, 4.0), (5.0, -1.25), (0.5, 3.0))


def _engine_div_grad_b(a, b):
    av, bv = Value(a, label="a"), Value(b, label="b")
    (av / bv).backward()
    return bv.grad


@checker
def check_exercise_1(formula):
    """Exercise 1: `formula(a, b)` must return d(a/b)/db for plain floats a and b."""
    name = "Exercise 1 (d(a/b)/db)"   # the part in parentheses is a formula: the same in every language
    if is_waiting(formula) or is_unwritten(formula):
        return waiting(name, _("write the body of the function"))
    if not is_function(name, formula, _("your function")):
        return False
    got = []
    for a, b in _POINTS_1:
        ok, value = call_and_read(name, formula, a, b, case=_("with a={a}, b={b}").format(a=a, b=b),
                                  what=_("replace the `...` after `return` with a formula in a and b"))
        if not ok:
            return value
        got.append(value)
    engine = [_engine_div_grad_b(a, b) for a, b in _POINTS_1]
    numeric = [numeric_derivative(lambda bb, a=a: a / bb, b) for a, b in _POINTS_1]
    if all(close(g, e) and close(g, n, 1e-3) for g, e, n in zip(got, engine, numeric)):
        a, b = _POINTS_1[0]
        return passed(name, _("At a={a}, b={b} your formula gives {got}, backward() gives {engine} and a finite "
                              "difference {numeric}; it also agrees at {count} other points.").format(
                                  a=a, b=b, got=f"{got[0]:.4f}", engine=f"{engine[0]:.4f}",
                                  numeric=f"{numeric[0]:.4f}", count=len(_POINTS_1) - 1))
    wrong_formulas = (
        (lambda a, b: 1 / b, _("that is the derivative with respect to a (the numerator). "
                               "Differentiate with respect to the divisor b instead.")),
        (lambda a, b: -1 / b ** 2, _("your formula gives the same slope for every a, but a / b reacts more "
                                     "to b when a is larger: where did the numerator go?")),
        (lambda a, b: -a / b, _("your formula shrinks like 1/b as b grows; a finite difference at b = 1 "
                                "and b = 2 shows the true slope shrinking faster. Check which power of b "
                                "the power rule leaves when you differentiate b**-1.")),
        (lambda a, b: -a / b ** 3, _("your formula shrinks too fast as b grows: check the exponent the power "
                                     "rule leaves when you differentiate b**-1.")),
    )
    for wrong, hint in wrong_formulas:
        if all(close(g, wrong(a, b)) for g, (a, b) in zip(got, _POINTS_1)):
            return failed(name, hint)
    if all(close(g, -e) for g, e in zip(got, engine)):
        return failed(name, _("the size is right everywhere but the sign is flipped: making the divisor larger "
                              "makes a positive a / b smaller."))
    bad = next(((a, b) for (a, b), g, e in zip(_POINTS_1, got, engine) if not close(g, e)), _POINTS_1[0])
    return failed(name, _("at a={a}, b={b} your formula disagrees with backward(). Write a / b as "
                          "a * b**-1 and use the power rule on b**-1.").format(a=bad[0], b=bad[1]))


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
        (sx, _("that is the value of the sigmoid at 0.5, not its slope.")),
        (1 - sx ** 2, _("1 - s**2 is tanh's slope. The sigmoid's slope is written with s and 1 - s.")),
        (0.25, _("0.25 is the slope at x = 0 (where s = 0.5), and also what the formula gives when x itself "
                 "is put in place of s: put s = sigmoid(0.5) into it instead.")),
        (1 - sx, _("that is only one factor of the sigmoid's slope; it has two.")),
    )
    return check_number("Exercise 2" + _(" (sigmoid slope)"), answer, v.grad, hints=hints,
                        what=_("replace the `...` of {name} with a number").format(name="answer_2"),
                        otherwise=_("compute s = sigmoid(0.5) first, then put s into the sigmoid's slope "
                                    "(section on the sigmoid: it is written with s alone)."),
                        confirmed_by=_("backward() gives {grad} and a finite difference {numeric}.").format(
                            grad=f"{v.grad:.4f}", numeric=f"{numeric:.4f}"))


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
    name = "Exercise 3" + _(" (which op gives nan)")
    if is_waiting(answer):
        return waiting(name, _("put one letter in quotes, e.g. 'A'"))
    letter = read_choice(name, answer, tuple(EXERCISE_3_OPTIONS), _("the letter"), case=str.upper)
    if letter is None:
        return False
    results = {k: fn(Value(1000.0, label="x")).data for k, (_expression, fn) in EXERCISE_3_OPTIONS.items()}
    nan_letters = [k for k, r in results.items() if math.isnan(r)]
    if letter in nan_letters:
        return passed(name, _("The engine agrees: {expression} at x = 1000 gives {value}, because e**1000 "
                              "overflows to inf and inf / inf has no value.").format(
                                  expression=EXERCISE_3_OPTIONS[letter][0], value=results[letter]))
    if math.isinf(results[letter]):
        return failed(name, _("that one goes wrong too, but to inf, not nan: log of a huge number is just "
                              "huge. nan needs an operation with no answer at all, like inf / inf or inf - inf."))
    return failed(name, _("{expression} is computed by the engine with a formula that never takes exp of a "
                          "large positive number, so it stays finite. Look for an expression that divides "
                          "one overflowing exp by another.").format(expression=EXERCISE_3_OPTIONS[letter][0]))
