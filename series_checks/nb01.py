"""Checkers for notebook 01 (derivatives by nudging).

Each checker works out the expected slope twice, with the engine's backward() and with a
symmetric finite difference, then prints waiting / correct / a hint and returns True or False.
A wrong answer gets a hint about the mistake it looks like, never the expected number.
"""

import math

from micrograd_core import Value

from . import close, failed, is_waiting, numeric_derivative, passed, waiting
from . import checker

__all__ = ["f", "check_flat_point", "check_d_wrt_b", "check_best_h"]


def f(x):
    """The notebook's function: f(x) = 3x^2 - 4x + 5 (works on floats and on Values)."""
    return 3 * x**2 - 4 * x + 5


def engine_slope(x):
    """f'(x) from the engine: build f on a Value and call backward()."""
    xv = Value(x, label="x")
    f(xv).backward()
    return xv.grad


def _fmt(x):
    """4 decimals, without the confusing '-0.0000' of a tiny negative rounding error."""
    text = f"{x:.4f}"
    return "0.0000" if text == "-0.0000" else text


def _number(exercise, answer, name="the answer"):
    """answer as a float, or None after printing why it is not a usable number."""
    if isinstance(answer, Value):
        failed(exercise, f"{name} is a Value; give a plain number (its .data).")
        return None
    if isinstance(answer, bool):
        failed(exercise, f"{name} should be a number, not True or False.")
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        failed(exercise, f"{name} should be a number, got {type(answer).__name__} {answer!r}.")
        return None
    if not math.isfinite(value):
        failed(exercise, f"{name} is {value}; give a finite number.")
        return None
    return value


# Exercise 1 ------------------------------------------------------------------------------------

X_FLAT = 2 / 3
KINDS = {"minimum": "minimum", "min": "minimum", "maximum": "maximum", "max": "maximum",
         "neither": "neither", "none": "neither"}


@checker
def check_flat_point(slope, kind):
    """Exercise 1: the slope of f at x = 2/3 (measured), and what kind of point that is."""
    ex = "Exercise 1"
    if is_waiting(slope) and is_waiting(kind):
        return waiting(ex, "replace both `...`: the measured slope, and the kind of point")
    if is_waiting(slope):
        return waiting(ex, "replace the `...` of slope_at_two_thirds with your measured slope")
    value = _number(ex, slope, "slope_at_two_thirds")
    if value is None:
        return False
    expected = engine_slope(X_FLAT)                 # the engine's grad at 2/3
    measured = numeric_derivative(f, X_FLAT)        # a symmetric difference, h = 1e-6
    if not (close(value, expected) and close(value, measured)):
        if close(value, f(X_FLAT)):
            hint = "that is the value f(2/3), not the slope: divide a change of f by a change of x."
        elif close(value, engine_slope(0.67), 1e-3) or close(value, engine_slope(0.6667), 1e-5):
            hint = ("2/3 rounded to a few decimals is a different point, and the slope there is not "
                    "the same: write x = 2/3 in Python.")
        elif close(value, engine_slope(0.0)):
            hint = "that is the slope at x = 0; nudge f around x = 2/3."
        elif 1e-4 < value <= 3.0:
            hint = ("the estimate is slightly positive. A forward difference overshoots by about 3h for "
                    "this f (section 1): use the symmetric difference, or a much smaller h.")
        else:
            hint = ("measure it as in section 3: (f(x + h) - f(x - h)) / (2 * h) with x = 2/3 and a "
                    "small h such as 1e-5.")
        return failed(ex, hint)
    if is_waiting(kind):
        return waiting(ex, "the slope is right; now replace the `...` of kind_of_point")
    left, right = engine_slope(0.6), engine_slope(0.7)
    truth = "minimum" if left < 0 < right else "maximum" if left > 0 > right else "neither"
    said = KINDS.get(str(kind).strip().lower()) if isinstance(kind, str) else None
    if said is None:
        return failed(ex, "kind_of_point should be one of the strings 'minimum', 'maximum' or 'neither'.")
    if said != truth:
        return failed(ex, "the slope is right, but look at its sign just left and just right of 2/3 "
                          "(try x = 0.6 and x = 0.7): does f go down then up, or up then down?")
    return passed(ex, f"The engine's grad at x = 2/3 is {_fmt(expected)} and a symmetric difference gives "
                      f"{_fmt(measured)}. The slope is {_fmt(left)} at x = 0.6 and {_fmt(right)} at x = 0.7: "
                      f"f goes down, flattens, then goes up.")


# Exercise 2 ------------------------------------------------------------------------------------

# The first point tells the usual mistakes apart: a, b, 1, 2a, a/2, a+b and d all differ there.
POINTS = [(-1.5, 4.0, 0.5), (2.0, -3.0, 10.0), (3.0, 0.25, -2.0), (0.5, -7.0, 1.0)]


def _engine_d_grads(a, b, c):
    av, bv, cv = Value(a, label="a"), Value(b, label="b"), Value(c, label="c")
    d = av * bv + cv
    d.backward()
    return av.grad, bv.grad, cv.grad, d.data


