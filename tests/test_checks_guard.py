"""The one guard every checker runs through (series_checks._guarded): learner code that is hostile
by accident cannot hang a check, flood its output, escape as a traceback or leave the notebook
changed. Each test uses a real checker (notebook 13's softmax) and a learner's function."""

import gc
import io
import math
import sys
import time

import pytest

import series_checks as sc
from checks_battery import run
from series_checks import nb13

FORKS = sc._can_fork()
needs_fork = pytest.mark.skipif(not FORKS, reason="the guard's fork is Linux-only; elsewhere checks run in-process")
WATCHES = hasattr(sys, "monitoring")


@pytest.fixture(params=["fork", "watched thread"])
def guard(request, monkeypatch):
    """Each way the guard runs a check where it can: a fork (Linux), a watched worker thread (no
    fork, as on Windows and macOS; needs sys.monitoring, Python 3.12+)."""
    if request.param == "fork" and not FORKS:
        pytest.skip("the guard's fork is Linux-only")
    if request.param == "watched thread":
        if not WATCHES:
            pytest.skip("the watched thread needs sys.monitoring (Python 3.12+); CI runs these on 3.12 and 3.13")
        monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")
        assert not sc._can_fork() and sc._can_watch()
    return request.param


@pytest.fixture
def short_budget(monkeypatch):
    monkeypatch.setattr(sc, "TIME_LIMIT", 0.5)
    monkeypatch.setattr(sc, "CHECK_BUDGET", 2.0)


def softmax_right(scores):
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


def test_a_right_answer_still_passes():
    result = run(nb13.check_softmax, softmax_right)
    assert result.verdict and "✅" in result.printed and "Note" not in result.printed


def test_a_bare_except_in_a_loop_cannot_hold_the_check(guard, short_budget):
    def softmax(scores):
        while True:
            try:
                time.sleep(0.05)
            except:  # noqa: E722 - the beginner's loop
                pass
    start = time.monotonic()
    result = run(nb13.check_softmax, softmax)
    assert time.monotonic() - start < 2.0 + 3.0
    assert not result.verdict
    if guard == "fork":   # the per-call alarm is swallowed; the budget's kill is not
        assert "stopped after 2 s" in result.printed and "except:" in result.printed
    else:                 # every line raises once time is up, so the per-call limit already holds
        assert "still running after 0.5 s" in result.printed


def test_except_base_exception_with_continue_cannot_hold_it_either(guard, short_budget):
    def softmax(scores):
        for _ in range(10 ** 12):
            try:
                time.sleep(1)
            except BaseException:
                continue
    result = run(nb13.check_softmax, softmax)
    assert not result.verdict and ("stopped after" in result.printed or "still running after" in result.printed)


def test_a_merely_slow_function_is_bounded_by_the_budget(guard, short_budget):
    def softmax(scores):
        time.sleep(0.4)   # under the 0.5 s per call, but the check makes many calls
        return softmax_right(scores)
    start = time.monotonic()
    result = run(nb13.check_softmax, softmax)
    assert time.monotonic() - start < 5.0
    assert not result.verdict and "stopped after" in result.printed


class LearnerStop(BaseException):
    pass


@pytest.mark.parametrize("error", [LearnerStop("halt"), GeneratorExit(), SystemExit(3)],
                         ids=["a BaseException subclass", "GeneratorExit", "SystemExit"])
def test_anything_raised_becomes_a_hint(error):
    def softmax(scores):
        raise error
    result = run(nb13.check_softmax, softmax)
    assert result.error is None and not result.verdict
    assert type(error).__name__ in result.printed and "Traceback" not in result.printed


def test_an_exception_whose_str_never_ends_is_bounded(guard, short_budget):
    class Endless(Exception):
        def __str__(self):
            while True:
                pass

    def softmax(scores):
        raise Endless()
    result = run(nb13.check_softmax, softmax)
    assert result.error is None and not result.verdict and "stopped after" in result.printed


def test_closing_stdout_does_not_break_the_check_or_the_notebook():
    def softmax(scores):
        sys.stdout.close()
        return softmax_right(scores)
    result = run(nb13.check_softmax, softmax)
    assert result.verdict and "closed sys.stdout" in result.printed
    print("still printing")   # this process's stdout is open


def test_what_learner_code_prints_is_bounded():
    def softmax(scores):
        print("x" * 1_000_000)
        return softmax_right(scores)
    result = run(nb13.check_softmax, softmax)
    assert result.verdict
    assert len(result.printed) < sc.OUTPUT_LIMIT + 1000 and "more characters printed by your code" in result.printed


