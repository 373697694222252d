"""Checkers for notebook 07, build your own engine.

The learner writes a whole `Value` class. The checker runs that class on expressions it generates
(seeded, so every run sees the same ones; with reuse such as `a + a`, and a chain of thousands of
ops) and compares every value and every gradient with the engine (micrograd_core), whose own
gradients are confirmed by finite differences. It climbs a ladder, one op at a time:

    a new Value -> +  -> backward() -> *  -> numbers on either side -> + and * composed, with reuse
    -> a deep chain -> ** -> tanh / exp

and stops at the first rung that fails, naming the op whose value or gradient is wrong (or the op
that is missing), and saying which rungs already hold: partial progress is reported as such.

The learner's code is never trusted: every call into it runs under `call_safely` (exceptions become
hints, a time limit stops endless loops), every attribute read is guarded, and nothing it returns
is used unless it is a plain finite number. Hints name the op, the inputs and the learner's own
numbers, never the expected ones.
"""

import functools
import math
import numbers
import random

import micrograd_core

from . import call_safely, checker, describe, failed, is_waiting, passed, waiting

__all__ = ["check_local_derivative", "check_value_class", "check_compositions", "Program",
           "random_programs", "deep_chain", "build", "CHAIN_OPS", "EX1_X", "EX1_N"]

CLASS_EXERCISE = "Exercise 2 (your Value class)"
COMPOSITION_EXERCISE = "Exercise 3 (-, / and negation)"
CHAIN_OPS = 3000          # the deep chain: deeper than Python's recursion limit (1000)
SECONDS = None            # time limit for one run of the learner's class: the shared TIME_LIMIT
VALUE_TOL = 1e-6
GRAD_TOL = 1e-6


# ----------------------------------------------------------------------------------------------
# Exercise 1: the local derivative a node of `x ** 3` stores
# ----------------------------------------------------------------------------------------------

EX1_X, EX1_N = -2.0, 3


@checker
def check_local_derivative(answer):
    """The local derivative d(x**3)/dx at x = EX1_X: the number a `**3` node stores for its child."""
    from . import check_number
    label = "Exercise 1 (local derivative of x ** 3)"
    x = micrograd_core.Value(EX1_X, label="x")
    out = x ** EX1_N
    out.backward()
    numeric = (((EX1_X + 1e-6) ** EX1_N) - ((EX1_X - 1e-6) ** EX1_N)) / 2e-6
    hints = [
        (EX1_N * EX1_X ** EX1_N, "you kept the exponent: the power rule lowers it by one."),
        (EX1_X ** (EX1_N - 1), "the exponent also comes down as a factor in front."),
        (EX1_X ** EX1_N, "that is the output's data (x ** 3 itself), not its slope."),
        (EX1_N * EX1_X, "the power rule gives n * x ** (n - 1): here the power left on x is 2, not 1."),
    ]
    return check_number(label, answer, x.grad, hints=hints,
                        what="replace the `...` of local with a number",
                        confirmed_by=f"The engine's backward() gives {x.grad:.4f}, a finite difference "
                                     f"{numeric:.4f}.")


# ----------------------------------------------------------------------------------------------
# Expressions as programs: the same steps replayed on the engine and on the learner's class
# ----------------------------------------------------------------------------------------------
#
# A step is a tuple. ("leaf", x) makes a Value; the others combine earlier steps by index:
#   ("+", i, j)  ("*", i, j)  ("-", i, j)  ("/", i, j)     Value op Value (i == j is reuse: a + a)
#   ("+n", i, c) ("*n", i, c) ("-n", i, c) ("/n", i, c)    Value op number
#   ("n+", c, i) ("n*", c, i) ("n-", c, i) ("n/", c, i)    number op Value
#   ("**", i, k)  ("tanh", i)  ("exp", i)  ("neg", i)

_SYMBOL = {"+": "+", "*": "*", "-": "-", "/": "/"}


def _shape(kind):
    """What a step's arguments are: 'leaf', 'pair' (two nodes), 'value-number', 'number-value',
    'power' (a node and an exponent) or 'unary' (one node: neg, tanh, exp)."""
    if kind == "leaf":
        return "leaf"
    if kind in _SYMBOL:
        return "pair"
    if kind[-1] == "n" and kind[0] in _SYMBOL:
        return "value-number"
    if kind[0] == "n" and kind[-1] in _SYMBOL:
        return "number-value"
    return "power" if kind == "**" else "unary"


