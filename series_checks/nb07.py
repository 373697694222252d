"""Checkers for notebook 07, build your own engine.

The learner writes a whole `Value` class. The checker runs it on expressions and compares every
value and every gradient with the engine (micrograd_core), whose own gradients on each expression
are first confirmed by finite differences. The expressions are drawn afresh for every check
(`fresh_rng`), with reuse such as `a + a` on purpose; a few fixed ones open each rung so that the
first hints are precise. The check climbs a ladder, one op at a time:

    + -> * -> numbers on either side -> + and * composed, with reuse -> a deep chain -> **
    -> tanh / exp -> everything together -> exact local derivatives

and stops at the first rung that fails, naming the op whose value or gradient is wrong (or the op
that is missing) and the rungs that already hold. The last rung runs each op where finite
differences lose digits (large inputs, a flat tanh, a large exp), so a class that estimates its
local derivatives by nudging its inputs fails there. The engine itself, or a class built on it,
is refused: the exercise is to write one.

Learner code runs under call_safely (its exceptions become the series' hints, a time limit stops a
loop); every .data and .grad is read once, as a plain number. Hints show the learner's numbers,
never the expected ones.
"""

import math
import random

import micrograd_core

from . import call_safely, check_number, checker, close, describe, failed, fresh_rng, is_waiting
from . import passed, quiet, read_number, waiting
from series_language import N_, _

__all__ = ["check_local_derivative", "check_value_class", "check_compositions", "example_class",
           "random_programs", "deep_chain", "build", "Program", "CHAIN_OPS", "EX1_X", "EX1_N"]

# The exercises' names: "Exercise N" (which the verdicts translate) and what the exercise is about.
DERIVATIVE_TOPIC = N_(" (local derivative of x ** 3)")
CLASS_TOPIC = N_(" (your Value class)")
COMPOSITION_TOPIC = N_(" (-, / and negation)")
DERIVATIVE_EXERCISE = "Exercise 1" + DERIVATIVE_TOPIC
CLASS_EXERCISE = "Exercise 2" + CLASS_TOPIC
COMPOSITION_EXERCISE = "Exercise 3" + COMPOSITION_TOPIC
CHAIN_OPS = 3000          # the deep chain: deeper than Python's recursion limit (1000)
CHAIN_RUNG = f"a chain of {CHAIN_OPS} ops"     # a rung's name (_report words it in the notebook's language)
VALUE_TOL = 1e-6
GRAD_TOL = 1e-6
# On the last rung, grads must match the engine's to this relative error. Exact formulas, however
# they are written (1 - t*t or 1/cosh(x)**2, math.exp(x) or math.e**x), differ there by less than
# 1e-14; finite differences, whatever their step, by more than 1e-10.
EXACT_TOL = 1e-11
# A grad off by more than GRAD_TOL but within this (relative) is an estimate, not a wrong formula.
NEARLY = 1e-3
EXACT = N_("exact local derivatives")


# ----------------------------------------------------------------------------------------------
# Exercise 1: the local derivative a node of `x ** 3` stores (the lesson's own example)
# ----------------------------------------------------------------------------------------------

EX1_X, EX1_N = -2.0, 3


@checker(exercise=DERIVATIVE_EXERCISE)
def check_local_derivative(answer):
    """The local derivative d(x**3)/dx at x = EX1_X: the number a `**3` node stores for its child."""
    x = micrograd_core.Value(EX1_X, label="x")
    (x ** EX1_N).backward()
    numeric = (((EX1_X + 1e-6) ** EX1_N) - ((EX1_X - 1e-6) ** EX1_N)) / 2e-6
    hints = [
        (EX1_N * EX1_X ** EX1_N, _("you kept the exponent: the power rule lowers it by one.")),
        (EX1_X ** (EX1_N - 1), _("the exponent also comes down as a factor in front.")),
        (EX1_X ** EX1_N, _("that is the output's data (x ** 3 itself), not its slope.")),
        (EX1_N * EX1_X, _("the power rule gives n * x ** (n - 1): here the power left on x is 2, not 1.")),
    ]
    return check_number("Exercise 1" + _(DERIVATIVE_TOPIC), answer, x.grad, hints=hints,
                        what=_("replace the `...` of {name} with a number").format(name="local"),
                        confirmed_by=_("The engine's backward() gives {grad}, a finite difference "
                                       "{numeric}.").format(grad=f"{x.grad:.4f}", numeric=f"{numeric:.4f}"))


