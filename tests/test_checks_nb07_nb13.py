"""The checkers of notebooks 07 (build your own engine) and 13 (softmax and cross-entropy).

For every checker: an untouched answer waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback, and no hint shows
the expected value.
"""

import json
import math
import pathlib
import random
import sys
import time

import pytest

import checks_battery as battery
import micrograd_core
import series_checks
from checks_battery import AlwaysEqual, assert_refuses_battery
from series_checks import nb07, nb13


# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------

def _raises(*args, **kwargs):
    raise RuntimeError("learner code failed")


def _returns_inf(*args, **kwargs):
    return math.inf


HOSTILE = [math.inf, -math.inf, math.nan, "inf", 10 ** 400, micrograd_core.Value(1.0), AlwaysEqual(),
           _raises, _returns_inf]
HOSTILE_IDS = ["inf", "-inf", "nan", "text inf", "10**400", "a Value", "always equal", "raises",
               "returns inf"]


REPO = pathlib.Path(__file__).resolve().parent.parent


def run(capsys, check, *args):
    """Call a checker; return (verdict, everything it printed). It must never raise."""
    verdict = check(*args)
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return verdict, out.out


def assert_refused(verdict, printed):
    assert not verdict
    assert "✅" not in printed
    assert printed.strip(), "a refusal must say something"


def assert_hints_are_distinct(hints):
    assert len(set(hints)) == len(hints), hints


# ----------------------------------------------------------------------------------------------
# A reference class for exercise 2 of notebook 07 (the solutions notebook has the same one),
# and versions of it with one mistake each
# ----------------------------------------------------------------------------------------------

REFERENCE_SOURCE = '''
import math


class Value:
    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = Value._wrap(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = Value._wrap(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * (other ** -1 if isinstance(other, Value) else 1.0 / other)

    def __rtruediv__(self, other):
        return self ** -1 * other

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._children)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad
'''

RECURSIVE_BACKWARD = '''    def backward(self):
        order, seen = [], set()
        def visit(node):
            if node not in seen:
                seen.add(node)
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad
'''

NO_VISITED_SET_BACKWARD = '''    def backward(self):
        order = []
        stack = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in node._children)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad
'''


def _section(start, end):
    return REFERENCE_SOURCE[REFERENCE_SOURCE.index(start):REFERENCE_SOURCE.index(end)]


def make_class(*replacements):
    source = REFERENCE_SOURCE
    for old, new in replacements:
        assert old in source, old
        source = source.replace(old, new)
    namespace = {}
    exec(compile(source, "<learner>", "exec"), namespace)
    return namespace["Value"]


BACKWARD = REFERENCE_SOURCE[REFERENCE_SOURCE.index("    def backward(self):"):]

# mistake -> (the class with that one mistake, words its hint must contain)
CLASS_MISTAKES = {
    "= instead of +=": (make_class(("child.grad += local", "child.grad = local")), "`+=`, never `=`"),
    "* gives each input its own data": (
        make_class(("(other.data, self.data))", "(self.data, other.data))")), "*other* factor"),
    "no seed": (make_class(("        self.grad = 1.0\n        for", "        for")), "d(out)/d(out)"),
    "power rule keeps the exponent": (
        make_class(("n * self.data ** (n - 1)", "n * self.data ** n")), "lowers the exponent"),
    "tanh rule uses the input": (make_class(("(1 - t * t,)", "(1 - self.data ** 2,)")), "squared the input"),
    "exp rule uses the input": (
        make_class(("return Value(e, (self,), (e,))", "return Value(e, (self,), (self.data,))")),
        "exp(x) itself"),
    "recursive order": (make_class((BACKWARD, RECURSIVE_BACKWARD)), "recursion limit"),
    "no visited set": (make_class((BACKWARD, NO_VISITED_SET_BACKWARD)), "exactly once"),
    "no __radd__": (make_class(("    __radd__ = __add__\n", "")), "__radd__"),
    "numbers not wrapped": (
        make_class(("other = Value._wrap(other)\n        return Value(self.data + other.data",
                    "return Value(self.data + other.data")), "turn it into a Value first"),
    "no *": (make_class(("    __rmul__ = __mul__\n", ""),
                        (_section("    def __mul__", "    def __pow__"), "")), "no __mul__"),
    "no **": (make_class((_section("    def __pow__", "    def tanh"), "")), "no __pow__"),
    "neither tanh nor exp": (make_class((_section("    def tanh", "    __radd__"), "")), "tanh() or exp()"),
    "+ computes a difference": (make_class(("self.data + other.data", "self.data - other.data")), "wrong value"),
    "no backward": (make_class((BACKWARD, "")), "no backward()"),
    "grad starts as None": (make_class(("self.grad = 0.0", "self.grad = None")), "start with grad 0"),
}