def changes_everything(scores):
    gc.disable()
    sys.setrecursionlimit(54_321)
    math.exp = lambda x: 1.0
    return softmax_right(scores)


def assert_state_is_ours(exp, limit):
    assert gc.isenabled() and sys.getrecursionlimit() == limit and math.exp is exp


def test_global_state_changed_by_learner_code_is_named_and_never_kept():
    exp, limit = math.exp, sys.getrecursionlimit()
    result = run(nb13.check_softmax, changes_everything)
    assert_state_is_ours(exp, limit)
    note = [line for line in result.printed.splitlines() if "Note:" in line]
    assert note, result.printed
    for words in ("garbage collector off", "recursion limit to 54321", "changed math (exp)"):
        assert words in note[0], note[0]


def test_without_fork_the_state_is_put_back_and_named(monkeypatch):
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")
    assert not sc._can_fork()
    exp, limit = math.exp, sys.getrecursionlimit()
    result = run(nb13.check_softmax, changes_everything)
    assert_state_is_ours(exp, limit)
    assert "The check put it back" in result.printed and "changed math (exp)" in result.printed


def test_without_fork_an_ordinary_endless_loop_is_still_stopped(monkeypatch, short_budget):
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")

    def softmax(scores):
        while True:
            pass
    result = run(nb13.check_softmax, softmax)
    assert not result.verdict and "still running" in result.printed


def test_a_verdict_keeps_its_message_and_markers_come_back_in_order():
    result = run(nb13.check_softmax, softmax_right)
    assert result.verdict.message in result.printed
    assert result.printed.startswith("✅")


def test_quiet_checks_print_nothing():
    buffer = io.StringIO()
    with sc.quiet():
        sys_stdout, sys.stdout = sys.stdout, buffer
        try:
            verdict = nb13.check_softmax(changes_everything)
        finally:
            sys.stdout = sys_stdout
    assert verdict is not None and buffer.getvalue() == ""


# ---- the watched thread (no fork): what only it has to get right ---------------------------------

needs_watch = pytest.mark.skipif(not WATCHES, reason="the watched thread needs sys.monitoring (Python 3.12+)")


@pytest.fixture
def watched(monkeypatch, short_budget):
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")


@needs_watch
def test_a_bare_except_inside_one_call_is_stopped_at_that_calls_limit(watched):
    def softmax(scores):
        while True:
            try:
                time.sleep(0.05)
            except:  # noqa: E722 - the beginner's loop
                pass
    start = time.monotonic()
    result = run(nb13.check_softmax, softmax)
    assert time.monotonic() - start < 1.5, "the per-call limit (0.5 s) stops it, not the budget"
    assert not result.verdict and "still running after 0.5 s" in result.printed


@needs_watch
def test_a_call_python_cannot_interrupt_is_left_behind_and_said_so(watched):
    def softmax(scores):
        time.sleep(30)
    start = time.monotonic()
    result = run(nb13.check_softmax, softmax)
    assert time.monotonic() - start < 2.0 + sc._GRACE + 1.0
    assert not result.verdict and "still running in the background" in result.printed
    assert sys.stdout is not None and not sys.stdout.closed
    assert run(nb13.check_softmax, softmax_right).verdict, "the next check works as before"


@needs_watch
def test_nothing_is_monitored_after_a_check_so_the_notebook_keeps_its_speed(watched):
    def softmax(scores):
        while True:
            try:
                pass
            except:  # noqa: E722
                pass
    run(nb13.check_softmax, softmax)
    assert sc._Watch.tool is not None, "the time-up window switched monitoring on"
    assert sys.monitoring.get_events(sc._Watch.tool) == 0
    assert not any(not w.left_behind for w in sc._Watch.workers.values()), "no worker of a finished check is left"


@needs_watch
def test_a_keyboard_interrupt_raised_by_learner_code_is_a_hint_in_the_worker(watched):
    def softmax(scores):
        raise KeyboardInterrupt
    result = run(nb13.check_softmax, softmax)
    assert result.error is None and not result.verdict and "KeyboardInterrupt" in result.printed


@needs_watch
def test_the_learners_recursion_has_the_room_it_has_in_the_main_thread(watched):
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    def softmax(scores):
        depth(sys.getrecursionlimit() - 100)
        return softmax_right(scores)
    assert run(nb13.check_softmax, softmax).verdict