# ----------------------------------------------------------------------------------------------
# Expressions as programs: the same steps replayed on the engine and on the learner's class
# ----------------------------------------------------------------------------------------------
#
# A step is a tuple. ("leaf", x) makes a Value; the others combine earlier steps by index:
#   ("+", i, j)  ("*", i, j)  ("-", i, j)  ("/", i, j)     Value op Value (i == j is reuse: a + a)
#   ("+n", i, c) ("*n", i, c) ("-n", i, c) ("/n", i, c)    Value op number
#   ("n+", c, i) ("n*", c, i) ("n-", c, i) ("n/", c, i)    number op Value
#   ("**", i, k)  ("tanh", i)  ("exp", i)  ("neg", i)

_BINARY = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "-": lambda a, b: a - b, "/": lambda a, b: a / b}


def _shape(kind):
    """What a step's arguments are: 'leaf', 'pair' (two nodes), 'value-number', 'number-value',
    'power' (a node and an exponent) or 'unary' (one node: neg, tanh, exp)."""
    if kind == "leaf" or kind in _BINARY:
        return "leaf" if kind == "leaf" else "pair"
    if kind[-1] == "n" and kind[0] in _BINARY:
        return "value-number"
    if kind[0] == "n" and kind[-1] in _BINARY:
        return "number-value"
    return "power" if kind == "**" else "unary"


def _inputs(step):
    """The indices of the nodes a step reads (twice the same one for reuse such as a + a)."""
    shape = _shape(step[0])
    if shape == "leaf":
        return []
    if shape == "pair":
        return [step[1], step[2]]
    return [step[2]] if shape == "number-value" else [step[1]]


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
    return -a if kind == "neg" else getattr(a, kind)()       # tanh, exp


def _op_name(step):
    """How a hint names the op of a step: `+`, `Value + number`, `**`, `tanh` ..."""
    kind, shape = step[0], _shape(step[0])
    if shape == "value-number":
        return _("`Value {op} number`").format(op=kind[0])
    if shape == "number-value":
        return _("`number {op} Value`").format(op=kind[1])
    return _("negation `-a`") if kind == "neg" else f"`{kind}`"


class Program:
    """A list of steps with the text of every node, e.g. `tanh(a * b + a)`."""

    def __init__(self, steps, name=None):
        self.steps = tuple(steps)
        self.name = name         # a description instead of the text of the root, e.g. a long chain
        self.texts, atomic, names = [], [], iter("abcdefghpqrsuvw")
        for step in self.steps:
            kind, shape = step[0], _shape(step[0])
            t = [self.texts[i] if atomic[i] else f"({self.texts[i]})" for i in _inputs(step)]
            if shape == "leaf":
                text = next(names, "x")
            elif shape == "pair":
                text = f"{t[0]} {kind} {t[1]}"
            elif shape == "value-number":
                text = f"{t[0]} {kind[0]} {step[2]:g}"
            elif shape == "number-value":
                text = f"{step[1]:g} {kind[1]} {t[0]}"
            elif shape == "power":
                text = f"{t[0]} ** {step[2]:g}"
            else:
                text = f"-{t[0]}" if kind == "neg" else f"{kind}({self.texts[step[1]]})"
            self.texts.append(text)
            atomic.append(kind in ("leaf", "tanh", "exp") or kind == "neg" and atomic[step[1]])

    def text(self, index=-1):
        """The expression of one step, shortened when it is long (a deep chain)."""
        index = index % len(self.steps)
        if self.name and index == len(self.steps) - 1:
            return self.name
        text = self.texts[index]
        if len(text) <= 110:
            return f"`{text}`"
        return _("step {number} of {count} (a long expression)").format(number=index + 1, count=len(self.steps))

    def leaves(self):
        return [i for i, s in enumerate(self.steps) if s[0] == "leaf"]


