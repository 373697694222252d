"""The checking vocabulary of series_checks: one wording per mistake, nothing accepted by accident.

These are the building blocks every notebook's checkers use; tests/test_checks.py runs the checkers
themselves.
"""

import io
import math
import random
import sys

import pytest
from hypothesis import given, strategies as st

import series_checks as sc
from micrograd_core import Value


class AlwaysEqual:
    """An object that claims to equal everything (and hashes like 1)."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 1


# ---------------------------------------------------------------------------------- Verdict

def test_verdict_is_truthy_or_falsy_and_carries_its_message():
    yes, no = sc.Verdict(True, "fine"), sc.Verdict(False, "not yet")
    assert yes and not no
    assert (yes.ok, yes.message, yes.kind) == (True, "fine", "passed")
    assert (no.ok, no.message, no.kind) == (False, "not yet", "failed")
    assert yes == True and no == False  # noqa: E712 - the comparison is what notebooks use
    assert yes._ipython_display_() is None   # shows nothing as a cell's last value


def test_passed_failed_waiting_print_one_line_and_return_their_verdict(capsys):
    v1 = sc.passed("Exercise 1", "the engine agrees.")
    v2 = sc.failed("Exercise 2", "check the sign.")
    v3 = sc.waiting("Exercise 3", "fill in x")
    out = capsys.readouterr().out.splitlines()
    assert out == ["✅ Exercise 1: correct. the engine agrees.",
                   "❌ Exercise 2: not yet. Hint: check the sign.",
                   "⏳ Exercise 3: waiting for your answer (fill in x), then run this cell again."]
    assert [v.kind for v in (v1, v2, v3)] == ["passed", "failed", "waiting"]
    assert [bool(v) for v in (v1, v2, v3)] == [True, False, False]
    assert v2.message == "Exercise 2: not yet. Hint: check the sign."


def test_quiet_prints_nothing_but_keeps_the_message(capsys):
    with sc.quiet():
        v = sc.failed("Exercise 1", "a hint")
        ok = sc.passed("Exercise 2")
        assert ok, ok.message
    assert capsys.readouterr().out == ""
    assert v.message.endswith("a hint")
    sc.passed("Exercise 3")           # printing is back after the block
    assert capsys.readouterr().out.startswith("✅")


def test_set_quiet_returns_the_previous_setting(capsys):
    before = sc.set_quiet(True)
    try:
        sc.passed("Exercise 1")
        assert capsys.readouterr().out == ""
    finally:
        assert sc.set_quiet(before) is True


def _ascii_stdout(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


def _read(stream):
    stream.flush()
    return stream.buffer.getvalue().decode("ascii")


def test_plain_markers_when_stdout_cannot_encode_emoji(monkeypatch):
    stream = _ascii_stdout(monkeypatch)
    sc.passed("Exercise 1", "local × upstream is 2·η²")
    sc.failed("Exercise 2", "a hint")
    sc.waiting("Exercise 3")
    lines = _read(stream).splitlines()
    assert lines[0] == "[ok] Exercise 1: correct. local x upstream is 2*eta^2"
    assert lines[1] == "[x] Exercise 2: not yet. Hint: a hint"
    assert lines[2].startswith("[..] Exercise 3: waiting")


def test_a_checker_works_on_an_ascii_stdout(monkeypatch):
    from series_checks import nb03
    stream = _ascii_stdout(monkeypatch)
    verdict = nb03.check_exercise2(12345.0)
    assert not verdict
    assert _read(stream).startswith("[x] Exercise 2: not yet. Hint:")


def test_no_stdout_at_all_is_not_an_error(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    assert sc.passed("Exercise 1")


# ---------------------------------------------------------------------------------- checker

def test_checker_turns_a_bool_into_a_verdict_with_the_printed_lines(capsys):
    @sc.checker
    def check(x):
        value = sc.read_number("Exercise 1", x)
        return value is not None and value > 0
    v = check("3")
    assert isinstance(v, sc.Verdict) and not v
    assert "is text" in v.message
    assert check(2.0).ok


def test_checker_turns_an_escaping_exception_into_a_hint(capsys):
    @sc.checker(exercise="Exercise 4")
    def check(x):
        return {}[x]
    v = check("k")
    assert not v and v.message.startswith("Exercise 4: not yet. Hint: " + sc.UNCHECKABLE)
    assert "KeyError" in v.message
    assert "Traceback" not in capsys.readouterr().out


def test_checker_keeps_the_random_state():
    @sc.checker
    def check():
        random.random()
        return True
    random.seed(5)
    expected = [random.random() for _ in range(3)]
    random.seed(5)
    check()
    assert [random.random() for _ in range(3)] == expected


# ---------------------------------------------------------------------------------- reading

@pytest.mark.parametrize("answer, words", [
    (float("inf"), "is inf: give an ordinary finite number"),
    (float("-inf"), "is -inf: give an ordinary finite number"),
    (float("nan"), "is nan (not a number)"),
    ("inf", "is text"),
    ("3.5", "is text"),
    (b"3", "is text"),
    (10 ** 400, "too large for a float (it has 401 digits)"),
    (-10 ** 400, "too large for a float (it has 401 digits)"),
    (True, "not True or False"),
    (False, "not True or False"),
    (Value(2.0), "is a Value"),
    (AlwaysEqual(), "should be a number, got an AlwaysEqual"),
    ([1.0], "should be a number, got a list"),
    (2 + 1j, "complex number"),
    (None, "still `...`"),
    (..., "still `...`"),
])
def test_read_number_refuses_with_one_wording_per_mistake(answer, words, capsys):
    assert sc.read_number("Exercise 1", answer) is None
    out = capsys.readouterr().out
    assert out.startswith("❌ Exercise 1: not yet. Hint: the answer ") and words in out


def test_read_number_names_the_variable(capsys):
    sc.read_number("Exercise 1", "2", name="best_h")
    assert "best_h is text" in capsys.readouterr().out


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2 ** 60, 2 ** 60))
def test_read_number_returns_every_finite_number_unchanged(x):
    with sc.quiet():
        assert sc.read_number("Exercise 1", x) == float(x)


@given(st.sampled_from([math.inf, -math.inf, math.nan, -math.nan]),
       st.sampled_from([float, lambda x: x, str]))
def test_read_number_refuses_every_non_finite_value(x, spelled):
    with sc.quiet():
        assert sc.read_number("Exercise 1", spelled(x)) is None


def test_read_number_accepts_numpy_scalars():
    np = pytest.importorskip("numpy", reason="numpy not installed")
    assert sc.read_number("Exercise 1", np.float64(0.25)) == 0.25
    assert sc.read_number("Exercise 1", np.int64(3)) == 3.0


def test_read_whole_number_never_truncates(capsys):
    assert sc.read_whole_number("Exercise 1", 3.7) is None
    assert "should be a whole number (a count), got 3.7" in capsys.readouterr().out
    assert sc.read_whole_number("Exercise 1", 4.0) == 4
    assert sc.read_whole_number("Exercise 1", 7) == 7
    for bad in (10 ** 20, float("inf"), "4", True, AlwaysEqual()):
        assert sc.read_whole_number("Exercise 1", bad) is None


@given(st.integers(-2 ** 53, 2 ** 53))
def test_read_whole_number_returns_every_count_unchanged(n):
    with sc.quiet():
        assert sc.read_whole_number("Exercise 1", n) == n


def test_read_numbers_reads_each_entry_like_read_number(capsys):
    assert sc.read_numbers("Exercise 1", [1, 2.5, -3], length=3) == [1.0, 2.5, -3.0]
    assert sc.read_numbers("Exercise 1", (1, float("inf"))) is None
    assert "entry 1 of the answer is inf" in capsys.readouterr().out
    assert sc.read_numbers("Exercise 1", [1, 2], length=3) is None
    assert "should have 3 entries" in capsys.readouterr().out
    assert sc.read_numbers("Exercise 1", (x for x in [1, 2])) is None   # a generator is not consumed
    assert "should be a list of numbers, got a generator" in capsys.readouterr().out


def test_read_choice_reads_genuine_text_only(capsys):
    assert sc.read_choice("Exercise 1", " Minimum ", ["minimum", "maximum"]) == "minimum"
    assert sc.read_choice("Exercise 1", "min", ["minimum"], aliases={"min": "minimum"}) == "minimum"
    assert sc.read_choice("Exercise 1", "b", ["A", "B"], case=str.upper) == "B"
    assert sc.read_choice("Exercise 1", AlwaysEqual(), ["a", "b"]) is None
    assert "got an AlwaysEqual" in capsys.readouterr().out
    assert sc.read_choice("Exercise 1", "c", ["a", "b"]) is None
    assert "should be one of 'a', 'b'" in capsys.readouterr().out

    class Sneaky(str):
        def __eq__(self, other):
            return True

        def __hash__(self):
            return hash("a")
    assert sc.read_choice("Exercise 1", Sneaky("zzz"), ["a", "b"]) is None


def test_is_waiting_and_is_unwritten():
    assert sc.is_waiting(...) and sc.is_waiting(None) and not sc.is_waiting(0)

    def empty(x):
        ...

    def documented(x):
        """Only a docstring."""

    def written(x):
        return x + 1
    assert sc.is_unwritten(empty) and sc.is_unwritten(documented)
    assert not sc.is_unwritten(written) and not sc.is_unwritten(len) and not sc.is_unwritten(3)


# ---------------------------------------------------------------------------------- comparing

@pytest.mark.parametrize("a, b", [(float("inf"), float("inf")), (float("inf"), 1.0),
                                  (float("-inf"), float("-inf")), (float("nan"), float("nan")),
                                  ("inf", "inf"), (AlwaysEqual(), 1.0), (True, 1.0), (None, 0.0),
                                  (1e308, -1e308)])
def test_close_is_false_for_anything_not_finite(a, b):
    assert not sc.close(a, b)


@given(st.floats(-1e300, 1e300), st.floats(0.0, 0.5))
def test_close_relative_tolerance(x, rel):
    assert sc.close(x, x)
    assert sc.close(x, x * (1 + 1e-6))
    if abs(x) > 1:
        assert not sc.close(x, x * (1 + 1e-3 + rel))


def test_check_number_declared_wrong_answers_sign_and_otherwise(capsys):
    hints = [(3.0, "that is the local derivative alone.")]
    assert sc.check_number("Ex", 6.0, 6.0, hints, confirmed_by="engine: 6")
    assert "✅ Ex: correct. engine: 6" in capsys.readouterr().out
    v = sc.check_number("Ex", 3.0, 6.0, hints)
    assert not v and v.message.endswith("that is the local derivative alone.")
    assert sc.check_number("Ex", -6.0, 6.0, hints).message.endswith(sc.SIGN_HINT)
    assert sc.check_number("Ex", 1.0, 6.0, hints, otherwise="try again.").message.endswith("try again.")
    assert sc.check_number("Ex", ..., 6.0).kind == "waiting"
    for hostile in (float("inf"), "6", Value(6.0), AlwaysEqual(), 10 ** 400, True):
        verdict = sc.check_number("Ex", hostile, 6.0, hints)
        assert verdict.kind == "failed" and "6.0" not in verdict.message
    assert "✅" not in capsys.readouterr().out


# ---------------------------------------------------------------------------------- learner code

def test_call_safely_returns_the_result():
    assert sc.call_safely("Ex", lambda a, b: a * b, 3, 4) == (True, 12)


def test_call_safely_turns_any_exception_into_a_hint(capsys):
    def boom(x):
        raise ZeroDivisionError("float division by zero")
    ok, verdict = sc.call_safely("Ex", boom, 1.0, case="on a = 1")
    assert not ok and not verdict
    assert verdict.message == "Ex: not yet. Hint: boom raised ZeroDivisionError: float division by zero on a = 1."
    assert "Traceback" not in capsys.readouterr().out

    def leaves():
        raise SystemExit(3)
    assert sc.call_safely("Ex", leaves)[0] is False


def test_call_safely_runs_a_generator_to_the_end():
    def good():
        yield 1
        yield 2

    def bad():
        yield 1
        raise KeyError("x")
    assert sc.call_safely("Ex", good) == (True, [1, 2])
    ok, verdict = sc.call_safely("Ex", bad)
    assert not ok and "KeyError" in verdict.message


def test_call_safely_stops_a_loop_that_never_ends_even_if_it_catches_exceptions():
    def forever():
        while True:
            try:
                pass
            except Exception:
                pass
    ok, verdict = sc.call_safely("Ex", forever, seconds=0.2)
    assert not ok and "still running after 0.2 s" in verdict.message


def test_call_safely_time_limit_in_a_thread():
    import threading
    out = {}

    def run():
        def forever():
            while True:
                pass
        out["result"] = sc.call_safely("Ex", forever, seconds=0.2)
    with sc.quiet():
        t = threading.Thread(target=run)
        t.start()
        t.join(30)
    assert out["result"][0] is False


def test_call_safely_refuses_what_is_not_a_function():
    ok, verdict = sc.call_safely("Ex", 3.0)
    assert not ok and "pass the function itself" in verdict.message


def test_keep_random_state_restores_random_and_numpy():
    np = pytest.importorskip("numpy", reason="numpy not installed")
    random.seed(1)
    np.random.seed(1)
    expected = (random.random(), float(np.random.rand()))
    random.seed(1)
    np.random.seed(1)
    with sc.keep_random_state():
        random.random()
        np.random.rand(5)
    assert (random.random(), float(np.random.rand())) == expected


def test_all_passed_combines_parts():
    with sc.quiet():
        parts = [sc.passed("a"), sc.failed("b", "h"), sc.waiting("c")]
    combined = sc.all_passed(parts)
    assert not combined and combined.kind == "failed"
    assert combined.message.splitlines() == [p.message for p in parts]
    with sc.quiet():
        assert sc.all_passed([sc.passed("a"), sc.passed("b")])
        assert sc.all_passed([sc.waiting("a"), sc.passed("b")]).kind == "waiting"
    assert not sc.all_passed([])


# ---------------------------------------------------------------------------------- the battery itself

def test_the_battery_catches_a_naive_checker():
    """checks_battery must fail on the kind of checker issue 12 found (inf close to inf, float())."""
    from checks_battery import assert_refuses_battery

    @sc.checker
    def naive(answer):
        try:
            value = float(answer)
        except (TypeError, ValueError):
            return sc.failed("Exercise 1", "a number, please")
        if abs(value - 2.0) <= 1e-4 * max(1.0, abs(value), 2.0):
            return sc.passed("Exercise 1")
        return sc.failed("Exercise 1", "not 2")
    with pytest.raises(AssertionError, match="accepted|fell back|no hint"):
        assert_refuses_battery(naive, (2.0,), 0)


def test_the_battery_catches_a_hint_that_shows_the_answer():
    from checks_battery import assert_hint

    @sc.checker
    def leaky(answer):
        return sc.failed("Exercise 1", "the answer is 2.5000")
    with pytest.raises(AssertionError, match="shows the expected value"):
        assert_hint(leaky, (1.0,), "the answer", secrets=[2.5])
