"""Every checker of every notebook: waiting on `...`, the reference answer passes, each declared
mistake gets its own hint (and no ✅), hostile answers are refused without a traceback, and no hint
shows the expected value. The battery of hostile inputs lives in tests/checks_battery.py.
"""

import math
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import series_checks as sc
from checks_battery import (AlwaysEqual, assert_distinct_hints, assert_hint, assert_passes,
                            assert_refused, assert_refuses_battery, assert_waiting, run)
from micrograd_core import MLP, Value
from series_checks import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb08, nb09, nb10, nb11, nb12, nb18


def hints_of(check, mistakes, secrets=(), parts=False):
    """Run every declared mistake ((args, words) or (args, kwargs, words)) and check its hint."""
    results = []
    for mistake in mistakes:
        args, kwargs, words = (mistake[0], {}, mistake[1]) if len(mistake) == 2 else mistake
        if parts:
            result = run(check, *args, **kwargs)
            assert_refused(result, f"declared mistake {args!r} {kwargs!r}", secrets, parts=True)
            assert words in result.verdict.message, (words, result.describe())
        else:
            result = assert_hint(check, args, words, secrets, kwargs)
        results.append(result)
    if not parts:
        assert_distinct_hints(results)
    return results


# ================================================================================== notebook 00

NB00_NEW_L = -9.0
NB00_NUDGED = -7.8   # a and b both up by 0.1: -8 + 6 * 0.1 + (-4) * 0.1


def test_nb00_new_L():
    assert_waiting(nb00.check_new_L, ...)
    assert_passes(nb00.check_new_L, NB00_NEW_L)
    hints_of(nb00.check_new_L, [
        ((1.0,), "parentheses were dropped"), ((-15.0,), "c seems to be missing"),
        ((-21.0,), "the first step is the product"), ((-3.0,), "that is d = a*b + c"),
        ((-5.0,), "that is e = a*b"), ((9.0,), "check the sign of each product"),
        ((100.0,), "compute it in the order the code does"),
    ], secrets=[NB00_NEW_L])
    assert_refuses_battery(nb00.check_new_L, (NB00_NEW_L,), 0, secrets=[NB00_NEW_L])


def test_nb00_nudged_L():
    assert_waiting(nb00.check_nudged_L, ...)
    assert_passes(nb00.check_nudged_L, NB00_NUDGED)
    hints_of(nb00.check_nudged_L, [
        ((0.2,), "that is how much L changes"), ((-8.2,), "the change goes the wrong way"),
        ((-8.0,), "that is L before the nudge"), ((-7.4,), "b moves too"), ((-8.4,), "a moves too"),
        ((-7.0,), "check the sign of b's term"), ((-7.98,), "a step of 0.1 each."),
        ((-6.0,), "not a step of 1"), ((-7.82,), "that is the exact new L"), ((5.0,), "new L is about old L"),
    ], secrets=[NB00_NUDGED])
    assert_refuses_battery(nb00.check_nudged_L, (NB00_NUDGED,), 0, secrets=[NB00_NUDGED])


# ================================================================================== notebook 01

def symmetric(g, x, h=1e-6):
    return (g(x + h) - g(x - h)) / (2 * h)


def d_wrt_b(a, b, c, h=1e-6):
    return symmetric(lambda t: a * t + c, b, h)


def test_nb01_flat_point():
    check = nb01.check_flat_point
    ref = (symmetric(nb01.f, 2 / 3, 1e-5), "minimum")
    assert_waiting(check, ..., ...)
    assert_waiting(check, ..., "minimum")
    assert_waiting(check, ref[0], ...)
    assert_passes(check, *ref)
    assert_passes(check, 0.0, " MIN ")
    hints_of(check, [
        ((nb01.f(2 / 3), "minimum"), "that is the value f(2/3)"),
        ((nb01.engine_slope(0.67), "minimum"), "2/3 rounded to a few decimals"),
        ((-4.0, "minimum"), "that is the slope at x = 0"),
        ((0.002, "minimum"), "the estimate is slightly positive"),
        ((50.0, "minimum"), "measure it as in section 3"),
        ((0.0, "maximum"), "look at its sign just left and just right"),
        ((0.0, "sideways"), "kind_of_point should be one of"),
    ])
    assert_refuses_battery(check, ref, 0)
    assert_refuses_battery(check, ref, 1)


def test_nb01_d_wrt_b():
    check = nb01.check_d_wrt_b

    def unwritten(a, b, c):
        ...

    def none_later(a, b, c):
        return None if a != -1.5 else d_wrt_b(a, b, c)
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_waiting(check, lambda a, b, c: None)
    assert_passes(check, d_wrt_b)
    hints_of(check, [
        ((lambda a, b, c: symmetric(lambda t: t * b + c, a),), "that is the slope in a"),
        ((lambda a, b, c: symmetric(lambda t: a * b + t, c),), "that is the slope in c"),
        ((lambda a, b, c: 2 * d_wrt_b(a, b, c),), "exactly twice too much"),
        ((lambda a, b, c: d_wrt_b(a, b, c) / 2,), "exactly half of the slope"),
        ((lambda a, b, c: symmetric(lambda t: (a + t) * (b + t) + c, 0.0),), "nudged together"),
        ((lambda a, b, c: a * b + c,), "which is d itself"),
        ((lambda a, b, c: (a * b + c) - (a * b + c),), "the two evaluations of d gave the same number"),
        ((lambda a, b, c: d_wrt_b(a, b, c) * 1.001,), "close, but not accurate enough"),
        ((lambda a, b, c: 42.0 + 0 * b,), "which is not the slope of d in b"),
        ((lambda a, b, c: a,), "it returns a formula"),
        ((none_later,), "returned None: every path must `return` a number"),
        ((lambda a, b, c: [b * 1.0],), "should be a number, got a list"),
    ])
    assert_refuses_battery(check, (d_wrt_b,), 0, kind="function")


