"""Checkers for notebook 16, training that stays healthy.

Exercise 1 is a number. Exercises 2 and 3 run the learner's function on cases drawn for each check
(`fresh_rng`): Exercise 2 on layer sizes and gains nobody has seen, whose weights are judged by their
statistics (size, centre, shape of the distribution, reproducibility from the generator given);
Exercise 3 on vectors of Values of every scale, whose outputs and gradients are compared with the
engine and with finite differences (`gradient_check`). Every reference lives inside its check
function, so nothing in this module passes as the answer; a wrong answer is compared with the usual
wrong versions to name the mistake, and hints never show the expected value.
"""

import itertools
import math
import random

from . import (call_safely, check_number, checker, describe, failed, fresh_rng, function_not_ready,
               is_unwritten, is_waiting, passed, quiet, read_numbers, waiting)
from series_language import N_, _

__all__ = ["check_tanh_gradient", "check_fan_in_weights", "check_rms_norm"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: the gradient through a saturated tanh unit
# ----------------------------------------------------------------------------------------------

@checker
def check_tanh_gradient(answer):
    name = "Exercise 1" + _(" (through a saturated unit)")
    t, upstream = 0.995, 2.0
    hints = [
        (upstream * t, _("that is the upstream gradient times t. tanh's local derivative is written with t, "
                         "but it is not t itself.")),
        (upstream * (1 - t), _("that uses 1 - t; tanh's local derivative is 1 - t², with t squared.")),
        (1 - t * t, _("that is tanh's local derivative alone. The chain-rule step multiplies it by the "
                      "gradient arriving from above.")),
        (upstream * t * t, _("that uses t²; the local derivative is 1 minus that.")),
        (upstream * (1 - math.tanh(t) ** 2), _("0.995 is the unit's output t, not its input: the local "
                                               "derivative 1 - t² uses the output directly, with no tanh to "
                                               "apply.")),
        (upstream, _("that is the upstream gradient unchanged, as if the tanh let everything through. It "
                     "multiplies it by its local derivative first.")),
        (upstream / (1 - t * t), _("you divided by the local derivative; the chain-rule step multiplies by it.")),
        (round(upstream * (1 - t * t), 2), _("close, but rounded: compute it exactly with Python.")),
    ]
    return check_number(name, answer, upstream * (1 - t * t), hints=hints, tol=1e-6,
                        # xgettext:no-python-format
                        confirmed_by=_("The unit passes back 1% of what reaches it: a saturated unit barely "
                                       "learns, and neither does anything below it through this path."),
                        otherwise=_("multiply the gradient arriving from above by tanh's local derivative, "
                                    "written with the output t."),
                        what=_("set {name} to a number").format(name="grad_in"))


# ----------------------------------------------------------------------------------------------
# Exercise 2: fan-in initialisation
# ----------------------------------------------------------------------------------------------

def _std_mistakes(fan_in, fan_out, gain):
    """The std of each usual wrong version of the weights, with its hint."""
    return [
        (1 / math.sqrt(fan_in), N_("the size is that of gain 1: multiply by the gain you are given.")),
        (gain / fan_in, N_("you divided by fan_in; divide by its square root: the variance of a sum grows like "
                           "fan_in, so its size (std) grows like sqrt(fan_in).")),
        (gain / math.sqrt(fan_out), N_("you scaled by fan_out; what a neuron adds up is its fan_in inputs, so "
                                       "scale by those.")),
        (math.sqrt(gain / fan_in), N_("the gain ended up inside the square root; it multiplies the std outside "
                                      "it.")),
        (gain * math.sqrt(fan_in), N_("you multiplied by sqrt(fan_in); divide by it, so that wider layers get "
                                      "smaller weights.")),
        (gain ** 2 / math.sqrt(fan_in), N_("you multiplied by the gain squared; the std is multiplied by the "
                                           "gain once.")),
        (1.0, N_("these are the naive weights of std 1: scale them by the number of inputs.")),
        (gain, N_("every weight has the gain as its std: divide by sqrt(fan_in) too.")),
        (math.sqrt(2 / fan_in), N_("that is ReLU's gain sqrt(2); use the gain you are given.")),
    ]


# Two stds closer than this (relative) could be confused with each other.
SEPARATION = 0.08


def _apart(a, b):
    return abs(a / b - 1) > SEPARATION and abs(b / a - 1) > SEPARATION


def _mistakes_that_apply(fan_in, fan_out, gain):
    """The wrong versions that give another std than the right one in this case."""
    right = gain / math.sqrt(fan_in)
    return [(std, hint) for std, hint in _std_mistakes(fan_in, fan_out, gain) if _apart(std, right)]


def _init_cases(rng):
    """Three cases drawn with rng, (fan_in, fan_out, gain): tanh's gain, a gain drawn between 2 and 3,
    and ReLU's. fan_in * fan_out is about 12,000 to 18,000 weights, so that their std is measured to
    within about 0.6%; every usual wrong version gives a std at least 8% away from the right one and
    from every other wrong version, so that each mistake is named for what it is."""
    cases = []
    for kind in ("tanh", "drawn", "relu"):
        while True:
            gain = {"tanh": 5 / 3, "relu": math.sqrt(2)}.get(kind) or round(rng.uniform(2.0, 3.0), 2)
            fan_in = rng.randint(20, 400)
            fan_out = max(1, round(rng.uniform(12_000, 18_000) / fan_in))
            # A mistake either is the right formula in this case (ReLU's gain when the gain is
            # sqrt(2)) or is caught: its std 8% or more from the right one (fan_out close to fan_in
            # would let "scaled by fan_out" pass) and from every other mistake's.
            right = gain / math.sqrt(fan_in)
            stds = [std for std, _ in _std_mistakes(fan_in, fan_out, gain)]
            if not all(_apart(std, right) or math.isclose(std, right, rel_tol=1e-12) for std in stds):
                continue
            caught = [std for std, _ in _mistakes_that_apply(fan_in, fan_out, gain)]
            if all(_apart(a, b) for a, b in itertools.combinations(caught, 2)):
                break
        cases.append((fan_in, fan_out, gain))
    return cases


def _gain_text(gain):
    return {5 / 3: "5/3", math.sqrt(2): "sqrt(2)"}.get(gain, f"{gain:g}")


def _read_rows(exercise, result, fan_in, fan_out, where):
    """The weights as a list of fan_out rows of fan_in floats, or None after printing why not."""
    problem = _("fan_in_weights returned {what} {where}; return a list of fan_out rows, each a list of fan_in "
                "numbers.").format(what=describe(result), where=where)
    if not isinstance(result, (list, tuple)) and type(result).__name__ != "ndarray":
        failed(exercise, problem)
        return None
    try:   # never more rows than could make sense: a list may be huge, or never end
        rows = list(itertools.islice(iter(result), max(fan_in, fan_out) + 1))
    except Exception:  # noqa: BLE001 - a 0-d array, or an object that fails to iterate
        failed(exercise, problem)
        return None
    if len(rows) != fan_out:
        if len(rows) == fan_in and all(isinstance(r, (list, tuple)) and len(r) == fan_out for r in rows[:3]):
            failed(exercise, _("{where} you returned fan_in rows of fan_out numbers: the rows are the neurons, "
                               "so make fan_out rows, each with one weight per input (fan_in).").format(where=where))
        elif len(rows) > fan_out:
            failed(exercise, _("{where} you returned more than {count} rows; make one row per neuron: fan_out "
                               "rows.").format(where=where, count=fan_out))
        else:
            failed(exercise, _("{where} you returned {count} rows; make one row per neuron: fan_out rows.").format(
                where=where, count=len(rows)))
        return None
    out = []
    for k, row in enumerate(rows):
        values = read_numbers(exercise, row, name=_("row {index} of what fan_in_weights returned {where}").format(
                                  index=k, where=where), length=fan_in)
        if values is None:
            return None
        out.append(values)
    return out


def _statistics(rows):
    flat = [w for row in rows for w in row]
    n = len(flat)
    mean = math.fsum(flat) / n
    var = math.fsum((w - mean) ** 2 for w in flat) / n
    std = math.sqrt(var)
    kurtosis = math.fsum((w - mean) ** 4 for w in flat) / n / (var * var) if var > 0 else 0.0
    return n, mean, std, kurtosis, max(flat) == min(flat)


# Tolerances: the std of 12,000 normal draws is within 0.65% of its true value (one standard error),
# so 4% is six standard errors; a normal distribution's kurtosis is 3 (a uniform one's 1.8), and
# measured on 12,000 draws it is within 0.045 of 3 (one standard error), so 2.6 to 3.4 is nine.
STD_TOLERANCE = 0.04
KURTOSIS_RANGE = (2.6, 3.4)


@checker
def check_fan_in_weights(fan_in_weights):
    name = "Exercise 2" + _(" (fan-in initialisation)")
    unready = function_not_ready(name, fan_in_weights, "fan_in_weights", "(fan_in, fan_out, gain, rng)")
    if unready is not None:
        return unready

    draw = fresh_rng()
    cases = _init_cases(draw)
    for k, (fan_in, fan_out, gain) in enumerate(cases):
        where = _("for fan_in={fan_in}, fan_out={fan_out}, gain={gain}").format(fan_in=fan_in, fan_out=fan_out,
                                                                                gain=_gain_text(gain))
        seed = draw.randrange(2 ** 32)
        results = []
        for s in ((seed, seed, seed + 1) if k == 0 else (seed,)):   # reproducible: checked on the first case
            ok, result = call_safely(name, fan_in_weights, fan_in, fan_out, gain, random.Random(s), case=where)
            if not ok:
                return result
            rows = _read_rows(name, result, fan_in, fan_out, where)
            if rows is None:
                return False
            results.append(rows)
        same_seed = k > 0 or results[0] == results[1]
        other_seed = k > 0 or results[0] != results[2]
        n, mean, std, kurtosis, all_equal = _statistics(results[0])

        right = gain / math.sqrt(fan_in)
        if all_equal:
            return failed(name, _("{where} every weight is the same number: draw each one at random, with "
                                  "rng.gauss.").format(where=where))
        if not same_seed:
            return failed(name, _("{where}, two calls with generators seeded alike gave different weights: draw "
                                  "with the rng you are given (rng.gauss(...)), not with the module random, so "
                                  "that a seed fixes the whole network.").format(where=where))
        if not other_seed:
            return failed(name, _("{where}, generators with different seeds gave the same weights: draw every "
                                  "weight from rng, so that the seed decides them.").format(where=where))
        if kurtosis < KURTOSIS_RANGE[0]:    # flat-topped: a uniform distribution (its kurtosis is 1.8)
            if abs(std * math.sqrt(3) / right - 1) <= STD_TOLERANCE:
                return failed(name, _("{where} you drew from a uniform distribution between -std and std, whose "
                                      "own std is only std/sqrt(3): draw from a normal distribution "
                                      "(rng.gauss).").format(where=where))
            return failed(name, _("{where} the weights do not have a normal distribution (they look uniform): "
                                  "draw each one with rng.gauss.").format(where=where))
        if abs(std / right - 1) > STD_TOLERANCE:
            for wrong, hint in _mistakes_that_apply(fan_in, fan_out, gain):
                if abs(std / wrong - 1) <= STD_TOLERANCE:
                    return failed(name, _("{where}: {hint}").format(where=where, hint=_(hint)))
            if std > right:
                return failed(name, _("{where} the weights are too large (measured by their std). The std of each "
                                      "weight should be the gain divided by the square root of the number of "
                                      "inputs.").format(where=where))
            return failed(name, _("{where} the weights are too small (measured by their std). The std of each "
                                  "weight should be the gain divided by the square root of the number of "
                                  "inputs.").format(where=where))
        if abs(mean) > 6 * std / math.sqrt(n):
            return failed(name, _("{where} the weights are not centred on 0 (their average is {mean}): draw them "
                                  "with mean 0.").format(where=where, mean=f"{mean:.3g}"))
        if kurtosis > KURTOSIS_RANGE[1]:
            return failed(name, _("{where} the weights have the right size but not a normal distribution (a few "
                                  "are far too large): draw each one with rng.gauss.").format(where=where))
    return passed(name, _("On {count} layers made up for this check (12,000 to 18,000 weights each, gains 5/3, "
                          "sqrt(2) and one between 2 and 3): the right shape, the right size within {tolerance}, "
                          "centred, normal, and the same weights from the same seed.").format(
                              count=len(cases), tolerance=f"{STD_TOLERANCE:.0%}"))


# ----------------------------------------------------------------------------------------------
# Exercise 3: RMS norm from engine ops
# ----------------------------------------------------------------------------------------------

EPS = 1e-5


def _norm_cases(rng):
    """Five vectors drawn with rng, (description, numbers): ordinary, far from 0 on average (where
    subtracting the mean shows), large, tiny (where eps matters), and a single number."""
    def numbers(n, centre, spread):
        return [centre + rng.gauss(0, spread) for _ in range(n)]
    return [
        (_("an ordinary vector"), numbers(rng.randint(4, 8), 0.0, 1.0)),
        (_("a vector whose numbers are far from 0 on average"),
         numbers(rng.randint(3, 6), rng.choice((-1, 1)) * rng.uniform(4, 8), 1.0)),
        (_("a vector of large numbers"), numbers(rng.randint(5, 12), 0.0, rng.uniform(50, 200))),
        (_("a vector of tiny numbers, where eps matters"),
         numbers(rng.randint(4, 8), 0.0, rng.uniform(0.0005, 0.002))),
        (_("a vector of one number"), numbers(1, 0.0, rng.uniform(0.5, 2.0))),
    ]


def _forward_variants(xs):
    """The RMS norm of plain numbers, and the usual wrong versions, each with its hint."""
    n = len(xs)
    ms = math.fsum(x * x for x in xs) / n
    mean = math.fsum(xs) / n
    var = math.fsum((x - mean) ** 2 for x in xs) / n
    right = [x / math.sqrt(ms + EPS) for x in xs]
    wrong = [
        ([x / math.sqrt(ms) if ms > 0 else math.nan for x in xs],
         N_("eps is missing: add eps = 1e-5 to the mean of the squares, inside the square root, so that a "
            "vector of tiny numbers is not blown up.")),
        ([x / (math.sqrt(ms) + EPS) for x in xs], N_("eps belongs inside the square root: sqrt(mean square + "
                                                     "eps).")),
        ([x / math.sqrt(n * ms + EPS) for x in xs], N_("you divided by the root of the *sum* of the squares; use "
                                                        "their mean (divide the sum by the number of inputs).")),
        ([(x - mean) / math.sqrt(var + EPS) for x in xs], N_("that is layer norm: RMS norm does not subtract the "
                                                             "mean, it only divides by the root mean square.")),
        ([x / (ms + EPS) for x in xs], N_("you divided by the mean square itself; take its square root.")),
        ([x * math.sqrt(ms + EPS) for x in xs], N_("you multiplied by the root mean square; divide by it.")),
        ([x / math.sqrt(math.fsum(abs(v) for v in xs) / n + EPS) for x in xs],
         N_("you used the mean of |x|, not of x²: square each number.")),
    ]
    return right, wrong


@checker
def check_rms_norm(rms_norm):
    name = "Exercise 3" + _(" (RMS norm)")
    if is_waiting(rms_norm) or is_unwritten(rms_norm):
        return waiting(name, _("write the body of {name} in place of the `...`").format(name="rms_norm"))
    if not callable(rms_norm):
        return failed(name, _("rms_norm should be a function of a list of Values."))
    from micrograd_core import Value, gradient_check

    def reference(xs):
        n = len(xs)
        mean_square = sum(x * x for x in xs) * (1.0 / n)
        scale = (mean_square + EPS) ** -0.5
        return [x * scale for x in xs]

    rng = fresh_rng()
    cases = _norm_cases(rng)
    checked = []   # (where, numbers) of the cases whose values are right
    for description, numbers in cases:
        if len(numbers) > 1:
            where = _("on {description} ({count} numbers)").format(description=description, count=len(numbers))
        else:
            where = _("on {description} ({count} number)").format(description=description, count=len(numbers))
        xs = [Value(x, label=f"x{i}") for i, x in enumerate(numbers)]
        ok, out = call_safely(name, rms_norm, list(xs), case=where)
        if not ok:
            return out
        if not isinstance(out, (list, tuple)):
            return failed(name, _("rms_norm returned {what} {where}; return a list of Values, one per "
                                  "input.").format(what=describe(out), where=where))
        out = list(itertools.islice(iter(out), len(numbers) + 1))
        if len(out) != len(numbers):
            return failed(name, _("{where} rms_norm returned {count} items for {inputs} inputs; return one Value "
                                  "per input.").format(where=where, count=len(out), inputs=len(numbers)))
        if [x.data for x in xs] != numbers:
            return failed(name, _("{where} rms_norm changed its inputs' .data: build new Values from them with "
                                  "the engine's ops instead.").format(where=where))
        if not all(isinstance(y, Value) for y in out):
            values = read_numbers(name, [y.data if isinstance(y, Value) else y for y in out],
                                  name=_("what {function} returned {where}").format(function="rms_norm",
                                                                                     where=where),
                                  length=len(numbers))
            if values is None:
                return False
            return failed(name, _("{where} rms_norm returned plain numbers: return Values, built from the inputs "
                                  "with the engine's ops, so that gradients can flow back through them.").format(
                                      where=where))
        got = read_numbers(name, [y.data for y in out], name=_("the .data of what rms_norm returned {where}").format(
                               where=where), length=len(numbers))
        if got is None:
            return False
        right, wrong = _forward_variants(numbers)
        if not all(math.isclose(g, r, rel_tol=1e-6, abs_tol=1e-9) for g, r in zip(got, right)):
            for variant, hint in wrong:
                if all(math.isclose(g, w, rel_tol=1e-6, abs_tol=1e-9) for g, w in zip(got, variant)):
                    return failed(name, _("{where}: {hint}").format(where=where, hint=_(hint)))
            return failed(name, _("{where} the outputs are not x / sqrt(mean(x²) + eps) for each x. Compute the "
                                  "mean of the squares once, then scale every input by the same number.").format(
                                      where=where))
        checked.append((where, numbers))

    # Gradients, once the values of every case are right: a mistake that shows in the values is named
    # for what it is (eps outside the square root changes an ordinary vector's values by less than
    # the tolerance when its root mean square is near 0.5; a tiny vector's, by far more).
    for where, numbers in checked:
        # A loss that uses every output differently, against the engine and finite differences.
        weights = [rng.uniform(-1, 1) for _ in numbers]
        leaves = [Value(x) for x in numbers]
        expected = sum(w * y for w, y in zip(weights, reference(leaves)))
        expected.backward()
        learner_leaves = [Value(x) for x in numbers]
        ok, ys = call_safely(name, rms_norm, list(learner_leaves), case=where)
        if not ok:
            return ys
        try:
            loss = sum(w * y for w, y in zip(weights, ys))
            loss.backward()
        except Exception as e:  # noqa: BLE001 - the learner's Values may not support what we do with them
            return failed(name, _("{where} the outputs could not be used in a loss ({error}); return ordinary "
                                  "Values built with the engine's ops.").format(where=where,
                                                                                error=type(e).__name__))
        grads = [v.grad for v in learner_leaves]
        if not all(math.isclose(g, e.grad, rel_tol=1e-6, abs_tol=1e-9 * max(1.0, abs(e.grad)))
                   for g, e in zip(grads, leaves)):
            if all(math.isclose(g, w * (1 / math.sqrt(math.fsum(x * x for x in numbers) / len(numbers) + EPS)),
                                rel_tol=1e-6, abs_tol=1e-12) for g, w in zip(grads, weights)):
                return failed(name, _("{where} the values are right but the gradients are not: the mean square "
                                      "is computed from plain numbers (.data), so no gradient flows through it. "
                                      "Build it from the Values themselves.").format(where=where))
            return failed(name, _("{where} the values are right but the gradients are not: build every step from "
                                  "the input Values with the engine's ops (*, +, **), and return the "
                                  "result.").format(where=where))
        scale = max(1.0, *(abs(x) for x in numbers))
        probe = [Value(x) for x in numbers]
        with quiet():
            report = gradient_check(lambda: sum(w * y for w, y in zip(weights, rms_norm(list(probe)))), probe,
                                    h=1e-6 * scale if scale > 1 else 1e-7, tolerance=1e-4)
        if not report.ok:
            return failed(name, _("{where} backward() and finite differences disagree on your rms_norm: does it "
                                  "give the same result every time it is called?").format(where=where))
    return passed(name, _("On {count} vectors made up for this check (one number, large numbers, tiny numbers "
                          "where eps matters, numbers far from 0): the values match, and the gradients match the "
                          "engine's and gradient_check's finite differences.").format(count=len(cases)))
