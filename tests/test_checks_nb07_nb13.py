"""The checkers of notebooks 07 (build your own engine) and 13 (softmax and cross-entropy).

For every checker: an untouched answer waits, the reference answer passes, every declared mistake
gets its own hint (and no ✅), hostile answers are refused without a traceback, and no hint shows
the expected value.
"""

import math

import pytest

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


def test_nb07_reference_class_and_the_engine_pass(capsys):
    for cls in (make_class(), micrograd_core.Value):
        verdict, printed = run(capsys, nb07.check_value_class, cls)
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
# both: (checker, reference, declared mistakes, unwritten answers, the numbers a hint must not show).
FUNCTION_EXERCISES = {
    "softmax": (nb13.check_softmax, softmax_reference, SOFTMAX_MISTAKES, (..., softmax_unwritten),
                lambda: [p for scores, in nb13.EX1_CASES for p in softmax_reference(scores)
                         if 0.001 < p < 0.999]),
    "ce_gradient": (nb13.check_ce_gradient, gradient_reference, GRADIENT_MISTAKES, (...,),
                    lambda: [g for scores, target in nb13.EX3_CASES for g in gradient_reference(scores, target)
                             if abs(g) > 0.001 and abs(abs(g) - 1) > 0.001]),
}
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
def test_nb13_each_function_mistake_gets_its_hint(capsys, name, mistake):
    check, _, mistakes, _, expected_numbers = FUNCTION_EXERCISES[name]
    fn, words = mistakes[mistake]
    verdict, printed = run(capsys, check, fn)
    assert_refused(verdict, printed)
    assert words in printed, printed
    for number in expected_numbers():        # no expected value is ever shown
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
    for scores, target in nb13.EX3_CASES:
        engine = nb13.engine_gradient(scores, target)
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


def test_battery_nb13_softmax():
    secrets = [p for p in softmax_reference(nb13.EX1_CASES[0][0])]
    assert_refuses_battery(nb13.check_softmax, (softmax_reference,), slot=0, kind="function", secrets=secrets)


def test_battery_nb13_gradient_entry():
    expected = softmax_reference(nb13.EX2_SCORES)[nb13.EX2_CLASS] - 1
    assert_refuses_battery(nb13.check_gradient_entry, (expected,), slot=0, kind="number", secrets=[expected])


def test_battery_nb13_ce_gradient():
    scores, target = nb13.EX3_CASES[0]
    secrets = [g for g in gradient_reference(scores, target) if abs(abs(g) - 1) > 0.001]
    assert_refuses_battery(nb13.check_ce_gradient, (gradient_reference,), slot=0, kind="function", secrets=secrets)