def test_nb01_best_h():
    check = nb01.check_best_h
    assert_waiting(check, ...)
    assert_passes(check, 1e-8)
    hints_of(check, [((1e-2,), "most of it is truncation"), ((1e-15,), "most of it is rounding"),
                     ((-1e-8,), "h must be a positive number")])
    assert "error is inf" in run(check, 1e308).verdict.message   # f(3 + h) overflows: no crash
    assert not run(check, 0.0).verdict
    assert_refuses_battery(check, (1e-8,), 0)


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_nb01_best_h_never_raises_and_passes_only_accurate_steps(h):
    result = run(nb01.check_best_h, h)
    assert result.error is None and isinstance(result.verdict, sc.Verdict)
    if result.verdict:
        assert nb01.forward_error(h) < nb01.TARGET_ERROR


# ================================================================================== notebook 02

def test_nb02_counts():
    check = nb02.check_counts
    assert_waiting(check, ..., 2, 6)
    assert_passes(check, 4, 2, 6)
    assert_passes(check, 4.0, 2, 6)
    hints_of(check, [
        ((5, 2, 6), "a appears twice in the code"), ((3, 2, 6), "count every Value once"),
        ((7, 2, 6), "count each Value object once"), ((4, 3, 6), "one ellipse per operator"),
        ((4, 2, 4), "you counted the arrows into the ops"), ((4, 2, 5), "a is used in two argument slots"),
        ((4, 2, 9), "one arrow per argument slot"), ((4.5, 2, 6), "should be a whole number"),
    ])
    for slot in range(3):
        assert_refuses_battery(check, (4, 2, 6), slot)


def test_nb02_prev():
    check = nb02.check_prev
    ref = ("+", (-2.0, 3.0))
    assert_waiting(check, ..., ref[1])
    assert_waiting(check, "+", ...)
    assert_passes(check, *ref)
    assert_passes(check, " + ", [Value(-2.0), 3])
    hints_of(check, [
        (("-", ref[1]), "Value has no '-' operation"), (("*", ref[1]), "which operation does Value.__sub__"),
        (("+", (3.0, -2.0)), "the right numbers in the wrong order"),
        (("+", (-2.0, -3.0)), "the second slot does not hold t itself"),
        (("+", (1.5, -2.0)), "those are t's children"), (("+", (1.0, 1.0)), "list the .data of u._prev"),
        (("+", (1.0,)), "_prev has 2 slots"),
    ])
    assert_refuses_battery(check, ref, 0)
    assert_refuses_battery(check, ref, 1)


def nb02_leaves():
    return Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")


def nb02_changed_leaf():
    a, b, c = nb02_leaves()
    c.data = -22.0                 # changes a leaf instead of building the expression
    return a * b + c, a, b, c


def nb02_hand_set_target():
    a, b, c = nb02_leaves()
    t = a * b + c
    t.data = -28.0
    return t, a, b, c


def test_nb02_build():
    check = nb02.check_build
    a, b, c = nb02_leaves()
    assert_waiting(check, ..., a, b, c)
    assert_passes(check, a + b * c, a, b, c)
    a, b, c = nb02_leaves()
    assert_passes(check, c * b + a, a, b, c)
    cases = []
    for build, words in [
        (lambda a, b, c: a.data + b.data * c.data, "Arithmetic on .data gives a plain number"),
        (lambda a, b, c: a, "a single leaf with no graph"),
        (lambda a, b, c: a + b * c + 0.0, "a leaf that is none of a, b, c"),
        (lambda a, b, c: a - b * c, "a leaf that is none of a, b, c"),
        (lambda a, b, c: (a + b * c).tanh(), "the graph uses 'tanh'"),
        (lambda a, b, c: a + b * a, "use each of a, b and c exactly once"),
        (lambda a, b, c: (a + b) * c, "your expression gives"),
    ]:
        a, b, c = nb02_leaves()
        cases.append(((build(a, b, c), a, b, c), words))
    hints_of(check, cases[:3] + cases[4:])
    assert_hint(check, *cases[3])
    assert_hint(check, nb02_changed_leaf(), "c is no longer the Value the exercise gave")
    assert_hint(check, nb02_hand_set_target(), "build the value with operators instead of setting .data")
    a, b, c = nb02_leaves()
    assert_refuses_battery(check, (a + b * c, a, b, c), 0)
    assert_refuses_battery(check, (a + b * c, a, b, c), 3)


# ================================================================================== notebook 03

NB03_GRADS = {"u": -6.0, "v": -2.5, "x": -6.0, "y": -6.0, "z": 5.0, "w": -7.5}


def test_nb03_exercise1():
    check = nb03.check_exercise1
    assert_waiting(check)
    assert_waiting(check, **{k: ... for k in NB03_GRADS})
    assert_passes(check, **NB03_GRADS)
    mistakes = {"u": [(-2.5, "this node's own value"), (1.0, "d(u*v)/du is not 1")],
                "v": [(-6.0, "this node's own value"), (1.0, "d(u*v)/dv is not 1")],
                "x": [(1.0, "the local derivative alone"), (-2.5, "upstream grad is from the wrong node")],
                "z": [(-2.0, "the local derivative alone"), (-7.5, "this node's own value"),
                      (12.0, "upstream grad is from the wrong node")],
                "w": [(3.0, "the local derivative alone"), (5.0, "this node's own value"),
                      (-18.0, "upstream grad is from the wrong node")]}
    for name, wrongs in mistakes.items():
        results = hints_of(check, [((), {**NB03_GRADS, name: value}, words) for value, words in wrongs],
                           secrets=[NB03_GRADS[name]], parts=True)
        failed_lines = [line for r in results for line in r.printed.splitlines() if "❌" in line]
        assert len(set(failed_lines)) == len(wrongs)
    for name in NB03_GRADS:
        assert_refuses_battery(check, (), name, kwargs=NB03_GRADS, secrets=[NB03_GRADS[name]], parts=True)


def test_nb03_exercise2():
    check = nb03.check_exercise2
    assert_waiting(check, ...)
    assert_passes(check, 0.08)
    assert_passes(check, nb03._L_floats(a=0.02, f=-0.01) - nb03._L_floats())   # the measured change
    hints_of(check, [
        ((0.16,), "f goes *down* by 0.01"), ((0.12,), "a is not the only input that moves"),
        ((-0.04,), "f is not the only input that moves"), ((10.0,), "multiply each grad by the size"),
        ((2.0,), "the sizes of the nudges are missing"), ((0.2,), "each input has its own nudge"),
        ((-0.08,), "the sign is flipped"), ((1.0,), "add one term per input that moves"),
    ], secrets=[0.08])
    assert_refuses_battery(check, (0.08,), 0, secrets=[0.08])


