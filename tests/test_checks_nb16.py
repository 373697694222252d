"""The exercise checkers of notebook 16 (training that stays healthy).

For every checker: an untouched exercise waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback (the shared battery of
tests/checks_battery.py too), and no hint shows the expected value. For the two exercises that take a
function: the cases are drawn afresh for each check (a table of the last check's cases fails, the
passing line is the same every time), and nothing the notebook can reach passes as the answer.
"""

import math
import random
import re

import numpy as np
import pytest

import series_checks as sc
from checks_battery import assert_a_lookup_table_fails, assert_no_reachable_answer, assert_refuses_battery
from checks_helpers import (AlwaysEqual, assert_refused, assert_waiting, first_cell_namespace, in_process,  # noqa: F401
                           raises, returns_inf, returns_none, returns_numpy_true, run, stable_id,
                           two_checks_print_the_same, unwritten)
from micrograd_core import Value
from series_checks import nb16

NOTEBOOK = "16_healthy_training.ipynb"


HOSTILE_NUMBERS = [math.inf, -math.inf, math.nan, "inf", "0.02", 10 ** 400, Value(0.02), AlwaysEqual(),
                   True, [0.02], 3 + 0j, np.True_, np.False_]
HOSTILE_FUNCTIONS = [raises, returns_inf, returns_none, lambda *a, **k: Value(1.0),
                     lambda *a, **k: AlwaysEqual(), lambda *a, **k: [math.nan] * 30,
                     lambda *a, **k: "0.1", 42, "weights", AlwaysEqual(), returns_numpy_true,
                     lambda *a, **k: [[AlwaysEqual()]]]


# ----------------------------------------------------------------------------------------------
# Exercise 1: the gradient through a saturated tanh unit
# ----------------------------------------------------------------------------------------------

T, UPSTREAM = 0.995, 2.0
TANH_EXPECTED = UPSTREAM * (1 - T ** 2)


def test_tanh_gradient_waits_and_passes(capsys):
    assert_waiting(nb16.check_tanh_gradient, ..., capsys)
    for right in (TANH_EXPECTED, 2 * (1 - T) * (1 + T), np.float64(TANH_EXPECTED)):
        verdict, text = run(nb16.check_tanh_gradient, right, capsys)
        assert verdict and "✅" in text


TANH_MISTAKES = [
    (UPSTREAM * T, "upstream gradient times t"),
    (UPSTREAM * (1 - T), "that uses 1 - t;"),
    (1 - T * T, "local derivative alone"),
    (UPSTREAM * T * T, "that uses t²"),
    (UPSTREAM * (1 - math.tanh(T) ** 2), "not its input"),
    (UPSTREAM, "unchanged"),
    (UPSTREAM / (1 - T * T), "you divided"),
    (0.02, "rounded"),
    (-TANH_EXPECTED, "sign is flipped"),
    (0.5, "written with the output t"),
]


@pytest.mark.parametrize("answer, words", TANH_MISTAKES, ids=[w for _, w in TANH_MISTAKES])
def test_tanh_gradient_each_mistake_gets_its_hint(answer, words, capsys):
    verdict, _ = assert_refused(nb16.check_tanh_gradient, answer, capsys)
    assert words in verdict.message, verdict.message
    for spelling in (f"{TANH_EXPECTED:.4f}", f"{TANH_EXPECTED:.3f}", f"{TANH_EXPECTED:.5f}", repr(TANH_EXPECTED)):
        assert spelling not in verdict.message


def test_tanh_gradient_hints_are_all_different(capsys):
    messages = {assert_refused(nb16.check_tanh_gradient, a, capsys)[0].message for a, _ in TANH_MISTAKES}
    assert len(messages) == len(TANH_MISTAKES)


@pytest.mark.parametrize("answer", HOSTILE_NUMBERS, ids=stable_id)
def test_tanh_gradient_refuses_hostile_answers(answer, capsys):
    assert_refused(nb16.check_tanh_gradient, answer, capsys)


def test_tanh_gradient_refuses_the_shared_battery():
    assert_refuses_battery(nb16.check_tanh_gradient, (TANH_EXPECTED,), 0, secrets=[TANH_EXPECTED])


# ----------------------------------------------------------------------------------------------
# Exercise 2: fan-in initialisation
# ----------------------------------------------------------------------------------------------

def fan_in_weights(fan_in, fan_out, gain, rng):
    std = gain / math.sqrt(fan_in)
    return [[rng.gauss(0, std) for _ in range(fan_in)] for _ in range(fan_out)]


def fan_in_weights_tuples(fan_in, fan_out, gain, rng):
    """Also right: tuples, numpy rows, standard normals times the std."""
    return tuple(tuple(rng.gauss(0, 1) * gain / math.sqrt(fan_in) for _ in range(fan_in)) for _ in range(fan_out))