# the expected numbers of the first op each single-op mistake is caught on; its hint must not show them
EXPECTED_IN_FIRST_TEST = {
    "= instead of +=": ["2.0000"],
    "* gives each input its own data": ["2.0000"],
    "power rule keeps the exponent": ["6.7500"],
    "tanh rule uses the input": ["0.7864"],
    "exp rule uses the input": ["1.6487"],
}


@pytest.fixture
def short_time_limit(monkeypatch):
    monkeypatch.setattr(series_checks, "TIME_LIMIT", 0.5)


# ----------------------------------------------------------------------------------------------
# Notebook 07, exercise 1: the local derivative of x ** 3
# ----------------------------------------------------------------------------------------------

def test_nb07_ex1_waits_and_accepts_the_reference(capsys):
    verdict, printed = run(capsys, nb07.check_local_derivative, ...)
    assert not verdict and "⏳" in printed
    verdict, printed = run(capsys, nb07.check_local_derivative, 3 * nb07.EX1_X ** 2)
    assert verdict and "✅" in printed


def test_nb07_ex1_declared_mistakes_have_their_own_hints(capsys):
    x, n = nb07.EX1_X, nb07.EX1_N
    hints = []
    for wrong in (n * x ** n, x ** (n - 1), x ** n, n * x, -n * x ** (n - 1)):
        verdict, printed = run(capsys, nb07.check_local_derivative, wrong)
        assert_refused(verdict, printed)
        assert "12.0000" not in printed and "12" not in printed.replace("-12", "")
        hints.append(printed)
    assert_hints_are_distinct(hints)


@pytest.mark.parametrize("answer", HOSTILE, ids=HOSTILE_IDS)
def test_nb07_ex1_refuses_hostile_answers(capsys, answer):
    assert_refused(*run(capsys, nb07.check_local_derivative, answer))


# ----------------------------------------------------------------------------------------------
# Notebook 07, exercise 2: the learner's whole class
# ----------------------------------------------------------------------------------------------

def test_nb07_class_waits_for_an_untouched_cell(capsys):
    class Value:
        ...

    for answer in (..., None, Value):
        verdict, printed = run(capsys, nb07.check_value_class, answer)
        assert not verdict and "⏳" in printed


def test_nb07_reference_class_passes(capsys):
    verdict, printed = run(capsys, nb07.check_value_class, make_class())
    assert verdict, printed
    assert "✅" in printed and f"{nb07.CHAIN_OPS} ops" in printed


@pytest.mark.parametrize("mistake", sorted(CLASS_MISTAKES))
def test_nb07_each_class_mistake_gets_its_hint(capsys, mistake):
    cls, words = CLASS_MISTAKES[mistake]
    verdict, printed = run(capsys, nb07.check_value_class, cls)
    assert_refused(verdict, printed)
    assert words in printed, printed
    for number in EXPECTED_IN_FIRST_TEST.get(mistake, []):
        assert number not in printed


def test_nb07_class_mistakes_are_told_apart(capsys):
    hints = [run(capsys, nb07.check_value_class, cls)[1] for cls, _ in CLASS_MISTAKES.values()]
    assert_hints_are_distinct(hints)


def test_nb07_partial_progress_is_reported(capsys):
    cls, _ = CLASS_MISTAKES["no **"]
    verdict, printed = run(capsys, nb07.check_value_class, cls)
    assert not verdict
    assert "so far right: +, *" in printed and f"a chain of {nb07.CHAIN_OPS} ops" in printed
    verdict, printed = run(capsys, nb07.check_value_class, nb07.example_class("minimal"))
    assert "so far right: +, *" in printed and "__pow__" in printed


def test_nb07_recursive_order_is_caught_on_the_deep_chain_only(capsys):
    verdict, printed = run(capsys, nb07.check_value_class, nb07.example_class("recursive order"))
    assert not verdict
    assert "+ and * composed, with reuse" in printed       # every shallow test passed
    assert "RecursionError" in printed and "explicit stack" in printed