def test_nb03_exercise3():
    check = nb03.check_exercise3
    assert_waiting(check, ..., -1)
    assert_waiting(check, "a", ...)
    assert_passes(check, "a", -1)
    assert_passes(check, Value(2.0, label="a"), -1.0)
    hints_of(check, [
        (("a", 1), "right input, wrong direction"), (("b", -1), "this nudge makes L bigger"),
        (("b", 1), "this nudge does lower L"), (("d", -1), "is computed from the inputs"),
        (("z", 1), "which_input should be one of"), (("a", 2), "+1 (nudge up) or -1 (nudge down)"),
        (("a", -1.5), "should be a whole number"),
    ])
    assert_refuses_battery(check, ("a", -1), 0)
    assert_refuses_battery(check, ("a", -1), 1)


# ================================================================================== notebook 04

NB04_CARD = (-1.0, -3.0, -4.0)


def test_nb04_card():
    check = nb04.check_card
    assert_waiting(check, ..., ..., ...)
    assert_passes(check, *NB04_CARD)
    local, contribution, after = NB04_CARD
    hints_of(check, [
        ((3.0, contribution, after), "that is u's own value"),
        ((1.0, contribution, after), "1 is the local derivative of a sum"),
        ((-3.0, contribution, after), "that is already local × upstream"),
        ((local, -1.0, after), "you gave the local derivative alone"),
        ((local, 3.0, after), "that is the upstream grad s.grad on its own"),
        ((local, 9.0, after), "you multiplied the upstream by u's own value"),
        ((local, contribution, -3.0), "u already had a grad before this step"),
        ((local, contribution, -1.0), "that is u's grad before this step"),
        ((local, contribution, 2.0), "add the contribution, do not subtract it"),
        ((local, contribution, -2.0), "check the sign of the grad u had before this step"),
    ], parts=True)
    for slot, secret in enumerate(NB04_CARD):
        assert_refuses_battery(check, NB04_CARD, slot, secrets=[secret], parts=True)


def test_nb05_order():
    # Counting the order moved from notebook 04 to notebook 05 with the split of 04.
    check = nb05.check_order
    assert_waiting(check, ..., ...)
    assert_passes(check, 5, 3)
    hints_of(check, [
        ((4, 3), "one node is missing"), ((6, 3), "one too many"), ((3, 3), "you counted only the results"),
        ((9, 3), "list the nodes on paper first"), ((5, 5), "there is no chain-rule step at a leaf"),
        ((5, 4), "the seed"), ((5, 2), "count every operation"), ((5.5, 3), "should be a whole number"),
        ((-5, 3), "a count is never negative"),
    ], parts=True)
    assert_refuses_battery(check, (5, 3), 0, parts=True)
    assert_refuses_battery(check, (5, 3), 1, parts=True)


def my_backward(root):
    root.grad = 1.0
    for node in reversed(root.topological_order()):
        node._backward()


def test_nb04_my_backward():
    check = nb04.check_my_backward

    def unwritten(root):
        ...

    def no_seed(root):
        for node in reversed(root.topological_order()):
            node._backward()

    def wrong_seed(root):
        root.grad = 2.0
        for node in reversed(root.topological_order()):
            node._backward()

    def skips_last(root):   # right, then one leaf's grad is spoiled
        my_backward(root)
        root.topological_order()[0].grad += 1.0

    def hides_the_engine(root):
        try:
            root.backward()
        except BaseException:
            pass
        my_backward(root)
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_passes(check, my_backward)
    hints_of(check, [((walk,), hint[:40]) for walk, hint in nb04._WRONG_WALKS] + [
        ((lambda r: list(r.backward_steps()),), "calls the engine's own pass (backward_steps())"),
        ((lambda r: r.backward(),), "calls the engine's own pass (backward())"),
        ((no_seed,), "the output's grad is still 0"),
        ((wrong_seed,), "the output's grad ended at"),
        ((skips_last,), "some grads differ from backward()"),
    ])
    assert_hint(check, (hides_the_engine,), "calls the engine's own pass (backward())")
    assert_refuses_battery(check, (my_backward,), 0, kind="function")
    assert Value.backward.__name__ == "backward"   # the engine's pass is back after every check


# ================================================================================== notebook 06

def test_nb06_exercise1():
    check = nb06.check_exercise1
    assert_waiting(check, ...)
    assert_passes(check, 12.0)
    hints_of(check, [((8.0,), "two of the three uses"), ((4.0,), "what a single use of x passes back"),
                     ((-6.0,), "the product of the *other two* factors"), ((-4.0,), "the slope of x * x"),
                     ((-12.0,), "the sign is flipped"), ((1.0,), "recompute it step by step")],
             secrets=[12.0])
    assert_refuses_battery(check, (12.0,), 0, secrets=[12.0])


NB06_TWICE = (14.0, 2.0, 1.0)


def test_nb06_exercise2():
    check = nb06.check_exercise2
    assert_waiting(check, ..., ..., ...)
    assert_passes(check, *NB06_TWICE)
    _, m, y = NB06_TWICE
    hints_of(check, [
        ((5.0, m, y), "that is the value after *one* call"), ((10.0, m, y), "plain doubling"),
        ((9.0, m, y), "that is what the second call adds"), ((12.0, m, y), "you left out the direct path"),
        ((8.0, m, y), "a is used twice in y"), ((14.0, 1.0, y), "only the root's grad is *set*"),
        ((14.0, 0.0, y), "nothing resets m"), ((14.0, m, 2.0), "backward() *sets* the root's grad"),
    ], parts=True)
    for slot, secret in enumerate(NB06_TWICE):
        assert_refuses_battery(check, NB06_TWICE, slot, secrets=[secret] if slot == 0 else (), parts=True)


def fixed_loop(n, x, passes):
    history = []
    for _ in range(passes):
        out = n(x)
        n.zero_grad()
        out.backward()
        history.append(n.w[0].grad)
    return history