def build(program, make=None):
    """The nodes of a program built with `make` (a Value class; the engine's by default)."""
    make = make or micrograd_core.Value
    nodes = []
    for step in program.steps:
        nodes.append(_apply(step, nodes, make))
    return nodes


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


# ----------------------------------------------------------------------------------------------
# Drawing expressions: bounded values, reuse on purpose, the engine confirmed on each
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
    if op in _BINARY:
        j = i if rng.random() < 0.3 else _pick(rng, n)     # reuse: a + a, a * a, ...
        return None if op == "/" and abs(nodes[j].data) < 0.3 else (op, i, j)
    if op in ("+n", "*n", "-n", "/n"):
        return (op, i, c)
    if op in ("n+", "n*", "n-", "n/"):
        return None if op == "n/" and abs(x) < 0.3 else (op, c, i)
    if op == "**":
        k = rng.choice((2, 3, -1, 0.5))
        if k == -1 and abs(x) < 0.3 or k == 0.5 and x < 0.1:
            k = 2
        return (op, i, k)
    return None if op == "exp" and x > 3 else (op, i)


def random_programs(ops, count, seed, leaves=3, steps=7):
    """`count` random programs over `ops`. seed: a random.Random to draw from (a check's own), or
    a number (the same programs for the same number). Values stay in (-60, 60) and every gradient
    the engine computes is confirmed by finite differences."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    programs = []
    for _attempt in range(50 * count):
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
            if len(programs) == count:
                return programs
    raise RuntimeError("the engine's gradients disagree with finite differences: was micrograd_core "
                       "changed in this notebook? Restart the kernel and run the notebook again")


def deep_chain(length=CHAIN_OPS, ops=("+", "*")):
    """t = x, then `length` ops alternating t = t * c and t = t + d (c and d reused every time)."""
    steps = [("leaf", 0.5), ("leaf", 1.0002), ("leaf", -0.001)]
    for k in range(length):
        kind = ops[k % len(ops)]
        steps.append((kind, len(steps) - 1 if k else 0, 1 if kind == "*" else 2))
    return Program(steps, name=_("a chain of {count} ops (t = t * b, then t = t + c, and again)").format(
        count=length))


def _equal_data(rng):
    """(a + 1) * (b + 1) with a and b equal numbers: two nodes that only their identity tells apart."""
    x = round(rng.uniform(0.3, 1.8), 2)
    return Program([("leaf", x), ("leaf", x), ("+n", 0, 1.0), ("+n", 1, 1.0), ("*", 2, 3)])


def _exact_programs(make, rng):
    """One op on inputs where finite differences lose digits and exact formulas do not: large
    numbers (and a small one added to a large one), a tanh where it flattens, a large exp."""
    def big():
        return rng.choice((-1, 1)) * rng.uniform(1e5, 1e6)

    def small():
        return rng.choice((-1, 1)) * rng.uniform(1e-3, 1e-2)
    programs = [_single("+", big(), small()), _single("+", small(), big()),
                _single("*", big(), big()), _single("*", big(), big())]
    programs += [_single("**", abs(big()) if n == 0.5 else big(), n) for n in (2, 3, -1, 0.5)]
    if _has(make, "tanh"):
        programs += [_single("tanh", rng.choice((-1, 1)) * rng.uniform(1.0, 2.5)) for _ in range(2)]
    if _has(make, "exp"):
        programs += [_single("exp", rng.uniform(20, 60)) for _ in range(2)]
    return programs


def _engine_grads(program):
    nodes = build(program)
    nodes[-1].backward()
    return nodes


def _engine_is_confirmed(program, h=1e-6):
    """Do the engine's gradients match symmetric finite differences of its forward pass?"""
    nodes = _engine_grads(program)
    for i in program.leaves():
        up, down = list(program.steps), list(program.steps)
        x = program.steps[i][1]
        up[i], down[i] = ("leaf", x + h), ("leaf", x - h)
        slope = (build(Program(up))[-1].data - build(Program(down))[-1].data) / (2 * h)
        if not close(slope, nodes[i].grad, 1e-4):
            return False
    return all(abs(v.data) < 60 for v in nodes)