_BINARY = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "-": lambda a, b: a - b, "/": lambda a, b: a / b}


def _apply(step, nodes, make):
    kind, shape = step[0], _shape(step[0])
    if shape == "leaf":
        return make(step[1])
    if shape == "pair":
        return _BINARY[kind](nodes[step[1]], nodes[step[2]])
    if shape == "value-number":
        return _BINARY[kind[0]](nodes[step[1]], step[2])
    if shape == "number-value":
        return _BINARY[kind[1]](step[1], nodes[step[2]])
    a = nodes[step[1]]
    if shape == "power":
        return a ** step[2]
    if kind == "neg":
        return -a
    return getattr(a, kind)()       # tanh, exp


def _op_name(step):
    """How a hint names the op of a step: `+`, `Value + number`, `**`, `tanh` ..."""
    kind, shape = step[0], _shape(step[0])
    if shape == "value-number":
        return f"`Value {kind[0]} number`"
    if shape == "number-value":
        return f"`number {kind[1]} Value`"
    return "negation `-a`" if kind == "neg" else f"`{kind}`"


class Program:
    """A list of steps with the text of every node, e.g. `tanh(a * b + a)`."""

    def __init__(self, steps, name=None):
        self.steps = tuple(steps)
        self.name = name         # a description instead of the text of the root, e.g. a long chain
        self.texts = []
        names = iter("abcdefghpqrsuvw")
        for step in self.steps:
            self.texts.append(self._text(step, names))

    def _text(self, step, names):
        kind, shape, t = step[0], _shape(step[0]), self.texts
        if shape == "leaf":
            return next(names, "x")
        if shape == "pair":
            return f"{_wrap(t[step[1]])} {kind} {_wrap(t[step[2]])}"
        if shape == "value-number":
            return f"{_wrap(t[step[1]])} {kind[0]} {step[2]:g}"
        if shape == "number-value":
            return f"{step[1]:g} {kind[1]} {_wrap(t[step[2]])}"
        if shape == "power":
            return f"{_wrap(t[step[1]])} ** {step[2]:g}"
        return f"-{_wrap(t[step[1]])}" if kind == "neg" else f"{kind}({t[step[1]]})"

    def text(self, index=-1):
        """The expression of one step, shortened when it is long (a deep chain)."""
        index = index % len(self.steps)
        if self.name and index == len(self.steps) - 1:
            return self.name
        text = self.texts[index]
        return f"`{text}`" if len(text) <= 110 else f"step {index + 1} of {len(self.steps)} (a long expression)"

    def leaves(self):
        return [i for i, s in enumerate(self.steps) if s[0] == "leaf"]

    def __repr__(self):
        return f"Program({self.text()!r})"


def _wrap(text):
    """Parenthesise a sub-expression unless it is one name, one number or one call like tanh(...)."""
    if " " not in text:
        return text
    head = text.split("(", 1)[0]
    if head.isalpha() and text.endswith(")") and _closes_at_end(text[len(head):]):
        return text
    return f"({text})"


def _closes_at_end(text):
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return k == len(text) - 1
    return False


def build(program, make=None):
    """The nodes of a program built with `make` (a Value class; the engine's by default)."""
    make = make or micrograd_core.Value
    nodes = []
    for step in program.steps:
        nodes.append(_apply(step, nodes, make))
    return nodes


# ----------------------------------------------------------------------------------------------
# Generating expressions: seeded, bounded values, reuse on purpose
# ----------------------------------------------------------------------------------------------

def _pick(rng, n):
    """An index into n nodes, favouring recent ones so that expressions grow deep, not only wide."""
    return max(rng.randrange(n), rng.randrange(n))


def _random_step(rng, ops, nodes):
    op = rng.choice(ops)
    n = len(nodes)
    i = _pick(rng, n)
    x = nodes[i].data
    c = rng.choice((-1.5, -0.5, 0.5, 2.0, 3.0))
    if op in ("+", "*", "-", "/"):
        j = i if rng.random() < 0.3 else _pick(rng, n)     # reuse: a + a, a * a, ...
        if op == "/" and abs(nodes[j].data) < 0.3:
            return None
        return (op, i, j)
    if op in ("+n", "*n", "-n", "/n"):
        return (op, i, c)
    if op in ("n+", "n*", "n-", "n/"):
        if op == "n/" and abs(x) < 0.3:
            return None
        return (op, c, i)
    if op == "**":
        k = rng.choice((2, 3, -1, 0.5))
        if k == -1 and abs(x) < 0.3 or k == 0.5 and x < 0.1:
            k = 2
        return (op, i, k)
    if op == "exp" and x > 3:
        return None
    return (op, i)