def fan_in_weights_numpy(fan_in, fan_out, gain, rng):
    generator = np.random.default_rng(rng.randrange(2 ** 32))
    return generator.normal(0, gain / math.sqrt(fan_in), size=(fan_out, fan_in))


def weights_with(std, draw="gauss", shape="rows", source="rng", shift=0.0):
    """fan_in_weights with one of the usual mistakes: std(fan_in, fan_out, gain) gives the std."""
    def fn(fan_in, fan_out, gain, rng):
        s = std(fan_in, fan_out, gain)
        r = random if source == "module" else rng

        def one():
            if draw == "uniform":
                return r.uniform(-s, s)
            if draw == "uniform with the std":
                return r.uniform(-s * math.sqrt(3), s * math.sqrt(3))
            if draw == "heavy":   # a Laplace distribution with the right std: kurtosis 6
                return r.choice((-1, 1)) * r.expovariate(1.0) * s / math.sqrt(2)
            return r.gauss(shift * s, s)
        rows, cols = (fan_out, fan_in) if shape == "rows" else (fan_in, fan_out)
        return [[one() for _ in range(cols)] for _ in range(rows)]
    return fn


RIGHT_STD = lambda fi, fo, g: g / math.sqrt(fi)  # noqa: E731

INIT_MISTAKES = [
    (weights_with(lambda fi, fo, g: 1 / math.sqrt(fi)), "that of gain 1"),
    (weights_with(lambda fi, fo, g: g / fi), "you divided by fan_in"),
    (weights_with(lambda fi, fo, g: g / math.sqrt(fo)), "you scaled by fan_out"),
    (weights_with(lambda fi, fo, g: math.sqrt(g / fi)), "inside the square root"),
    (weights_with(lambda fi, fo, g: g * math.sqrt(fi)), "you multiplied by sqrt(fan_in)"),
    (weights_with(lambda fi, fo, g: g * g / math.sqrt(fi)), "gain squared"),
    (weights_with(lambda fi, fo, g: 1.0), "naive weights of std 1"),
    (weights_with(lambda fi, fo, g: g), "every weight has the gain as its std"),
    (weights_with(lambda fi, fo, g: math.sqrt(2 / fi)), "ReLU's gain"),
    (weights_with(RIGHT_STD, draw="uniform"), "whose own std is only std/sqrt(3)"),
    (weights_with(RIGHT_STD, draw="uniform with the std"), "they look uniform"),
    (weights_with(RIGHT_STD, draw="heavy"), "a few are far too large"),
    (weights_with(RIGHT_STD, shape="columns"), "fan_in rows of fan_out numbers"),
    (weights_with(RIGHT_STD, source="module"), "draw every weight from rng"),
    (weights_with(RIGHT_STD, shift=1.0), "not centred on 0"),
    (lambda fi, fo, g, rng: [[g / math.sqrt(fi)] * fi for _ in range(fo)], "every weight is the same number"),
    (lambda fi, fo, g, rng: fan_in_weights(fi, fo, g, rng)[:-1], "make one row per neuron"),
    (lambda fi, fo, g, rng: [[Value(w) for w in row] for row in fan_in_weights(fi, fo, g, rng)], "is a Value"),
    (lambda fi, fo, g, rng: [row[:-1] for row in fan_in_weights(fi, fo, g, rng)], "should have"),
    (weights_with(lambda fi, fo, g: 0.7 * g / math.sqrt(fi)), "too small"),
]


def test_fan_in_weights_waits_and_passes(capsys):
    assert_waiting(nb16.check_fan_in_weights, ..., capsys)
    assert_waiting(nb16.check_fan_in_weights, unwritten, capsys)
    for right in (fan_in_weights, fan_in_weights_tuples, fan_in_weights_numpy):
        verdict, text = run(nb16.check_fan_in_weights, right, capsys)
        assert verdict and "✅" in text, text


@pytest.mark.parametrize("fn, words", INIT_MISTAKES, ids=[w for _, w in INIT_MISTAKES])
def test_fan_in_weights_each_mistake_gets_its_hint(fn, words, capsys):
    for _ in range(2):   # the cases are drawn afresh: the same hint every time
        verdict, _ = assert_refused(nb16.check_fan_in_weights, fn, capsys)
        assert words in verdict.message, verdict.message


def test_fan_in_weights_hints_are_all_different(capsys):
    """Each mistake's words appear in its own hint only."""
    for fn, words in INIT_MISTAKES:
        message = assert_refused(nb16.check_fan_in_weights, fn, capsys)[0].message
        assert [w for _, w in INIT_MISTAKES if w in message] == [words], message


