"""The exercise checkers of notebooks 14 (optimisers) and 15 (a character-level language model).

For every checker: an untouched exercise waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback (the shared battery of
tests/checks_battery.py too), and no hint shows the expected value. For every exercise that takes a
function: the cases are drawn afresh for each check (a table of the last check's cases fails, the
passing line is the same every time), and nothing the notebook can reach passes as the answer.
"""

import math
import re

import numpy as np
import pytest

import series_checks as sc
from checks_battery import assert_a_lookup_table_fails, assert_no_reachable_answer, assert_refuses_battery
from checks_helpers import (AlwaysEqual, assert_refused, assert_waiting, first_cell_namespace, in_process,  # noqa: F401
                           numbers_in, raises, returns_inf, returns_none, returns_numpy_bools, returns_numpy_true, run,
                           stable_id, two_checks_print_the_same, unwritten)
from micrograd_core import Value
from series_checks import nb14, nb15



HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, "inf", "0.4", 10 ** 400, Value(0.4), AlwaysEqual(),
                   True, [0.4], 3 + 0j, np.True_, np.False_]
HOSTILE_FUNCTIONS = [raises, returns_inf, returns_none, lambda *a, **k: Value(1.0),
                     lambda *a, **k: AlwaysEqual(), lambda *a, **k: [math.nan] * 30,
                     lambda *a, **k: "0.1", 42, "adam", AlwaysEqual(), returns_numpy_true, returns_numpy_bools]


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 1: the settled step of momentum
# ----------------------------------------------------------------------------------------------

MOMENTUM_EXPECTED = 0.01 * 2.0 / (1 - 0.95)


def test_momentum_waits_and_passes(capsys):
    assert_waiting(nb14.check_momentum_step, ..., capsys)
    verdict, text = run(nb14.check_momentum_step, MOMENTUM_EXPECTED, capsys)
    assert verdict and "✅" in text


def test_momentum_each_declared_mistake_has_its_own_hint(capsys):
    wrong = [0.02, 0.2, 0.01 * 2 * 1.95, 0.001, 40.0, 0.38, -MOMENTUM_EXPECTED, 123.0]
    hints = set()
    for answer in wrong:
        verdict, text = assert_refused(nb14.check_momentum_step, answer, capsys)
        assert verdict.kind == "failed"
        assert not numbers_in(MOMENTUM_EXPECTED) & set(text.replace(",", " ").replace("(", " ").split())
        hints.add(verdict.message)
    assert len(hints) == len(wrong)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_momentum_refuses_hostile_answers(answer, capsys):
    assert_refused(nb14.check_momentum_step, answer, capsys)


def test_momentum_refuses_the_shared_battery():
    assert_refuses_battery(nb14.check_momentum_step, (MOMENTUM_EXPECTED,), 0, secrets=[MOMENTUM_EXPECTED])


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 2: Adam
# ----------------------------------------------------------------------------------------------

