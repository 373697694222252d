"""Checkers for notebook 01 (derivatives by nudging).

Each checker works out the expected slope twice, with the engine's backward() and with a
symmetric finite difference, then prints waiting / correct / a hint and returns True or False.
A wrong answer gets a hint about the mistake it looks like, never the expected number.
"""

from micrograd_core import Value

from . import call_safely, checker, close, failed, is_function, is_unwritten, is_waiting
from . import numeric_derivative, passed, read_choice, read_number, waiting
from series_language import _

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


# Exercise 1 ------------------------------------------------------------------------------------

X_FLAT = 2 / 3
KINDS = ("minimum", "maximum", "neither")
KIND_ALIASES = {"min": "minimum", "max": "maximum", "none": "neither"}


def _flat_slope_hint(value):
    """The hint for a wrong slope at 2/3, by the mistake it looks like."""
    if close(value, f(X_FLAT)):
        return _("that is the value f(2/3), not the slope: divide a change of f by a change of x.")
    if close(value, engine_slope(0.67), 1e-3) or close(value, engine_slope(0.6667), 1e-5):
        return _("2/3 rounded to a few decimals is a different point, and the slope there is not "
                 "the same: write x = 2/3 in Python.")
    if close(value, engine_slope(0.0)):
        return _("that is the slope at x = 0; nudge f around x = 2/3.")
    if 1e-4 < value <= 3.0:
        return _("the estimate is slightly positive. A forward difference overshoots by about 3h for "
                 "this f (section 1): use the symmetric difference, or a much smaller h.")
    return _("measure it as in section 3: (f(x + h) - f(x - h)) / (2 * h) with x = 2/3 and a "
             "small h.")


@checker
def check_flat_point(slope, kind):
    """Exercise 1: the slope of f at x = 2/3 (measured), and what kind of point that is."""
    ex = "Exercise 1"
    if is_waiting(slope) and is_waiting(kind):
        return waiting(ex, _("replace both `...`: the measured slope, and the kind of point"))
    if is_waiting(slope):
        return waiting(ex, _("replace the `...` of slope_at_two_thirds with your measured slope"))
    value = read_number(ex, slope, "slope_at_two_thirds")
    if value is None:
        return False
    expected = engine_slope(X_FLAT)                 # the engine's grad at 2/3
    measured = numeric_derivative(f, X_FLAT)        # a symmetric difference, h = 1e-6
    if not (close(value, expected) and close(value, measured)):
        return failed(ex, _flat_slope_hint(value))
    if is_waiting(kind):
        return waiting(ex, _("the slope is right; now replace the `...` of kind_of_point"))
    said = read_choice(ex, kind, KINDS, "kind_of_point", KIND_ALIASES)
    if said is None:
        return False
    left, right = engine_slope(0.6), engine_slope(0.7)
    truth = "minimum" if left < 0 < right else "maximum" if left > 0 > right else "neither"
    if said != truth:
        return failed(ex, _("the slope is right, but look at its sign just left and just right of 2/3 "
                            "(try x = 0.6 and x = 0.7): does f go down then up, or up then down?"))
    return passed(ex, _("The engine's grad at x = 2/3 is {grad} and a symmetric difference gives {measured}. "
                        "The slope is {left} at x = 0.6 and {right} at x = 0.7: f goes down, flattens, then "
                        "goes up.").format(grad=_fmt(expected), measured=_fmt(measured), left=_fmt(left),
                                           right=_fmt(right)))


# Exercise 2 ------------------------------------------------------------------------------------

# The first point tells the usual mistakes apart: a, b, 1, 2a, a/2, a+b and d all differ there.
# The checker runs the learner's function on all of them; the notebook shows none of them.
POINTS = [(-1.5, 4.0, 0.5), (2.0, -3.0, 10.0), (3.0, 0.25, -2.0), (0.5, -7.0, 1.0)]


class _WatchedB(float):
    """A float for b that notes whether the function computes anything with it (nudges it).

    Returning the calculus formula (the slope in b is a) never touches b: the exercise asks for a
    measurement.
    """
    __slots__ = ()
    touched = False


def _watching(op):
    def method(self, *other):
        _WatchedB.touched = True
        return getattr(float, op)(float.__float__(self), *other)
    return method


for _op in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
            "__rtruediv__", "__pow__", "__rpow__", "__neg__", "__pos__", "__abs__", "__float__"):
    setattr(_WatchedB, _op, _watching(_op))
del _op


def _engine_d_grads(a, b, c):
    av, bv, cv = Value(a, label="a"), Value(b, label="b"), Value(c, label="c")
    d = av * bv + cv
    d.backward()
    return av.grad, bv.grad, cv.grad, d.data