@pytest.mark.parametrize("answer", HOSTILE, ids=HOSTILE_IDS)
def test_nb07_class_refuses_hostile_answers(capsys, answer):
    assert_refused(*run(capsys, nb07.check_value_class, answer))


class _RecursesForever:
    def __init__(self, data):
        self.data, self.grad = data, 0.0

    def __add__(self, other):
        return self + other


class _LoopsForever:
    def __init__(self, data, children=()):
        self.data, self.grad = data, 0.0

    def __add__(self, other):
        return _LoopsForever(self.data + other.data)

    def backward(self):
        while True:
            pass


class _DataRaises:
    def __init__(self, data):
        pass

    @property
    def data(self):
        raise RuntimeError("no data today")


class _WrongTypes:
    def __init__(self, data):
        self.data, self.grad = AlwaysEqual(), "0"


class _DataIsAValue:
    def __init__(self, data):
        self.data, self.grad = micrograd_core.Value(data), 0.0


class _ReturnsInf:
    def __init__(self, data):
        self.data, self.grad = data, 0.0

    def __add__(self, other):
        return _ReturnsInf(math.inf)


@pytest.mark.parametrize("cls", [_RecursesForever, _LoopsForever, _DataRaises, _WrongTypes, _DataIsAValue,
                                 _ReturnsInf, AlwaysEqual, _raises, _returns_inf],
                         ids=lambda c: c.__name__)
def test_nb07_class_survives_hostile_classes(capsys, short_time_limit, cls):
    assert_refused(*run(capsys, nb07.check_value_class, cls))


# ----------------------------------------------------------------------------------------------
# Notebook 07, exercise 3: -, / and negation as compositions
# ----------------------------------------------------------------------------------------------

COMPOSITION_MISTAKES = {
    "no negation": (make_class((_section("    def __neg__", "    def __sub__"), "")), "__neg__"),
    "a - b computed as b - a": (make_class(("return self + (-other)", "return other + (-self)")), "wrong value"),
    "no __rsub__": (make_class((_section("    def __rsub__", "    def __truediv__"), "")), "__rsub__"),
    "no __rtruediv__": (make_class((_section("    def __rtruediv__", "    def backward"), "")), "__rtruediv__"),
    "exercise 2 unfinished": (CLASS_MISTAKES["no **"][0], "finish exercise 2 first"),
}


def test_nb07_compositions_wait_and_accept_the_reference(capsys):
    verdict, printed = run(capsys, nb07.check_compositions, ...)
    assert not verdict and "⏳" in printed
    verdict, printed = run(capsys, nb07.check_compositions, make_class())
    assert verdict and "✅" in printed


@pytest.mark.parametrize("mistake", sorted(COMPOSITION_MISTAKES))
def test_nb07_each_composition_mistake_gets_its_hint(capsys, mistake):
    cls, words = COMPOSITION_MISTAKES[mistake]
    verdict, printed = run(capsys, nb07.check_compositions, cls)
    assert_refused(verdict, printed)
    assert words in printed, printed


@pytest.mark.parametrize("answer", HOSTILE, ids=HOSTILE_IDS)
def test_nb07_compositions_refuse_hostile_answers(capsys, answer):
    assert_refused(*run(capsys, nb07.check_compositions, answer))


def test_nb07_generated_expressions_are_seeded_and_confirmed():
    first = [p.text() for p in nb07.random_programs(("+", "*", "**", "tanh"), 5, seed=3)]
    again = [p.text() for p in nb07.random_programs(("+", "*", "**", "tanh"), 5, seed=3)]
    assert first == again
    assert any(s[0] != "leaf" and len(set(s[1:])) < len(s[1:]) or s[0] != "leaf" and s[1] == s[-1]
               for p in nb07.random_programs(("+", "*"), 12, seed=7) for s in p.steps)  # reuse occurs
    chain = nb07.build(nb07.deep_chain())
    assert len(chain) == nb07.CHAIN_OPS + 3


# ----------------------------------------------------------------------------------------------
# Notebook 07: classes that look right and are not, hostile classes, fresh cases, no answer key
# ----------------------------------------------------------------------------------------------

def _add_methods(source):
    """The reference class with more methods, put in before its first one."""
    return ("    @staticmethod\n    def _wrap", source + "\n    @staticmethod\n    def _wrap")


EQUAL_DATA = make_class(_add_methods('''    def __eq__(self, other):
        return isinstance(other, Value) and self.data == other.data

    def __hash__(self):
        return hash(self.data)
'''))
EQUAL_DATA_NO_HASH = make_class(_add_methods('''    def __eq__(self, other):
        return isinstance(other, Value) and self.data == other.data
'''))