# ----------------------------------------------------------------------------------------------
# Running the learner's class on one program, without ever trusting it
# ----------------------------------------------------------------------------------------------

ENGINE_HINT = N_("your class hands the work to the engine: its Values are micrograd_core's own (the "
               "engine's Value, a subclass of it, or what its ops make). Exercise 2 is to write your "
               "own class, from scratch: no micrograd_core in it.")
MERGE_HINT = N_("two different nodes with the same data are one node to your class: your __eq__ and "
              "__hash__ compare .data, so the visited set of the topological order takes the second "
              "for the first and skips it, and the grads through it never arrive (try a = Value(3.0), "
              "b = Value(3.0), ((a + 1) * (b + 1)).backward()). A node is only ever equal to itself: "
              "delete __eq__ and __hash__, and Python compares identity.")


def _read(exercise, obj, attr):
    """(number, None), or (None, why not): one read of obj.data or obj.grad, as a plain number."""
    try:
        value = getattr(obj, attr)
    except AttributeError:
        return None, _("has no .{attr}").format(attr=attr)
    if type(value) is float and math.isfinite(value):   # the usual case, read fast
        return value, None
    with quiet():                 # only whether it is a plain finite number: the hint is ours
        number = read_number(exercise, value)
    if number is None:
        return None, _("has a .{attr} that is {what}, not a plain number").format(attr=attr, what=describe(value))
    return number, None


def _build(exercise, program, make, engine):
    """Build the program with the learner's class, reading every .data: (nodes, None), or (None,
    hint). An exception that no hint of ours explains goes on to call_safely, which reports it."""
    nodes = []
    for index, step in enumerate(program.steps):
        where = program.text(index)
        try:
            node = _apply(step, nodes, make)
        except (TypeError, AttributeError) as e:
            hint = _missing(step, e, where)
            if hint:
                return None, hint
            raise
        if issubclass(type(node), micrograd_core.Value):
            return None, _(ENGINE_HINT)
        value, why = _read(exercise, node, "data")
        if why:
            made = f"Value({step[1]})" if step[0] == "leaf" else _("the result of {where}").format(where=where)
            return None, _("{made} {why}: every Value keeps its number in .data.").format(made=made, why=why)
        if not close(value, engine[index].data, VALUE_TOL):
            if step[0] == "leaf":
                return None, _("{leaf} has data {data}: a new Value keeps its number as it is.").format(
                    leaf=f"Value({step[1]})", data=_fmt(value))
            inputs = _inputs_text(program, step, engine)
            return None, _("{op} computes a wrong value: {where} with {inputs} gives data "
                           "{data}. Check the forward computation of that op.").format(
                               op=_op_name(step), where=where, inputs=inputs, data=_fmt(value))
        if step[0] == "leaf":
            grad, why = _read(exercise, node, "grad")
            if why or grad != 0:
                return None, _("a new Value should start with grad 0 (backward() only ever adds into it); "
                               "yours {why}.").format(
                                   why=why or _("starts at {grad}").format(grad=f"{grad:g}"))
        nodes.append(node)
    return nodes, None


def _backward(exercise, program, nodes):
    """Call backward() on the root and read every .grad: (grads, None), or (None, hint)."""
    if not callable(getattr(type(nodes[-1]), "backward", None)):
        return None, _("your class has no backward() method yet: it is the next step after + works.")
    try:
        nodes[-1].backward()
    except RecursionError:
        return None, _("backward() hit Python's recursion limit (RecursionError) on {expression}: a "
                       "recursive topological sort makes one nested call per node, and this graph is "
                       "thousands of nodes deep. Build the order with an explicit stack instead of "
                       "recursion (notebook 05 shows how).").format(expression=program.text())
    except TypeError as e:
        if "unhashable" not in str(e):
            raise
        return None, _("backward() could not put a node in a set (TypeError: unhashable type): a class "
                       "that defines __eq__ loses its __hash__, and the visited set of the topological "
                       "order needs it. Delete __eq__: a node is only ever equal to itself.")
    grads = []
    for index, node in enumerate(nodes):
        grad, why = _read(exercise, node, "grad")
        if why == _("has no .{attr}").format(attr="grad"):
            return None, _("a Value needs a .grad, 0 when it is made (backward() adds into it).")
        if why:
            return None, _("the node {node} {why} (after backward()).").format(node=program.text(index), why=why)
        grads.append(grad)
    return grads, None