def test_nb06_exercise3():
    check = nb06.check_exercise3

    def never_zeroes(n, x, passes):
        history = []
        for _ in range(passes):
            n(x).backward()
            history.append(n.w[0].grad)
        return history

    def divides_by_the_pass_count(n, x, passes):   # the pile-up, disguised
        return [g / (k + 1) for k, g in enumerate(never_zeroes(n, x, passes))]

    def zeroes_after_backward(n, x, passes):
        history = []
        for _ in range(passes):
            n(x).backward()
            n.zero_grad()
            history.append(n.w[0].grad)
        return history

    def zeroes_once(n, x, passes):
        n.zero_grad()
        return never_zeroes(n, x, passes)

    def unwritten(n, x, passes):
        ...
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_waiting(check, lambda n, x, passes: ...)
    assert_passes(check, fixed_loop)
    secret = nb06._one_clean_pass(nb06.EX3_WEIGHTS, nb06.EX3_X)[0]
    hints_of(check, [
        ((never_zeroes,), "the grads still pile up"), ((divides_by_the_pass_count,), "the neuron's own grads"),
        ((zeroes_after_backward,), "every grad reads 0"),
        ((lambda n, x, passes: [1.0, 2.0, 3.0],), "do not match one clean backward pass"),
        ((lambda n, x, passes: fixed_loop(n, x, passes)[:-1],), "one grad per pass"),
        ((lambda n, x, passes: [fixed_loop(n, x, passes)[0], 0.0, 0.0, 0.0, 0.0][:passes],),
         "the first pass is right but later ones are not"),
    ], secrets=[secret])
    assert_hint(check, (zeroes_once,), "the grads still pile up")
    assert_refuses_battery(check, (fixed_loop,), 0, kind="function", secrets=[secret])


# ================================================================================== notebook 08

def d_div_db(a, b):
    return -a / b ** 2


def test_nb08_exercise1():
    check = nb08.check_exercise_1

    def unwritten(a, b):
        ...
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_waiting(check, lambda a, b: ...)
    assert_passes(check, d_div_db)
    hints_of(check, [
        ((lambda a, b: 1 / b,), "that is the derivative with respect to a"),
        ((lambda a, b: -1 / b ** 2,), "where did the numerator go"),
        ((lambda a, b: -a / b,), "your formula shrinks like 1/b"),
        ((lambda a, b: -a / b ** 3,), "your formula shrinks too fast"),
        ((lambda a, b: a / b ** 2,), "the sign is flipped: making the divisor larger"),
        ((lambda a, b: 0.5,), "your formula disagrees with backward()"),
    ], secrets=[-0.75])
    for hint in (r.verdict.message for r in [run(check, lambda a, b: -1 / b ** 2), run(check, lambda a, b: -a / b)]):
        assert "b**-2" not in hint and "b squared" not in hint   # the hints do not state the formula
    assert_refuses_battery(check, (d_div_db,), 0, kind="function", secrets=[-0.75])


SIGMOID_SLOPE = (1 / (1 + math.exp(-0.5))) * (1 - 1 / (1 + math.exp(-0.5)))


def test_nb08_exercise2():
    check = nb08.check_exercise_2
    s = 1 / (1 + math.exp(-0.5))
    assert_waiting(check, ...)
    assert_passes(check, SIGMOID_SLOPE)
    hints_of(check, [((s,), "that is the value of the sigmoid"), ((1 - s * s,), "tanh's slope"),
                     ((0.25,), "0.25 is the slope at x = 0"), ((1 - s,), "only one factor"),
                     ((-SIGMOID_SLOPE,), "the sign is flipped"), ((3.0,), "compute s = sigmoid(0.5) first")],
             secrets=[SIGMOID_SLOPE])
    assert_refuses_battery(check, (SIGMOID_SLOPE,), 0, secrets=[SIGMOID_SLOPE])


def test_nb08_exercise3():
    check = nb08.check_exercise_3
    assert_waiting(check, ...)
    assert_passes(check, "B")
    assert_passes(check, " b ")
    hints_of(check, [(("A",), "but to inf, not nan"), (("C",), "x.sigmoid() is computed"),
                     (("D",), "x.tanh() is computed"), (("E",), "should be one of 'A', 'B', 'C', 'D'")])
    assert_refuses_battery(check, ("B",), 0)


# ================================================================================== notebook 09

def test_nb09_exercise1():
    check = nb09.check_exercise_1
    o = math.tanh(1.1)
    expected = (1 - o ** 2) * -2.0
    assert_waiting(check, ...)
    assert_passes(check, expected)
    hints_of(check, [((1 - o ** 2,), "that is do/dn"), (((1 - o ** 2) * -0.25,), "is x2, not w2"),
                     ((-2.0,), "you skipped tanh"), (((1 - 1.1 ** 2) * -2.0,), "you used n itself"),
                     ((o * -2.0,), "tanh's slope is 1 - o**2, not o"),
                     ((-expected,), "the sign is flipped"), ((5.0,), "recompute it step by step")],
             secrets=[expected])
    assert_refuses_battery(check, (expected,), 0, secrets=[expected])


def test_nb09_exercise2():
    check = nb09.check_exercise_2
    assert_waiting(check, ..., "B")
    assert_waiting(check, "x2", ...)
    assert_passes(check, "x2", "B")
    assert_passes(check, " X2", "b")
    hints_of(check, [
        (("x3", "B"), "x3 is zero, but"), (("x1", "B"), "x1 gets a non-zero grad"),
        (("x2", "A"), "x2 is not zero"), (("x2", "C"), "tanh is not saturated here"),
        (("x2", "D"), "the position of an input does not matter"), (("x4", "B"), "which_input should be one of"),
        (("x2", "E"), "reason should be one of"),
    ])
    assert_refuses_battery(check, ("x2", "B"), 0)
    assert_refuses_battery(check, ("x2", "B"), 1)


def test_nb09_exercise3():
    t = math.tanh(4.0)
    expected_a = (1 - t ** 2) * 2.0
    assert_waiting(nb09.check_exercise_3a, ...)
    assert_passes(nb09.check_exercise_3a, expected_a)
    hints_of(nb09.check_exercise_3a, [((1.0,), "with the old bias"), ((2.0,), "x1 alone is the grad"),
                                      ((-30.0,), "with tanh(n), not n"), ((1 - t ** 2,), "that is the slope of tanh at n")],
             secrets=[expected_a])
    assert_refuses_battery(nb09.check_exercise_3a, (expected_a,), 0, secrets=[expected_a])
    assert_waiting(nb09.check_exercise_3b, ...)
    assert_passes(nb09.check_exercise_3b, 2.0)
    hints_of(nb09.check_exercise_3b, [((0.0,), "ReLU is flat only where n < 0"), ((4.0,), "4 is n itself"),
                                      ((1.0,), "1 is ReLU's slope"), ((-2.0,), "the sign is flipped")],
             secrets=[2.0])
    assert_refuses_battery(nb09.check_exercise_3b, (2.0,), 0, secrets=[2.0])


