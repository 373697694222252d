"""Checkers for notebook 13, softmax and cross-entropy.

Exercise 1 runs the learner's softmax, exercise 3 their cross-entropy gradient, on score lists drawn
at random for each check (fresh_rng(): huge scores included, where the textbook formula overflows),
against a reference computed with the log-sum-exp trick; the gradient is also confirmed by the
engine's backward() and by finite differences. Exercise 2 asks for one number. Hints name the mistake
(no normalising, an overflow, a flipped sign, the derivative with respect to the probability), never
the expected values.

No function of this module computes a softmax or a gradient from a list of scores: the references
are methods of a case (`_Case(scores, target).probabilities()`), so nothing a learner can pass as an
answer from here is one.
"""

import itertools
import math

import micrograd_core

from . import (call_safely, check_number, checker, failed, fresh_rng, is_unwritten, is_waiting, passed,
               read_numbers, waiting)
from series_language import N_, _

__all__ = ["check_softmax", "check_gradient_entry", "check_ce_gradient", "EX2_SCORES", "EX2_TARGET",
           "EX2_CLASS"]


class _Case:
    """One list of scores and its target class, and the checker's own answers for it."""
    __slots__ = ("scores", "target")

    def __init__(self, scores, target=0):
        self.scores, self.target = list(scores), target

    def probabilities(self):
        """softmax with the largest score subtracted first: every exp is of a number <= 0."""
        m = max(self.scores)
        exps = [math.exp(z - m) for z in self.scores]
        total = sum(exps)
        return [e / total for e in exps]

    def gradient(self):
        """d(cross-entropy)/d(scores) = p - y, with y the one-hot vector of the target."""
        return [p - (1.0 if k == self.target else 0.0) for k, p in enumerate(self.probabilities())]

    def engine_gradient(self):
        """The same gradient from the engine: -log softmax(scores)[target] from Values, backward()."""
        zs = [micrograd_core.Value(z) for z in self.scores]
        m = max(self.scores)
        total = sum((z - m).exp() for z in zs)
        loss = total.log() + m - zs[self.target]
        loss.backward()
        return [z.grad for z in zs]

    def numeric_gradient(self, h=1e-6):
        """The same gradient by symmetric finite differences of the (stable) loss."""
        def loss(zs):
            m = max(zs)
            return math.log(sum(math.exp(z - m) for z in zs)) + m - zs[self.target]
        grads = []
        for k in range(len(self.scores)):
            up, down = list(self.scores), list(self.scores)
            up[k] += h
            down[k] -= h
            grads.append((loss(up) - loss(down)) / (2 * h))
        return grads


def _spread(rng, n, low, high):
    """n scores from [low, high], two decimals, at least 0.1 apart (so that no mistake's numbers
    happen to equal the right ones)."""
    while True:
        scores = [round(rng.uniform(low, high), 2) for _ in range(n)]
        if all(abs(a - b) >= 0.1 for i, a in enumerate(scores) for b in scores[i + 1:]):
            return scores


def _all_close(got, expected, tol):
    return len(got) == len(expected) and all(abs(g - e) <= tol for g, e in zip(got, expected))


def _first_items(result, n):
    """Up to n + 1 entries of a list or tuple (never more: a list may be huge, or never end), else None."""
    if not isinstance(result, (list, tuple)):
        return None
    try:
        return list(itertools.islice(iter(result), n + 1))
    except Exception:  # noqa: BLE001 - a learner's list that fails to iterate: read_numbers says so
        return None


def _has_non_finite(items):
    """True when items hold a float inf or nan (an overflow's signature)."""
    return any(isinstance(x, float) and not math.isfinite(x) for x in items)


def _has_value(items):
    return any(isinstance(x, micrograd_core.Value) for x in items)


OVERFLOW_HINT = N_("with scores as large as {big}, exp overflows (inf, then inf / inf = nan), as in "
                   "notebook 08. Subtract the largest score from every score before exp: the "
                   "probabilities do not change, and no exp sees a positive number.")


_OVERFLOWED = object()