def _bounded(nodes):
    return all(abs(v.data) < 60 for v in nodes)


@functools.lru_cache(maxsize=None)     # the same programs for the same arguments: build them once
def random_programs(ops, count, seed, leaves=3, steps=7):
    """`count` random programs over `ops`, the same for the same seed. Values stay in (-60, 60)
    and every gradient the engine computes is confirmed by finite differences."""
    rng = random.Random(seed)
    programs = []
    while len(programs) < count:
        program_steps = [("leaf", rng.choice((-1.0, 1.0)) * round(rng.uniform(0.3, 1.8), 2))
                         for _ in range(leaves)]
        nodes = build(Program(program_steps))
        while len(program_steps) < leaves + steps:
            step = _random_step(rng, ops, nodes)
            if step is None:
                continue
            node = _apply(step, nodes, micrograd_core.Value)
            if abs(node.data) >= 60:
                continue
            program_steps.append(step)
            nodes.append(node)
        program = Program(program_steps)
        if _engine_is_confirmed(program):
            programs.append(program)
    return tuple(programs)


@functools.lru_cache(maxsize=None)
def deep_chain(length=CHAIN_OPS, ops=("+", "*")):
    """t = x, then `length` ops alternating t = t * c and t = t + d (c and d reused every time)."""
    steps = [("leaf", 0.5), ("leaf", 1.0002), ("leaf", -0.001)]
    for k in range(length):
        kind = ops[k % len(ops)]
        steps.append((kind, len(steps) - 1 if k else 0, 1 if kind == "*" else 2))
    return Program(steps, name=f"a chain of {length} ops (t = t * b, then t = t + c, and again)")


def _engine_grads(program):
    nodes = build(program)
    nodes[-1].backward()
    return nodes


def _engine_is_confirmed(program, h=1e-6):
    """Do the engine's gradients match symmetric finite differences of its forward pass?"""
    nodes = _engine_grads(program)
    for i in program.leaves():
        up = list(program.steps)
        down = list(program.steps)
        x = program.steps[i][1]
        up[i], down[i] = ("leaf", x + h), ("leaf", x - h)
        slope = (build(Program(up))[-1].data - build(Program(down))[-1].data) / (2 * h)
        if abs(slope - nodes[i].grad) > 1e-4 * max(1.0, abs(slope)):
            return False
    return _bounded(nodes)


# ----------------------------------------------------------------------------------------------
# Running the learner's class on one program, without ever trusting it
# ----------------------------------------------------------------------------------------------

class _Outcome:
    """What happened when the learner's class ran one program."""

    def __init__(self):
        self.problem = None      # (kind, step index, detail) of the first thing that went wrong
        self.values = []         # the learner's .data of every node
        self.grads = []          # the learner's .grad of every node, after backward()


def _read_number(obj, attr):
    """(number, None), or (None, why not): a guarded read of obj.data / obj.grad."""
    try:
        value = getattr(obj, attr)
    except AttributeError:
        return None, f"has no .{attr}"
    except Exception as e:  # noqa: BLE001 - a learner's property may fail in any way
        return None, f"raised {type(e).__name__} when its .{attr} was read"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None, f"has a .{attr} that is {describe(value)}, not a plain number"
    try:
        value = float(value)
    except Exception:  # noqa: BLE001
        return None, f"has a .{attr} that is {describe(value)}, not a plain number"
    return value, None


