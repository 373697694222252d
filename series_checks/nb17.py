"""Checkers for notebook 17, attention and a tiny GPT.

Exercise 1 is a count (the scores one causal head computes for a name). Exercise 2 runs the
learner's `causal_attention_weights` on sequences drawn for each check (`fresh_rng`): lengths,
positions, sizes of d and scores near 1000 that no learner has seen, so no table of earlier cases
can pass. The reference and the usual wrong versions live inside the check function, so nothing in
this module passes as the answer; a wrong answer is compared with each wrong version to name the
mistake, and hints never show the expected weights.
"""

import math

from . import (call_safely, check_number, checker, close, failed, fresh_rng, function_not_ready, passed,
               quiet, read_numbers)
from series_language import N_, _

__all__ = ["check_score_count", "check_causal_weights"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: how many scores one head computes for '.isabella'
# ----------------------------------------------------------------------------------------------

@checker
def check_score_count(answer):
    name = "Exercise 1" + _(" (what attention costs)")
    positions = len(".isabella")
    hints = [
        (positions * positions,
         _("that is every position scoring every key. With the causal mask, position t scores only the "
           "keys of positions 0 to t.")),
        ((positions - 1) * positions // 2,
         _("one row short: position t scores t + 1 keys (itself included), and the model reads 9 "
           "positions, the start '.' and the 8 letters.")),
        (positions * (positions + 1),
         _("that is twice the count: add up the keys each position scores (a triangle, as in the heatmap), "
           "rather than multiplying.")),
        ((positions + 1) * (positions + 2) // 2,
         _("the final '.' is only predicted, never read: the model reads 9 positions, not 10.")),
        (positions,
         _("that is the number of positions, one softmax each; count the scores inside each softmax.")),
        ((positions - 1) ** 2,
         _("that is every pair of the 8 letters: read the start '.' too, and let position t score only "
           "the keys 0 to t.")),
    ]
    return check_number(name, answer, positions * (positions + 1) // 2, hints=hints, whole=True,
                        confirmed_by=_("1 + 2 + ... + 9: position t scores the keys of positions 0 to t. "
                                       "The count grows with the square of the length."),
                        otherwise=_("position 0 scores 1 key, position 1 scores 2, ...; how many positions "
                                    "does the model read for '.isabella'?"),
                        what=_("set {name} to a whole number").format(name="score_count"))


# ----------------------------------------------------------------------------------------------
# Exercise 2: the causal attention weights of one position
# ----------------------------------------------------------------------------------------------

_WEIGHT_MISTAKES = [
    ("no mask",
     N_("positions after t got a weight: they are the future. Score only the keys 0 to t, and give every "
        "later position exactly 0.0.")),
    ("mask off by one, itself left out",
     N_("position t must see itself too: score the keys 0 to t, t included (keys[:t + 1]).")),
    ("mask off by one, one too far",
     N_("position t + 1 got a weight: that is one step into the future. Score the keys 0 to t only.")),
    ("no scale",
     N_("the scores are not scaled: divide each dot product q . k by sqrt(d), d the length of q.")),
    ("scale by d",
     N_("you divided the scores by d; divide them by sqrt(d), the square root of the length of q.")),
    ("cut after the softmax",
     N_("you took the softmax over every key and then set the future to 0, so the weights do not sum to 1: "
        "take the softmax over the keys 0 to t only.")),
]


def _cases(rng):
    """Seven sequences: (description, q, keys, t). Sizes of d 1 to 16, t first, last and inside,
    and two with scores near +-1000, where exp overflows unless the largest score is taken out."""
    cases = []
    for d, length, where in ((4, 6, "inside"), (1, 5, "last"), (8, 7, "first"), (16, 9, "inside"),
                             (3, 1, "last")):
        d = d if d in (1, 16) else rng.randint(max(2, d - 1), d + 2)
        length = length if length == 1 else rng.randint(length - 1, length + 2)
        t = 0 if where == "first" else length - 1 if where == "last" else rng.randint(1, length - 3)  # t+1 < last
        q = [rng.gauss(0, 1) for _ in range(d)]
        keys = [[rng.gauss(0, 1) for _ in range(d)] for _ in range(length)]
        cases.append((_("d={d}, {length} positions, t={t}").format(d=d, length=length, t=t), q, keys, t))
    d, length = rng.randint(4, 6), rng.randint(5, 7)
    t = rng.randint(2, length - 2)
    q = [rng.uniform(20, 25) * (1 if i % 2 == 0 else -1) for i in range(d)]
    keys = [[rng.uniform(20, 25) * (1 if i % 2 == 0 else -1) * (1 + 0.002 * s) for i in range(d)]
            for s in range(length)]
    cases.append((_("d={d}, {length} positions, t={t}, scores near +1000").format(d=d, length=length, t=t),
                  q, keys, t))
    cases.append((_("d={d}, {length} positions, t={t}, scores near -1000").format(d=d, length=length, t=t),
                  q, [[-x for x in k] for k in keys], t))
    return cases


@checker
def check_causal_weights(causal_attention_weights):
    name = "Exercise 2" + _(" (the causal attention weights of a position)")
    unready = function_not_ready(name, causal_attention_weights, "causal_attention_weights", "(q, keys, t)")
    if unready is not None:
        return unready

    def weights(q, keys, t, *, last=None, scale=None, renormalise=True):
        """The reference, or one of the usual wrong versions; computed stably, so it never overflows."""
        d = len(q)
        last = t if last is None else last
        scale = 1 / math.sqrt(d) if scale is None else scale
        scores = [scale * sum(a * b for a, b in zip(q, k)) for k in keys]
        kept = list(range(min(last, len(keys) - 1) + 1)) if renormalise else list(range(len(keys)))
        if not kept:
            return [0.0] * len(keys)
        top = max(scores[s] for s in kept)
        exps = {s: math.exp(scores[s] - top) for s in kept}
        total = sum(exps.values())
        out = [exps[s] / total if s in exps else 0.0 for s in range(len(keys))]
        if not renormalise:
            out = [p if s <= t else 0.0 for s, p in enumerate(out)]
        return out

    def mistake(kind, q, keys, t):
        d = len(q)
        if kind == "no mask":
            return weights(q, keys, len(keys) - 1)
        if kind == "mask off by one, itself left out":
            return weights(q, keys, t, last=t - 1)
        if kind == "mask off by one, one too far":
            return weights(q, keys, t, last=t + 1)
        if kind == "no scale":
            return weights(q, keys, t, scale=1.0)
        if kind == "scale by d":
            return weights(q, keys, t, scale=1.0 / d)
        if kind == "cut after the softmax":
            return weights(q, keys, t, renormalise=False)
        raise ValueError(kind)

    cases = _cases(fresh_rng())
    for description, q, keys, t in cases:
        where = _("for a sequence with {description}").format(description=description)
        arguments = (list(q), [list(k) for k in keys], t)
        with quiet():   # first without a word, to give an overflow its own hint
            ok, result = call_safely(name, causal_attention_weights, *arguments, case=where)
        if not ok:
            if "OverflowError" in result.message:
                return failed(name, _("{where} math.exp overflowed. Subtract the largest score before taking "
                                      "exp (the stable softmax of notebook 13): the weights do not change.").format(
                                          where=where))
            if "ZeroDivisionError" in result.message:
                return failed(name, _("{where} every exp came out as 0 (the scores are far below 0), so the sum "
                                      "was 0. Subtract the largest score before taking exp (the stable softmax of "
                                      "notebook 13): the weights do not change.").format(where=where))
            return call_safely(name, causal_attention_weights, *arguments, case=where)[1]
        got = read_numbers(name, result, name=_("what {function} returned {where}").format(
            function="causal_attention_weights", where=where), length=len(keys))
        if got is None:
            return False
        expected = weights(q, keys, t)
        if all(close(g, e, 1e-7) for g, e in zip(got[:t + 1], expected[:t + 1])) and \
                all(g == 0.0 for g in got[t + 1:]):
            continue
        for kind, hint in _WEIGHT_MISTAKES:
            wrong = mistake(kind, q, keys, t)
            if any(not close(a, b, 1e-9) and abs(a - b) > 1e-12 for a, b in zip(wrong, expected)) and \
                    all(close(g, w, 1e-7) or abs(g - w) <= 1e-12 for g, w in zip(got, wrong)):
                return failed(name, _("{where}: {hint}").format(where=where, hint=_(hint)))
        future = got[t + 1:]
        if any(g != 0.0 for g in future) and all(abs(g) < 1e-6 for g in future) and \
                all(close(g, e, 1e-6) for g, e in zip(got[:t + 1], expected[:t + 1])):
            return failed(name, _("{where} a position after t kept a tiny weight; it must be exactly 0.0, so "
                                  "that the future counts for nothing. Leave the future out of the softmax (or "
                                  "give its scores -inf) rather than a large negative score.").format(where=where))
        if any(g != 0.0 for g in got[t + 1:]):
            return failed(name, _("{where} a position after t got a weight; every position after t must get "
                                  "exactly 0.0.").format(where=where))
        if not close(sum(got), 1.0, 1e-7):
            return failed(name, _("{where} your weights add up to {total}, not 1: divide each exp by the sum "
                                  "over the positions 0 to t.").format(where=where, total=f"{sum(got):.4g}"))
        if any(g < 0 for g in got):
            return failed(name, _("{where} a weight is negative: exponentiate the scores before "
                                  "normalising.").format(where=where))
        return failed(name, _("{where} your weights differ from the softmax of q . k / sqrt(d) over the keys "
                              "0 to t. Check the dot products, the scale, then the exp and the sum.").format(
                                  where=where))
    return passed(name, _("Right on all {count} unseen sequences (d from 1 to 16, the first and the last "
                          "position, scores near +1000 and -1000): the future gets 0, the past sums to "
                          "1.").format(count=len(cases)))