def _run_cases(exercise, fn, cases, what):
    """Call fn on every case; (list of results, None) or (None, Verdict) for the first problem."""
    def attempt(*args):
        try:
            return fn(*args)
        except OverflowError:      # math.exp(1000): the mistake this exercise is about
            return _OVERFLOWED
    name = getattr(fn, "__name__", None)
    attempt.__name__ = name if isinstance(name, str) else _("your function")
    results = []
    for scores, *rest in cases:
        big = max(abs(z) for z in scores)
        ok, result = call_safely(exercise, attempt, list(scores), *rest, case=_("on scores {scores}").format(scores=list(scores)))
        if not ok:
            return None, result
        if result is _OVERFLOWED:
            return None, failed(exercise, _(OVERFLOW_HINT).format(big=f"{big:g}"))
        if result is None:
            return None, failed(exercise, _("your function returns None: did you forget `return`?"))
        if is_waiting(result):
            return None, waiting(exercise, what)
        items = _first_items(result, len(scores)) or []
        if any(is_waiting(x) for x in items):
            return None, waiting(exercise, what)
        if _has_value(items):
            return None, failed(exercise, _("return plain floats, not Values: these scores are plain "
                                            "numbers, so use math.exp."))
        if _has_non_finite(items):
            if big > 700:
                return None, failed(exercise, _(OVERFLOW_HINT).format(big=f"{big:g}"))
            return None, failed(exercise, _("on scores {scores} your function returns inf or nan.").format(
                scores=list(scores)))
        values = read_numbers(exercise, result, name=N_("what your function returns"), length=len(scores))
        if values is None:
            return None, False
        results.append(values)
    return results, None


def _judge_each(exercise, fn, cases, what, reference, hint):
    """Run fn case by case and compare with reference; None when all agree, else the Verdict.

    Every reference answer is computed before the learner's code first runs (so that code cannot
    change what it is compared with, e.g. by replacing math.exp)."""
    if is_waiting(fn) or is_unwritten(fn):
        return waiting(exercise, what)
    expected = [reference(*case) for case in cases]
    for case, right in zip(cases, expected):
        results, problem = _run_cases(exercise, fn, [case], what)
        if problem is not None:
            return problem
        if not _all_close(results[0], right, 1e-6):
            return failed(exercise, hint(*case, results[0]))
    return None


# ----------------------------------------------------------------------------------------------
# Exercise 1: a softmax that never overflows
# ----------------------------------------------------------------------------------------------

def _ex1_cases(rng):
    """The score lists of one check, drawn from rng: ordinary scores first, then one score, equal
    scores, two scores, scores near 1000 (where the textbook exp overflows), one huge score among
    small ones, and scores near -1000 (where every textbook exp is 0)."""
    big = round(rng.uniform(800.0, 1200.0), 1)
    return [
        (_spread(rng, 4, -3.0, 3.0),),
        ([round(rng.uniform(-9.0, 9.0), 2)],),
        ([round(rng.uniform(-2.0, 2.0), 1)] * rng.randint(3, 6),),
        (_spread(rng, 2, -5.0, 5.0),),
        ([round(big + d, 2) for d in _spread(rng, 3, -2.0, 2.0)],),
        ([round(rng.uniform(-4.0, 4.0), 1), round(rng.uniform(710.0, 900.0), 1), round(rng.uniform(-4.0, 4.0), 1)],),
        ([round(-big + d, 2) for d in _spread(rng, 3, -2.0, 2.0)],),
    ]


@checker
def check_softmax(softmax):
    """Exercise 1: softmax(scores) for a list of plain floats, a list of probabilities."""
    exercise = "Exercise 1" + _(" (softmax)")
    what = _("write the body of softmax: it returns a list of probabilities")
    cases = _ex1_cases(fresh_rng())
    problem = _judge_each(exercise, softmax, cases, what, lambda scores: _Case(scores).probabilities(),
                          _softmax_hint)
    if problem is not None:
        return problem
    return passed(exercise, _("Right on {count} score lists drawn at random, which you had not seen, "
                              "including scores near 1000, where the textbook formula overflows.").format(
                                  count=len(cases)))


def _softmax_hint(scores, got):
    m = max(scores)
    exps = [math.exp(z - m) for z in scores]
    total = sum(got)
    if _all_close(got, exps, 1e-6) or abs(total - 1) > 1e-6 and all(g > 0 for g in got):
        return _("on scores {scores} your probabilities add up to {total}: divide every "
                 "exponential by their sum, so that they add up to 1.").format(scores=scores, total=f"{total:.4f}")
    s = sum(scores)
    if s and _all_close(got, [z / s for z in scores], 1e-6):
        return _("you divided the scores by their sum: exponentiate them first (scores can be negative).")
    if _all_close(got, [z - m - math.log(sum(exps)) for z in scores], 1e-6):
        return _("those are log-probabilities (negative numbers): take exp of them, or skip the log.")
    return _("on scores {scores} your result differs from softmax: p_k = exp(z_k) / sum of exp(z_j), "
             "computed after subtracting the largest score.").format(scores=scores)


# ----------------------------------------------------------------------------------------------
# Exercise 2: one entry of the gradient, by hand
# ----------------------------------------------------------------------------------------------

EX2_SCORES, EX2_TARGET, EX2_CLASS = [2.0, 1.0, 0.1], 1, 1


