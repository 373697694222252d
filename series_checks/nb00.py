"""Checkers for notebook 00 (welcome): predicting L = (a*b + c) * f and its change under a nudge.

Each checker recomputes the expected number with the engine (and, for the nudge, with a finite
difference), prints waiting / correct / a hint, and returns True or False. It never prints the
expected number on a wrong answer.
"""


from . import check_number, checker, close, failed, is_waiting, lecture_expression, passed, read_number
from . import waiting

__all__ = ["build_L", "check_new_L", "check_nudged_L"]


def build_L(a, b, c, f):
    """The preview expression L = (a*b + c) * f from four numbers: (L, (a, b, c, f))."""
    g = lecture_expression(a, b, c, f)
    return g["L"], (g["a"], g["b"], g["c"], g["f"])


# Exercise 1 ------------------------------------------------------------------------------------

NEW_INPUTS = {"a": -1.0, "b": 5.0, "c": 2.0, "f": 3.0}


@checker
def check_new_L(answer):
    """Exercise 1: L = (a*b + c) * f for a = -1, b = 5, c = 2, f = 3, worked out by hand."""
    a, b, c, f = NEW_INPUTS.values()
    L, _ = build_L(a, b, c, f)
    hints = [
        (a * b + c * f, "it looks like the parentheses were dropped: the sum a*b + c is "
                        "computed first, and only then multiplied by f."),
        (a * b * f, "c seems to be missing: it is added to a*b before the multiplication by f."),
        (a * (b + c) * f, "the first step is the product a*b; c is added to that product."),
        (a * b + c, "that is d = a*b + c, one step before the end: L is d times f."),
        (a * b, "that is e = a*b, the first intermediate value: keep going to L."),
        (-L.data, "the size is right but the sign is flipped: check the sign of each product."),
    ]
    return check_number("Exercise 1", answer, L.data, hints,
                        confirmed_by="The engine, run on the same four inputs, gives the same L.",
                        otherwise="compute it in the order the code does: e = a*b, then d = e + c, "
                                  "then L = d*f, with the new inputs (not those of the preview).",
                        what="replace the `...` with the number you predict for L")


# Exercise 2 ------------------------------------------------------------------------------------

PREVIEW = (2.0, -3.0, 10.0, -2.0)
NUDGE = 0.01


@checker
def check_nudged_L(answer):
    """Exercise 2: L after a goes from 2 to 2.01, predicted from a.grad (L + a.grad * 0.01)."""
    ex = "Exercise 2"
    if is_waiting(answer):
        return waiting(ex, "replace the `...` with your prediction of the new L")
    value = read_number(ex, answer)
    if value is None:
        return False
    a, b, c, f = PREVIEW
    L, leaves = build_L(a, b, c, f)
    va = leaves[0]
    L.backward()
    predicted = L.data + va.grad * NUDGE            # the prediction from the gradient
    rebuilt, _ = build_L(a + NUDGE, b, c, f)         # the engine, run again with the new a
    measured = rebuilt.data
    slope = (measured - L.data) / NUDGE              # a finite difference of the same size
    if close(value, predicted) and close(value, measured):
        return passed(ex, f"Rebuilding L with a = {a + NUDGE:g} gives the same number, and a finite "
                          f"difference with h = {NUDGE:g} measures the slope {slope:.4f}, "
                          f"equal to a.grad.")
    change = va.grad * NUDGE
    hints = [
        (change, "that is how much L changes; the question asks for the new value of L, "
                 "so add that change to L's old value."),
        (L.data - change, "the change goes the wrong way: a grows and a.grad is positive, so L grows too."),
        (L.data, "that is L before the nudge: the nudge of a changes L by a.grad times 0.01."),
        (L.data + va.grad * 0.1, "check the size of the nudge: a goes from 2 to 2.01, a step of 0.01."),
        (L.data + va.grad, "check the size of the nudge: a goes from 2 to 2.01, a step of 0.01, "
                           "not a step of 1."),
    ]
    hints += [(L.data + other.grad * NUDGE, f"that uses the grad of {other.label}; the input that "
                                            f"moves is a, so use a.grad.") for other in leaves[1:]]
    for wrong, hint in hints:
        if close(value, wrong):
            return failed(ex, hint)
    return failed(ex, "new L is about old L + a.grad * (size of the nudge); read both numbers from "
                      "the preview above.")