def test_fan_in_every_mistake_is_named_apart_from_the_others():
    """In every case the checker draws, each wrong std is at least 8% away from the right one and
    from every other wrong one, so a measured std (within 0.7%) is named for what it is; a mistake
    left out is the right formula in that case (a fan_out close to fan_in is never drawn)."""
    for seed in range(300):
        for fan_in, fan_out, gain in nb16._init_cases(random.Random(seed)):
            assert 11_000 <= fan_in * fan_out <= 19_000
            right = gain / math.sqrt(fan_in)
            applied = nb16._mistakes_that_apply(fan_in, fan_out, gain)
            for std, hint in nb16._std_mistakes(fan_in, fan_out, gain):
                assert (std, hint) in applied or math.isclose(std, right, rel_tol=1e-12), hint
            stds = [right] + [std for std, _ in nb16._mistakes_that_apply(fan_in, fan_out, gain)]
            for i, a in enumerate(stds):
                for b in stds[i + 1:]:
                    assert abs(a / b - 1) > 0.08 and abs(b / a - 1) > 0.08


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS, ids=stable_id)
def test_fan_in_weights_refuses_hostile_answers(fn, capsys):
    assert_refused(nb16.check_fan_in_weights, fn, capsys)


def test_fan_in_weights_refuses_the_shared_battery():
    assert_refuses_battery(nb16.check_fan_in_weights, (fan_in_weights,), 0, kind="function")


def test_fan_in_weights_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb16.check_fan_in_weights, fan_in_weights)
    two_checks_print_the_same(nb16.check_fan_in_weights, fan_in_weights)


def test_fan_in_weights_a_table_keyed_by_size_fails(in_process, capsys):
    """A table of weights for the sizes of one check does not pass the next one."""
    seen = {}

    def recording(fan_in, fan_out, gain, rng):
        seen[(fan_in, fan_out, round(gain, 6))] = fan_in_weights(fan_in, fan_out, gain, random.Random(0))
        return fan_in_weights(fan_in, fan_out, gain, rng)
    with sc.quiet():
        assert nb16.check_fan_in_weights(recording)
    assert seen
    table = dict(seen)
    assert_refused(nb16.check_fan_in_weights, lambda fi, fo, g, rng: table[(fi, fo, round(g, 6))], capsys)


def test_fan_in_weights_has_no_answer_key_in_reach():
    assert_no_reachable_answer(nb16.check_fan_in_weights, nb16, first_cell_namespace(NOTEBOOK))


# ----------------------------------------------------------------------------------------------
# Exercise 3: RMS norm
# ----------------------------------------------------------------------------------------------

def rms_norm(xs, eps=1e-5):
    mean_square = sum(x * x for x in xs) * (1.0 / len(xs))
    scale = (mean_square + eps) ** -0.5
    return [x * scale for x in xs]


def rms_norm_divided(xs, eps=1e-5):
    """Also right: a division and a power of 0.5, a tuple."""
    root = (sum(x ** 2 for x in xs) / len(xs) + eps) ** 0.5
    return tuple(x / root for x in xs)


def rms_with(mean=True, eps_inside=True, eps=1e-5, subtract=False, sqrt=True, divide=True, squares=True):
    """rms_norm with one of the usual mistakes, from engine ops."""
    def fn(xs):
        n = len(xs)
        centre = sum(xs) * (1.0 / n) if subtract else 0.0
        cs = [x - centre for x in xs]
        total = sum((c * c if squares else (c * c) ** 0.5) for c in cs)
        ms = total * (1.0 / n) if mean else total
        if eps_inside:
            denom = (ms + eps) ** 0.5 if sqrt else ms + eps
        else:
            denom = ms ** 0.5 + eps
        return [c / denom if divide else c * denom for c in cs]
    return fn


def rms_from_data(xs, eps=1e-5):
    ms = math.fsum(x.data ** 2 for x in xs) / len(xs)
    return [x * (ms + eps) ** -0.5 for x in xs]


def rms_floats(xs, eps=1e-5):
    return [y.data for y in rms_norm(xs, eps)]


def rms_in_place(xs, eps=1e-5):
    out = rms_norm(xs, eps)
    for x, y in zip(xs, out):
        x.data = y.data
    return out


def rms_fresh_values(xs, eps=1e-5):
    """Right values, but new leaves: nothing flows back to the inputs."""
    return [Value(y.data) for y in rms_norm(xs, eps)]


def rms_random(xs, eps=1e-5):
    """Right on the first call, then a little noise: backward and finite differences disagree."""
    out = rms_norm(xs, eps)
    rms_random.calls += 1
    return out if rms_random.calls % 3 == 1 else [y * (1 + 1e-3 * random.random()) for y in out]


