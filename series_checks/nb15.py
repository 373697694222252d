"""Checkers for notebook 15, a character-level language model.

The checkers need no data file: Exercise 2 runs the learner's function on names made up for each
check, and Exercise 3 on logits drawn for each check (`fresh_rng`), so no learner has seen the cases
and no table of earlier cases can pass. Each reference lives inside its check function, so nothing in
this module passes as the answer. A wrong answer is compared with the usual wrong versions to name
the mistake; hints never show the expected value.
"""

import itertools
import math
import string

from . import (call_safely, check_number, checker, close, describe, failed, fresh_rng, function_not_ready,
               passed, quiet, read_numbers)
from series_language import N_, _

__all__ = ["check_uniform_loss", "check_build_examples", "check_next_char_probabilities"]

SYMBOLS = 27  # 26 letters and the '.' that marks the start and the end of a name


# ----------------------------------------------------------------------------------------------
# Exercise 1: the loss of a model that knows nothing
# ----------------------------------------------------------------------------------------------

@checker
def check_uniform_loss(answer):
    name = "Exercise 1" + _(" (the loss of knowing nothing)")
    n = SYMBOLS
    hints = [
        (n, _("that is the number of symbols. The loss is the negative log of the probability the model "
              "gives the right character.")),
        (1 / n, _("that is the probability of each symbol; the loss is minus its logarithm.")),
        (math.log(1 / n), _("the size is right but the loss is the *negative* log-likelihood, so it is "
                            "positive.")),
        (math.log2(n), _("that is the logarithm in base 2 (bits); the loss uses the natural log.")),
        (math.log10(n), _("that is the logarithm in base 10; the loss uses the natural log (math.log).")),
        (math.log(26), _("26 letters, but the '.' that ends a name is a symbol the model can predict too.")),
        (math.log(28), _("count the symbols again: 26 letters and one '.' that serves for both ends.")),
    ]
    return check_number(name, answer, math.log(n), hints=hints,
                        confirmed_by=_("-log(1/{n}) for every character, so the average is the same on any "
                                       "data; the lesson's curves start there.").format(n=n),
                        otherwise=_("what probability does this model give the right character? The loss of "
                                    "one character is minus the natural log of that probability."),
                        what=_("set {name} to a number").format(name="uniform_loss"))


# ----------------------------------------------------------------------------------------------
# Exercise 2: (context, next) pairs
# ----------------------------------------------------------------------------------------------

_EXAMPLE_MISTAKES = [
    ({"end": False}, N_("every name needs one more pair: after its last letter the model must learn to "
                        "predict '.', or it never learns to stop.")),
    ({"pad": False}, N_("every context must be exactly block_size characters long: pad the start of a name "
                        "with '.' instead of using a shorter context.")),
    ({"reset": False}, N_("the context of a new name still holds letters of the previous name: start every "
                          "name again from an all-'.' context.")),
    ({"slide": False}, N_("the context never changes: after each pair, append the character just predicted "
                          "and drop the oldest one.")),
]


def _made_up_name(rng, shortest, longest):
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(shortest, longest)))


def _example_cases(rng):
    """Five cases drawn with rng, (names, block_size): the block sizes 1 to 5 in some order. The first
    has three names (the middle one of one letter) and a block of 2 to 5, so that a context carried
    over from the previous name shows; then two names, one long name, an empty list, one name."""
    first = rng.randint(2, 5)
    blocks = [first] + rng.sample([b for b in range(1, 6) if b != first], 4)
    return [
        ([_made_up_name(rng, 2, 6), _made_up_name(rng, 1, 1), _made_up_name(rng, 3, 8)], blocks[0]),
        ([_made_up_name(rng, 2, 7), _made_up_name(rng, 2, 7)], blocks[1]),
        ([_made_up_name(rng, 9, 12)], blocks[2]),
        ([], blocks[3]),
        ([_made_up_name(rng, 3, 7)], blocks[4]),
    ]


def _as_pairs(exercise, result, where, most):
    """The learner's examples as a list of (str, str), at most `most` of them read (the rest is never
    looked at), or None after printing why not."""
    if not isinstance(result, (list, tuple)):
        failed(exercise, _("build_examples returned {what} {where}; return a list of (context, next_character) "
                           "pairs.").format(what=describe(result), where=where))
        return None
    pairs = []
    for k, item in enumerate(itertools.islice(iter(result), most)):
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            failed(exercise, _("item {index} of what build_examples returned {where} is {what}; each item "
                               "should be a pair (context, next_character).").format(index=k, where=where,
                                                                                     what=describe(item)))
            return None
        context, nxt = item
        if isinstance(context, (list, tuple)) and all(type(c) is str for c in context):
            context = "".join(context)
        if type(context) is not str or type(nxt) is not str:
            failed(exercise, _("pair {index} {where} holds {context} and {next}; the context should be a string "
                               "of characters and the next character a one-letter string.").format(
                                   index=k, where=where, context=describe(context), next=describe(nxt)))
            return None
        pairs.append((str(context), str(nxt)))
    return pairs