def test_nb07_nodes_with_equal_data_are_not_one_node(capsys):
    a, b = EQUAL_DATA(3.0), EQUAL_DATA(3.0)
    ((a + 1) * (b + 1)).backward()
    assert a.grad == 0.0 or b.grad == 0.0          # the mistake is real: one of them gets nothing
    for check in (nb07.check_value_class, nb07.check_compositions):
        verdict, printed = run(capsys, check, EQUAL_DATA)
        assert_refused(verdict, printed)
        assert "your __eq__ and __hash__ compare .data" in printed and "identity" in printed, printed


def test_nb07_eq_without_hash_gets_its_hint(capsys):
    verdict, printed = run(capsys, nb07.check_value_class, EQUAL_DATA_NO_HASH)
    assert_refused(verdict, printed)
    assert "loses its __hash__" in printed, printed


def finite_difference_class(h=1e-6, forward=False, relative=False):
    """The reference class with every local derivative estimated by nudging the input."""
    step = "H * max(1.0, abs(x))" if relative else "H"
    slope = ("(f(x + h) - f(x)) / h" if forward else "(f(x + h) - f(x - h)) / (2 * h)")
    helper = f"\n\nH = {h!r}\n\n\ndef _slope(f, x):\n    h = {step}\n    return {slope}\n"
    return make_class(
        ("import math\n", "import math\n" + helper),
        ("(self, other), (1.0, 1.0))", "(self, other), (_slope(lambda x: x + other.data, self.data), "
                                       "_slope(lambda y: self.data + y, other.data)))"),
        ("(self, other), (other.data, self.data))", "(self, other), (_slope(lambda x: x * other.data, "
                                                    "self.data), _slope(lambda y: self.data * y, other.data)))"),
        ("(n * self.data ** (n - 1),)", "(_slope(lambda x: x ** n, self.data),)"),
        ("(1 - t * t,)", "(_slope(math.tanh, self.data),)"),
        ("(e, (self,), (e,))", "(e, (self,), (_slope(math.exp, self.data),))"))


NUDGES_IN_BACKWARD_SOURCE = '''
import math


class Value:
    """Each op keeps its forward function; backward() nudges every input and runs it again."""

    def __init__(self, data, children=(), forward=None):
        self.data, self.grad, self._children, self._forward = data, 0.0, children, forward

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = Value._wrap(other)
        return Value(self.data + other.data, (self, other), lambda a, b: a + b)

    def __mul__(self, other):
        other = Value._wrap(other)
        return Value(self.data * other.data, (self, other), lambda a, b: a * b)

    __radd__, __rmul__ = __add__, __mul__

    def __pow__(self, n):
        return Value(self.data ** n, (self,), lambda a: a ** n)

    def tanh(self):
        return Value(math.tanh(self.data), (self,), math.tanh)

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._children)
        self.grad = 1.0
        for node in reversed(order):
            args = [child.data for child in node._children]
            for k, child in enumerate(node._children):
                up, down = list(args), list(args)
                up[k] += 1e-6
                down[k] -= 1e-6
                child.grad += (node._forward(*up) - node._forward(*down)) / 2e-6 * node.grad
'''


def _class_from(source):
    namespace = {}
    exec(compile(source, "<learner>", "exec"), namespace)
    return namespace["Value"]


FINITE_DIFFERENCE_CLASSES = {
    "central, h = 1e-4": finite_difference_class(1e-4),
    "central, h = 1e-6": finite_difference_class(1e-6),
    "central, h = 1e-8": finite_difference_class(1e-8),
    "forward, h = 1e-6": finite_difference_class(1e-6, forward=True),
    "central, h relative to x": finite_difference_class(1e-6, relative=True),
    "nudges in backward()": _class_from(NUDGES_IN_BACKWARD_SOURCE),
}


@pytest.mark.parametrize("name", sorted(FINITE_DIFFERENCE_CLASSES))
def test_nb07_finite_difference_derivatives_are_refused(capsys, name):
    cls = FINITE_DIFFERENCE_CLASSES[name]
    for _ in range(3):                                  # new inputs each time: refused every time
        verdict, printed = run(capsys, nb07.check_value_class, cls)
        assert_refused(verdict, printed)
        assert "what finite differences give" in printed and f"a chain of {nb07.CHAIN_OPS} ops" in printed, printed
    verdict, printed = run(capsys, nb07.check_compositions, cls)
    assert_refused(verdict, printed)
    assert "finish exercise 2 first" in printed and "what finite differences give" in printed, printed