# ================================================================================== notebook 10

def test_nb10_exercise1():
    check = nb10.check_exercise_1
    assert_waiting(check, ...)
    assert_passes(check, 130)
    assert_passes(check, 130.0)
    hints_of(check, [((112,), "you counted the weights only"), ((115,), "one bias per neuron, not one per layer"),
                     ((132,), "the +1 (the bias) is per neuron"), ((18,), "that is the number of neurons"),
                     ((90,), "you skipped the first layer"), ((7,), "write the sizes as one list"),
                     ((129.6,), "should be a whole number")], secrets=[130])
    assert_refuses_battery(check, (130,), 0, secrets=[130])


def test_nb10_exercise2():
    check = nb10.check_exercise_2
    assert_waiting(check, ..., Value)
    assert_waiting(check, 3, ...)
    assert_passes(check, 3, Value)
    assert_passes(check, 3, "Value")
    hints_of(check, [
        ((5, Value), "5 is the number of inputs"), ((1, Value), "Layer(5, 3) has more than one"),
        ((4, Value), "count the neurons of Layer(5, 3)"), ((3, list), "a list with a single element is unwrapped"),
        ((3, float), "it cannot be a plain number"), ((3, "Neuron"), "what does a neuron's call return"),
        ((3, "dict"), "answer with a type"), ((3.7, Value), "should be a whole number (a count), got 3.7"),
    ])
    assert_refuses_battery(check, (3, Value), 0)
    assert_refuses_battery(check, (3, Value), 1)


def nb10_model():
    random.seed(11)
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    x = [1.0, -2.0, 0.5]
    model(x).backward()
    return model, x


def nb10_pick(model, key):
    return max(((key(n, w), n.name) for layer in model.layers for n in layer.neurons for w in n.w))[1]


def test_nb10_exercise3():
    check = nb10.check_exercise_3
    model, x = nb10_model()
    answer = nb10_pick(model, lambda n, w: abs(w.grad))
    assert_waiting(check, ..., model, x)
    assert_passes(check, answer, model, x)
    assert_passes(check, answer.lower().replace(" ", ""), model, x)
    mistakes = [(("L9 N9", model, x), "name a neuron the way the model does")]
    signed = nb10_pick(model, lambda n, w: w.grad)
    by_data = nb10_pick(model, lambda n, w: abs(w.data))
    if signed != answer:
        mistakes.append(((signed, model, x), "the largest grad counted with its sign"))
    if by_data not in (answer, signed):
        mistakes.append(((by_data, model, x), "the largest weight *value*"))
    hints_of(check, mistakes)
    untrained, _ = nb10_model()
    untrained.zero_grad()
    wrong = next(n.name for layer in untrained.layers for n in layer.neurons if n.name != answer)
    assert_hint(check, (wrong, untrained, x), "every grad in your model is still 0")
    assert_refuses_battery(check, (answer, model, x), 0)


# ================================================================================== notebook 11

def sgd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad


def train_loop(model, steps, lr, zero="before backward", keep=lambda loss: loss.data):
    """The notebook's loop, with the reset where `zero` says (or nowhere), recording keep(loss)."""
    losses = []
    for _ in range(steps):
        loss = nb11._loss(model)
        if zero == "before backward":
            model.zero_grad()
        loss.backward()
        if zero == "after backward":
            model.zero_grad()
        sgd_step(model.parameters(), lr)
        losses.append(keep(loss))
    return losses


def fixed_train(model, steps, lr):
    return train_loop(model, steps, lr)