def _run(program, make, engine_nodes):
    """Build the program with the learner's class and call backward(): an _Outcome (never raises,
    except when call_safely's time limit stops it)."""
    out = _Outcome()
    nodes = []
    for index, step in enumerate(program.steps):
        try:
            node = _apply(step, nodes, make)
        except RecursionError as e:
            out.problem = ("raised", index, e)
            return out
        except Exception as e:  # noqa: BLE001 - learner code
            out.problem = ("raised", index, e)
            return out
        nodes.append(node)
        value, why = _read_number(node, "data")
        if why:
            out.problem = ("unreadable data", index, why)
            return out
        out.values.append(value)
        if not _close(value, engine_nodes[index].data, VALUE_TOL):
            out.problem = ("value", index, value)
            return out
        if step[0] == "leaf":
            grad, why = _read_number(node, "grad")
            if why:
                out.problem = ("unreadable new grad", index, why)
                return out
            if why is None and grad != 0:
                out.problem = ("grad not zero", index, grad)
                return out
    root = nodes[-1]
    backward = getattr(type(root), "backward", None)
    if backward is None or not callable(backward):
        out.problem = ("no backward", len(nodes) - 1, None)
        return out
    try:
        root.backward()
    except Exception as e:  # noqa: BLE001 - learner code (RecursionError included)
        out.problem = ("backward raised", len(nodes) - 1, e)
        return out
    for index, node in enumerate(nodes):
        grad, why = _read_number(node, "grad")
        if why:
            out.problem = ("unreadable grad", index, why)
            return out
        out.grads.append(grad)
    return out


def _close(a, b, tol):
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def _try(exercise, program, make):
    """Run one program; (None, hint) for a problem, (True, None) when every value and grad matches,
    or (Verdict, None) when call_safely already reported (a time-out)."""
    engine_nodes = _engine_grads(program)

    def your_class():
        return _run(program, make, engine_nodes)
    your_class.__name__ = "your class"
    ok, outcome = call_safely(exercise, your_class, seconds=SECONDS, case=f"on {program.text()}")
    if not ok:
        return outcome, None           # a failed Verdict, already printed
    if outcome.problem is None:
        bad = [i for i, (g, v) in enumerate(zip(outcome.grads, engine_nodes))
               if not _close(g, v.grad, GRAD_TOL)]
        if bad:
            outcome.problem = ("grad", max(bad), outcome.grads[max(bad)])
    if outcome.problem is None:
        return True, None
    return None, _describe_problem(program, outcome, engine_nodes)


def _describe_problem(program, outcome, engine_nodes):
    kind, index, detail = outcome.problem
    step = program.steps[index]
    where = f"{program.text(index)}"
    if kind == "raised":
        text = _exception_text(detail)
        if step[0] == "leaf":
            return f"Value({step[1]}) raised {text}."
        missing = _missing(step, detail)
        if missing:
            return missing
        advice = ""
        if _shape(step[0]) in ("value-number", "number-value"):
            advice = (" A plain number on one side has no .data: turn it into a Value first, "
                      "in every op that takes another operand.")
        return f"{_op_name(step)} raised {text} while building {where}.{advice}"
    if kind == "unreadable data":
        if step[0] == "leaf":
            return f"Value({step[1]}) {detail}: every Value keeps its number in .data."
        return f"the result of {where} {detail}: every Value keeps its number in .data."
    if kind == "unreadable grad":
        if "has no .grad" in detail:
            return "a Value needs a .grad, 0 when it is made (backward() adds into it)."
        return f"the node {where} {detail} (after backward())."
    if kind == "unreadable new grad":
        return f"a new Value {detail}: it should start with grad 0 (backward() adds into it)."
    if kind == "grad not zero":
        return (f"a new Value should start with grad 0 (backward() only ever adds into it); yours "
                f"starts at {detail:g}.")
    if kind == "value":
        inputs = _inputs_text(program, step, outcome.values)
        return (f"{_op_name(step)} computes a wrong value: {where} with {inputs} gives data "
                f"{_fmt(detail)}. Check the forward computation of that op.")
    if kind == "no backward":
        return "your class has no backward() method yet: it is the next step after + works."
    if kind == "backward raised":
        if isinstance(detail, RecursionError):
            return (f"backward() hit Python's recursion limit (RecursionError) on {where}: a recursive "
                    f"topological sort makes one nested call per node, and this graph is thousands of "
                    f"nodes deep. Build the order with an explicit stack instead of recursion "
                    f"(notebook 05 shows how).")
        return f"backward() raised {_exception_text(detail)} on {where}."
    return _grad_hint(program, index, outcome, engine_nodes)


