"""Checkers for notebook 00 (welcome): predicting L = (a*b + c) * f and its change under a nudge.

Each checker recomputes the expected number with the engine (and, for the nudge, with a finite
difference), prints waiting / correct / a hint, and returns True or False. It never prints the
expected number on a wrong answer. Exercise 3 runs the learner's function on expressions drawn for
each check (fresh_rng()), so no table of cases seen before can pass.
"""


from . import check_number, checker, close, failed, is_waiting, lecture_expression, passed
from . import read_number, waiting
from series_language import N_, _

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
    L, _leaves = build_L(a, b, c, f)   # not `_`: that name is gettext here
    hints = [
        (a * b + c * f, _("it looks like the parentheses were dropped: the sum a*b + c is "
                          "computed first, and only then multiplied by f.")),
        (a * b * f, _("c seems to be missing: it is added to a*b before the multiplication by f.")),
        (a * (b + c) * f, _("the first step is the product a*b; c is added to that product.")),
        (a * b + c, _("that is d = a*b + c, one step before the end: L is d times f.")),
        (a * b, _("that is e = a*b, the first intermediate value: keep going to L.")),
        (-L.data, _("the size is right but the sign is flipped: check the sign of each product.")),
    ]
    return check_number("Exercise 1", answer, L.data, hints,
                        confirmed_by=_("The engine, run on the same four inputs, gives the same L."),
                        otherwise=_("compute it in the order the code does: e = a*b, then d = e + c, "
                                    "then L = d*f, with the new inputs (not those of the preview)."),
                        what=_("replace the `...` with the number you predict for L"))


# Exercise 2 ------------------------------------------------------------------------------------

PREVIEW = (2.0, -3.0, 10.0, -2.0)
NUDGE = 0.1   # a goes from 2 to 2.1 and b from -3 to -2.9, together


@checker
def check_nudged_L(answer):
    """Exercise 2: L after a and b both go up by 0.1, predicted from the grads: L + (a.grad + b.grad) * 0.1."""
    ex = "Exercise 2"
    if is_waiting(answer):
        return waiting(ex, _("replace the `...` with your prediction of the new L"))
    value = read_number(ex, answer)
    if value is None:
        return False
    a, b, c, f = PREVIEW
    L, leaves = build_L(a, b, c, f)
    va, vb = leaves[0], leaves[1]
    L.backward()
    change = (va.grad + vb.grad) * NUDGE
    predicted = L.data + change                      # the prediction from the gradient
    rebuilt, _leaves = build_L(a + NUDGE, b + NUDGE, c, f)  # the engine, run again on the new inputs
    exact = rebuilt.data
    if close(value, predicted):
        return passed(ex, _("Re-evaluating L at a = {a}, b = {b} gives {exact}, close to the prediction but "
                            "not equal: the gap, {gap}, is f * 0.1 * 0.1, the product of the two nudges that a "
                            "straight-line prediction cannot see. Ten times smaller nudges would make it a "
                            "hundred times smaller.").format(a=f"{a + NUDGE:g}", b=f"{b + NUDGE:g}",
                                                            exact=f"{exact:.4f}", gap=f"{exact - value:.4f}"))
    hints = [
        (change, _("that is how much L changes; the question asks for the new value of L, "
                   "so add that change to L's old value.")),
        (L.data - change, _("the change goes the wrong way: add grad times nudge for each input, with the "
                            "signs they have.")),
        (L.data, _("that is L before the nudge: each nudged input changes L by its grad times 0.1.")),
        (L.data + va.grad * NUDGE, _("b moves too: add b.grad times b's nudge.")),
        (L.data + vb.grad * NUDGE, _("a moves too: add a.grad times a's nudge.")),
        (L.data + va.grad * NUDGE - vb.grad * NUDGE, _("check the sign of b's term: b goes up, and b.grad is "
                                                       "negative, so that term lowers L.")),
        (L.data + change / 10, _("check the size of the nudges: a step of 0.1 each.")),
        (L.data + change * 10, _("check the size of the nudges: a step of 0.1 each, not a step of 1.")),
        (exact, _("that is the exact new L, from re-evaluating the formula. The exercise asks for the "
                  "gradient's prediction from L, a.grad and b.grad alone; the checker then compares the two.")),
    ]
    for wrong, hint in hints:
        if close(value, wrong):
            return failed(ex, hint)
    return failed(ex, _("new L is about old L + a.grad * (a's nudge) + b.grad * (b's nudge); read the numbers "
                        "from the preview above."))


# ==============================================================================================
# Write code: Exercise 3, a function that predicts L after a nudge from the grads alone
# ==============================================================================================

from . import call_and_read, fresh_rng, is_unwritten  # noqa: E402

PREDICT_CASES = 8  # fresh expressions the learner's function has never seen, drawn for each check


