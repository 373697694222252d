"""Checkers for notebook 13, softmax and cross-entropy.

Exercise 1 runs the learner's softmax, exercise 3 their cross-entropy gradient, on score lists they
have not seen (huge scores included, where the textbook formula overflows), against a reference
computed with the log-sum-exp trick; the gradient is also confirmed by the engine's backward() and
by finite differences. Exercise 2 asks for one number. Hints name the mistake (no normalising, an
overflow, a flipped sign, the derivative with respect to the probability), never the expected values.
"""

import math

import micrograd_core

from . import (call_safely, check_number, checker, describe, failed, is_unwritten, is_waiting,
               passed, read_numbers, waiting)

__all__ = ["check_softmax", "check_gradient_entry", "check_ce_gradient", "reference_softmax",
           "reference_gradient", "engine_gradient", "EX2_SCORES", "EX2_TARGET", "EX2_CLASS"]


def reference_softmax(scores):
    """softmax with the largest score subtracted first: every exp is of a number <= 0."""
    m = max(scores)
    exps = [math.exp(z - m) for z in scores]
    total = sum(exps)
    return [e / total for e in exps]


def reference_gradient(scores, target):
    """d(cross-entropy)/d(scores) = p - y, with y the one-hot vector of the target."""
    return [p - (1.0 if k == target else 0.0) for k, p in enumerate(reference_softmax(scores))]


def engine_gradient(scores, target):
    """The same gradient from the engine: -log softmax(scores)[target] built from Values, backward()."""
    zs = [micrograd_core.Value(z) for z in scores]
    m = max(scores)
    total = sum((z - m).exp() for z in zs)
    loss = total.log() + m - zs[target]
    loss.backward()
    return [z.grad for z in zs]


def _finite_difference_gradient(scores, target, h=1e-6):
    def loss(zs):
        m = max(zs)
        return math.log(sum(math.exp(z - m) for z in zs)) + m - zs[target]
    grads = []
    for k in range(len(scores)):
        up, down = list(scores), list(scores)
        up[k] += h
        down[k] -= h
        grads.append((loss(up) - loss(down)) / (2 * h))
    return grads


def _all_close(got, expected, tol):
    return len(got) == len(expected) and all(abs(g - e) <= tol for g, e in zip(got, expected))


def _has_non_finite(result):
    """True when result is a list or tuple holding a float inf or nan (an overflow's signature)."""
    if not isinstance(result, (list, tuple)):
        return False
    return any(isinstance(x, float) and not math.isfinite(x) for x in result)


def _has_value(result):
    return isinstance(result, (list, tuple)) and any(isinstance(x, micrograd_core.Value) for x in result)