def _grad_hint(program, index, outcome, engine_nodes):
    """The grad of node `index` is wrong, and every node after it (closer to the root) is right:
    one of the ops that use it passed back a wrong contribution."""
    root = len(program.steps) - 1
    if index == root:
        return (f"after backward() the output's own grad is {_fmt(outcome.grads[root])}: backward() "
                f"starts by setting the output's grad to d(out)/d(out), before any chain-rule step.")
    if all(g == 0 for g in outcome.grads[:root]):
        return ("after backward() every input's grad is still 0: backward() has to take the chain-rule "
                "step at every node, `input.grad += local * node.grad`, from the output back.")
    users = [(k, s) for k, s in enumerate(program.steps) if s[0] != "leaf" and index in _inputs(s)]
    ops = sorted({_op_name(s) for _, s in users})
    where = f"{program.text(index)}"
    reused = any(_inputs(s).count(index) > 1 for _, s in users) or len(users) > 1
    single = len(program.steps) <= 3 or all(s[0] == "leaf" for s in program.steps[:-1])
    if single:
        return _single_op_hint(program, index, outcome, engine_nodes)
    if reused:
        return (f"the grad of {where}, which is used more than once, is {_fmt(outcome.grads[index])} "
                f"after backward() on {program.text()}. Each use must add its share (`+=`), and the "
                f"chain-rule step at each node must be taken exactly once, after every node that "
                f"uses it: a visited set and a reversed topological order.")
    return (f"the grad that {', '.join(ops)} passed back to {where} is wrong in {program.text()} "
            f"(yours is {_fmt(outcome.grads[index])}). The chain-rule step is taken once per node, in "
            f"reversed topological order: check that order, and the local derivatives of {', '.join(ops)}.")


def _single_op_hint(program, index, outcome, engine_nodes):
    """One op on leaves: name the mistake in its local derivative."""
    step = program.steps[-1]
    kind = step[0]
    got = outcome.grads[index]
    x = engine_nodes[_inputs(step)[0]].data
    y = engine_nodes[-1].data
    where = f"{program.text()}"
    mine = f"after {where}.backward() your grad of {program.text(index)} is {_fmt(got)}"
    inputs = _inputs(step)
    if len(inputs) == 2 and inputs[0] == inputs[1]:
        return (f"{mine}: only one of its two uses arrived. Each use adds its share: `+=`, "
                f"never `=`, in every chain-rule step.")
    if kind in ("+", "+n", "n+", "-", "-n", "n-"):
        return f"{mine}. The local derivative of a sum is 1 for each input: out.grad passes through unchanged."
    if kind in ("*", "*n", "n*"):
        if _close(got, engine_nodes[index].data, 1e-9):
            return (f"{mine}: that is its own data. The local derivative of a * b with respect to a "
                    f"is the *other* factor.")
        return f"{mine}. Check the local derivatives of `*` in the table of section 1."
    if kind == "**":
        n = step[2]
        if _close(got, n * x ** n, 1e-9):
            return f"{mine}: the power rule lowers the exponent by one."
        if _close(got, x ** (n - 1), 1e-9):
            return f"{mine}: the exponent also comes down as a factor, in front."
        return f"{mine}. The local derivative of x ** n is the power rule."
    if kind == "tanh":
        if _close(got, 1 - x * x, 1e-9):
            return (f"{mine}: you squared the input. The local derivative 1 - tanh(x)**2 uses the "
                    f"output, tanh(x) itself.")
        return f"{mine}. The local derivative of tanh(x) is 1 - tanh(x)**2, written with the output."
    if kind == "exp":
        if _close(got, x, 1e-9) or _close(got, 1.0, 1e-9):
            return f"{mine}: the local derivative of exp(x) is exp(x) itself, the output's data."
        return f"{mine}. The local derivative of exp(x) is the output's data."
    if kind in ("/", "/n", "n/"):
        return f"{mine}. Write a / b as a * b ** -1 and let + , * and ** do the work."
    if kind == "neg":
        return f"{mine}. Write -a as a * -1."
    return f"{mine}."


def _inputs(step):
    shape = _shape(step[0])
    if shape == "leaf":
        return []
    if shape == "pair":
        return [step[1], step[2]]
    return [step[2]] if shape == "number-value" else [step[1]]


def _inputs_text(program, step, values):
    names = [f"{program.text(i)} = {_fmt(values[i])}" for i in dict.fromkeys(_inputs(step))]
    return ", ".join(names) if names else "no inputs"


