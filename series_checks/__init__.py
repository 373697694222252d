"""Checkers for the exercises of the notebook series.

Every checker follows the same contract, so exercises behave alike in every notebook:
- an untouched exercise (answer left as `...`) prints that it is waiting, and never raises;
- a right answer prints a short confirmation (with the number it was checked against: the engine
  and, where it applies, a finite difference);
- a wrong answer prints a targeted hint for the mistake it looks like (a flipped sign, a missing
  upstream factor, `=` instead of `+=`, ...) and never the solution.
Checkers return True or False so a notebook (or a test) can assert on them.

The exercise-specific checkers live in one module per notebook: series_checks.nb03, ...
"""

import math

__all__ = ["is_waiting", "waiting", "passed", "failed", "close", "check_number", "numeric_derivative"]


def is_waiting(answer):
    """True while the learner has not replaced the placeholder `...` (or left None)."""
    return answer is Ellipsis or answer is None


def waiting(exercise, what="replace the `...` with your answer"):
    print(f"⏳ {exercise}: waiting for your answer ({what}), then run this cell again.")
    return False


def passed(exercise, detail=""):
    print(f"✅ {exercise}: correct." + (f" {detail}" if detail else ""))
    return True


def failed(exercise, hint):
    print(f"❌ {exercise}: not yet. Hint: {hint}")
    return False


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
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return failed(exercise, f"the answer should be a number, got {type(answer).__name__} {answer!r}.")
    if close(value, expected, tol):
        return passed(exercise, confirmed_by or "")
    for wrong, message in hints:
        if close(value, wrong, tol):
            return failed(exercise, message)
    if expected != 0 and close(value, -expected, tol):
        return failed(exercise, "the size looks right but the sign is flipped: check each factor's sign.")
    return failed(exercise, "recompute it step by step: local derivative times the upstream gradient, "
                            "and add up the contributions of every path.")