@checker
def check_build_examples(build_examples):
    name = "Exercise 2" + _(" (build the examples)")
    unready = function_not_ready(name, build_examples, "build_examples", "(names_list, block_size)")
    if unready is not None:
        return unready

    def examples(names, block, *, end=True, pad=True, reset=True, slide=True):
        """The examples of the lesson (strings), or one of the usual wrong versions."""
        out = []
        context = "." * block if pad else ""
        for word in names:
            if reset:
                context = "." * block if pad else ""
            for ch in word + ("." if end else ""):
                out.append((context, ch))
                if slide:
                    context = (context + ch)[-block:]
        return out

    cases = _example_cases(fresh_rng())
    for names, block in cases:
        where = _("for names {names} with block_size={block}").format(names=names, block=block)
        ok, result = call_safely(name, build_examples, list(names), block, case=where)
        if not ok:
            return result
        expected = examples(names, block)
        got = _as_pairs(name, result, where, most=len(expected) + 1)
        if got is None:
            return False
        if got == expected:
            continue
        for changes, hint in _EXAMPLE_MISTAKES:
            if got == examples(names, block, **changes):
                return failed(name, _("{where}: {hint}").format(where=where, hint=_(hint)))
        if any(len(c) != block for c, _next in got):
            wrong = next(c for c, _next in got if len(c) != block)
            return failed(name, _("{where}, your context {context} has {count} characters; every context "
                                  "should have block_size characters.").format(where=where, context=repr(wrong),
                                                                               count=len(wrong)))
        if len(got) > len(expected):
            return failed(name, _("{where} you made too many pairs; count one pair per letter of each name, "
                                  "plus one for the '.' that ends it.").format(where=where))
        if len(got) != len(expected):
            return failed(name, _("{where} you made {count} pairs; count one pair per letter of each name, plus "
                                  "one for the '.' that ends it.").format(where=where, count=len(got)))
        k = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
        return failed(name, _("{where}, your pair {index} is {pair}, which is not what the sliding window "
                              "gives. Write out the pairs of the first name by hand and compare.").format(
                                  where=where, index=k, pair=repr(got[k])))
    return passed(name, _("All pairs of {count} cases made up for this check (block sizes 1 to 5, a one-letter "
                          "name and an empty list among them) match, in order.").format(count=len(cases)))


# ----------------------------------------------------------------------------------------------
# Exercise 3: temperature and top-k
# ----------------------------------------------------------------------------------------------

# The usual wrong versions (see the check), each with its hint, tried in this order.
_PROBABILITY_MISTAKES = [
    ("multiplied by the temperature",
     N_("you multiplied the logits by the temperature; divide them, so that T > 1 flattens the distribution "
        "and T < 1 sharpens it.")),
    ("top_k ignored",
     N_("every character kept some probability: top_k was ignored. Only the top_k largest logits may keep a "
        "probability above 0.")),
    ("cut after the softmax",
     N_("you zeroed the characters outside the top k after the softmax, so what is left does not sum to 1: "
        "share the probability among the kept characters only.")),
    ("smallest kept",
     N_("you kept the top_k *smallest* logits; keep the largest ones.")),
    ("temperature ignored",
     N_("your probabilities do not depend on the temperature: divide the logits by it before the softmax.")),
]

# Outside the top k a probability must be 0: at most this much is read as 0 (rounding, exp(-100)).
OUTSIDE_TOP_K = 1e-12


def _distinct_logits(rng, n, centre, spread):
    while True:
        logits = [centre + rng.gauss(0, spread) for _ in range(n)]
        if len(set(logits)) == n:   # no ties, so the top k is one set
            return logits


def _probability_cases(rng):
    """Seven cases drawn with rng: (description, logits, temperature, top_k)."""
    cases = []
    for n, temperature, top_k in (
            (27, 1.0, 27),
            (27, round(rng.uniform(0.5, 0.9), 2), rng.randint(3, 8)),
            (rng.randint(8, 15), round(rng.uniform(1.5, 3.0), 2), rng.randint(2, 4)),
            (rng.randint(4, 8), round(rng.uniform(0.2, 0.4), 2), None),
            (27, round(rng.uniform(1.1, 1.6), 2), 1)):
        top_k = n if top_k is None else top_k
        cases.append((_("{count} random logits, temperature={temperature}, top_k={top_k}").format(
                          count=n, temperature=temperature, top_k=top_k),
                      _distinct_logits(rng, n, 0.0, 2.0), temperature, top_k))
    cases.append((_("5 large logits around 1000, temperature=1.0, top_k=4"),
                  _distinct_logits(rng, 5, 997.0, 3.0), 1.0, 4))
    cases.append((_("4 very negative logits around -800, temperature=0.5, top_k=3"),
                  _distinct_logits(rng, 4, -800.0, 2.0), 0.5, 3))
    return cases