def _predict_candidates(L, leaves, nudges):
    """The right prediction and what each mistake the hints name would give, for one case."""
    change = sum(v.grad * dv for v, dv in nudges.items())
    a, b, c, f = (v.data + nudges.get(v, 0.0) for v in leaves)
    return {"right": L.data + change, "change": change, "sign": L.data - change, "before": L.data,
            "data": L.data + sum(v.data * dv for v, dv in nudges.items()),
            "exact": (a * b + c) * f}   # the exact new L: the formula run again on the nudged inputs


def _apart(x, y, margin=1e-2):
    return abs(x - y) > margin * max(1.0, abs(x), abs(y))


def _predict_cases(rng):
    """PREDICT_CASES random L = (a*b + c) * f after backward(), each with a nudge of one, two or
    three inputs, drawn from rng (fresh_rng() in the check: the learner's `random` is untouched and
    no two checks see the same cases).

    A case is kept only if every mistake the hints name gives a number of its own there (so a wrong
    function gets the hint for its mistake, whatever was drawn); the exact new L may equal the
    prediction (when the nudged inputs are not multiplied together), but the first two cases nudge
    inputs that are, so that re-evaluating the formula is told apart from predicting."""
    cases = []
    while len(cases) < PREDICT_CASES:
        L, leaves = build_L(*(round(rng.choice((-1, 1)) * rng.uniform(0.5, 4.0), 1) for _ in range(4)))
        L.backward()
        a, b, c, f = leaves
        moved = rng.choice(([a, b], [a, f], [b, f], [c, f], [a, b, f])) if len(cases) < 2 else \
            rng.sample(leaves, k=rng.choice((1, 2, 3)))
        nudges = {v: rng.choice((-1, 1)) * round(rng.uniform(0.02, 0.2), 2) for v in moved}
        n = _predict_candidates(L, leaves, nudges)
        named = [n[k] for k in ("right", "change", "sign", "before", "data")]
        if not all(_apart(x, y) for i, x in enumerate(named) for y in named[i + 1:]):
            continue
        if len(cases) < 2 and not all(_apart(n["exact"], x, 1e-3) for x in named):
            continue
        cases.append((L, leaves, nudges))
    return cases


# A mistake's hint is given when the function makes that mistake on every case it gets wrong (a
# wrong function that matches one of them once, by chance, gets the general hint instead).
_PREDICT_MISTAKES = [
    ("change", N_("{where}: that is the change of L. Return the new L: the old L.data plus that change.")),
    ("sign", N_("{where}: the change has the wrong sign. A positive grad and a positive nudge raise L.")),
    ("before", N_("{where}, which is L before the nudge: add grad x change for every nudged input.")),
    ("data", N_("{where}: that multiplies each change by the input's .data; use its .grad.")),
    ("exact", N_("{where}, the exact new L from re-evaluating the formula. Predict it from L.data and the "
                 "grads only: that is what a gradient is for, and it works for any expression.")),
]


def _predict_hint(wrong):
    """The hint for a function that is not right on the cases in `wrong`, naming the first."""
    n, moved, value = wrong[0]
    where = _("with L = {L} and a nudge of {moved}, your function returns {value}").format(
        L=f"{n['before']:.4f}", moved=moved, value=f"{value:.4f}")
    for key, hint in _PREDICT_MISTAKES:
        if all(close(got, n[key]) for n, _moved, got in wrong):
            return _(hint).format(where=where)
    return _("{where}. The prediction is L.data plus, for every input in nudges, that input's grad times "
             "its change.").format(where=where)


@checker
def check_predict_L(predict_L):
    """Exercise 3: predict_L(L, nudges) returns L.data + the sum of leaf.grad * change."""
    ex = "Exercise 3"
    if is_waiting(predict_L) or is_unwritten(predict_L):
        return waiting(ex, _("write the body of predict_L in place of the `...`"))
    if not callable(predict_L):
        return failed(ex, _("pass the function itself, without calling it: check_predict_L(predict_L)."))
    wrong = []   # (the case's numbers, its nudges in words, what the function returned) where it is wrong
    for L, leaves, nudges in _predict_cases(fresh_rng()):
        n = _predict_candidates(L, leaves, nudges)         # before the learner's code sees the case
        moved = _(", ").join(_("{label} by {change}").format(label=v.label, change=f"{dv:+.2f}")
                             for v, dv in nudges.items())
        ok, value = call_and_read(ex, predict_L, L, dict(nudges))
        if not ok:
            return value
        if not close(value, n["right"]):
            wrong.append((n, moved, value))
    if wrong:
        return failed(ex, _predict_hint(wrong))
    return passed(ex, _("Your predictions match on {n} expressions drawn at random, which you had not seen. "
                        "Re-evaluating the formula gives slightly different numbers: when several inputs move "
                        "at once, the gradient's straight-line prediction is close, not exact.").format(
                            n=PREDICT_CASES))

__all__ += ["check_predict_L"]