def _merges_equal_data(make):
    """Do two nodes made from the same number count as one in a set (or a list)?"""
    x, y = make(0.75), make(0.75)
    try:
        same = x is not y and bool(x == y)
        return same and (type(x).__hash__ is None or hash(x) == hash(y))
    except Exception:  # noqa: BLE001 - a learner's __eq__ or __hash__ that fails: not a merge
        return False


def _agree(mine, engine, exact):
    if exact:      # relative, however small the grad: only an exact formula gets this close
        return engine != 0 and close(mine / engine, 1.0, EXACT_TOL)
    return close(mine, engine, GRAD_TOL)


def _try(exercise, program, make, exact=False):
    """Run one program on the learner's class: None when every value and grad matches the engine's,
    a hint, or the failed Verdict that call_safely already printed (an exception, a time-out)."""
    engine = _engine_grads(program)

    def your_class():
        return _build(exercise, program, make, engine)

    def backward(nodes):
        return _backward(exercise, program, nodes)
    your_class.__name__, backward.__name__ = _("your class"), "backward()"
    ok, outcome = call_safely(exercise, your_class, case=_("while building {expression}").format(
        expression=program.text()))
    if not ok:
        return outcome
    nodes, hint = outcome
    if hint:
        return hint
    ok, outcome = call_safely(exercise, backward, nodes, case=_("on {expression}").format(expression=program.text()))
    if not ok:
        return outcome
    grads, hint = outcome
    if hint:
        return hint
    bad = [i for i, (g, node) in enumerate(zip(grads, engine)) if not _agree(g, node.grad, exact)]
    if not bad:
        return None
    ok, merges = call_safely(exercise, _merges_equal_data, make)
    if not ok:
        return merges
    if merges:
        return _(MERGE_HINT)
    if exact or all(close(grads[i], engine[i].grad, NEARLY) for i in bad):
        return _finite_difference_hint(program, max(bad), grads, engine)
    return _grad_hint(program, max(bad), grads, engine)


# ----------------------------------------------------------------------------------------------
# Hints
# ----------------------------------------------------------------------------------------------

def _missing(step, error, where):
    """A hint when the op does not exist at all (no __add__, no tanh ...) or an op cannot take a
    plain number, else ''."""
    kind = step[0]
    text = str(error)
    methods = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__", "**": "__pow__"}
    if isinstance(error, TypeError) and "unsupported operand" in text:
        if _shape(kind) == "number-value":
            return _("{op} is missing: when the left side is a plain number, Python asks "
                     "the Value on the right for {method}. Add it (a one-liner).").format(
                         op=_op_name(step), method=f"__r{methods[kind[1]][2:]}")
        return _("{op} is missing: your class has no {method} yet.").format(
            op=_op_name(step), method=methods[kind.rstrip('n')])
    if isinstance(error, TypeError) and "bad operand type for unary -" in text:
        return _("negation `-a` is missing: your class has no __neg__ yet.")
    if isinstance(error, AttributeError) and kind in ("tanh", "exp") and f"'{kind}'" in text:
        return _("{op} is missing: your class has no {method}() method yet.").format(op=f"`{kind}`", method=kind)
    if _shape(kind) in ("value-number", "number-value"):
        return _("{op} raised {error} while building {where}: a plain number "
                 "on one side has no .data: turn it into a Value first, in every op that takes "
                 "another operand.").format(op=_op_name(step), error=type(error).__name__, where=where)
    return ""


