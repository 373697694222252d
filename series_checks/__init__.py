"""Checkers for the exercises of the notebook series.

Every checker follows the same contract, so exercises behave alike in every notebook:
- an untouched exercise (answer left as `...`) prints that it is waiting, and never raises;
- a right answer prints a short confirmation (with the number it was checked against: the engine
  and, where it applies, a finite difference);
- a wrong answer prints a targeted hint for the mistake it looks like (a flipped sign, a missing
  upstream factor, `=` instead of `+=`, ...) and never the solution.
Checkers return a Verdict: true or false, so a notebook (or a test) can assert on it, and invisible
as the last line of a cell, so the printed message is all the learner sees.

The exercise-specific checkers live in one module per notebook: series_checks.nb03, ...
"""

import math

__all__ = ["Verdict", "checker", "lecture_expression", "is_waiting", "is_unwritten", "waiting", "passed", "failed", "close", "check_number", "read_number", "numeric_derivative"]


class Verdict:
    """A checker's answer: behaves as True or False, and displays nothing in a notebook."""
    __slots__ = ("ok",)

    def __init__(self, ok):
        self.ok = bool(ok)

    def __bool__(self):
        return self.ok

    def __eq__(self, other):
        return self.ok == bool(other)

    def __hash__(self):
        return hash(self.ok)

    def __repr__(self):
        return f"Verdict({self.ok})"

    def _ipython_display_(self):
        """Show nothing: the ✅ / ❌ / ⏳ line printed by the checker is the feedback."""


def checker(fn):
    """Decorator for an exercise checker: whatever it returns becomes a Verdict."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return Verdict(fn(*args, **kwargs))
    return wrapper


def lecture_expression(a=2.0, b=-3.0, c=10.0, f=-2.0):
    """The series' running example L = (a*b + c) * f, every node labelled; a dict by label.

    e = a*b and d = e + c. With the default numbers: L = -8, and after L.backward() the grads are
    a 6, b -4, c -2, d -2, e -2, f 4.
    """
    from micrograd_core import Value
    a, b, c, f = Value(a, label="a"), Value(b, label="b"), Value(c, label="c"), Value(f, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}


def is_waiting(answer):
    """True while the learner has not replaced the placeholder `...` (or left None)."""
    return answer is Ellipsis or answer is None


def is_unwritten(fn):
    """True for a function whose body is still only `...` (or `pass`, or a docstring).

    Exercises that ask for a function give its signature with `...` as the body; such a function
    counts as waiting for an answer, like a `...` value.
    """
    import dis
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    for ins in dis.get_instructions(code):
        if ins.opname in ("RESUME", "NOP", "RETURN_VALUE", "CACHE"):
            continue
        if ins.opname in ("LOAD_CONST", "RETURN_CONST") and ins.argval is None:
            continue
        return False
    return True


def waiting(exercise, what="replace the `...` with your answer"):
    print(f"⏳ {exercise}: waiting for your answer ({what}), then run this cell again.")
    return False


def passed(exercise, detail=""):
    print(f"✅ {exercise}: correct." + (f" {detail}" if detail else ""))
    return True


def failed(exercise, hint):
    print(f"❌ {exercise}: not yet. Hint: {hint}")
    return False


def read_number(exercise, answer):
    """The answer as a float, or None after printing what is wrong with it (a Value, a bool, text)."""
    from micrograd_core import Value
    if isinstance(answer, Value):
        failed(exercise, "you gave a Value; the answer is a plain number (a Value's number is its .data).")
        return None
    if isinstance(answer, bool):
        failed(exercise, "the answer should be a number, not True or False.")
        return None
    try:
        return float(answer)
    except (TypeError, ValueError):
        failed(exercise, f"the answer should be a number, got {type(answer).__name__} {answer!r}.")
        return None


def close(a, b, tol=1e-4):
    """Equal within tol, relative to the size of the numbers (and absolute near zero)."""
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def numeric_derivative(f, x, h=1e-6):
    """Symmetric difference (f(x+h) - f(x-h)) / 2h of a plain function of one float."""
    return (f(x + h) - f(x - h)) / (2 * h)


def check_number(exercise, answer, expected, hints=(), tol=1e-4, confirmed_by=None):
    """Compare a numeric answer with the expected value, and hint at the likely mistake.

    hints: (wrong value, message) pairs: when the answer matches a known wrong value, that
    message is the hint. A flipped sign gets a hint of its own. `confirmed_by` names how the
    expected value was checked (e.g. 'a finite difference gives 6.0000'), shown on success.
    """
    if is_waiting(answer):
        return waiting(exercise)
    value = read_number(exercise, answer)
    if value is None:
        return False
    if close(value, expected, tol):
        return passed(exercise, confirmed_by or "")
    for wrong, message in hints:
        if close(value, wrong, tol):
            return failed(exercise, message)
    if expected != 0 and close(value, -expected, tol):
        return failed(exercise, "the size looks right but the sign is flipped: check each factor's sign.")
    return failed(exercise, "recompute it step by step: local derivative times the upstream gradient, "
                            "and add up the contributions of every path.")