def test_nb11_sgd_step():
    check = nb11.check_sgd_step

    def unwritten(params, lr):
        ...

    def rebinds(params, lr):
        for p in params:
            p = p.data - lr * p.grad  # noqa: F841 - the mistake being tested

    def moves_grads(params, lr):
        for p in params:
            p.grad -= lr * p.grad

    def uphill(params, lr):
        for p in params:
            p.data += lr * p.grad

    def no_lr(params, lr):
        for p in params:
            p.data -= p.grad

    def half(params, lr):
        sgd_step(params[: len(params) // 2], lr)

    def fixed_lr(params, lr):
        sgd_step(params, 0.1)

    def sets_inf(params, lr):
        for p in params:
            p.data = float("inf")
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_passes(check, sgd_step)
    hints_of(check, [((rebinds,), "no parameter's .data changed"), ((moves_grads,), "but their .grad changed"),
                     ((uphill,), "every parameter moved uphill"), ((no_lr,), "the step size lr is missing"),
                     ((half,), "parameters moved correctly"), ((fixed_lr,), "as if lr were 0.1"),
                     ((sets_inf,), "each parameter should move by minus lr")])
    assert_refuses_battery(check, (sgd_step,), 0, kind="function")


def test_nb11_learning_rate():
    check = nb11.check_learning_rate
    assert_waiting(check, ...)
    assert_passes(check, 0.2)
    hints_of(check, [((-1.0,), "a learning rate must be a positive number"), ((1000.0,), "is enormous"),
                     ((0.01,), "the steps are too timid"), ((20.0,), "the steps overshoot")])
    assert "lr <= 0" not in run(check, float("inf")).verdict.message
    assert_refuses_battery(check, (0.2,), 0)


def test_nb11_fixed_train():
    check = nb11.check_fixed_train

    def unwritten(model, steps, lr):
        ...

    def buggy(model, steps, lr):
        return train_loop(model, steps, lr, zero="after backward")

    def never_zeroes(model, steps, lr):
        return train_loop(model, steps, lr, zero=None)

    def trains_its_own_model(model, steps, lr):
        return fixed_train(nb11._model(0), steps, lr)

    def reports_another_models_losses(model, steps, lr):
        fixed_train(model, steps, lr)
        return fixed_train(nb11._model(0), steps, lr)

    def uphill(model, steps, lr):
        return fixed_train(model, steps, -lr)

    def returns_values(model, steps, lr):
        return train_loop(model, steps, lr, keep=lambda loss: loss)
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_passes(check, fixed_train)
    assert_passes(check, returns_values)
    hints_of(check, [((buggy,), "the loss never changes"), ((never_zeroes,), "exactly like the loop without zero_grad"),
                     ((trains_its_own_model,), "did not end where training takes it"),
                     ((reports_another_models_losses,), "train the `model` argument"),
                     ((uphill,), "the loss goes up"),
                     ((lambda m, s, lr: fixed_train(m, s, lr)[:-1],), "losses for"),
                     ((lambda m, s, lr: [v + 1e-3 for v in fixed_train(m, s, lr)],), "your losses differ")])
    assert_refuses_battery(check, (fixed_train,), 0, kind="function")


# ================================================================================== notebook 12

def test_nb12_margin_loss():
    check = nb12.check_margin_loss
    assert_waiting(check, ...)
    assert_passes(check, 0.6)
    hints_of(check, [((3.0,), "that is the sum over the five points"), ((0.3,), "must contribute 0, not a negative"),
                     ((1.5,), "two things"), ((1.7,), "check the sign inside the relu"),
                     ((0.76,), "the labels are -1 and +1 here"), ((-0.6,), "the sign is flipped"),
                     ((42.0,), "a table with one row per point helps")], secrets=[0.6])
    assert_refuses_battery(check, (0.6,), 0, secrets=[0.6])


NB12_GRADS = [0.0, -0.2, -0.2, 0.0, 0.2]


def test_nb12_score_grads():
    check = nb12.check_score_grads
    assert_waiting(check, ...)
    assert_waiting(check, [0.0, ..., -0.2, 0.0, 0.2])
    assert_passes(check, NB12_GRADS)
    assert_passes(check, np.array(NB12_GRADS))
    hints_of(check, [(([0.0, -1.0, -1.0, 0.0, 1.0],), "divided by the number of points"),
                     (([-g for g in NB12_GRADS],), "every sign is flipped"),
                     (([-0.2, -0.2, -0.2, 0.0, 0.2],), "look at score 0"),
                     (([0.0, -0.2, -0.2, 0.0, -0.2],), "score 4 is off"),
                     (([0.0, -0.2, -0.2, 0.0],), "should have 5 entries")])
    assert_refuses_battery(check, (NB12_GRADS,), 0)
    for i in range(len(NB12_GRADS)):
        for hostile in (float("inf"), "0.2", Value(0.2), AlwaysEqual(), 10 ** 400):
            assert_refused(run(check, NB12_GRADS[:i] + [hostile] + NB12_GRADS[i + 1:]), f"entry {i}")


def accuracy(scores, labels):
    return sum((1 if s > 0 else -1) == y for s, y in zip(scores, labels)) / len(scores)


def test_nb12_accuracy():
    check = nb12.check_accuracy

    def unwritten(scores, labels):
        ...
    assert_waiting(check, ...)
    assert_waiting(check, unwritten)
    assert_passes(check, accuracy)
    hints_of(check, [((lambda s, l: 100 * accuracy(s, l),), "that looks like a percentage"),
                     ((lambda s, l: accuracy(s, l) * len(s),), "the number of correct points"),
                     ((lambda s, l: 1 - accuracy(s, l),), "the fraction of mistakes"),
                     ((lambda s, l: sum((1 if v >= 0 else -1) == y for v, y in zip(s, l)) / len(s),),
                      "a score of exactly 0 must count as class -1"),
                     ((lambda s, l: 0.123,), "A point is correct when")])
    assert_refuses_battery(check, (accuracy,), 0, kind="function")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=1, max_size=8), st.floats(0, 1))
def test_nb12_accuracy_refuses_any_function_that_is_wrong_somewhere(noise_scores, offset):
    """A function that agrees with the reference except on one case the learner never saw fails."""
    def almost(scores, labels):
        right = accuracy(scores, labels)
        return right + 0.5 if scores == nb12._ACC_CASES[-1][0] else right
    assert not run(nb12.check_accuracy, almost).verdict


def test_nb12_l2():
    assert_waiting(nb12.check_l2_gradient, ...)
    assert_passes(nb12.check_l2_gradient, 1.6e-4)
    hints_of(nb12.check_l2_gradient, [((8e-5,), "where does the factor from the square go"),
                                      ((6.4e-5,), "that is the value of the term"), ((1.6,), "keep the alpha"),
                                      ((-1.6e-4,), "has the sign of p"), ((1.0,), "differentiate alpha * p^2")],
             secrets=[1.6e-4])
    assert_refuses_battery(nb12.check_l2_gradient, (1.6e-4,), 0, secrets=[1.6e-4])
    check = nb12.check_shrink_factor
    assert_waiting(check, ...)
    assert_passes(check, 0.9998)
    results = hints_of(check, [((0.9999,), "misses something from the derivative of the square"),
                               ((1.0002,), "with that factor p would grow"), ((0.0002,), "Write the new p as"),
                               ((0.79984,), "divide by p"), ((0.5,), "factor out p")], secrets=[0.9998])
    for r in results:   # the hints no longer spell the answer: no formula with 2 * alpha in it
        assert "2 * alpha" not in r.verdict.message and "below 1" not in r.verdict.message
    assert_refuses_battery(check, (0.9998,), 0, secrets=[0.9998])


# ================================================================================== notebook 18

def test_nb16_node_count():
    check = nb18.check_node_count
    assert_waiting(check, ..., 52800)
    assert_passes(check, 528, 52800)
    hints_of(check, [((528, 528), "our engine has no batches"), ((528, 1000), "the batch is 100 separate calls"),
                     ((512, 0), "each neuron ends with its activation"), ((544, 0), "the bias is a parameter"),
                     ((272, 0), "one multiplication AND one addition"), ((256, 0), "count per neuron"),
                     ((784, 0), "the inputs are already Values"), ((33, 0), "that is one neuron"),
                     ((1, 0), "count the nodes one neuron builds"), ((600.5, 0), "should be a whole number")],
             secrets=[528, 52800])
    assert_refuses_battery(check, (528, 52800), 0, secrets=[528, 52800])
    assert_refuses_battery(check, (528, 52800), 1, secrets=[52800])


