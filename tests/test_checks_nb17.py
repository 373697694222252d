"""The exercise checkers of notebook 17 (attention and a tiny GPT).

For every checker: an untouched exercise waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback (the shared battery of
tests/checks_battery.py too), and no hint shows the expected value. Exercise 2's sequences are drawn
afresh for each check (a table of the last check's cases fails, the passing line is the same every
time), and nothing the notebook can reach, its own attention code included, passes as the answer.
"""

import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest

import series_checks as sc
from checks_battery import assert_a_lookup_table_fails, assert_no_reachable_answer, assert_refuses_battery
from checks_helpers import (AlwaysEqual, assert_refused, assert_waiting, first_cell_namespace, in_process,  # noqa: F401
                           raises, run, stable_id, two_checks_print_the_same, unwritten)
from micrograd_core import Value
from series_checks import nb17

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
LESSON = "17_attention_and_a_tiny_gpt.ipynb"


HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, "45", 10 ** 400, Value(45.0), AlwaysEqual(), True,
                   [45], 45 + 0j, np.True_, 45.5, -45]
HOSTILE_FUNCTIONS = [raises, lambda *a, **k: math.inf, lambda *a, **k: None, lambda *a, **k: Value(1.0),
                     lambda *a, **k: AlwaysEqual(), lambda *a, **k: [math.nan] * 20, lambda *a, **k: "0.1",
                     42, "softmax", AlwaysEqual(), lambda *a, **k: np.True_, lambda *a, **k: [np.False_] * 20,
                     lambda q, keys, t: [1.0] * len(keys), lambda q, keys, t: [1.0 / len(keys)] * len(keys),
                     lambda q, keys, t: [Value(0.5)] * len(keys), lambda q, keys, t: iter([0.5] * len(keys))]


# ----------------------------------------------------------------------------------------------
# Exercise 1: the number of scores for '.isabella'
# ----------------------------------------------------------------------------------------------

SCORE_MISTAKES = [(81, "every position scoring every key"), (36, "one row short"), (90, "twice the count"),
                  (55, "the final '.' is only predicted"), (9, "the number of positions"),
                  (64, "every pair of the 8 letters"), (44, "position 0 scores 1 key")]


def test_score_count_waits_and_passes(capsys):
    assert_waiting(nb17.check_score_count, ..., capsys)
    for right in (45, 45.0, np.int64(45)):
        verdict, text = run(nb17.check_score_count, right, capsys)
        assert verdict and "✅" in text


@pytest.mark.parametrize("answer, words", SCORE_MISTAKES)
def test_score_count_each_mistake_gets_its_hint(answer, words, capsys):
    verdict, text = assert_refused(nb17.check_score_count, answer, capsys)
    assert words in verdict.message, verdict.message
    assert "45" not in verdict.message


def test_score_count_hints_are_all_different(capsys):
    messages = [assert_refused(nb17.check_score_count, a, capsys)[0].message for a, _ in SCORE_MISTAKES]
    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_score_count_refuses_hostile_answers(answer, capsys):
    assert_refused(nb17.check_score_count, answer, capsys)


def test_score_count_refuses_the_shared_battery():
    assert_refuses_battery(nb17.check_score_count, (45,), 0, secrets=[45])


# ----------------------------------------------------------------------------------------------
# Exercise 2: the causal attention weights of a position
# ----------------------------------------------------------------------------------------------

def _softmax_of(scores):
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


def causal_weights(q, keys, t):
    scores = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) for k in keys[:t + 1]]
    return _softmax_of(scores) + [0.0] * (len(keys) - t - 1)


def with_minus_inf(q, keys, t):
    """The libraries' spelling: every score kept, the future at -inf (numpy, as a learner may write it)."""
    scores = np.array([np.dot(q, k) for k in keys]) / np.sqrt(len(q))
    scores[t + 1:] = -np.inf
    e = np.exp(scores - scores.max())
    return list(e / e.sum())


def with_a_huge_negative_mask(q, keys, t):
    scores = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) if s <= t else -1e30 for s, k in enumerate(keys)]
    return _softmax_of(scores)


def no_mask(q, keys, t):
    return causal_weights(q, keys, len(keys) - 1)


def itself_left_out(q, keys, t):
    if t == 0:
        return [0.0] * len(keys)
    return causal_weights(q, keys[:t], t - 1) + [0.0] * (len(keys) - t)


def one_too_far(q, keys, t):
    return causal_weights(q, keys, min(t + 1, len(keys) - 1))


def no_scale(q, keys, t):
    return _softmax_of([sum(a * b for a, b in zip(q, k)) for k in keys[:t + 1]]) + [0.0] * (len(keys) - t - 1)


def scaled_by_d(q, keys, t):
    return _softmax_of([sum(a * b for a, b in zip(q, k)) / len(q) for k in keys[:t + 1]]) + [0.0] * (len(keys) - t - 1)


def cut_after_the_softmax(q, keys, t):
    full = causal_weights(q, keys, len(keys) - 1)
    return [w if s <= t else 0.0 for s, w in enumerate(full)]