def _grad_hint(program, index, grads, engine):
    """The grad of node `index` is wrong, and every node after it (closer to the root) is right:
    one of the ops that use it passed back a wrong contribution."""
    root = len(program.steps) - 1
    if index == root:
        return _("after backward() the output's own grad is {grad}: backward() "
                 "starts by setting the output's grad to d(out)/d(out), before any chain-rule step.").format(
                     grad=_fmt(grads[root]))
    if all(g == 0 for g in grads[:root]):
        return _("after backward() every input's grad is still 0: backward() has to take the chain-rule "
                 "step at every node, `input.grad += local * node.grad`, from the output back.")
    if len(program.steps) <= 3 or all(s[0] == "leaf" for s in program.steps[:-1]):
        return _single_op_hint(program, index, grads, engine)
    uses = [sum(_inputs(s).count(k) for s in program.steps) for k in range(len(program.steps))]
    below = {index}             # the node and every node whose value depends on it
    for k, step in enumerate(program.steps):
        if below & set(_inputs(step)):
            below.add(k)
    where = program.text(index)
    if any(uses[k] > 1 for k in below):
        return _("the grad of {node} is {grad} after backward() on {expression}, "
                 "where a node on its way to the output is used more than once. Each use must add "
                 "its share (`+=`), and the chain-rule step at each node must be taken exactly once, "
                 "after every node that uses it: a visited set and a reversed topological order.").format(
                     node=where, grad=_fmt(grads[index]), expression=program.text())
    ops = ", ".join(sorted({_op_name(s) for s in program.steps if index in _inputs(s)}))
    return _("the grad that {ops} passed back to {node} is wrong in {expression} (yours is "
             "{grad}). The chain-rule step is taken once per node, in reversed "
             "topological order: check that order, and the local derivatives of {ops}.").format(
                 ops=ops, node=where, expression=program.text(), grad=_fmt(grads[index]))


def _single_op_hint(program, index, grads, engine):
    """One op on leaves: name the mistake in its local derivative."""
    step = program.steps[-1]
    kind, inputs = step[0], _inputs(step)
    got = grads[index]
    x = engine[inputs[0]].data
    mine = _("after {expression}.backward() your grad of {node} is {grad}").format(
        expression=program.text(), node=program.text(index), grad=_fmt(got))
    if len(inputs) == 2 and inputs[0] == inputs[1]:
        return _("{mine}: only one of its two uses arrived. Each use adds its share: `+=`, "
                 "never `=`, in every chain-rule step.").format(mine=mine)
    if kind in ("+", "+n", "n+", "-", "-n", "n-"):
        return _("{mine}. The local derivative of a sum is 1 for each input: out.grad passes through "
                 "unchanged.").format(mine=mine)
    if kind in ("*", "*n", "n*"):
        if close(got, engine[index].data, 1e-9):
            return _("{mine}: that is its own data. The local derivative of a * b with respect to a "
                     "is the *other* factor.").format(mine=mine)
        return _("{mine}. Check the local derivatives of `*` in the table of section 1.").format(mine=mine)
    if kind == "**":
        n = step[2]
        if close(got, n * x ** n, 1e-9):
            return _("{mine}: the power rule lowers the exponent by one.").format(mine=mine)
        if close(got, x ** (n - 1), 1e-9):
            return _("{mine}: the exponent also comes down as a factor, in front.").format(mine=mine)
        return _("{mine}. The local derivative of x ** n is the power rule.").format(mine=mine)
    if kind == "tanh":
        if close(got, 1 - x * x, 1e-9):
            return _("{mine}: you squared the input. The local derivative 1 - tanh(x)**2 uses the "
                     "output, tanh(x) itself.").format(mine=mine)
        return _("{mine}. The local derivative of tanh(x) is 1 - tanh(x)**2, written with the "
                 "output.").format(mine=mine)
    if kind == "exp":
        if close(got, x, 1e-9) or close(got, 1.0, 1e-9):
            return _("{mine}: the local derivative of exp(x) is exp(x) itself, the output's data.").format(mine=mine)
        return _("{mine}. The local derivative of exp(x) is the output's data.").format(mine=mine)
    if kind in ("/", "/n", "n/"):
        return _("{mine}. Write a / b as a * b ** -1 and let + , * and ** do the work.").format(mine=mine)
    return _("{mine}. Write -a as a * -1.").format(mine=mine)


