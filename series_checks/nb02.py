"""Checkers for notebook 02 (values and expression graphs).

The expected answers come from the engine itself (the nodes of `topological_order()`, their
`_prev` and `_op`) and from the drawing viz makes of the same expression, so the checkers cannot
drift from what the notebook shows. No derivatives are involved, so there is no finite difference
here. A wrong answer gets a hint, never the expected value.
"""

import math
import operator
import re

from micrograd_core import Value

from . import checker, close, describe, failed, is_waiting, labelled, passed, read_numbers
from . import read_whole_number, waiting
from series_language import N_, _

__all__ = ["count_graph", "check_counts", "check_prev", "check_build"]


def count_graph(root):
    """(values, ops, arrows) of the graph behind root, as the engine stores it.

    Every Value is one box; every non-leaf has one op ellipse, one arrow per argument slot into
    the ellipse and one arrow from the ellipse to its Value.
    """
    nodes = root.topological_order()
    ops = [n for n in nodes if n._prev]
    return len(nodes), len(ops), sum(len(n._prev) for n in ops) + len(ops)


def count_drawing(root):
    """(values, ops, arrows) of viz's drawing of root: read from its DOT text."""
    import viz  # imported here so that the checkers of other exercises work without Graphviz
    graph = viz.draw_dot(root, legend=False)
    arrows = len(re.findall(r"^\s*[vo]\d+ -> [vo]\d+", graph.source, flags=re.M))
    return graph.n_values, graph.n_ops, arrows


# Exercise 1 ------------------------------------------------------------------------------------

def _exercise1_expression():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    return a * b + a


@checker
def check_counts(n_values, n_ops, n_arrows):
    """Exercise 1: boxes, ellipses and arrows in the drawing of a*b + a."""
    ex = "Exercise 1"
    answers = {"n_values": n_values, "n_ops": n_ops, "n_arrows": n_arrows}
    untouched = [name for name, v in answers.items() if is_waiting(v)]
    if untouched:
        return waiting(ex, _("replace the `...` of {names}").format(names=", ".join(untouched)))
    got = {}
    for name, v in answers.items():
        got[name] = read_whole_number(ex, v, name)
        if got[name] is None:
            return False
    out = _exercise1_expression()
    engine = count_graph(out)
    drawing = count_drawing(out)
    if engine != drawing:  # the engine's graph and viz's picture must agree before we judge
        return failed(ex, _("the engine's graph and viz's drawing disagree; tell your teacher."))
    values, ops, arrows = engine
    hints = []
    if got["n_values"] != values:
        if got["n_values"] == values + 1:
            hints.append(_("n_values: a appears twice in the code but is one Value object, so it is "
                           "one box."))
        elif got["n_values"] < values:
            hints.append(_("n_values: count every Value once: the two leaves, the product, and the "
                           "final sum."))
        else:
            hints.append(_("n_values: count each Value object once; ops are ellipses, not boxes."))
    if got["n_ops"] != ops:
        hints.append(_("n_ops: one ellipse per operator the expression applies; a leaf has none."))
    if got["n_arrows"] != arrows:
        if got["n_arrows"] == arrows - ops:
            hints.append(_("n_arrows: you counted the arrows into the ops; each op also has one arrow "
                           "into the Value it made."))
        elif got["n_arrows"] == arrows - 1:
            hints.append(_("n_arrows: a is used in two argument slots, so two arrows leave its box."))
        else:
            hints.append(_("n_arrows: one arrow per argument slot into each op, plus one arrow from "
                           "each op to its result."))
    if hints:
        return failed(ex, " ".join(hints))
    return passed(ex, _("The engine's graph and viz's drawing both have {values} boxes, {ops} ellipses "
                        "and {arrows} arrows.").format(values=values, ops=ops, arrows=arrows))


# Exercise 2 ------------------------------------------------------------------------------------

def _exercise2_expression():
    x = Value(1.5, label="x")
    y = Value(-2.0, label="y")
    t = labelled(x * y, "t")
    u = labelled(y - t, "u")
    return x, y, t, u


def _children_data(exercise, children):
    """The learner's tuple of children as floats (a Value counts as its .data), or None."""
    if isinstance(children, (tuple, list)):
        children = [c.data if isinstance(c, Value) else c for c in children]
    return read_numbers(exercise, children, "u_children_data")