def adam_update(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """The solution of Exercise 2."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (math.sqrt(v_hat) + eps), m, v


def adam_with(m_weight=True, square=True, root=True, correct_m=True, correct_v=True, sign=-1.0, old_m=False):
    """Adam with one of the usual mistakes."""
    def update(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        new_m = beta1 * m + ((1 - beta1) if m_weight else 1.0) * g
        new_v = beta2 * v + (1 - beta2) * (g * g if square else g)
        m_hat = (m if old_m else new_m) / ((1 - beta1 ** t) if correct_m else 1.0)
        v_hat = new_v / ((1 - beta2 ** t) if correct_v else 1.0)
        scale = math.sqrt(abs(v_hat)) + eps if root else v_hat + eps
        return w + sign * lr * m_hat / scale, new_m, new_v
    return update


def adam_ignoring_lr(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_update(w, g, m, v, t, 0.001, beta1, beta2, eps)


def adam_from_t_zero(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_update(w, g, m, v, t - 1, lr, beta1, beta2, eps)


def adam_two_values(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_update(w, g, m, v, t, lr, beta1, beta2, eps)[:2]


def adam_through_the_lessons_optimiser(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """A wrapper around the lesson's Adam: an answer key with a few lines of glue."""
    p = Value(w)
    p.grad = g
    state = {"m": [m], "v": [v]}
    nb14.adam_on_values([p], state, lr, t, beta1, beta2, eps)
    return p.data, state["m"][0], state["v"][0]


def adam_eps_inside(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * (m / (1 - beta1 ** t)) / math.sqrt(v / (1 - beta2 ** t) + eps), m, v


def test_adam_waits_and_passes(capsys):
    assert_waiting(nb14.check_adam_update, ..., capsys)
    assert_waiting(nb14.check_adam_update, unwritten, capsys)
    for right in (adam_update, adam_eps_inside):
        verdict, text = run(nb14.check_adam_update, right, capsys)
        assert verdict and "✅" in text


ADAM_MISTAKES = [
    (adam_with(sign=1.0), "uphill"),
    (adam_with(correct_m=False, correct_v=False), "bias correction is missing"),
    (adam_with(correct_m=False), "m_hat is missing"),
    (adam_with(correct_v=False), "v_hat is missing"),
    (adam_with(root=False), "square root"),
    (adam_with(square=False), "*square*"),
    (adam_with(m_weight=False), "weight (1 - beta1)"),
    (adam_with(old_m=True), "previous m"),
    (adam_ignoring_lr, "use the lr argument"),
    (adam_from_t_zero, "t is already 1 on the first step"),
    (adam_two_values, "return three"),
]


@pytest.mark.parametrize("fn, words", ADAM_MISTAKES, ids=[w for _, w in ADAM_MISTAKES])
def test_adam_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, text = assert_refused(nb14.check_adam_update, fn, capsys)
    assert verdict.kind == "failed" and words in verdict.message, verdict.message
    assert text.count("\n") == 1, "one line per check"


def test_adam_hints_are_all_different(capsys):
    messages = {assert_refused(nb14.check_adam_update, fn, capsys)[0].message for fn, _ in ADAM_MISTAKES}
    assert len(messages) == len(ADAM_MISTAKES)


def test_adam_hint_does_not_show_the_expected_step(capsys, in_process):
    calls = []
    wrong = adam_with(correct_m=False)

    def recorded(*args, **kwargs):
        calls.append((args, kwargs))
        return wrong(*args, **kwargs)

    verdict, _ = assert_refused(nb14.check_adam_update, recorded, capsys)
    args, kwargs = calls[-1]   # the step the hint is about
    expected_w, _, _ = adam_update(*args, **kwargs)
    assert "t=1 " in verdict.message and len(calls) == 1
    assert not any(s in verdict.message for s in numbers_in(expected_w))


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_adam_refuses_hostile_answers(fn, capsys):
    assert_refused(nb14.check_adam_update, fn, capsys)


def test_adam_refuses_the_shared_battery():
    assert_refuses_battery(nb14.check_adam_update, (adam_update,), 0, kind="function")


def adam_positional(fn):
    """adam_update's keyword arguments passed on by position (the battery's Recorder takes no keywords)."""
    def update(w, g, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        return fn(w, g, m, v, t, lr, beta1, beta2, eps)
    return update


def test_adam_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb14.check_adam_update, adam_update, args=lambda fn: (adam_positional(fn),))
    two_checks_print_the_same(nb14.check_adam_update, adam_update)


def test_adam_has_no_answer_key_in_reach():
    """Neither the notebook's first cell (which used to import reference_adam_update) nor nb14 holds
    a function that passes as adam_update."""
    namespace = first_cell_namespace("14_optimisers_and_minibatches.ipynb")
    assert "reference_adam_update" not in namespace
    assert_no_reachable_answer(nb14.check_adam_update, nb14, namespace)
    for name in ("reference_adam_update", "_adam_variant"):
        assert not hasattr(nb14, name)


def test_adam_wrapping_the_lessons_optimiser_is_refused(capsys):
    verdict, _ = assert_refused(nb14.check_adam_update, adam_through_the_lessons_optimiser, capsys)
    assert "the lesson's stand-in" in verdict.message


def test_the_lessons_optimiser_takes_the_reference_steps():
    """adam_on_values, which notebook 14 trains with before Exercise 2, is Adam, to the last bit."""
    params = [Value(1.0), Value(-2.0)]
    state, expected = {}, [(1.0, 0.0, 0.0), (-2.0, 0.0, 0.0)]
    for t, grads in enumerate([(0.5, -3.0), (0.25, 1e-3), (-1.0, 100.0)], start=1):
        for p, g in zip(params, grads):
            p.grad = g
        nb14.adam_on_values(params, state, 0.1, t)
        expected = [adam_update(w, g, m, v, t, lr=0.1) for (w, m, v), g in zip(expected, grads)]
        assert [p.data for p in params] == [w for w, _, _ in expected]
        assert state["m"] == [m for _, m, _ in expected] and state["v"] == [v for _, _, v in expected]


# ----------------------------------------------------------------------------------------------
# Notebook 14, exercise 3: a cosine schedule
# ----------------------------------------------------------------------------------------------

def cosine(step, total, base):
    return base * 0.5 * (1 + math.cos(math.pi * step / total))


def test_cosine_waits_and_passes(capsys):
    assert_waiting(nb14.check_cosine_schedule, ..., capsys)
    assert_waiting(nb14.check_cosine_schedule, unwritten, capsys)
    verdict, text = run(nb14.check_cosine_schedule, cosine, capsys)
    assert verdict and "✅" in text


def test_cosine_each_mistake_gets_its_own_hint(capsys):
    messages = set()
    for wrong, hint in nb14._SCHEDULE_MISTAKES:
        verdict, _ = assert_refused(nb14.check_cosine_schedule, wrong, capsys)
        assert verdict.message.endswith(hint)
        messages.add(verdict.message)
    assert len(messages) == len(nb14._SCHEDULE_MISTAKES)


def test_cosine_unknown_mistake_names_a_point_but_not_its_value(capsys):
    def off(step, total, base):
        return cosine(step, total, base) + (0.01 if step == total // 2 else 0.0)
    verdict, _ = assert_refused(nb14.check_cosine_schedule, off, capsys)
    found = re.search(r"step=(\d+) of total_steps=(\d+) with base_lr=([0-9.e+-]+)", verdict.message)
    assert found, verdict.message
    step, total, base = int(found[1]), int(found[2]), float(found[3])
    assert step == total // 2 and "the first value that is off" in verdict.message
    # The case and the learner's own value are shown and may contain the expected value's 4-decimal
    # spelling by chance (base_lr 0.000332 holds '0.0003'): look for it everywhere else.
    rest = re.sub(r"with base_lr=[0-9.e+-]+|you gave [0-9.e+-]+", "", verdict.message)
    assert not any(s in rest for s in numbers_in(cosine(step, total, base)))


# The steps the old checker tried, run by run: a schedule right only there used to pass.
OLD_SCHEDULE_POINTS = {(step, total, base) for total, base in [(100, 0.1), (37, 2.5), (1000, 3e-4), (6, 1.0)]
                       for step in {0, 1, total // 4, total // 2, (3 * total) // 4, total - 1, total}}


def right_at_the_landmarks_only(step, total, base):
    """Right at the start, quarters and end of a run (and next to the ends); 1% off in between."""
    landmark = step in (0, 1, total // 4, total // 2, (3 * total) // 4, total - 1, total)
    return cosine(step, total, base) * (1.0 if landmark else 1.01)


def test_cosine_right_only_at_the_landmarks_gets_its_own_hint(capsys):
    verdict, _ = assert_refused(nb14.check_cosine_schedule, right_at_the_landmarks_only, capsys)
    assert "right at the start, the quarters and the end of every run, but not in between" in verdict.message
    found = re.search(r"at step=(\d+) of total_steps=(\d+) with base_lr=([0-9.e+-]+) you gave ([0-9.e+-]+)",
                      verdict.message)
    step, total, base = int(found[1]), int(found[2]), float(found[3])
    # The case and the learner's own value are shown; the expected value must not be. (The random
    # base_lr or the learner's value may contain its 4-decimal spelling by chance: leave them out.)
    rest = verdict.message.replace(found[0], "")
    assert not any(s in rest for s in numbers_in(cosine(step, total, base)))
    hints = {verdict.message} | {assert_refused(nb14.check_cosine_schedule, wrong, capsys)[0].message
                                 for wrong, _ in nb14._SCHEDULE_MISTAKES}
    assert len(hints) == len(nb14._SCHEDULE_MISTAKES) + 1


def test_cosine_right_only_at_the_old_fixed_points_fails(capsys):
    def memorised(step, total, base):
        return cosine(step, total, base) if (step, total, base) in OLD_SCHEDULE_POINTS else 0.0
    assert_refused(nb14.check_cosine_schedule, memorised, capsys)


def test_cosine_points_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb14.check_cosine_schedule, cosine)
    two_checks_print_the_same(nb14.check_cosine_schedule, cosine)


def test_cosine_has_no_answer_key_in_reach():
    assert_no_reachable_answer(nb14.check_cosine_schedule, nb14,
                               first_cell_namespace("14_optimisers_and_minibatches.ipynb"))
    assert not hasattr(nb14, "_cosine")


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_cosine_refuses_hostile_answers(fn, capsys):
    assert_refused(nb14.check_cosine_schedule, fn, capsys)


def test_cosine_refuses_the_shared_battery():
    assert_refuses_battery(nb14.check_cosine_schedule, (cosine,), 0, kind="function")


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 1: the loss of knowing nothing
# ----------------------------------------------------------------------------------------------

def test_uniform_loss_waits_passes_and_hints(capsys):
    assert_waiting(nb15.check_uniform_loss, ..., capsys)
    verdict, text = run(nb15.check_uniform_loss, math.log(27), capsys)
    assert verdict and "✅" in text
    wrong = [27, 1 / 27, math.log(1 / 27), math.log2(27), math.log10(27), math.log(26), math.log(28), 2.0]
    messages = set()
    for answer in wrong:
        verdict, _ = assert_refused(nb15.check_uniform_loss, answer, capsys)
        assert not any(s in verdict.message for s in numbers_in(math.log(27)))
        messages.add(verdict.message)
    assert len(messages) == len(wrong)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_uniform_loss_refuses_hostile_answers(answer, capsys):
    assert_refused(nb15.check_uniform_loss, answer, capsys)


def test_uniform_loss_refuses_the_shared_battery():
    assert_refuses_battery(nb15.check_uniform_loss, (math.log(27),), 0, secrets=[math.log(27)])


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 2: build the examples
# ----------------------------------------------------------------------------------------------

def build_examples(names, block):
    out = []
    for name in names:
        context = "." * block
        for ch in name + ".":
            out.append((context, ch))
            context = context[1:] + ch
    return out


def build_as_lists(names, block):
    return [(list(c), n) for c, n in build_examples(names, block)]


def build_fixed_three(names, block):
    return build_examples(names, 3)


def examples_with(end=True, pad=True, reset=True, slide=True):
    """build_examples with one of the usual mistakes."""
    def build(names, block):
        out = []
        context = "." * block if pad else ""
        for name in names:
            if reset:
                context = "." * block if pad else ""
            for ch in name + ("." if end else ""):
                out.append((context, ch))
                if slide:
                    context = (context + ch)[-block:]
        return out
    return build


def test_build_examples_waits_and_passes(capsys):
    assert_waiting(nb15.check_build_examples, ..., capsys)
    assert_waiting(nb15.check_build_examples, unwritten, capsys)
    for right in (build_examples, build_as_lists):
        verdict, text = run(nb15.check_build_examples, right, capsys)
        assert verdict and "✅" in text


BUILD_MISTAKES = [
    (examples_with(end=False), "predict '.'"),
    (examples_with(pad=False), "pad the start"),
    (examples_with(reset=False), "start every name again"),
    (examples_with(slide=False), "never changes"),
    (build_fixed_three, "block_size characters"),
    (lambda n, b: build_examples(n, b)[::-1], "not what the sliding window gives"),
    (lambda n, b: build_examples(n, b) + [("." * b, ".")], "too many pairs"),
]


@pytest.mark.parametrize("fn, words", BUILD_MISTAKES, ids=[w for _, w in BUILD_MISTAKES])
def test_build_examples_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, _ = assert_refused(nb15.check_build_examples, fn, capsys)
    assert words in verdict.message, verdict.message


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS + [lambda n, b: [(1, 2)], lambda n, b: [None]],
                         ids=stable_id)
def test_build_examples_refuses_hostile_answers(fn, capsys):
    assert_refused(nb15.check_build_examples, fn, capsys)


def test_build_examples_refuses_the_shared_battery():
    assert_refuses_battery(nb15.check_build_examples, (build_examples,), 0, kind="function")


def test_build_examples_hints_are_all_different(capsys):
    messages = {assert_refused(nb15.check_build_examples, fn, capsys)[0].message for fn, _ in BUILD_MISTAKES}
    assert len(messages) == len(BUILD_MISTAKES)


# The cases the old checker tried: a table of their answers used to pass.
OLD_EXAMPLE_CASES = [(["bo", "x", "anna"], 2), (["lee", "z"], 1), (["maximilian", "jo"], 5), ([], 3), (["eve"], 3)]


def test_build_examples_right_only_on_the_old_cases_fails(capsys):
    table = {repr((names, block)): build_examples(names, block) for names, block in OLD_EXAMPLE_CASES}
    assert_refused(nb15.check_build_examples, lambda names, block: table.get(repr((names, block)), []), capsys)


def test_build_examples_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb15.check_build_examples, build_examples)
    two_checks_print_the_same(nb15.check_build_examples, build_examples)


def test_build_examples_has_no_answer_key_in_reach():
    assert_no_reachable_answer(nb15.check_build_examples, nb15,
                               first_cell_namespace("15_character_language_model.ipynb"))
    for name in ("_reference_examples", "_EXAMPLE_CASES"):
        assert not hasattr(nb15, name)


# ----------------------------------------------------------------------------------------------
# Notebook 15, exercise 3: temperature and top-k
# ----------------------------------------------------------------------------------------------

def top_k_probabilities(logits, temperature, top_k):
    kept = sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k]
    biggest = max(logits[i] for i in kept)
    weights = [math.exp((z - biggest) / temperature) if i in kept else 0.0 for i, z in enumerate(logits)]
    return [w / sum(weights) for w in weights]


def overflowing(logits, temperature, top_k):
    kept = sorted(range(len(logits)), key=lambda i: logits[i], reverse=True)[:top_k]
    weights = [math.exp(z / temperature) if i in kept else 0.0 for i, z in enumerate(logits)]
    return [w / sum(weights) for w in weights]


def unnormalised(logits, temperature, top_k):
    return [p * 2 for p in top_k_probabilities(logits, temperature, top_k)]


def test_probabilities_wait_and_pass(capsys):
    assert_waiting(nb15.check_next_char_probabilities, ..., capsys)
    assert_waiting(nb15.check_next_char_probabilities, unwritten, capsys)
    verdict, text = run(nb15.check_next_char_probabilities, top_k_probabilities, capsys)
    assert verdict and "✅" in text


def kept(logits, top_k, largest=True):
    return set(sorted(range(len(logits)), key=lambda i: logits[i], reverse=largest)[:top_k])


def multiplied_by_temperature(logits, temperature, top_k):
    return _softmax_over([z * temperature for z in logits], 1.0, kept(logits, top_k))


def top_k_ignored(logits, temperature, top_k):
    return top_k_probabilities(logits, temperature, len(logits))


def cut_after_the_softmax(logits, temperature, top_k):
    keep = kept(logits, top_k)
    return [p if i in keep else 0.0 for i, p in enumerate(top_k_probabilities(logits, temperature, len(logits)))]


def smallest_kept(logits, temperature, top_k):
    return _softmax_over(logits, temperature, kept(logits, top_k, largest=False))


def temperature_ignored(logits, temperature, top_k):
    return top_k_probabilities(logits, 1.0, top_k)


def _softmax_over(logits, temperature, keep):
    biggest = max(logits[i] for i in keep)
    weights = [math.exp((z - biggest) / temperature) if i in keep else 0.0 for i, z in enumerate(logits)]
    return [w / sum(weights) for w in weights]


def with_a_tiny_probability_outside(size):
    """Right, but the characters outside the top k get `size` (smoothing, or a mask not low enough)."""
    def probabilities(logits, temperature, top_k):
        return [p if p > 0 else size for p in top_k_probabilities(logits, temperature, top_k)]
    return probabilities


PROBABILITY_MISTAKES = [
    (multiplied_by_temperature, "you multiplied the logits by the temperature"),
    (top_k_ignored, "top_k was ignored"),
    (cut_after_the_softmax, "you zeroed the characters outside the top k after the softmax"),
    (smallest_kept, "you kept the top_k *smallest* logits"),
    (temperature_ignored, "your probabilities do not depend on the temperature"),
    (overflowing, "Subtract the largest logit"),
    (unnormalised, "add up to"),
    (with_a_tiny_probability_outside(5e-8), "Outside the top k the probability must be exactly 0"),
    (with_a_tiny_probability_outside(-5e-8), "Outside the top k the probability must be exactly 0"),
]


@pytest.mark.parametrize("fn, words", PROBABILITY_MISTAKES, ids=[w[:30] for _, w in PROBABILITY_MISTAKES])
def test_probabilities_each_mistake_gets_its_hint(fn, words, capsys):
    verdict, text = assert_refused(nb15.check_next_char_probabilities, fn, capsys)
    assert words in verdict.message, verdict.message
    assert text.count("\n") == 1, "one line per check"


def test_probabilities_hints_are_all_different(capsys):
    """Each mistake's words appear in its own hint only (the two tiny-probability ones are one mistake)."""
    for fn, words in PROBABILITY_MISTAKES:
        message = assert_refused(nb15.check_next_char_probabilities, fn, capsys)[0].message
        assert [w for _, w in PROBABILITY_MISTAKES if w in message] == \
            [w for _, w in PROBABILITY_MISTAKES if w == words], message


def test_probabilities_outside_the_top_k_below_1e_12_count_as_0(capsys):
    verdict, text = run(nb15.check_next_char_probabilities, with_a_tiny_probability_outside(1e-14), capsys)
    assert verdict and "✅" in text


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_probabilities_refuse_hostile_answers(fn, capsys):
    assert_refused(nb15.check_next_char_probabilities, fn, capsys)


def test_probabilities_refuse_the_shared_battery():
    assert_refuses_battery(nb15.check_next_char_probabilities, (top_k_probabilities,), 0, kind="function")


def test_probabilities_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb15.check_next_char_probabilities, top_k_probabilities)
    two_checks_print_the_same(nb15.check_next_char_probabilities, top_k_probabilities)


def test_probabilities_have_no_answer_key_in_reach():
    namespace = first_cell_namespace("15_character_language_model.ipynb")
    assert "reference_adam_update" not in namespace
    assert_no_reachable_answer(nb15.check_next_char_probabilities, nb15, namespace)
    assert not hasattr(nb15, "_top_k_softmax")


def test_checkers_leave_the_random_state_alone():
    import random
    random.seed(5)
    before = random.getstate()
    nb14.check_adam_update(adam_update)
    nb15.check_build_examples(build_examples)
    nb15.check_next_char_probabilities(top_k_probabilities)
    assert random.getstate() == before