EXACT_SPELLINGS = {
    "tanh as 1 / cosh(x) ** 2": make_class(("(1 - t * t,)", "(1 / math.cosh(self.data) ** 2,)")),
    "tanh as (1 - t) * (1 + t)": make_class(("(1 - t * t,)", "((1 - t) * (1 + t),)")),
    "tanh from exp": make_class(("t = math.tanh(self.data)",
                                 "t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)")),
    "exp as math.e ** x": make_class(("e = math.exp(self.data)", "e = math.e ** self.data")),
    "power with math.pow": make_class(("(n * self.data ** (n - 1),)", "(n * math.pow(self.data, n - 1),)")),
    "numpy numbers": make_class(("import math\n", "import math\nimport numpy as np\n"),
                                ("t = math.tanh(self.data)", "t = np.tanh(self.data)"),
                                ("e = math.exp(self.data)", "e = np.exp(self.data)")),
}


@pytest.mark.parametrize("name", sorted(EXACT_SPELLINGS))
def test_nb07_exact_local_derivatives_pass_however_written(capsys, name):
    for _ in range(3):
        verdict, printed = run(capsys, nb07.check_value_class, EXACT_SPELLINGS[name])
        assert verdict, printed


class _EngineSubclass(micrograd_core.Value):
    pass


class _EngineSubclassWithItsOwnTanh(micrograd_core.Value):
    def tanh(self):
        t = math.tanh(self.data)
        return _EngineSubclassWithItsOwnTanh(t)


class _OpsMakeEngineValues:
    def __init__(self, data):
        self.data, self.grad = data, 0.0

    def __add__(self, other):
        return micrograd_core.Value(self.data) + (other.data if isinstance(other, _OpsMakeEngineValues) else other)


@pytest.mark.parametrize("cls", [micrograd_core.Value, _EngineSubclass, _EngineSubclassWithItsOwnTanh,
                                 lambda x: micrograd_core.Value(x), _OpsMakeEngineValues],
                         ids=["the engine", "an empty subclass", "a subclass", "a function making engine Values",
                              "ops making engine Values"])
def test_nb07_the_engine_is_not_your_class(capsys, cls):
    for check in (nb07.check_value_class, nb07.check_compositions):
        verdict, printed = run(capsys, check, cls)
        assert_refused(verdict, printed)
        assert "write your own class, from scratch" in printed, printed


def _with_lines(method, *lines):
    """The reference class with `lines` run first thing in `method` (e.g. 'def backward(self):')."""
    body = "".join(f"        {line}\n" for line in lines)
    return make_class(("import math\n", "import gc\nimport math\nimport sys\nimport time\n\n\n"
                                        "class Stop(BaseException):\n    pass\n\n\n"
                                        "class EndlessStr(Exception):\n    def __str__(self):\n"
                                        "        while True:\n            pass\n\n\n"
                                        "class LyingInt(int):\n    def __float__(self):\n"
                                        "        return 4.0\n\n\n"
                                        "class SlowFloat(float):\n    def __float__(self):\n"
                                        "        time.sleep(60)\n        return 1.0\n"),
                      (f"    {method}\n", f"    {method}\n{body}"))


LOOPS = ["while True:", "    try:", "        time.sleep(0.01)", "    except:", "        pass"]
ADD, MUL, INIT, BACKWARD = ("def __add__(self, other):", "def __mul__(self, other):",
                            "def __init__(self, data, children=(), local_grads=()):", "def backward(self):")

# Classes no check may accept or be held by: each is refused within the check's budget.
HOSTILE_CLASSES = {
    "backward() loops with a bare except": _with_lines(BACKWARD, *LOOPS),
    "+ loops with a bare except": _with_lines(ADD, *LOOPS),
    "* is slow": _with_lines(MUL, "time.sleep(0.3)"),
    "backward() raises a BaseException subclass": _with_lines(BACKWARD, "raise Stop('stop')"),
    "+ raises GeneratorExit": _with_lines(ADD, "raise GeneratorExit"),
    "backward() raises an exception whose str() never ends": _with_lines(BACKWARD, "raise EndlessStr()"),
    ".data is a lying int": _with_lines(INIT, "data = LyingInt(999)"),
    ".data reads slowly": _with_lines(INIT, "data = SlowFloat(data)"),
    ".data is numpy's True": _with_lines(INIT, "import numpy; data = numpy.True_"),
    ".data is ten million numbers": _with_lines(INIT, "data = [0.5] * 10 ** 7"),
    ".grad becomes a lying int": _with_lines(BACKWARD, "self.grad = LyingInt(1)", "return"),
}