def test_nb16_two_backwards():
    check = nb18.check_two_backwards
    a, b = Value(nb18.EX2_A), Value(nb18.EX2_B)
    z = a * b + b ** 2
    z.backward()
    z.backward()   # our engine: the intermediate grads of the first call are fed back in
    ours_a, ours_b = a.grad, b.grad
    assert_waiting(check, ..., -8.0, None)
    assert_passes(check, -6.0, -8.0, None)
    hints_of(check, [((-3.0, -4.0, None), "those are the gradients of one backward call"),
                     ((ours_a, ours_b, None), "that is what OUR engine gives"),
                     ((6.0, -8.0, None), "a_grad has the wrong sign"), ((-5.0, -8.0, None), "a_grad: what does one"),
                     ((-6.0, 4.0, None), "b is used twice"), ((-6.0, -7.0, None), "b reaches z through two paths"),
                     ((-6.0, -8.0, 2.0), "that is what OUR engine would store"),
                     ((-6.0, -8.0, 5.0), "What does PyTorch store in the .grad of a non-leaf"),
                     ((-6.0, -8.0, "x"), "c_grad should be a number or None")])
    for slot in range(3):
        assert_refuses_battery(check, (-6.0, -8.0, None), slot)


def test_nb16_two_backwards_reads_numpy_numbers_as_numbers():
    """A numpy number for c_grad is read as a number (np.float64 used to be, np.int64 was not), and
    numpy's True/False is refused as a number, with the vocabulary's one wording."""
    check = nb18.check_two_backwards
    for c_grad in (np.int64(2), np.float64(2.0), np.float32(2.0)):
        assert_hint(check, (-6.0, -8.0, c_grad), "that is what OUR engine would store")
    for c_grad in (np.True_, np.False_):
        assert_hint(check, (-6.0, -8.0, c_grad), "c_grad should be a number, not True or False")
    assert_hint(check, (np.True_, -8.0, None), "a_grad should be a number, not True or False")


def test_nb16_vectorised_grads():
    check = nb18.check_vectorised_grads
    W, x, c = nb18.EX3_W, nb18.EX3_X, nb18.EX3_C
    ref = (np.outer(c, x), W.T @ c, c.copy())
    assert_waiting(check, ..., ref[1], ref[2])
    assert_passes(check, *ref)
    assert_passes(check, ref[0].tolist(), list(ref[1]), list(ref[2]))
    ones = np.ones(3)
    hints_of(check, [
        ((ref[0].T, ref[1], ref[2]), "a gradient always has the shape"), ((np.zeros((2, 2)), ref[1], ref[2]), "should have W's shape"),
        ((np.outer(ones, x), ref[1], ref[2]), "right for L = sum(W @ x + b)"), ((np.zeros((3, 4)), ref[1], ref[2]), "write dL/dW[j, i]"),
        ((ref[0], np.zeros(3), ref[2]), "dx should have x's shape"), ((ref[0], W.T @ ones, ref[2]), "the outputs are weighted by c"),
        ((ref[0], np.zeros(4), ref[2]), "x[i] reaches L through every output"), ((ref[0], ref[1], np.zeros(4)), "db should have b's shape"),
        ((ref[0], ref[1], ones), "output j is weighted by c[j]"), ((ref[0], ref[1], np.zeros(3)), "b[j] is added to output j only"),
        ((np.full((3, 4), np.inf), ref[1], ref[2]), "has an entry that is inf or nan"),
        ((ref[0] + 0j, ref[1], ref[2]), "dL_dW is an array of complex numbers"),
        ((ref[0], ref[1].astype(str), ref[2]), "dL_dx is an array of text"),
        ((ref[0], ref[1], ref[2] > 0), "dL_db is an array of True/False values"),
    ])
    for slot in range(3):
        assert_refuses_battery(check, ref, slot)


def test_nb16_vectorised_grads_print_no_numpy_warning(capfd):
    """A complex array used to pass, with numpy's ComplexWarning (and a line of the checker's source)
    in the output; an answer whose arithmetic warns prints no warning either."""
    check = nb18.check_vectorised_grads
    W, x, c = nb18.EX3_W, nb18.EX3_X, nb18.EX3_C
    with np.errstate(all="warn"):
        for args in [(np.outer(c, x) + 0j, W.T @ c, c), (np.outer(c, x) * np.array(np.inf), W.T @ c, c)]:
            assert not check(*args)
            out, err = capfd.readouterr()
            assert "Warning" not in out + err and "nb18.py" not in out + err, out + err


def test_nb16_no_helper_returns_an_answer():
    """No function of nb18 that a learner can call without arguments returns an exercise's answer
    (nb18._engine_grads() used to give the three arrays of Exercise 3, _nodes_per_call() the count)."""
    import inspect
    W, x, c = nb18.EX3_W, nb18.EX3_X, nb18.EX3_C
    for name, fn in vars(nb18).items():
        if not callable(fn) or isinstance(fn, type):
            continue
        try:
            needed = [p for p in inspect.signature(fn).parameters.values()
                      if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            continue
        if needed:
            continue
        result = fn()
        if isinstance(result, (int, float)):
            assert result not in (528, 52800), f"nb18.{name}() returns the count of Exercise 1"
        if isinstance(result, (tuple, list)) and len(result) >= 2:
            assert not all(isinstance(r, np.ndarray) for r in result[:3]), \
                f"nb18.{name}() returns the arrays of Exercise 3"
            assert list(result[:2]) != [-6.0, -8.0], f"nb18.{name}() returns the grads of Exercise 2"


def _layer_grads(W, x, b, c):
    return np.outer(c, x), W.T @ c, c.copy()


def _lesson16_namespace():
    """What the first code cell of notebook 18 imports (its other lines set seeds)."""
    import ast
    import json
    cells = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "18_going_further.ipynb")
                       .read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    imports = [node for node in ast.parse(source).body if isinstance(node, (ast.Import, ast.ImportFrom))]
    namespace = {}
    exec(compile(ast.Module(imports, type_ignores=[]), "18_going_further.ipynb", "exec"), namespace)
    namespace.pop("__builtins__", None)
    return namespace