@checker
def check_prev(u_op, u_children_data):
    """Exercise 2: u = y - t; predict u._op and the data of u._prev, slot by slot."""
    ex = "Exercise 2"
    if is_waiting(u_op) or is_waiting(u_children_data):
        return waiting(ex, _("replace both `...`: u's op, and the data of its children in slot order"))
    x, y, t, u = _exercise2_expression()
    expected_op = u._op
    expected = tuple(c.data for c in u._prev)
    if not isinstance(u_op, str):
        return failed(ex, _("u_op should be a string such as '*', got {what}.").format(what=describe(u_op)))
    u_op = str.strip(str.__str__(u_op))   # plain text, whatever str subclass came in
    given = _children_data(ex, u_children_data)
    if given is None:
        return False
    hints = []
    if u_op != expected_op:
        if u_op == "-":
            hints.append(_("u_op: Value has no '-' operation of its own; read the source of "
                           "Value.__sub__ (section 2) to see what it builds instead."))
        else:
            hints.append(_("u_op: which operation does Value.__sub__ apply last? Its result is u."))
    if len(given) != len(expected):
        hints.append(_("u_children_data: u was made by a binary operation, so _prev has "
                       "{slots} slots; you gave {given}.").format(slots=len(expected), given=len(given)))
    elif not all(close(g, e) for g, e in zip(given, expected)):
        if all(close(g, e) for g, e in zip(given, reversed(expected))):
            hints.append(_("u_children_data: the right numbers in the wrong order. Slot order follows "
                           "the code of __sub__: which operand comes first?"))
        elif close(given[0], y.data) and close(given[1], t.data):
            hints.append(_("u_children_data: the second slot does not hold t itself, but a new Value "
                           "that __sub__ made from t."))
        elif {round(g, 9) for g in given} == {x.data, y.data}:
            hints.append(_("u_children_data: those are t's children; the question is about u."))
        else:
            hints.append(_("u_children_data: list the .data of u._prev[0] and u._prev[1]; work out what "
                           "y - t turns into, one operation at a time."))
    if hints:
        return failed(ex, " ".join(hints))
    return passed(ex, _("The engine agrees: u._op is {op} and u._prev holds y and the "
                        "negation of t, in that order.").format(op=repr(expected_op)))


# Exercise 3 ------------------------------------------------------------------------------------

TARGET = -28.0
LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0}   # the leaves as the exercise gives them
OPS = {"+": operator.add, "*": operator.mul}


def _recompute(node):
    """The value of the graph behind node, recomputed from its leaves (catches a hand-set .data)."""
    memo = {}
    for n in node.topological_order():
        if not n._prev:
            memo[n] = n.data
        elif n._op in OPS:
            left, right = (memo[c] for c in n._prev)
            memo[n] = OPS[n._op](left, right)
        else:
            return math.nan
    return memo[node]


@checker
def check_build(target, a, b, c):
    """Exercise 3: a Value equal to -28 built from a, b, c (each once) with + and * (two ops)."""
    ex = "Exercise 3"
    if is_waiting(target):
        return waiting(ex, _("replace the `...` with an expression built from a, b and c"))
    if not isinstance(target, Value):
        return failed(ex, _("target should be a Value built with operators on a, b and c; got "
                            "{what}. (Arithmetic on .data gives a plain number and loses "
                            "the graph.)").format(what=describe(target)))
    given = (a, b, c)
    for name, leaf in zip(LEAVES, given):
        if not isinstance(leaf, Value):
            return failed(ex, _("pass the Values a, b and c of the exercise as given: {name} is "
                                "{what}.").format(name=name, what=describe(leaf)))
        if leaf.data != LEAVES[name] or leaf._prev:
            return failed(ex, _("{name} is no longer the Value the exercise gave ({name} = "
                                "{value}): keep a, b and c as they are, and reach the "
                                "target by combining them with + and *.").format(name=name,
                                                                                 value=f"{LEAVES[name]:g}"))
    nodes = target.topological_order()
    leaves = [n for n in nodes if not n._prev]
    ops = [n for n in nodes if n._prev]
    if not ops:
        return failed(ex, _("target is a single leaf with no graph behind it: combine a, b and c with "
                            "+ and * so that the result remembers how it was made."))
    strangers = [n for n in leaves if not any(n is g for g in given)]
    if strangers:
        what = ", ".join(f"{n.data:g}" for n in strangers)
        return failed(ex, _("the graph has a leaf that is none of a, b, c (data {what}). A plain number "
                            "in the expression becomes a leaf of its own, and so does the -1 hidden in "
                            "a subtraction: use only a, b and c, with + and *.").format(what=what))
    bad_ops = sorted({n._op for n in ops if n._op not in OPS})
    if bad_ops:
        return failed(ex, _("the graph uses {ops}; build it with + and * only.").format(
            ops=", ".join(repr(o) for o in bad_ops)))
    uses = {id(g): 0 for g in given}
    for n in ops:
        for child in n._prev:
            if id(child) in uses:
                uses[id(child)] += 1
    names = {id(a): "a", id(b): "b", id(c): "c"}
    unused = [names[k] for k, v in uses.items() if v == 0]
    repeated = [names[k] for k, v in uses.items() if v > 1]
    if unused or repeated:
        parts = ([_("not used: {names}").format(names=", ".join(unused))] if unused else []) + \
                ([_("used more than once: {names}").format(names=", ".join(repeated))] if repeated else [])
        return failed(ex, _("use each of a, b and c exactly once ({details}).").format(details="; ".join(parts)))
    if len(ops) != 2:
        return failed(ex, _("the graph has {count} op nodes; three leaves used once each need two.").format(
            count=len(ops)))
    recomputed = _recompute(target)
    if not math.isfinite(target.data) or not close(recomputed, target.data):
        return failed(ex, _("target.data says {value}, but recomputing its graph from the "
                            "leaves gives another number: build the value with operators instead of "
                            "setting .data.").format(value=f"{target.data:.4f}"))
    if any(n.data != _recompute(n) for n in ops):
        return failed(ex, _("an intermediate node's .data was changed by hand: build the value with "
                            "operators only."))
    if not close(recomputed, TARGET):
        return failed(ex, _("your expression gives {value}, not {target}. Try another "
                            "arrangement: which two values to multiply, and what to add.").format(
            value=f"{recomputed:.4f}", target=f"{TARGET:.4f}"))
    return passed(ex, _("The graph has leaves a, b, c (each used once) and two ops, and recomputing it "
                        "from the leaves gives {value}.").format(value=f"{recomputed:.4f}"))