def _d_wrt_b_hint(value, a, b, c):
    """The hint for a wrong slope returned at (a, b, c), by the mistake it looks like."""
    grad_a, grad_b, grad_c, d_value = _engine_d_grads(a, b, c)
    where = _("at (a, b, c) = ({a}, {b}, {c}) your function returns {value}").format(
        a=f"{a:g}", b=f"{b:g}", c=f"{c:g}", value=f"{value:.4f}")
    if close(value, grad_a):
        hint = _("{where}, which follows b's value: that is the slope in a. Nudge b, and only b.")
    elif close(value, grad_c):
        hint = _("{where}: that is the slope in c. Nudge b, and only b.")
    elif close(value, 2 * grad_b):
        hint = _("{where}, exactly twice too much: f(b + h) and f(b - h) are 2h apart, so divide by 2h.")
    elif close(value, grad_b / 2):
        hint = _("{where}, exactly half of the slope: a symmetric difference divides by 2h, "
                 "a forward difference by h.")
    elif close(value, grad_a + grad_b):
        hint = _("{where}: it looks like a and b were nudged together. Keep a and c where they are.")
    elif close(value, d_value):
        hint = _("{where}, which is d itself: return the change of d divided by the change of b.")
    elif close(value, 0.0):
        hint = _("{where}: the two evaluations of d gave the same number. One of them must use "
                 "b + h (and the other b - h, or b).")
    elif close(value, grad_b, 1e-2):
        hint = _("{where}: close, but not accurate enough. Check h (around 1e-6 works well).")
    else:
        hint = _("{where}, which is not the slope of d in b there. Evaluate d at b + h and at b - h, "
                 "keeping a and c fixed, and divide the difference by 2h.")
    return hint.format(where=where)


@checker
def check_d_wrt_b(fn):
    """Exercise 2: a function d_wrt_b(a, b, c) that measures the partial derivative of a*b + c in b."""
    ex = "Exercise 2"
    if is_waiting(fn):
        return waiting(ex, _("write the function d_wrt_b, then pass it to the checker"))
    if is_unwritten(fn):
        return waiting(ex, _("write the body of d_wrt_b; it must `return` the measured slope"))
    if not is_function(ex, fn, "d_wrt_b"):
        return False
    for i, (a, b, c) in enumerate(POINTS):
        _WatchedB.touched = False
        ok, result = call_safely(ex, fn, a, _WatchedB(b), c, case=_("on {call}").format(call=f"d_wrt_b({a:g}, {b:g}, {c:g})"))
        if not ok:
            return result
        if is_waiting(result):
            if i == 0:
                return waiting(ex, _("write the body of d_wrt_b; it must `return` the measured slope"))
            return failed(ex, _("d_wrt_b({a}, {b}, {c}) returned None: every path must `return` a number.").format(
                a=f"{a:g}", b=f"{b:g}", c=f"{c:g}"))
        if not _WatchedB.touched:
            return failed(ex, _("d_wrt_b never computes anything with b: it returns a formula. The exercise "
                                "asks you to measure the slope: evaluate d at b + h and at b - h and divide "
                                "the change of d by the change of b."))
        value = read_number(ex, result, _("what d_wrt_b returns"))
        if value is None:
            return False
        grad_b = _engine_d_grads(a, b, c)[1]
        measured = numeric_derivative(lambda t: a * t + c, b)
        if not (close(value, grad_b) and close(value, measured)):
            return failed(ex, _d_wrt_b_hint(value, a, b, c))
    a, b, c = POINTS[0]
    return passed(ex, _("At {n} points your slopes match the engine's b.grad and a symmetric difference "
                        "(e.g. {grad} at a = {a}, b = {b}, c = {c}).").format(
                            n=len(POINTS), grad=_fmt(_engine_d_grads(a, b, c)[1]), a=f"{a:g}", b=f"{b:g}",
                            c=f"{c:g}"))


# Exercise 3 ------------------------------------------------------------------------------------

X_BEST = 3.0
TARGET_ERROR = 1e-6


def forward_error(h, x=X_BEST):
    """|forward difference - true slope| of f at x, with the true slope from the engine.

    inf when the difference cannot be computed (an h so large that f(x + h) overflows).
    """
    try:
        return abs((f(x + h) - f(x)) / h - engine_slope(x))
    except (OverflowError, ZeroDivisionError):
        return float("inf")


@checker
def check_best_h(h):
    """Exercise 3: a step h that makes the forward difference of f at x = 3 accurate to 1e-6."""
    ex = "Exercise 3"
    if is_waiting(h):
        return waiting(ex, _("replace the `...` with your choice of h"))
    value = read_number(ex, h, "best_h")
    if value is None:
        return False
    if value <= 0:
        return failed(ex, _("h must be a positive number: the nudge moves x to the right by h."))
    true_slope = engine_slope(X_BEST)
    if not close(true_slope, numeric_derivative(f, X_BEST)):  # the engine and a nudge agree on f'(3)
        return failed(ex, _("the engine and a finite difference disagree on f'(3); tell your teacher."))
    err = forward_error(value)
    if err < TARGET_ERROR:
        return passed(ex, _("At h = {h} the forward difference is off by {error} (true slope from the engine: "
                            "{slope}, confirmed by a symmetric difference).").format(
                                h=f"{value:.1e}", error=f"{err:.1e}", slope=f"{true_slope:.4f}"))
    truncation = 3 * value  # the forward difference of this f overshoots by exactly 3h
    if truncation >= err / 2:
        return failed(ex, _("at h = {h} the error is {error}, and most of it is truncation "
                            "(about 3h for this f). Make h smaller.").format(h=f"{value:.1e}", error=f"{err:.1e}"))
    return failed(ex, _("at h = {h} the error is {error}, and most of it is rounding (about "
                        "eps * |f(x)| / h). Make h larger.").format(h=f"{value:.1e}", error=f"{err:.1e}"))