def test_nb16_layer_grads_has_no_answer_key_in_reach():
    """nb18._engine_layer_grads used to pass as layer_grads."""
    from checks_battery import assert_no_reachable_answer
    assert_no_reachable_answer(nb18.check_layer_grads, nb18, _lesson16_namespace())
    assert not hasattr(nb18, "_engine_layer_grads")


def test_nb16_layer_grads_cases_are_drawn_afresh_for_every_check(monkeypatch):
    from checks_battery import assert_a_lookup_table_fails
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")   # so that the recorder sees the calls
    assert_a_lookup_table_fails(nb18.check_layer_grads, _layer_grads)
    with sc.quiet():
        first, second = nb18.check_layer_grads(_layer_grads), nb18.check_layer_grads(_layer_grads)
    assert first and first.message == second.message


def test_nb16_layer_grads_refuse_arrays_that_are_not_real_numbers_and_print_no_warning(capfd):
    """Text and complex arrays used to pass (numpy turned them into floats, and its ComplexWarning
    printed a line of the checker's source); a learner's arithmetic that warns prints nothing either."""
    wrong = {
        "is an array of text": lambda W, x, b, c: (np.outer(c, x).astype(str), W.T @ c, c),
        "is an array of complex numbers": lambda W, x, b, c: (np.outer(c, x) + 0j, W.T @ c, c),
        "is an array of True/False values": lambda W, x, b, c: (np.outer(c, x), W.T @ c, c > 9),
        "contains inf or nan": lambda W, x, b, c: (np.outer(c, x), W.T @ c, c * 0 / 0),
        "is a list, not an array of numbers": lambda W, x, b, c: ([[Value(1.0)]], W.T @ c, c),
    }
    with np.errstate(all="warn"):
        for words, fn in wrong.items():
            verdict = nb18.check_layer_grads(fn)
            out, err = capfd.readouterr()
            assert not verdict and words in verdict.message, verdict.message
            assert "Warning" not in out + err and "nb18.py" not in out + err, out + err


# ================================================================================== every checker

ALL_MODULES = [nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb08, nb09, nb10, nb11, nb12, nb18]


def test_every_checker_is_tested():
    """A checker of series_checks that no test file calls as nbNN.check_x fails this test.

    Every module of series_checks counts, also those added later; tests may live in any tests/*.py
    (use tests/checks_battery.py as test_checks.py does).
    """
    import glob
    import importlib
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    source = "".join(open(p, encoding="utf-8").read() for p in glob.glob(os.path.join(here, "*.py")))
    names = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(os.path.dirname(sc.__file__), "nb*.py")))
    missing = [f"{name}.{check}" for name in names
               for check in getattr(importlib.import_module(f"series_checks.{name}"), "__all__", [])
               if check.startswith("check_") and f"{name}.{check}" not in source]
    assert not missing, f"checkers that no test calls (see tests/checks_battery.py): {missing}"


def test_quiet_checkers_work_as_autograder_tests(capsys):
    with sc.quiet():
        verdict = nb00.check_new_L(NB00_NEW_L)
        assert verdict, verdict.message
        wrong = nb00.check_new_L(1.0)
    assert capsys.readouterr().out == ""
    assert not wrong and "parentheses" in wrong.message


def test_checkers_keep_the_random_state():
    random.seed(3)
    expected = random.random()
    random.seed(3)
    nb11.check_fixed_train(fixed_train)
    nb10.check_exercise_1(130)
    assert random.random() == expected


# A wrong answer for every checker, run on a terminal that cannot print emoji.
WRONG_CALLS = [
    (nb00.check_new_L, (1.0,)), (nb00.check_nudged_L, (0.06,)), (nb01.check_flat_point, (3.0, "minimum")),
    (nb01.check_d_wrt_b, (lambda a, b, c: a,)), (nb01.check_best_h, (1e308,)), (nb02.check_counts, (5, 2, 6)),
    (nb02.check_prev, ("-", (1.0, 2.0))), (nb03.check_exercise2, (0.16,)), (nb03.check_exercise3, ("a", 1)),
    (nb04.check_card, (3.0, 9.0, -1.0)), (nb05.check_order, (4, 5)), (nb04.check_my_backward, (lambda r: r.backward(),)),
    (nb06.check_exercise1, (8.0,)), (nb06.check_exercise2, (5.0, 1.0, 2.0)), (nb08.check_exercise_1, (lambda a, b: 1 / b,)),
    (nb08.check_exercise_2, (0.25,)), (nb08.check_exercise_3, ("A",)), (nb09.check_exercise_1, (-2.0,)),
    (nb09.check_exercise_2, ("x3", "B")), (nb09.check_exercise_3a, (1.0,)), (nb09.check_exercise_3b, (1.0,)),
    (nb10.check_exercise_1, (112,)), (nb10.check_exercise_2, (5, list)), (nb11.check_learning_rate, (-1.0,)),
    (nb12.check_margin_loss, (3.0,)), (nb12.check_score_grads, ([0.0] * 5,)), (nb12.check_l2_gradient, (8e-5,)),
    (nb12.check_shrink_factor, (0.9999,)), (nb18.check_node_count, (33, 0)), (nb18.check_two_backwards, (-3.0, -4.0, None)),
]


@pytest.mark.parametrize("check, args", WRONG_CALLS, ids=[c.__module__[-4:] + "." + c.__name__ for c, _ in WRONG_CALLS])
def test_every_checker_prints_plain_markers_when_stdout_cannot_encode_emoji(check, args, monkeypatch):
    import io
    import sys
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    verdict = check(*args)
    stream.flush()
    printed = stream.buffer.getvalue().decode("ascii")
    assert not verdict and "[x] " in printed and "Traceback" not in printed


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=8))
def test_a_number_checker_passes_only_the_expected_value(answer):
    """nb03 exercise 2, fed anything: only an answer close to a reference number passes."""
    result = run(nb03.check_exercise2, answer)
    assert result.error is None and isinstance(result.verdict, sc.Verdict)
    if result.verdict:
        assert isinstance(answer, (int, float)) and not isinstance(answer, bool)
        assert sc.close(answer, 0.08) or sc.close(answer, nb03._L_floats(a=0.02, f=-0.01) - nb03._L_floats())