@checker
def check_d_wrt_b(fn):
    """Exercise 2: a function d_wrt_b(a, b, c) that measures the partial derivative of a*b + c in b."""
    ex = "Exercise 2"
    if is_waiting(fn):
        return waiting(ex, "write the function d_wrt_b, then pass it to the checker")
    if not callable(fn):
        return failed(ex, "pass the function itself, without calling it: check_d_wrt_b(d_wrt_b).")
    for i, (a, b, c) in enumerate(POINTS):
        try:
            result = fn(a, b, c)
        except Exception as e:  # the learner's code: report it, never raise
            return failed(ex, f"calling d_wrt_b({a}, {b}, {c}) raised {type(e).__name__}: {e}")
        if result is None or result is Ellipsis:
            if i == 0:
                return waiting(ex, "write the body of d_wrt_b; it must `return` the measured slope")
            return failed(ex, f"d_wrt_b({a}, {b}, {c}) returned None: every path must `return` a number.")
        if isinstance(result, Value):
            return failed(ex, "d_wrt_b returns a Value; return a plain number (work on floats, or use .data).")
        try:
            value = float(result)
        except (TypeError, ValueError):
            return failed(ex, f"d_wrt_b should return a number, got {type(result).__name__} {result!r}.")
        grad_a, grad_b, grad_c, d_value = _engine_d_grads(a, b, c)
        measured = numeric_derivative(lambda t: a * t + c, b)
        if close(value, grad_b) and close(value, measured):
            continue
        where = f"at (a, b, c) = ({a:g}, {b:g}, {c:g}) your function returns {value:.4f}"
        if close(value, grad_a):
            hint = f"{where}, which follows b's value: that is the slope in a. Nudge b, and only b."
        elif close(value, grad_c):
            hint = f"{where}: that is the slope in c. Nudge b, and only b."
        elif close(value, 2 * grad_b):
            hint = (f"{where}, exactly twice too much: f(b + h) and f(b - h) are 2h apart, "
                    f"so divide by 2h.")
        elif close(value, grad_b / 2):
            hint = (f"{where}, exactly half of the slope: a symmetric difference divides by 2h, "
                    f"a forward difference by h.")
        elif close(value, grad_a + grad_b):
            hint = f"{where}: it looks like a and b were nudged together. Keep a and c where they are."
        elif close(value, d_value):
            hint = f"{where}, which is d itself: return the change of d divided by the change of b."
        elif close(value, 0.0):
            hint = (f"{where}: the two evaluations of d gave the same number. One of them must use "
                    f"b + h (and the other b - h, or b).")
        elif close(value, grad_b, 1e-2):
            hint = f"{where}: close, but not accurate enough. Check h (around 1e-6 works well)."
        else:
            hint = (f"{where}, which is not the slope of d in b there. Evaluate d at b + h and at b - h, "
                    f"keeping a and c fixed, and divide the difference by 2h.")
        return failed(ex, hint)
    a, b, c = POINTS[0]
    return passed(ex, f"At {len(POINTS)} points your slopes match the engine's b.grad and a symmetric "
                      f"difference (e.g. {_fmt(_engine_d_grads(a, b, c)[1])} at a = {a:g}, b = {b:g}, "
                      f"c = {c:g}).")


# Exercise 3 ------------------------------------------------------------------------------------

X_BEST = 3.0
TARGET_ERROR = 1e-6


def forward_error(h, x=X_BEST):
    """|forward difference - true slope| of f at x, with the true slope from the engine."""
    return abs((f(x + h) - f(x)) / h - engine_slope(x))


@checker
def check_best_h(h):
    """Exercise 3: a step h that makes the forward difference of f at x = 3 accurate to 1e-6."""
    ex = "Exercise 3"
    if is_waiting(h):
        return waiting(ex, "replace the `...` with your choice of h")
    value = _number(ex, h, "best_h")
    if value is None:
        return False
    if value <= 0:
        return failed(ex, "h must be a positive number: the nudge moves x to the right by h.")
    true_slope = engine_slope(X_BEST)
    assert close(true_slope, numeric_derivative(f, X_BEST))  # the engine and a nudge agree on f'(3)
    err = forward_error(value)
    if err < TARGET_ERROR:
        return passed(ex, f"At h = {value:.1e} the forward difference is off by {err:.1e} "
                          f"(true slope from the engine: {true_slope:.4f}, confirmed by a symmetric "
                          f"difference).")
    truncation = 3 * value  # the forward difference of this f overshoots by exactly 3h
    if truncation >= err / 2:
        return failed(ex, f"at h = {value:.1e} the error is {err:.1e}, and most of it is truncation "
                          f"(about 3h for this f). Make h smaller.")
    return failed(ex, f"at h = {value:.1e} the error is {err:.1e}, and most of it is rounding (about "
                      f"eps * |f(x)| / h). Make h larger.")