# ==============================================================================================
# Write code: Exercise 4, count the nodes of any graph by walking _prev
# ==============================================================================================


from . import call_and_read, fresh_rng, is_unwritten, lecture_expression, read_whole_number  # noqa: E402


def _random_graph(rng, n_leaves, n_ops):
    """A random expression of + and *, where an op may reuse any earlier node (even twice: x + x)."""
    nodes = [Value(round(rng.uniform(-2.0, 2.0), 1), label=f"x{i}") for i in range(n_leaves)]
    for k in range(n_ops):
        left, right = rng.choice(nodes), rng.choice(nodes)
        out = left + right if rng.random() < 0.5 else left * right
        out.label = f"n{k}"
        nodes.append(out)
    return nodes[-1]


RANDOM_OPS_MAX = 15   # operations in the largest random graph of Exercise 4


def _count_graphs():
    """The graphs the checker uses: small ones a learner can picture, then random ones with reuse."""
    a = Value(3.0, label="a")
    twice = a + a                     # one node used through two slots
    twice.label = "b"
    doubled = twice + twice
    doubled.label = "c"
    g = lecture_expression()
    rng = fresh_rng()          # unseen: new graphs at every check
    # L first: it has no reuse, so each usual mistake gives a count of its own there.
    graphs = [("L = (a*b + c) * f", g["L"]), (N_("c = b + b with b = a + a"), doubled)]
    for n in range(4):
        graphs.append((_("random graph {number}").format(number=n + 1), _random_graph(rng, 3 + n, 6 + 3 * n)))
    assert 6 + 3 * n == RANDOM_OPS_MAX
    graphs.append((N_("a single leaf"), a))
    return graphs


def _distinct_nodes(root):
    return len(root.topological_order())


def _uses_counted(root):
    """What a walk that never remembers visited nodes counts: one per path from the root."""
    memo = {}
    for node in root.topological_order():
        memo[node] = 1 + sum(memo[child] for child in node._prev)
    return memo[root]


@checker
def check_count_nodes(count_nodes):
    """Exercise 4: count_nodes(root) returns how many distinct Values the graph of root has."""
    ex = "Exercise 4"
    if is_waiting(count_nodes) or is_unwritten(count_nodes):
        return waiting(ex, _("write the body of count_nodes in place of the `...`"))
    if not callable(count_nodes):
        return failed(ex, _("pass the function itself, without calling it: check_count_nodes(count_nodes)."))
    for name, root in _count_graphs():
        expected = _distinct_nodes(root)
        ok, value = call_and_read(ex, count_nodes, root, read=read_whole_number)
        if not ok:
            return value
        if value == expected:
            continue
        where = _("on {graph}, your function returns {value}").format(graph=_(name), value=value)
        if value == _uses_counted(root):
            hint = _("{where}: a node used twice was counted twice. Keep a set of the nodes already "
                     "counted and skip them when you meet them again.")
        elif value == expected - 1:
            hint = _("{where}, one too few: did you count the root itself?")
        elif value == sum(1 for v in root.topological_order() if not v._prev):
            hint = _("{where}: that counts only the leaves. Every node counts, the ones made by an operation too.")
        elif value == sum(1 for v in root.topological_order() if v._prev):
            hint = _("{where}: that counts only the nodes made by an operation. The leaves count too.")
        else:
            hint = _("{where}. Start a to-do list with the root; take a node off it, count it if it is new, "
                     "and put its _prev on the list; stop when the list is empty.")
        return failed(ex, hint.format(where=where))
    return passed(ex, _("Right on {count} graphs, including reused nodes and random graphs of up to "
                        "{ops} operations, new at every check.").format(count=len(_count_graphs()),
                                                                        ops=RANDOM_OPS_MAX))

__all__ += ["check_count_nodes"]
