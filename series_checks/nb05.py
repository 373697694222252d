"""Checkers for notebook 05, the order of backward.

Exercise 1  check_order(n_nodes, n_steps)                      size of a topological order, chain-rule steps taken
Exercise 2  check_my_topological_order(my_topological_order)   a topological order built without recursion

Every expected answer is computed here from the engine, never typed in, so the checkers follow the
engine if it changes.
"""

from micrograd_core import Value

from . import all_passed, check_number, checker, failed, is_waiting, lecture_expression, passed, waiting
from series_language import N_, _

__all__ = ["EX1_X", "ex1_expression", "check_order", "check_my_topological_order"]


# ----------------------------------------------------------------------------------------------
# Exercise 1: how long is a topological order, and how many chain-rule steps does backward() take?
# ----------------------------------------------------------------------------------------------

EX1_X = 0.5


def ex1_expression():
    """y = tanh(x * 2 + x); returns (x, y)."""
    x = Value(EX1_X, label="x")
    y = (x * 2 + x).tanh()
    y.label = "y"
    return x, y


COUNT_HINT = N_("list the nodes on paper first: every Value, leaves and constants included, exactly "
                "once; then mark the ones made by an operation.")


@checker
def check_order(n_nodes, n_steps):
    """Exercise 1: len(y.topological_order()) and how many chain-rule steps y.backward() takes (one
    at each node with inputs)."""
    ex = "Exercise 1"
    if is_waiting(n_nodes) and is_waiting(n_steps):
        return waiting(ex, _("replace both `...` with whole numbers"))
    x, y = ex1_expression()
    order = y.topological_order()
    expected_nodes = len(order)
    expected_steps = sum(1 for node in order if node._prev)   # the nodes with inputs
    ok_nodes = check_number(
        ex + _(" (nodes in the order)"), n_nodes, expected_nodes, whole=True, otherwise=_(COUNT_HINT),
        hints=[(expected_nodes - 1, _("one node is missing: the plain number 2 in x * 2 is turned into a "
                                      "Value of its own (a leaf), so it is a node too.")),
               (expected_nodes + 1, _("one too many: x is used twice, but it is one node, and the order "
                                      "lists every node exactly once.")),
               (expected_steps, _("you counted only the results of operations: the leaves are in the "
                                  "order too."))],
        confirmed_by=_("len(y.topological_order()) is {count}.").format(count=expected_nodes))
    ok_steps = check_number(
        ex + _(" (chain-rule steps of backward)"), n_steps, expected_steps, whole=True, otherwise=_(COUNT_HINT),
        hints=[(expected_nodes, _("a leaf has no inputs (nothing comes before it), so there is no chain-rule "
                                  "step at a leaf: count only the nodes made by an operation.")),
               (expected_steps + 1, _("the seed (y.grad = 1) is a step of the stepper, but not a chain-rule "
                                      "step; or did you count x twice? Each node with inputs takes its "
                                      "chain-rule step once.")),
               (expected_steps - 1, _("count every operation: the multiplication, the addition and tanh "
                                      "each made a node with inputs, and each takes a chain-rule step."))],
        confirmed_by=_("y.backward() takes {steps} chain-rule steps, one at each node with inputs "
                       "(the BackpropStepper has {stepper} steps: the seed, then one per "
                       "chain-rule step).").format(steps=expected_steps, stepper=expected_steps + 1))
    return all_passed([ok_nodes, ok_steps])




# ==============================================================================================
# Write code: Exercise 2, a topological order without recursion
# ==============================================================================================


from . import call_safely, fresh_rng, is_unwritten  # noqa: E402

DEEP = 5_000  # a chain far deeper than Python's recursion limit (about 1,000 nested calls)


def _reuse_graph(rng, n_leaves, n_ops):
    """A random expression of +, * and tanh in which an op may reuse any earlier node, even twice."""
    nodes = [Value(round(rng.uniform(-1.0, 1.0), 1), label=f"x{i}") for i in range(n_leaves)]
    for k in range(n_ops):
        left, right = rng.choice(nodes), rng.choice(nodes[-3:])
        pick = rng.random()
        out = left.tanh() if pick < 0.2 else (left + right if pick < 0.6 else left * right)
        out.label = f"n{k}"
        nodes.append(out)
    return nodes[-1]