rms_random.calls = 0

RMS_MISTAKES = [
    (rms_with(eps=0.0), "eps is missing"),
    (rms_with(eps_inside=False), "eps belongs inside the square root"),
    (rms_with(mean=False), "*sum* of the squares"),
    (rms_with(subtract=True), "that is layer norm"),
    (rms_with(sqrt=False), "take its square root"),
    (rms_with(divide=False), "you multiplied by the root mean square"),
    (rms_with(squares=False), "mean of |x|"),
    (rms_from_data, "computed from plain numbers (.data)"),
    (rms_fresh_values, "the values are right but the gradients are not: build every step"),
    (rms_floats, "returned plain numbers"),
    (rms_in_place, "changed its inputs' .data"),
    (lambda xs: rms_norm(xs)[:-1], "one Value per input"),
    (lambda xs: [y * 1.01 for y in rms_norm(xs)], "the outputs are not x / sqrt(mean(x²) + eps)"),
]


def test_rms_norm_waits_and_passes(capsys):
    assert_waiting(nb16.check_rms_norm, ..., capsys)
    assert_waiting(nb16.check_rms_norm, unwritten, capsys)
    for right in (rms_norm, rms_norm_divided):
        verdict, text = run(nb16.check_rms_norm, right, capsys)
        assert verdict and "✅" in text, text


@pytest.mark.parametrize("fn, words", RMS_MISTAKES, ids=[w[:30] for _, w in RMS_MISTAKES])
def test_rms_norm_each_mistake_gets_its_hint(fn, words, capsys):
    for _ in range(2):   # the cases are drawn afresh: the same hint every time
        verdict, _ = assert_refused(nb16.check_rms_norm, fn, capsys)
        assert words in verdict.message, verdict.message


def test_rms_norm_hints_are_all_different(capsys):
    messages = [assert_refused(nb16.check_rms_norm, fn, capsys)[0].message for fn, _ in RMS_MISTAKES]
    hints = [m.split(": not yet. Hint: ", 1)[1] for m in messages]
    cores = [re.sub(r"^on [^:]*?\(\d+ numbers?\):? ?", "", h) for h in hints]
    assert len(set(cores)) == len(cores), cores


def test_rms_norm_noisy_function_fails_gradient_check(capsys):
    rms_random.calls = 0
    verdict, _ = assert_refused(nb16.check_rms_norm, rms_random, capsys)


@pytest.mark.parametrize("fn", HOSTILE_FUNCTIONS + HOSTILE_NUMBERS + [lambda xs: [None] * len(xs),
                                                                      lambda xs: [AlwaysEqual()] * len(xs)],
                         ids=stable_id)
def test_rms_norm_refuses_hostile_answers(fn, capsys):
    assert_refused(nb16.check_rms_norm, fn, capsys)


def test_rms_norm_refuses_the_shared_battery():
    assert_refuses_battery(nb16.check_rms_norm, (rms_norm,), 0, kind="function")


def test_rms_norm_cases_are_drawn_afresh_for_every_check(in_process):
    assert_a_lookup_table_fails(nb16.check_rms_norm, rms_norm)
    two_checks_print_the_same(nb16.check_rms_norm, rms_norm)


def test_rms_norm_has_no_answer_key_in_reach():
    namespace = first_cell_namespace(NOTEBOOK)
    assert_no_reachable_answer(nb16.check_rms_norm, nb16, namespace)
    assert "rms_norm" not in namespace and not hasattr(nb16, "rms_norm")


def test_checkers_leave_the_random_state_alone():
    random.seed(5)
    before = random.getstate()
    with sc.quiet():
        nb16.check_tanh_gradient(TANH_EXPECTED)
        nb16.check_fan_in_weights(fan_in_weights)
        nb16.check_rms_norm(rms_norm)
    assert random.getstate() == before


def test_rms_norm_eps_outside_is_named_even_where_an_ordinary_vector_hides_it(capsys, monkeypatch):
    """An ordinary vector of root mean square 0.5 gives x / (rms + eps) within the values' tolerance
    of the right x / sqrt(ms + eps): the values of every case are checked before any gradient, so
    the tiny vector names the mistake instead of a generic gradient hint."""
    drawn = nb16._norm_cases

    def with_a_hiding_vector(rng):
        cases = drawn(rng)
        return [("an ordinary vector", [0.5, -0.5, 0.5, -0.5])] + cases[1:]

    monkeypatch.setattr(nb16, "_norm_cases", with_a_hiding_vector)
    verdict, _ = assert_refused(nb16.check_rms_norm, rms_with(eps_inside=False), capsys)
    assert "eps belongs inside the square root" in verdict.message, verdict.message