LOOPING = {"backward() loops with a bare except", "+ loops with a bare except", "* is slow"}

# Classes that compute the right grads while doing something they should not: they pass, and the
# check names what they did, or keeps what they print short.
NOISY_CLASSES = {
    "backward() closes stdout": (_with_lines(BACKWARD, "sys.stdout.close()"), "closed sys.stdout"),
    "backward() changes global state": (_with_lines(BACKWARD, "gc.disable()", "sys.setrecursionlimit(50_000)"),
                                        "garbage collector off"),
    "backward() prints a lot": (_with_lines(BACKWARD, "print('x' * 1_000_000)"), "more characters printed"),
}


@pytest.fixture
def short_budget(monkeypatch):
    monkeypatch.setattr(series_checks, "TIME_LIMIT", 0.3)
    monkeypatch.setattr(series_checks, "CHECK_BUDGET", 1.5)


@pytest.mark.parametrize("check", [nb07.check_value_class, nb07.check_compositions], ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", sorted(HOSTILE_CLASSES))
def test_nb07_hostile_classes_are_refused_within_the_budget(short_budget, check, name):
    start = time.monotonic()
    result = battery.run(check, HOSTILE_CLASSES[name])
    assert time.monotonic() - start < series_checks.CHECK_BUDGET + 1.0, result.describe()
    battery.assert_refused(result, name)
    exercise = nb07.CLASS_EXERCISE if check is nb07.check_value_class else nb07.COMPOSITION_EXERCISE
    assert result.verdict.message.startswith(exercise), result.describe()   # named, even when stopped
    if name in LOOPING:
        assert "loop that never ends" in result.printed, result.describe()


@pytest.mark.parametrize("name", sorted(NOISY_CLASSES))
def test_nb07_right_classes_with_side_effects_pass_and_are_named(name):
    cls, words = NOISY_CLASSES[name]
    result = battery.run(nb07.check_value_class, cls)
    assert result.error is None and result.verdict, result.describe()
    assert words in result.printed and len(result.printed) < 10_000, result.describe()


def test_battery_nb07_classes_given_as_values():
    for check in (nb07.check_value_class, nb07.check_compositions):
        battery.assert_refuses_battery(check, (make_class(),), slot=0, kind="value")


def test_nb07_cases_are_drawn_fresh_for_each_check(monkeypatch):
    monkeypatch.setenv("SERIES_CHECKS_IN_PROCESS", "1")      # run here, so that the leaves are seen
    leaves = []
    reference = make_class()

    class Recording(reference):
        def __init__(self, data, *args):
            super().__init__(data, *args)
            leaves.append(data)

    draws, messages = [], []
    for check in (nb07.check_value_class, nb07.check_value_class, nb07.check_compositions,
                  nb07.check_compositions):
        leaves.clear()
        random.seed(0)                                   # the learner's random state plays no part
        result = battery.run(check, Recording)
        assert result.verdict, result.describe()
        draws.append(list(leaves))
        messages.append(result.printed)
    assert draws[0] != draws[1] and draws[2] != draws[3]
    assert messages[0] == messages[1] and messages[2] == messages[3]   # what is printed stays the same


def _first_cell_namespace(notebook):
    """The names the notebook's first code cell defines: what a learner can reach from the start."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    namespace = {}
    state, path = random.getstate(), list(sys.path)
    try:
        exec(compile(source, str(notebook), "exec"), namespace)
    finally:
        random.setstate(state)
        sys.path[:] = path
    return {k: v for k, v in namespace.items() if k != "__builtins__"}


def test_nb07_no_reachable_answer():
    namespace = _first_cell_namespace(REPO / "notebooks" / "07_build_your_own_engine.ipynb")
    assert namespace["Engine"] is micrograd_core.Value
    for check in (nb07.check_value_class, nb07.check_compositions):
        battery.assert_no_reachable_answer(check, nb07, micrograd_core, namespace)


# ----------------------------------------------------------------------------------------------
# Notebook 13
# ----------------------------------------------------------------------------------------------

def softmax_reference(scores):
    m = max(scores)
    exps = [math.exp(z - m) for z in scores]
    return [e / sum(exps) for e in exps]


def softmax_textbook(scores):
    exps = [math.exp(z) for z in scores]
    return [e / sum(exps) for e in exps]


def softmax_unnormalised(scores):
    m = max(scores)
    return [math.exp(z - m) for z in scores]


def softmax_log(scores):
    m = max(scores)
    lse = m + math.log(sum(math.exp(z - m) for z in scores))
    return [z - lse for z in scores]


def softmax_by_sum(scores):
    return [z / sum(scores) for z in scores]


def softmax_values(scores):
    return [micrograd_core.Value(p) for p in softmax_reference(scores)]


def softmax_inf_list(scores):
    return [math.inf] * len(scores)


def softmax_forgot_return(scores):
    softmax_reference(scores)


def softmax_unwritten(scores):
    ...


SOFTMAX_MISTAKES = {
    "textbook formula overflows": (softmax_textbook, "Subtract the largest score"),
    "no normalising": (softmax_unnormalised, "add up to"),
    "log-probabilities": (softmax_log, "log-probabilities"),
    "divided by the sum of scores": (softmax_by_sum, "exponentiate them first"),
    "Values instead of floats": (softmax_values, "plain floats"),
    "returns inf": (softmax_inf_list, "inf or nan"),
    "forgot return": (softmax_forgot_return, "return"),
}


def _returning(value):
    def fn(*args):
        return value
    return fn


HOSTILE_FUNCTIONS = [_returning(v) for v in (math.inf, "inf", 10 ** 400, None, micrograd_core.Value(1.0),
                                             AlwaysEqual(), [math.nan], ["inf", "inf"], [10 ** 400])]


def test_nb13_gradient_entry(capsys):
    verdict, printed = run(capsys, nb13.check_gradient_entry, ...)
    assert not verdict and "⏳" in printed
    p = softmax_reference(nb13.EX2_SCORES)
    q = p[nb13.EX2_CLASS]
    verdict, printed = run(capsys, nb13.check_gradient_entry, q - 1)
    assert verdict and "✅" in printed
    hints = []
    for wrong in (q, 1 - q, -math.log(q), -1 / q, -1.0, q * (1 - q), 0.3):
        verdict, printed = run(capsys, nb13.check_gradient_entry, wrong)
        assert_refused(verdict, printed)
        assert f"{q - 1:.4f}" not in printed and f"{q - 1:.3f}" not in printed
        hints.append(printed)
    assert_hints_are_distinct(hints)


@pytest.mark.parametrize("answer", HOSTILE, ids=HOSTILE_IDS)
def test_nb13_gradient_entry_refuses_hostile_answers(capsys, answer):
    assert_refused(*run(capsys, nb13.check_gradient_entry, answer))


def gradient_reference(scores, target):
    return [p - (1.0 if k == target else 0.0) for k, p in enumerate(softmax_reference(scores))]


GRADIENT_MISTAKES = {
    "probabilities only": (lambda s, t: softmax_reference(s), "subtracts 1"),
    "y - p": (lambda s, t: [-g for g in gradient_reference(s, t)], "every sign is flipped"),
    "one-based target": (lambda s, t: gradient_reference(s, (t + 1) % len(s)), "wrong entry"),
    "textbook softmax": (lambda s, t: [p - (k == t) for k, p in enumerate(softmax_textbook(s))],
                         "Subtract the largest score"),
    "derivative with respect to p": (lambda s, t: [-1 / p if k == t else 0.0
                                                   for k, p in enumerate(softmax_reference(s))], "add up to 0"),
}


# Exercises 1 (softmax) and 3 (the cross-entropy gradient) ask for a function; one set of tests for
# both: (checker, reference, declared mistakes, unwritten answers, the numbers a hint must not show
# on the cases drawn from a generator rng: the checkers draw theirs afresh, from fresh_rng()).
FUNCTION_EXERCISES = {
    "softmax": (nb13.check_softmax, softmax_reference, SOFTMAX_MISTAKES, (..., softmax_unwritten),
                lambda rng: [p for scores, in nb13._ex1_cases(rng) for p in softmax_reference(scores)
                             if 0.001 < p < 0.999]),
    "ce_gradient": (nb13.check_ce_gradient, gradient_reference, GRADIENT_MISTAKES, (...,),
                    lambda rng: [g for scores, target in nb13._ex3_cases(rng) for g in gradient_reference(scores, target)
                                 if abs(g) > 0.001 and abs(abs(g) - 1) > 0.001]),
}


def _seed_the_draws(monkeypatch, seed):
    """Make nb13 draw its cases from random.Random(seed), so that a test knows them."""
    monkeypatch.setattr(nb13, "fresh_rng", lambda: random.Random(seed))
    return random.Random(seed)
FUNCTION_MISTAKES = [(name, mistake) for name, spec in FUNCTION_EXERCISES.items() for mistake in sorted(spec[2])]


@pytest.mark.parametrize("name", sorted(FUNCTION_EXERCISES))
def test_nb13_function_exercise_waits_and_accepts_the_reference(capsys, name):
    check, reference, _, unwritten, _ = FUNCTION_EXERCISES[name]
    for answer in unwritten:
        verdict, printed = run(capsys, check, answer)
        assert not verdict and "⏳" in printed
    verdict, printed = run(capsys, check, reference)
    assert verdict and "✅" in printed


@pytest.mark.parametrize("name, mistake", FUNCTION_MISTAKES, ids=[f"{n}-{m}" for n, m in FUNCTION_MISTAKES])
def test_nb13_each_function_mistake_gets_its_hint(capsys, monkeypatch, name, mistake):
    check, _, mistakes, _, expected_numbers = FUNCTION_EXERCISES[name]
    fn, words = mistakes[mistake]
    for seed in (0, 1, 2):
        rng = _seed_the_draws(monkeypatch, seed)
        verdict, printed = run(capsys, check, fn)
        assert_refused(verdict, printed)
        assert words in printed, printed
        for number in expected_numbers(rng):     # no expected value is ever shown
            assert f"{number:.4f}" not in printed


@pytest.mark.parametrize("name", sorted(FUNCTION_EXERCISES))
def test_nb13_function_mistakes_are_told_apart(capsys, name):
    check, _, mistakes, _, _ = FUNCTION_EXERCISES[name]
    assert_hints_are_distinct([run(capsys, check, fn)[1] for fn, _ in mistakes.values()])


@pytest.mark.parametrize("name", sorted(FUNCTION_EXERCISES))
@pytest.mark.parametrize("answer", HOSTILE + HOSTILE_FUNCTIONS)
def test_nb13_function_exercise_refuses_hostile_answers(capsys, name, answer):
    assert_refused(*run(capsys, FUNCTION_EXERCISES[name][0], answer))


def test_nb13_reference_gradient_is_the_engines():
    for seed in range(5):
        for scores, target in nb13._ex3_cases(random.Random(seed)):
            engine = nb13._Case(scores, target).engine_gradient()
            assert all(abs(a - b) < 1e-9 for a, b in zip(engine, gradient_reference(scores, target)))


# ----------------------------------------------------------------------------------------------
# The shared hostile battery (tests/checks_battery.py), on every checker of both notebooks
# ----------------------------------------------------------------------------------------------

def test_battery_nb07_local_derivative():
    expected = 3 * nb07.EX1_X ** 2
    assert_refuses_battery(nb07.check_local_derivative, (expected,), slot=0, kind="number", secrets=[expected])


def test_battery_nb07_value_class():
    assert_refuses_battery(nb07.check_value_class, (make_class(),), slot=0, kind="function")


def test_battery_nb07_compositions():
    assert_refuses_battery(nb07.check_compositions, (make_class(),), slot=0, kind="function")


def test_battery_nb13_softmax(monkeypatch):
    rng = _seed_the_draws(monkeypatch, 0)
    secrets = [p for p in softmax_reference(nb13._ex1_cases(rng)[0][0])]
    assert_refuses_battery(nb13.check_softmax, (softmax_reference,), slot=0, kind="function", secrets=secrets)


def test_battery_nb13_gradient_entry():
    expected = softmax_reference(nb13.EX2_SCORES)[nb13.EX2_CLASS] - 1
    assert_refuses_battery(nb13.check_gradient_entry, (expected,), slot=0, kind="number", secrets=[expected])


def test_battery_nb13_ce_gradient(monkeypatch):
    scores, target = nb13._ex3_cases(_seed_the_draws(monkeypatch, 0))[0]
    secrets = [g for g in gradient_reference(scores, target) if abs(abs(g) - 1) > 0.001]
    assert_refuses_battery(nb13.check_ce_gradient, (gradient_reference,), slot=0, kind="function", secrets=secrets)
