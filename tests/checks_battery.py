"""A reusable battery for exercise checkers: hostile answers, and what a checker must do with them.

Use it for any checker built on series_checks (new notebooks' checkers included):

    from checks_battery import Checked, run, assert_passes, assert_waiting, assert_hint, \
        assert_refuses_battery, HOSTILE_VALUES, HOSTILE_FUNCTIONS

    def test_my_checker():
        assert_waiting(nbNN.check_x, ...)
        assert_passes(nbNN.check_x, reference_answer)
        assert_hint(nbNN.check_x, (wrong_answer,), "words of its hint", secrets=[expected])
        assert_refuses_battery(nbNN.check_x, (reference_answer,), slot=0, kind="number",
                               secrets=[expected])

`run` calls the checker once and returns what it printed and returned; the asserts say, in the
failure message, which input did what. A checker "refuses" an input when it returns a false
Verdict, prints a ❌ or ⏳ line (never ✅), raises nothing, and does not fall back on the generic
"this answer could not be checked" (that fallback means the checker met an input it did not read
properly: a bug to fix in the checker). `secrets` are expected values that a hint must never show.
"""

import contextlib
import gc
import io
import math
import sys
import time

import series_checks as sc
from micrograd_core import Value


# ---------------------------------------------------------------------------------- hostile inputs

class AlwaysEqual:
    """Claims to equal everything; hashes like 1 so that `in` on sets and dicts is fooled too."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 1

    def __repr__(self):
        return "AlwaysEqual()"


class Unconvertible:
    """Has __float__, __int__ and __index__ that raise, and a repr that raises."""

    def __float__(self):
        raise RuntimeError("no float for you")

    def __int__(self):
        raise RuntimeError("no int for you")

    def __index__(self):
        raise RuntimeError("no index for you")

    def __repr__(self):
        raise RuntimeError("no repr for you")


def _value_inf():
    return Value(float("inf"))


# Plain answers (a number, a count, a name): none of them may be accepted.
HOSTILE_VALUES = {
    "inf": float("inf"),
    "-inf": float("-inf"),
    "nan": float("nan"),
    "text inf": "inf",
    "text -inf": "-inf",
    "text nan": "nan",
    "10**400": 10 ** 400,
    "-10**400": -(10 ** 400),
    "10**5000": 10 ** 5000,   # too long even for str(): Python refuses to print it
    "1e308": 1e308,
    "True": True,
    "a Value": Value(1.0, label="v"),
    "a Value(inf)": Value(float("inf")),
    "always-equal": AlwaysEqual(),
    "unconvertible": Unconvertible(),
    "a list": [1.0, 2.0],
    "a dict": {"a": 1},
    "a complex": 1 + 2j,
    "a set": {1},
    "a generator": (x for x in range(3)),
    "a function": len,
    "a lying int": None,      # filled in below: worth 999, says 4.0 through float()
    "numpy's True": None,     # filled in below when numpy is there
}


class LyingInt(int):
    """An int worth 999 whose float() says 4.0: a number that is not what it claims."""

    def __float__(self):
        return 4.0


HOSTILE_VALUES["a lying int"] = LyingInt(999)
try:
    import numpy as _np
    HOSTILE_VALUES["numpy's True"] = _np.True_
except ImportError:  # pragma: no cover
    del HOSTILE_VALUES["numpy's True"]


class SlowFloat(float):
    """A float whose float() takes a minute: reading it must be bounded too."""

    def __float__(self):
        time.sleep(60)
        return 1.0


class LearnerStop(BaseException):
    """A learner's own BaseException subclass."""


class EndlessStr(Exception):
    def __str__(self):
        while True:
            pass


class EndlessList(list):
    """Looks like a short list, iterates forever."""

    def __iter__(self):
        while True:
            yield 1.0


def _returns(value):
    def fn(*args, **kwargs):
        return value
    fn.__name__ = f"returns_{type(value).__name__}"
    return fn


def _raises(*args, **kwargs):
    raise ZeroDivisionError("learner's bug")


def _raises_in_generator(*args, **kwargs):
    yield 1.0
    raise KeyError("learner's generator")


def _never_ends(*args, **kwargs):
    while True:
        try:
            pass
        except Exception:  # a learner's loop that swallows everything must still be stopped
            pass