@checker
def check_gradient_entry(answer):
    """Exercise 2: d(loss)/d(z_1) for scores [2, 1, 0.1] and target class 1."""
    exercise = "Exercise 2" + _(" (one entry of the gradient)")
    case = _Case(EX2_SCORES, EX2_TARGET)
    p = case.probabilities()
    expected = case.engine_gradient()[EX2_CLASS]
    numeric = case.numeric_gradient()[EX2_CLASS]
    q = p[EX2_CLASS]
    hints = [
        (q, _("that is the probability of class 1; the target's entry also subtracts its y, which is 1.")),
        (1 - q, _("the size is right but the sign is flipped: the gradient is p - y, and raising the "
                  "target's score lowers the loss.")),
        (-math.log(q), _("that is the loss itself, -log p; the question asks for its slope with respect "
                         "to the score z_1.")),
        (-1 / q, _("that is the derivative with respect to the probability p_1; the softmax in between "
                   "turns it into a derivative with respect to the score.")),
        (-1.0, _("the one-hot part is right, but p_1 itself is missing: p - y.")),
        (q * (1 - q), _("that is the slope of p_1 alone; the loss is -log p_1, and the chain rule through "
                        "the log simplifies to p - y.")),
    ]
    return check_number(exercise, answer, expected, hints=hints,
                        what=_("replace the `...` of {name} with a number").format(name="grad_z1"),
                        otherwise=_("write down p = softmax([2, 1, 0.1]) first, then use p - y."),
                        confirmed_by=_("backward() gives {grad}, a finite difference {numeric}.").format(
                            grad=f"{expected:.4f}", numeric=f"{numeric:.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 3: the whole gradient p - y, on cases you have not seen
# ----------------------------------------------------------------------------------------------

def _ex3_cases(rng):
    """(scores, target) pairs of one check, drawn from rng: three, four and two ordinary scores,
    equal scores, and one score near 800 (the target another one)."""
    huge = [round(rng.uniform(750.0, 850.0), 1), round(rng.uniform(-30.0, -10.0), 1), round(rng.uniform(-4.0, 4.0), 1)]
    rng.shuffle(huge)
    return [
        (_spread(rng, 3, -3.0, 3.0), rng.randrange(3)),
        (_spread(rng, 4, -4.0, 4.0), rng.randrange(4)),
        (_spread(rng, 2, -3.0, 3.0), rng.randrange(2)),
        ([round(rng.uniform(-2.0, 2.0), 1)] * 3, rng.randrange(3)),
        (huge, rng.choice([k for k in range(3) if huge[k] < 700])),
    ]


@checker
def check_ce_gradient(gradient):
    """Exercise 3: gradient(scores, target) -> d(cross-entropy)/d(scores) as a list of floats."""
    exercise = "Exercise 3" + _(" (the gradient p - y)")
    what = _("write the body of ce_gradient: it returns one number per score")
    cases = _ex3_cases(fresh_rng())
    # The reference itself, confirmed twice, before any of the learner's code runs: by the engine's
    # backward() and by finite differences.
    for scores, target in cases:
        case = _Case(scores, target)
        if not (_all_close(case.engine_gradient(), case.gradient(), 1e-9)
                and _all_close(case.numeric_gradient(), case.gradient(), 1e-5)):
            return failed(exercise, _("the engine, a finite difference and the formula p - y disagree; "
                                      "tell your teacher."))
    problem = _judge_each(exercise, gradient, cases, what, lambda s, t: _Case(s, t).gradient(), _gradient_hint)
    if problem is not None:
        return problem
    return passed(exercise, _("Right on {count} cases drawn at random, which you had not seen (scores "
                              "near 800 included), and the same as the engine's backward() and finite "
                              "differences.").format(count=len(cases)))


def _gradient_hint(scores, target, got):
    p = _Case(scores).probabilities()
    y = [1.0 if k == target else 0.0 for k in range(len(scores))]
    case = _("on scores {scores} with target {target}").format(scores=scores, target=target)
    if _all_close(got, p, 1e-6):
        return _("{case} you returned the probabilities: the target's entry also subtracts 1 (p - y).").format(
            case=case)
    if _all_close(got, [b - a for a, b in zip(p, y)], 1e-6):
        return _("{case} every sign is flipped: the gradient is p - y, not y - p.").format(case=case)
    for other in range(len(scores)):
        if other != target and _all_close(got, [q - (1.0 if k == other else 0.0) for k, q in enumerate(p)], 1e-6):
            return _("{case} the 1 is subtracted at the wrong entry: y is 1 at index `target` (counting from "
                     "0).").format(case=case)
    if abs(sum(got)) > 1e-6:
        return _("{case} your entries add up to {total}; the entries of p - y always add up to 0 "
                 "(the probabilities add up to 1, and so does y).").format(case=case, total=f"{sum(got):.4f}")
    return _("{case} your gradient differs from p - y: compute p with a stable softmax first.").format(case=case)