def _finite_difference_hint(program, index, grads, engine):
    """A grad close to the engine's but not equal: the local derivatives are estimates."""
    error = abs(grads[index] - engine[index].grad) / max(abs(engine[index].grad), 1e-300)
    digits = max(0, math.floor(-math.log10(error))) if error > 0 else 0
    inputs = _inputs_text(program, program.steps[-1], engine)
    inputs = _(" with {inputs}").format(inputs=inputs) if len(program.leaves()) == len(program.steps) - 1 else ""
    return _("your grads are close but not exact: on {expression}{inputs}, your grad of "
             "{node} after backward() matches the engine's to about {digits} digits, "
             "where exact local derivatives match to 15. That is what finite differences give (nudging "
             "an input and running the op again): they lose digits, most on large numbers and "
             "where tanh flattens. Write each local derivative as its exact formula, from the "
             "table of section 1.").format(expression=program.text(), inputs=inputs,
                                           node=program.text(index), digits=digits)


def _inputs_text(program, step, nodes):
    return ", ".join(f"{program.text(i)} = {_fmt(nodes[i].data)}" for i in dict.fromkeys(_inputs(step)))


def _fmt(x):
    return f"{x:.4f}" if abs(x) < 1e6 else f"{x:.4g}"


# ----------------------------------------------------------------------------------------------
# The ladder
# ----------------------------------------------------------------------------------------------

def _has(make, name):
    """Does the learner's class (or what its constructor returns) have this method at all?"""
    try:
        return callable(getattr(make, name, None))
    except Exception:  # noqa: BLE001
        return False


def _rungs(make, rng):
    """The ladder: (what it proves, programs to run). Drawn lazily, one rung at a time."""
    yield "+", [_single("+", 2.0, -3.0), _single("+", 1.5, None)]
    yield "*", [_single("*", 2.0, -3.0), _single("*", -1.5, 0.5), _single("*", 1.5, None)]
    yield N_("numbers on either side of + and *"), [
        _single("+n", 2.0, 0.5), _single("n+", 0.5, 2.0), _single("*n", 2.0, -1.5),
        _single("n*", -1.5, 2.0)]
    yield N_("+ and * composed, with reuse"), [_equal_data(rng)] + random_programs(
        ("+", "*", "+n", "*n", "n+", "n*"), 12, rng)
    yield CHAIN_RUNG, [deep_chain()]
    yield "**", [_single("**", -1.5, 3), _single("**", 1.5, 2), _single("**", 0.8, -1),
                 _single("**", 2.0, 0.5)] + random_programs(("+", "*", "**", "n*"), 8, rng)
    for name in ("tanh", "exp"):
        if _has(make, name):
            yield name, [_single(name, 0.5), _single(name, -1.2)] + random_programs(
                ("+", "*", "**", name, "*n"), 8, rng)
    if _has(make, "tanh") and _has(make, "exp"):
        yield N_("everything together"), random_programs(("+", "*", "**", "tanh", "exp", "n+", "*n"), 8, rng)
    yield EXACT, _exact_programs(make, rng)


def _composition_rungs(rng):
    yield N_("negation"), [_single("neg", 1.5), _single("neg", -0.5)]
    yield "-", [_single("-", 2.0, -3.0), _single("-", 1.5, None), _single("-n", 2.0, 0.5),
                _single("n-", 0.5, 2.0)]
    yield "/", [_single("/", 2.0, -4.0), _single("/", 1.5, None), _single("/n", 2.0, 0.5),
                _single("n/", 3.0, 2.0)]
    yield N_("all of them composed"), random_programs(("+", "*", "-", "/", "neg", "n-", "n/", "/n", "-n"), 10, rng)