def _loops_with_a_bare_except(*args, **kwargs):
    while True:
        try:
            time.sleep(0.01)
        except:  # noqa: E722 - the beginner's loop that swallows even the checker's stop
            pass


def _is_slow(*args, **kwargs):
    time.sleep(0.3)   # under the per-call limit, but over a whole check's budget in many calls
    return float("nan")


def _raises_base_exception(*args, **kwargs):
    raise LearnerStop("stop")


def _raises_generator_exit(*args, **kwargs):
    raise GeneratorExit


def _raises_endless_str(*args, **kwargs):
    raise EndlessStr()


def _closes_stdout(*args, **kwargs):
    sys.stdout.close()
    return float("nan")


def _changes_global_state(*args, **kwargs):
    gc.disable()
    sys.setrecursionlimit(50_000)
    math.exp = lambda x: 1.0
    return float("nan")


def _prints_a_lot(*args, **kwargs):
    print("x" * 1_000_000)
    return float("nan")


def _returns_generator_that_raises(*args, **kwargs):
    def gen():
        yield 1.0
        raise ValueError("learner's lazy bug")
    return gen()


def _sets_every_argument_to_inf(*args, **kwargs):
    """Pokes inf into every Value, list of Values or model it is given, then returns inf."""
    def poke(obj, depth=0):
        if depth > 3:
            return
        if isinstance(obj, Value):
            obj.data = float("inf")
            obj.grad = float("inf")
        elif isinstance(obj, (list, tuple)):
            for o in obj:
                poke(o, depth + 1)
        elif hasattr(obj, "parameters"):
            try:
                for p in obj.parameters():
                    p.data = float("inf")
            except Exception:
                pass
    for a in args:
        poke(a)
    return float("inf")


# Functions given where the exercise asks for one: none of them may be accepted.
HOSTILE_FUNCTIONS = {
    "returns inf": _returns(float("inf")),
    "returns -inf": _returns(float("-inf")),
    "returns nan": _returns(float("nan")),
    "returns 'inf'": _returns("inf"),
    "returns 10**400": _returns(10 ** 400),
    "returns a Value": _returns(Value(1.0)),
    "returns always-equal": _returns(AlwaysEqual()),
    "returns unconvertible": _returns(Unconvertible()),
    "returns True": _returns(True),
    "returns a list of inf": _returns([float("inf")] * 4),
    "raises": _raises,
    "is a generator that raises": _raises_in_generator,
    "returns a generator that raises": _returns_generator_that_raises,
    "never ends": _never_ends,
    "sets everything to inf": _sets_every_argument_to_inf,
    "loops with a bare except": _loops_with_a_bare_except,
    "is slow": _is_slow,
    "raises a BaseException subclass": _raises_base_exception,
    "raises GeneratorExit": _raises_generator_exit,
    "raises an exception whose str() never ends": _raises_endless_str,
    "closes stdout": _closes_stdout,
    "changes global state": _changes_global_state,
    "prints a lot": _prints_a_lot,
    "returns 10**7 numbers": _returns([0.5] * 10 ** 7),
    "returns an endless list": _returns(EndlessList([1.0, 2.0])),
    "returns a float that reads slowly": _returns(SlowFloat(1.0)),
    "not a function (inf)": float("inf"),
    "not a function (always-equal)": AlwaysEqual(),
}


# ---------------------------------------------------------------------------------- running

class Checked:
    """What one call of a checker did: its return value, what it printed, and any exception."""

    def __init__(self, verdict, printed, error):
        self.verdict, self.printed, self.error = verdict, printed, error

    def describe(self):
        return f"returned {self.verdict!r}, raised {self.error!r}, printed:\n{self.printed}"