def masked_with_minus_30(q, keys, t):
    scores = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) if s <= t else -30.0 for s, k in enumerate(keys)]
    return _softmax_of(scores)


def unstable(q, keys, t):
    """The softmax without its largest score taken out: overflows near +1000, 0/0 near -1000."""
    exps = [math.exp(sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q))) for k in keys[:t + 1]]
    return [e / sum(exps) for e in exps] + [0.0] * (len(keys) - t - 1)


def shifted_only_when_positive(q, keys, t):
    """Takes the largest score out only when it is positive (against overflow): 0/0 near -1000."""
    scores = [sum(a * b for a, b in zip(q, k)) / math.sqrt(len(q)) for k in keys[:t + 1]]
    shift = max(max(scores), 0.0)
    exps = [math.exp(s - shift) for s in scores]
    return [e / sum(exps) for e in exps] + [0.0] * (len(keys) - t - 1)


def unnormalised(q, keys, t):
    return [2 * w for w in causal_weights(q, keys, t)]


def tiny_weight_in_the_future(q, keys, t):
    return [w if s <= t else 1e-9 for s, w in enumerate(causal_weights(q, keys, t))]


def future_gets_a_weight(q, keys, t):
    w = causal_weights(q, keys, t)
    return [x if s <= t else 0.25 for s, x in enumerate(w)]


WEIGHT_MISTAKES = [
    (no_mask, "positions after t got a weight: they are the future"),
    (itself_left_out, "position t must see itself too"),
    (one_too_far, "one step into the future"),
    (no_scale, "the scores are not scaled"),
    (scaled_by_d, "you divided the scores by d"),
    (cut_after_the_softmax, "you took the softmax over every key and then set the future to 0"),
    (masked_with_minus_30, "a position after t kept a tiny weight"),
    (unstable, "math.exp overflowed"),
    (shifted_only_when_positive, "every exp came out as 0"),
    (unnormalised, "add up to"),
    (future_gets_a_weight, "a position after t got a weight"),
]


def test_weights_wait_and_pass(capsys):
    assert_waiting(nb17.check_causal_weights, ..., capsys)
    assert_waiting(nb17.check_causal_weights, unwritten, capsys)
    for right in (causal_weights, with_minus_inf, with_a_huge_negative_mask):
        verdict, text = run(nb17.check_causal_weights, right, capsys)
        assert verdict and "✅" in text, text


@pytest.mark.parametrize("fn, words", WEIGHT_MISTAKES, ids=[f.__name__ for f, _ in WEIGHT_MISTAKES])
def test_weights_each_mistake_gets_its_hint(fn, words, capsys):
    for _ in range(3):   # the cases are drawn afresh: the hint must not depend on the draw
        verdict, text = assert_refused(nb17.check_causal_weights, fn, capsys)
        assert words in verdict.message, verdict.message
        assert text.count("\n") == 1, "one line per check"


def test_weights_a_tiny_future_weight_is_named(capsys):
    verdict, _ = assert_refused(nb17.check_causal_weights, tiny_weight_in_the_future, capsys)
    assert "a position after t kept a tiny weight" in verdict.message


def test_weights_hints_are_all_different(capsys):
    """Each mistake's words appear in its own hint only."""
    for fn, words in WEIGHT_MISTAKES:
        message = assert_refused(nb17.check_causal_weights, fn, capsys)[0].message
        assert [w for _, w in WEIGHT_MISTAKES if w in message] == [words], message


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_weights_refuse_hostile_answers(fn, capsys):
    assert_refused(nb17.check_causal_weights, fn, capsys)


def test_weights_refuse_the_shared_battery():
    assert_refuses_battery(nb17.check_causal_weights, (causal_weights,), 0, kind="function")


def test_weights_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb17.check_causal_weights, causal_weights)
    two_checks_print_the_same(nb17.check_causal_weights, causal_weights)


def test_weights_have_no_answer_key_in_reach():
    """Nothing the learner has, the notebook's own attention code included, passes as the answer."""
    import bench_gpt
    import micrograd_core
    namespace = first_cell_namespace(LESSON)
    lesson = {"math": math, "random": random, "Value": Value, "Module": micrograd_core.Module, "V": 27,
              "stoi": {}, "weighted_sum": micrograd_core.weighted_sum, "linear": micrograd_core.linear,
              "cross_entropy": micrograd_core.cross_entropy}
    for source in bench_gpt.model_cells():
        exec(source, lesson)
    lesson = {k: v for k, v in lesson.items() if k != "__builtins__"}
    assert_no_reachable_answer(nb17.check_causal_weights, nb17, namespace, lesson)
    assert_no_reachable_answer(nb17.check_score_count, nb17, namespace, lesson)


def test_checkers_leave_the_random_state_alone():
    random.seed(5)
    before = random.getstate()
    nb17.check_score_count(45)
    nb17.check_causal_weights(causal_weights)
    assert random.getstate() == before