def _missing(step, error):
    """A hint when the op does not exist at all (no __add__, no tanh ...), else ''."""
    kind = step[0]
    text = str(error) if isinstance(error, (TypeError, AttributeError)) else ""
    if isinstance(error, TypeError) and "unsupported operand" in text:
        method = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__",
                  "+n": "__add__", "*n": "__mul__", "-n": "__sub__", "/n": "__truediv__",
                  "n+": "__radd__", "n*": "__rmul__", "n-": "__rsub__", "n/": "__rtruediv__",
                  "**": "__pow__"}.get(kind)
        if kind in ("n+", "n*", "n-", "n/"):
            return (f"{_op_name(step)} is missing: when the left side is a plain number, Python asks "
                    f"the Value on the right for {method}. Add it (a one-liner).")
        return f"{_op_name(step)} is missing: your class has no {method} yet."
    if isinstance(error, TypeError) and "bad operand type for unary -" in text:
        return "negation `-a` is missing: your class has no __neg__ yet."
    if isinstance(error, AttributeError) and kind in ("tanh", "exp") and f"'{kind}'" in text:
        return f"`{kind}` is missing: your class has no {kind}() method yet."
    return ""


def _exception_text(e):
    try:
        message = " ".join(str(e).split())
    except Exception:  # noqa: BLE001
        message = ""
    if len(message) > 120:
        message = message[:117] + "..."
    return f"{type(e).__name__}: {message}" if message else type(e).__name__


def _fmt(x):
    return f"{x:.4f}" if abs(x) < 1e6 else f"{x:.4g}"


# ----------------------------------------------------------------------------------------------
# The ladder
# ----------------------------------------------------------------------------------------------

def _single(kind, *args):
    """A program of one op on fresh leaves: ("*", 2.0, -3.0) is a * b with a = 2, b = -3."""
    shape = _shape(kind)
    if shape == "pair":
        a, b = args
        if b is None:                               # a op a: reuse of one leaf
            return Program([("leaf", a), (kind, 0, 0)])
        return Program([("leaf", a), ("leaf", b), (kind, 0, 1)])
    if shape == "number-value":
        return Program([("leaf", args[1]), (kind, args[0], 0)])
    if shape in ("value-number", "power"):
        return Program([("leaf", args[0]), (kind, 0, args[1])])
    return Program([("leaf", args[0]), (kind, 0)])


def _has(make, name):
    """Does the learner's class (or what its constructor returns) have this method at all?"""
    try:
        return callable(getattr(make, name, None))
    except Exception:  # noqa: BLE001
        return False


def _rungs(make):
    """The ladder: (what it proves, programs to run). Built lazily, one rung at a time."""
    yield "+", [_single("+", 2.0, -3.0), _single("+", 1.5, None)]
    yield "*", [_single("*", 2.0, -3.0), _single("*", -1.5, 0.5), _single("*", 1.5, None)]
    yield "numbers on either side of + and *", [
        _single("+n", 2.0, 0.5), _single("n+", 0.5, 2.0), _single("*n", 2.0, -1.5),
        _single("n*", -1.5, 2.0)]
    yield "+ and * composed, with reuse", random_programs(
        ("+", "*", "+n", "*n", "n+", "n*"), 12, seed=7)
    yield f"a chain of {CHAIN_OPS} ops", [deep_chain()]
    yield "**", [_single("**", -1.5, 3), _single("**", 1.5, 2), _single("**", 0.8, -1),
                 _single("**", 2.0, 0.5)] + list(random_programs(("+", "*", "**", "n*"), 8, seed=11))
    for name in ("tanh", "exp"):
        if _has(make, name):
            yield name, [_single(name, 0.5), _single(name, -1.2)] + list(random_programs(
                ("+", "*", "**", name, "*n"), 8, seed=13 if name == "tanh" else 17))
    if _has(make, "tanh") and _has(make, "exp"):
        yield "everything together", random_programs(("+", "*", "**", "tanh", "exp", "n+", "*n"), 8, seed=19)


def _class_waiting(answer):
    """Still untouched: `...`, None, or a class whose body defines nothing yet."""
    if is_waiting(answer):
        return True
    if isinstance(answer, type):
        own = {k for k in vars(answer) if k not in (
            "__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__firstlineno__",
            "__static_attributes__", "__annotations__")}
        return not own
    return False


def _climb(exercise, make, rungs):
    """Run the rungs in order; (passed names, None) or (passed names, hint or Verdict)."""
    done = []
    for name, programs in rungs:
        for program in programs:
            result, hint = _try(exercise, program, make)
            if result is True:
                continue
            return done, (result if hint is None else hint)
        done.append(name)
    return done, None


def _progress(done):
    if not done:
        return ""
    return f"so far right: {', '.join(done)}. Next: "