def run(check, *args, **kwargs):
    """Call check(*args, **kwargs) with stdout captured; never raises (the exception is recorded)."""
    buffer = io.StringIO()
    error = None
    verdict = None
    with contextlib.redirect_stdout(buffer):
        try:
            verdict = check(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - what a checker raises is what we test
            error = e
    return Checked(verdict, buffer.getvalue(), error)


def secret_spellings(value):
    """How an expected number could show up in a hint: 4 decimals, 2 and 3, repr, and :g."""
    if isinstance(value, str):
        return {value}
    x = float(value)
    spellings = {f"{x:.4f}", f"{x:.3f}", f"{x:.2f}", f"{x:.1e}", repr(x)}
    if not x.is_integer() or abs(x) >= 10:   # small whole numbers (2, 3) appear in ordinary prose
        spellings.add(f"{x:g}")
    if x.is_integer() and abs(x) >= 10:
        spellings.add(str(int(x)))
        spellings.add(f"{int(x):,}")
    return {s for s in spellings if s not in ("0.0000", "0.000", "0.00", "-0.0000", "0.0e+00")}


def _leaked(message, secrets):
    """Spellings of the secrets found in the hints (the 'not yet' lines) of a message."""
    hints = [line for line in message.splitlines() if ": not yet." in line]
    return [s for value in secrets for s in secret_spellings(value) for line in hints if s in line]


def assert_refused(result, what="", secrets=(), parts=False):
    """The checker refused an input: false Verdict, a ❌/⏳ line, no ✅, no exception, no fallback.

    parts=True for an exercise in several parts, each with its own line: the other parts (given
    their right answers) may print ✅, but the Verdict is false and some line is a ❌.
    """
    context = f"{what}: {result.describe()}"
    assert result.error is None, f"checker raised on {context}"
    assert isinstance(result.verdict, sc.Verdict), f"checker did not return a Verdict on {context}"
    assert not result.verdict, f"checker accepted {context}"
    if parts:
        assert "❌" in result.printed, f"checker printed no ❌ on {context}"
    else:
        assert "✅" not in result.printed and "[ok]" not in result.printed, f"checker printed ✅ on {context}"
        assert "❌" in result.printed or "⏳" in result.printed, f"checker printed no hint on {context}"
    assert sc.UNCHECKABLE not in result.printed, f"checker fell back on its generic refusal on {context}"
    assert "Traceback" not in result.printed, f"a traceback was printed on {context}"
    leaked = _leaked(result.verdict.message, secrets)
    assert not leaked, f"the hint shows the expected value {leaked} on {context}"


def assert_passes(check, *args, **kwargs):
    """The reference answer gets ✅ only: a true Verdict, no ❌ or ⏳ line."""
    result = run(check, *args, **kwargs)
    context = result.describe()
    assert result.error is None, context
    assert isinstance(result.verdict, sc.Verdict) and result.verdict, context
    assert result.verdict.kind == "passed", context
    assert "✅" in result.printed and "❌" not in result.printed and "⏳" not in result.printed, context
    assert result.verdict.message.strip(), context
    return result


def assert_waiting(check, *args, **kwargs):
    """An untouched exercise: ⏳ only, a false Verdict of kind 'waiting', nothing raised."""
    result = run(check, *args, **kwargs)
    context = result.describe()
    assert result.error is None, context
    assert isinstance(result.verdict, sc.Verdict) and not result.verdict, context
    assert "⏳" in result.printed and "✅" not in result.printed and "❌" not in result.printed, context
    return result


def assert_hint(check, args, words, secrets=(), kwargs=None):
    """A declared mistake: refused, and its hint contains `words` (a distinctive part of it)."""
    result = run(check, *args, **(kwargs or {}))
    assert_refused(result, f"declared mistake {args!r}", secrets)
    assert "❌" in result.printed, f"declared mistake {args!r} got no ❌: {result.describe()}"
    assert words in result.verdict.message, (f"declared mistake {args!r}: expected the hint {words!r}, "
                                             f"{result.describe()}")
    return result


def assert_distinct_hints(results):
    """Every declared mistake of a checker gets its own hint: no two give the same message."""
    messages = [r.verdict.message for r in results]
    repeated = {m for m in messages if messages.count(m) > 1}
    assert not repeated, f"several declared mistakes share one hint: {repeated}"


def assert_refuses_battery(check, reference, slot, kind="number", secrets=(), kwargs=None, extra=None,
                           parts=False):
    """Replace argument `slot` of the reference call by every hostile input of its kind.

    kind: "number" / "value" (HOSTILE_VALUES) or "function" (HOSTILE_FUNCTIONS); extra: more
    {name: input} pairs. slot may be an int (position) or a str (keyword). With series_checks'
    time limit lowered, a function that never ends costs a fraction of a second.
    """
    table = dict(HOSTILE_FUNCTIONS if kind == "function" else HOSTILE_VALUES)
    table.update(extra or {})
    saved = sc.TIME_LIMIT, sc.CHECK_BUDGET
    sc.TIME_LIMIT, sc.CHECK_BUDGET = 0.5, 2.0
    try:
        for name, hostile in table.items():
            if name == "a generator":
                hostile = (x for x in range(3))   # a fresh one each time: a generator runs once
            args = list(reference)
            kw = dict(kwargs or {})
            if isinstance(slot, str):
                kw[slot] = hostile
            else:
                args[slot] = hostile
            result = run(check, *args, **kw)
            assert_refused(result, f"{check.__name__} with {name!r} in slot {slot!r}", secrets, parts)
    finally:
        sc.TIME_LIMIT, sc.CHECK_BUDGET = saved


def finite(x):
    return isinstance(x, float) and math.isfinite(x)


# ---------------------------------------------------------------------------------- unseen means unseen

def reachable_callables(*namespaces):
    """Every function or class a learner can reach by name from the given modules or dicts (one
    level deep: `nb14.x`, and `nb14.y.z` for a module y that nb14 imports), except builtins."""
    seen, found = set(), {}
    for ns in namespaces:
        items = vars(ns).items() if hasattr(ns, "__dict__") and not isinstance(ns, dict) else ns.items()
        for name, obj in list(items):
            targets = [(name, obj)]
            if isinstance(obj, type(sc)) and getattr(obj, "__name__", "").startswith(("series_checks", "micrograd_core")):
                targets += [(f"{name}.{k}", v) for k, v in vars(obj).items()]
            for label, target in targets:
                if callable(target) and id(target) not in seen and \
                        getattr(target, "__module__", "") not in ("builtins",):
                    seen.add(id(target))
                    found[label] = target
    return found


def assert_no_reachable_answer(check, *namespaces, args=lambda fn: (fn,), skip=()):
    """No function a learner can reach from the notebook's namespace passes the check as the answer."""
    saved = sc.TIME_LIMIT, sc.CHECK_BUDGET
    sc.TIME_LIMIT, sc.CHECK_BUDGET = 0.5, 3.0
    try:
        for name, fn in reachable_callables(*namespaces).items():
            if name in skip:
                continue
            with sc.quiet():
                verdict = check(*args(fn))
            assert not verdict, f"{check.__name__} accepts `{name}`, which the learner can reach: an answer key"
    finally:
        sc.TIME_LIMIT, sc.CHECK_BUDGET = saved


@contextlib.contextmanager
def _in_this_process():
    import os
    before = os.environ.get("SERIES_CHECKS_IN_PROCESS")
    os.environ["SERIES_CHECKS_IN_PROCESS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SERIES_CHECKS_IN_PROCESS"]
        else:
            os.environ["SERIES_CHECKS_IN_PROCESS"] = before


class Recorder:
    """Wraps a right answer and records every call: the cases a checker draws."""

    def __init__(self, right):
        self.right, self.table = right, {}

    def __call__(self, *args, **kwargs):
        result = self.right(*args, **kwargs)
        self.table[repr((args, sorted(kwargs.items())))] = result
        return result

    def lookup(self):
        table = dict(self.table)

        def from_the_table(*args, **kwargs):
            return table[repr((args, sorted(kwargs.items())))]   # a KeyError for an unseen case
        return from_the_table


def assert_a_lookup_table_fails(check, right, args=lambda fn: (fn,)):
    """A function that only knows the cases of one check (recorded from a right answer) does not
    pass the next check: the cases are drawn fresh each time."""
    recorder = Recorder(right)
    # The recorder must see the calls, so these two checks run in this process (not in the guard's
    # fork, whose calls never come back here).
    with sc.quiet(), _in_this_process():
        assert check(*args(recorder)), "the right answer must pass while its calls are recorded"
        assert recorder.table, "the check never called the learner's function"
        verdict = check(*args(recorder.lookup()))
    assert not verdict, f"{check.__name__} passed a lookup table of the cases it drew last time"