@checker
def check_next_char_probabilities(next_char_probabilities):
    name = "Exercise 3" + _(" (temperature and top-k)")
    unready = function_not_ready(name, next_char_probabilities, "next_char_probabilities", "(logits, temperature, top_k)")
    if unready is not None:
        return unready

    def top_k_softmax(logits, temperature, top_k, *, divide=True, keep_largest=True):
        """The reference, or one of the usual wrong versions (computed stably, so it never overflows)."""
        order = sorted(range(len(logits)), key=lambda i: logits[i], reverse=keep_largest)[:top_k]
        scaled = {i: (logits[i] / temperature if divide else logits[i] * temperature) for i in order}
        biggest = max(scaled.values())
        weights = [math.exp(scaled[i] - biggest) if i in scaled else 0.0 for i in range(len(logits))]
        total = sum(weights)
        return [w / total for w in weights]

    def mistake(kind, logits, temperature, top_k):
        if kind == "multiplied by the temperature":
            return top_k_softmax(logits, temperature, top_k, divide=False)
        if kind == "top_k ignored":
            return top_k_softmax(logits, temperature, len(logits))
        if kind == "cut after the softmax":
            full = top_k_softmax(logits, temperature, len(logits))
            keep = set(sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k])
            return [p if i in keep else 0.0 for i, p in enumerate(full)]
        if kind == "smallest kept":
            return top_k_softmax(logits, temperature, top_k, keep_largest=False)
        return top_k_softmax(logits, 1.0, top_k)   # the temperature ignored

    cases = _probability_cases(fresh_rng())
    for description, logits, temperature, top_k in cases:
        where = _("for {description}").format(description=description)
        with quiet():  # first without a word, to recognise an overflow and give it its own hint
            ok, result = call_safely(name, next_char_probabilities, list(logits), temperature, top_k, case=where)
        if not ok:
            if "OverflowError" in result.message:
                return failed(name, _("{where} math.exp overflowed. Subtract the largest logit before taking exp "
                                      "(notebook 13): the probabilities do not change.").format(where=where))
            return call_safely(name, next_char_probabilities, list(logits), temperature, top_k, case=where)[1]
        got = read_numbers(name, result, name=_("what {function} returned {where}").format(
            function="next_char_probabilities", where=where), length=len(logits))
        if got is None:
            return False
        expected = top_k_softmax(logits, temperature, top_k)
        kept = set(sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k])
        outside = [abs(g) for i, g in enumerate(got) if i not in kept]
        if all(close(got[i], expected[i], 1e-7) for i in kept) and all(o <= OUTSIDE_TOP_K for o in outside):
            continue
        for kind, hint in _PROBABILITY_MISTAKES:
            if all(close(g, w, 1e-7) for g, w in zip(got, mistake(kind, logits, temperature, top_k))):
                return failed(name, _("{where}: {hint}").format(where=where, hint=_(hint)))
        if outside and OUTSIDE_TOP_K < max(outside) <= 1e-3:
            return failed(name, _("{where} a character outside the top_k still has a tiny probability "
                                  "({probability}). Outside the top k the probability must be exactly 0, so that "
                                  "sampling can never pick it: leave those characters out of the softmax (weight "
                                  "0.0) rather than adding a small number to every weight or masking with a logit "
                                  "that is not low enough.").format(where=where, probability=f"{max(outside):.0e}"))
        if not close(sum(got), 1.0, 1e-7):
            return failed(name, _("{where} your probabilities add up to {total}, not 1: divide by the sum of the "
                                  "kept weights.").format(where=where, total=f"{sum(got):.4g}"))
        if any(g < 0 for g in got):
            return failed(name, _("{where} a probability is negative: exponentiate the scaled logits before "
                                  "normalising.").format(where=where))
        if sum(1 for g in got if g > 0) != min(top_k, len(logits)):
            return failed(name, _("{where} {count} characters have a probability above 0; exactly top_k of them "
                                  "should.").format(where=where, count=sum(1 for g in got if g > 0)))
        return failed(name, _("{where} your probabilities differ from softmax(logits / temperature) over the "
                              "top_k largest logits. Check the scaling, then the exp and the sum.").format(
                                  where=where))
    return passed(name, _("Right on all {count} unseen cases, including logits near 1000 and -800 and top_k=1 "
                          "(which always picks the most likely character).").format(count=len(cases)))