def _report(exercise, done, problem, first=""):
    """The failed Verdict for what _climb found: a hint (with the progress so far), or the Verdict
    call_safely already printed (a time-out)."""
    if not isinstance(problem, str):
        return problem
    return failed(exercise, first + _progress(done) + problem)


def _start(exercise, answer, what):
    """Waiting or refusal for an answer that is not a class to try: a Verdict, or None to go on."""
    if _class_waiting(answer):
        return waiting(exercise, what)
    if not callable(answer):
        return failed(exercise, f"pass your class itself (its name, without parentheses); got "
                                f"{describe(answer)}.")
    if isinstance(answer, micrograd_core.Value):
        return failed(exercise, "that is one Value; pass the class itself.")
    return None


@checker
def check_value_class(cls):
    """Exercise 2: the learner's whole Value class, run against the engine on generated expressions."""
    exercise = CLASS_EXERCISE
    early = _start(exercise, cls, "replace `Value = ...` with your class")
    if early is not None:
        return early
    done, problem = _climb(exercise, cls, _rungs(cls))
    if problem is not None:
        return _report(exercise, done, problem)
    if "tanh" not in done and "exp" not in done:
        return failed(exercise, _progress(done) + "your class needs tanh() or exp() (or both); "
                                                  "neither is there yet.")
    count = sum(len(p) for _, p in _rungs(cls))
    extras = [n for n in ("tanh", "exp") if n in done]
    return passed(exercise, f"Your class agrees with the engine, and with finite differences, on "
                            f"{count} expressions (reuse such as a + a included) and a chain of "
                            f"{CHAIN_OPS} ops: +, *, numbers on either side, **, {' and '.join(extras)}.")


def _composition_rungs():
    yield "negation", [_single("neg", 1.5), _single("neg", -0.5)]
    yield "-", [_single("-", 2.0, -3.0), _single("-", 1.5, None), _single("-n", 2.0, 0.5),
                _single("n-", 0.5, 2.0)]
    yield "/", [_single("/", 2.0, -4.0), _single("/", 1.5, None), _single("/n", 2.0, 0.5),
                _single("n/", 3.0, 2.0)]
    yield "all of them composed", random_programs(("+", "*", "-", "/", "neg", "n-", "n/", "/n", "-n"),
                                                  10, seed=23)


@checker
def check_compositions(cls):
    """Exercise 3: -a, a - b, a / b (and with numbers on either side) as compositions."""
    exercise = COMPOSITION_EXERCISE
    early = _start(exercise, cls, "add __neg__, __sub__, __truediv__ (and their r-versions) to your class")
    if early is not None:
        return early
    core = [r for r in _rungs(cls)][:3] + [("**", [_single("**", 0.8, -1), _single("**", 1.5, 2)])]
    done, problem = _climb(exercise, cls, core)
    if problem is not None:
        return _report(exercise, done, problem,
                       first="finish exercise 2 first (+, *, numbers and ** are needed here): ")
    done, problem = _climb(exercise, cls, _composition_rungs())
    if problem is not None:
        return _report(exercise, done, problem)
    count = sum(len(p) for _, p in _composition_rungs())
    return passed(exercise, f"-a, a - b, a / b and their versions with a number on either side agree "
                            f"with the engine on {count} expressions.")


# ----------------------------------------------------------------------------------------------
# Small classes for the notebook's demonstrations (+ and * only: not an answer to exercise 2)
# ----------------------------------------------------------------------------------------------

def example_class(kind="minimal"):
    """A + and * class in the design of section 1 of notebook 07.

    kind="minimal": the order built with an explicit stack; kind="recursive order": the order built
    by a recursive function, which breaks on a deep graph (the notebook's common mistake).
    """
    order_of = {"minimal": _order_with_a_stack, "recursive order": _order_by_recursion}[kind]

    class Value:
        def __init__(self, data, children=(), local_grads=()):
            self.data, self.grad = data, 0.0
            self.children, self.local_grads = children, local_grads

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self, other), (1.0, 1.0))

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), (other.data, self.data))

        __radd__, __rmul__ = __add__, __mul__

        def backward(self):
            self.grad = 1.0
            for node in reversed(order_of(self)):
                for child, local in zip(node.children, node.local_grads):
                    child.grad += local * node.grad

    return Value


def _order_with_a_stack(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, children_placed = stack.pop()
        if children_placed:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
    return order


def _order_by_recursion(root):
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node.children:
                visit(child)
            order.append(node)
    visit(root)
    return order