def _climb(exercise, make, rungs):
    """Run the rungs in order: (names of the rungs that hold, programs run, None), or the same
    with the first problem (a hint, or a Verdict already printed) in place of None."""
    done, count = [], 0
    for name, programs in rungs:
        for program in programs:
            problem = _try(exercise, program, make, exact=name == EXACT)
            if problem is not None:
                return done, count, problem
            count += 1
        done.append(name)
    return done, count, None


def _report(exercise, done, problem, first=""):
    """The failed Verdict for what _climb found: a hint with the progress so far, or the Verdict
    that call_safely already printed."""
    if not isinstance(problem, str):
        return problem
    names = [_("a chain of {count} ops").format(count=CHAIN_OPS) if name == CHAIN_RUNG else _(name) for name in done]
    progress = _("so far right: {rungs}. Next: ").format(rungs=_(", ").join(names)) if done else ""
    return failed(exercise, first + progress + problem)


def _class_waiting(answer):
    """A class whose body defines nothing yet."""
    own = set(vars(answer)) - {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                               "__firstlineno__", "__static_attributes__", "__annotations__"}
    return not own


def _start(exercise, answer, what):
    """Waiting or refusal for an answer that is not a class to try: a Verdict, or None to go on."""
    if is_waiting(answer):
        return waiting(exercise, what)
    if isinstance(answer, micrograd_core.Value):
        return failed(exercise, _("that is one Value; pass the class itself."))
    if isinstance(answer, type) and issubclass(answer, micrograd_core.Value):
        return failed(exercise, _(ENGINE_HINT))
    if isinstance(answer, type) and _class_waiting(answer):
        return waiting(exercise, what)
    if not callable(answer):
        return failed(exercise, _("pass your class itself (its name, without parentheses); got "
                                  "{what}.").format(what=describe(answer)))
    return None


@checker(exercise=CLASS_EXERCISE)
def check_value_class(cls):
    """Exercise 2: the learner's whole Value class, run against the engine on drawn expressions."""
    exercise = "Exercise 2" + _(CLASS_TOPIC)
    early = _start(exercise, cls, _("replace `Value = ...` with your class"))
    if early is not None:
        return early
    done, count, problem = _climb(exercise, cls, _rungs(cls, fresh_rng()))
    if problem is not None:
        return _report(exercise, done, problem)
    extras = _(" and ").join(n for n in ("tanh", "exp") if n in done)
    if not extras:
        return _report(exercise, done, _("your class needs tanh() or exp() (or both); neither is there yet."))
    count -= 1     # the chain is named on its own
    return passed(exercise, _("Your class agrees with the engine on {count} expressions, most of them drawn "
                              "for this check (reuse such as a + a included), and a chain of {length} "
                              "ops, to the last digits where finite differences lose them: +, *, numbers "
                              "on either side, **, {extras}.").format(count=count, length=CHAIN_OPS,
                                                                     extras=extras))


@checker(exercise=COMPOSITION_EXERCISE)
def check_compositions(cls):
    """Exercise 3: -a, a - b, a / b (and with numbers on either side) as compositions."""
    exercise = "Exercise 3" + _(COMPOSITION_TOPIC)
    early = _start(exercise, cls, _("add __neg__, __sub__, __truediv__ (and their r-versions) to your class"))
    if early is not None:
        return early
    rng = fresh_rng()
    ladder = _rungs(cls, rng)
    core = [next(ladder) for _rung in range(3)] + [
        (N_("+ and * composed"), [_equal_data(rng)]),
        ("**", [_single("**", 0.8, -1), _single("**", 1.5, 2)]), (EXACT, _exact_programs(cls, rng))]
    done, _count, problem = _climb(exercise, cls, core)
    if problem is not None:
        return _report(exercise, done, problem,
                       first=_("finish exercise 2 first (+, *, numbers and ** are needed here): "))
    done, count, problem = _climb(exercise, cls, _composition_rungs(rng))
    if problem is not None:
        return _report(exercise, done, problem)
    return passed(exercise, _("-a, a - b, a / b and their versions with a number on either side agree "
                              "with the engine on {count} expressions.").format(count=count))


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