def _order_graphs():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    x = Value(1.0, label="x")
    chain = x
    for k in range(DEEP):
        chain = chain * 1.0001
    chain.label = "y"
    rng = fresh_rng()          # unseen: new graphs at every check
    graphs = [(_("a single leaf"), Value(1.0, label="leaf")), (_("c = b + b with b = a + a"), c),
              ("L = (a*b + c) * f", lecture_expression()["L"])]
    graphs += [(_("random graph {number} (with reused nodes)").format(number=k + 1),
                _reuse_graph(rng, 2 + k, 8 + 6 * k)) for k in range(3)]
    graphs.append((_("a chain of {count} products").format(count=f"{DEEP:,}"), chain))
    return graphs


def _name(node):
    if node._prev:
        return node.label or _("a '{op}' node").format(op=node._op)
    return node.label or _("the constant {value}").format(value=f"{node.data:g}")


class NotAllowed(Exception):
    """Raised when the learner's code calls the engine's own topological_order()."""


def _refuse(self):
    raise NotAllowed(_("this exercise builds the order itself, without calling topological_order()"))


@checker
def check_my_topological_order(my_topological_order):
    """Exercise 2: my_topological_order(root) lists every node once, each after all of its inputs, any depth."""
    ex = "Exercise 2"
    if is_waiting(my_topological_order) or is_unwritten(my_topological_order):
        return waiting(ex, _("write the body of my_topological_order in place of the `...`"))
    if not callable(my_topological_order):
        return failed(ex, _("pass the function itself, without calling it: "
                            "check_my_topological_order(my_topological_order)."))
    for title, root in _order_graphs():
        nodes = root.topological_order()
        where = _("on {graph}").format(graph=title)
        engine_order = Value.topological_order
        Value.topological_order = _refuse       # the engine's answer is off limits while the learner's code runs
        try:
            ok, result = call_safely(ex, my_topological_order, root, case=where)
        finally:
            Value.topological_order = engine_order
        if not ok:
            return result
        try:
            result = list(result)
        except TypeError:
            return failed(ex, _("{where} your function returns {type}; return a list of the nodes.").format(
                where=where, type=type(result).__name__))
        strangers = [v for v in result if not isinstance(v, Value)]
        if strangers:
            return failed(ex, _("{where} the list holds a {type}: it should hold the "
                                "Value nodes themselves.").format(where=where, type=type(strangers[0]).__name__))
        ids = {id(v) for v in nodes}
        outsiders = [v for v in result if id(v) not in ids]
        if outsiders:
            return failed(ex, _("{where} the list holds a node that is not in the graph of root.").format(where=where))
        seen, position = set(), {}
        for i, v in enumerate(result):
            if id(v) in seen:
                return failed(ex, _("{where} {node} is listed twice: a node reached through two slots "
                                    "(or two users) must be placed only once. Keep a set of placed nodes.").format(
                    where=where, node=_name(v)))
            seen.add(id(v))
            position[id(v)] = i
        missing = [v for v in nodes if id(v) not in seen]
        if missing:
            return failed(ex, _("{where} {missing} of the {total} nodes are missing, "
                                "{node} for one: every node, leaves and constants included, is listed.").format(
                where=where, missing=len(missing), total=len(nodes), node=_name(missing[0])))
        if result and result[0] is root and len(result) > 1:
            return failed(ex, _("{where} the root comes first: that is the order backward() walks, the reverse "
                                "of a topological order. List every node after its inputs, the root last.").format(
                where=where))
        for v in result:
            for child in v._prev:
                if position[id(child)] > position[id(v)]:
                    return failed(ex, _("{where} {node} is listed before its input {input}: a node may "
                                        "be placed only once all of its inputs are placed.").format(
                        where=where, node=_name(v), input=_name(child)))
    return passed(ex, _("Right on {count} graphs, including reused nodes and a chain of {deep} "
                        "products, where a recursive version stops with RecursionError.").format(
        count=len(_order_graphs()), deep=f"{DEEP:,}"))