OVERFLOW_HINT = ("with scores as large as {big:g}, exp overflows (inf, then inf / inf = nan), as in "
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
    attempt.__name__ = name if isinstance(name, str) else "your function"
    results = []
    for scores, *rest in cases:
        big = max(abs(z) for z in scores)
        ok, result = call_safely(exercise, attempt, list(scores), *rest, case=f"on scores {list(scores)}")
        if not ok:
            return None, result
        if result is _OVERFLOWED:
            return None, failed(exercise, OVERFLOW_HINT.format(big=big))
        if result is None:
            return None, failed(exercise, "your function returns None: did you forget `return`?")
        if is_waiting(result):
            return None, waiting(exercise, what)
        if isinstance(result, (list, tuple)) and any(is_waiting(x) for x in result):
            return None, waiting(exercise, what)
        if _has_value(result):
            return None, failed(exercise, "return plain floats, not Values: these scores are plain "
                                          "numbers, so use math.exp.")
        if _has_non_finite(result):
            if big > 700:
                return None, failed(exercise, OVERFLOW_HINT.format(big=big))
            return None, failed(exercise, f"on scores {list(scores)} your function returns inf or nan.")
        values = read_numbers(exercise, result, name="what your function returns", length=len(scores))
        if values is None:
            return None, False
        results.append(values)
    return results, None


def _judge_each(exercise, fn, cases, what, reference, hint):
    """Run fn case by case and compare with reference; None when all agree, else the Verdict."""
    if is_waiting(fn) or is_unwritten(fn):
        return waiting(exercise, what)
    for case in cases:
        results, problem = _run_cases(exercise, fn, [case], what)
        if problem is not None:
            return problem
        if not _all_close(results[0], reference(*case), 1e-6):
            return failed(exercise, hint(*case, results[0]))
    return None


# ----------------------------------------------------------------------------------------------
# Exercise 1: a softmax that never overflows
# ----------------------------------------------------------------------------------------------

EX1_CASES = [
    ([0.5, -1.0, 3.0, 0.0],),
    ([7.0],),
    ([0.0, 0.0, 0.0, 0.0, 0.0],),
    ([-2.5, 4.0],),
    ([1000.0, 1001.0, 999.0],),
    ([-3.5, 710.0, 2.0],),
    ([-1000.0, -1002.0, -1001.5],),
]


@checker
def check_softmax(softmax):
    """Exercise 1: softmax(scores) for a list of plain floats, a list of probabilities."""
    exercise = "Exercise 1 (softmax)"
    what = "write the body of softmax: it returns a list of probabilities"
    problem = _judge_each(exercise, softmax, EX1_CASES, what, reference_softmax, _softmax_hint)
    if problem is not None:
        return problem
    return passed(exercise, f"Right on {len(EX1_CASES)} score lists you had not seen, including "
                            f"[1000, 1001, 999], where the textbook formula overflows.")


def _softmax_hint(scores, got):
    m = max(scores)
    exps = [math.exp(z - m) for z in scores]
    total = sum(got)
    if _all_close(got, exps, 1e-6) or abs(total - 1) > 1e-6 and all(g > 0 for g in got):
        return (f"on scores {scores} your probabilities add up to {total:.4f}: divide every "
                f"exponential by their sum, so that they add up to 1.")
    s = sum(scores)
    if s and _all_close(got, [z / s for z in scores], 1e-6):
        return "you divided the scores by their sum: exponentiate them first (scores can be negative)."
    if _all_close(got, [z - m - math.log(sum(exps)) for z in scores], 1e-6):
        return "those are log-probabilities (negative numbers): take exp of them, or skip the log."
    return (f"on scores {scores} your result differs from softmax: p_k = exp(z_k) / sum of exp(z_j), "
            f"computed after subtracting the largest score.")


# ----------------------------------------------------------------------------------------------
# Exercise 2: one entry of the gradient, by hand
# ----------------------------------------------------------------------------------------------

EX2_SCORES, EX2_TARGET, EX2_CLASS = [2.0, 1.0, 0.1], 1, 1


@checker
def check_gradient_entry(answer):
    """Exercise 2: d(loss)/d(z_1) for scores [2, 1, 0.1] and target class 1."""
    exercise = "Exercise 2 (one entry of the gradient)"
    p = reference_softmax(EX2_SCORES)
    expected = engine_gradient(EX2_SCORES, EX2_TARGET)[EX2_CLASS]
    numeric = _finite_difference_gradient(EX2_SCORES, EX2_TARGET)[EX2_CLASS]
    q = p[EX2_CLASS]
    hints = [
        (q, "that is the probability of class 1; the target's entry also subtracts its y, which is 1."),
        (1 - q, "the size is right but the sign is flipped: the gradient is p - y, and raising the "
                "target's score lowers the loss."),
        (-math.log(q), "that is the loss itself, -log p; the question asks for its slope with respect "
                       "to the score z_1."),
        (-1 / q, "that is the derivative with respect to the probability p_1; the softmax in between "
                 "turns it into a derivative with respect to the score."),
        (-1.0, "the one-hot part is right, but p_1 itself is missing: p - y."),
        (q * (1 - q), "that is the slope of p_1 alone; the loss is -log p_1, and the chain rule through "
                      "the log simplifies to p - y."),
    ]
    return check_number(exercise, answer, expected, hints=hints,
                        what="replace the `...` of grad_z1 with a number",
                        otherwise="write down p = softmax([2, 1, 0.1]) first, then use p - y.",
                        confirmed_by=f"backward() gives {expected:.4f}, a finite difference {numeric:.4f}.")


# ----------------------------------------------------------------------------------------------
# Exercise 3: the whole gradient p - y, on cases you have not seen
# ----------------------------------------------------------------------------------------------

EX3_CASES = [
    ([0.5, -1.0, 3.0], 0),
    ([1.0, 2.0, 3.0, 4.0], 3),
    ([-2.0, 0.0], 1),
    ([0.0, 0.0, 0.0], 2),
    ([800.0, -20.0, 3.0], 1),
]


@checker
def check_ce_gradient(gradient):
    """Exercise 3: gradient(scores, target) -> d(cross-entropy)/d(scores) as a list of floats."""
    exercise = "Exercise 3 (the gradient p - y)"
    what = "write the body of ce_gradient: it returns one number per score"
    problem = _judge_each(exercise, gradient, EX3_CASES, what, reference_gradient, _gradient_hint)
    if problem is not None:
        return problem
    # The reference itself, confirmed twice: by the engine's backward() and by finite differences.
    for scores, target in EX3_CASES:
        assert _all_close(engine_gradient(scores, target), reference_gradient(scores, target), 1e-9)
        assert _all_close(_finite_difference_gradient(scores, target), reference_gradient(scores, target), 1e-5)
    return passed(exercise, f"Right on {len(EX3_CASES)} cases you had not seen (scores of 800 "
                            f"included), and the same as the engine's backward() and finite differences.")


def _gradient_hint(scores, target, got):
    p = reference_softmax(scores)
    y = [1.0 if k == target else 0.0 for k in range(len(scores))]
    case = f"on scores {scores} with target {target}"
    if _all_close(got, p, 1e-6):
        return f"{case} you returned the probabilities: the target's entry also subtracts 1 (p - y)."
    if _all_close(got, [b - a for a, b in zip(p, y)], 1e-6):
        return f"{case} every sign is flipped: the gradient is p - y, not y - p."
    for other in range(len(scores)):
        if other != target and _all_close(got, [q - (1.0 if k == other else 0.0) for k, q in enumerate(p)], 1e-6):
            return f"{case} the 1 is subtracted at the wrong entry: y is 1 at index `target` (counting from 0)."
    if abs(sum(got)) > 1e-6:
        return (f"{case} your entries add up to {sum(got):.4f}; the entries of p - y always add up to 0 "
                f"(the probabilities add up to 1, and so does y).")
    return f"{case} your gradient differs from p - y: compute p with a stable softmax first."
