"""Checkers for the exercises of notebook 03, backprop by hand.

Each expected number is computed twice, independently: by the engine's backward() and by a
symmetric finite difference that rebuilds the expression from plain floats with one node nudged.
A wrong answer gets a hint for the mistake it looks like; the expected number is never printed
before the answer is right.

Exercise 4 runs the learner's pass_back on expressions drawn for each check (fresh_rng()), whose
nodes do not lend the engine's own chain-rule step or its stored local derivatives: calling the one
or reading the other is not writing the step, and gets its own hint.
"""

from micrograd_core import Value

from . import all_passed, check_number, checker, close, describe, failed, is_waiting, labelled, passed
from . import read_choice, read_number, read_whole_number, waiting
from series_language import N_, _

__all__ = ["check_exercise1", "check_exercise2", "check_exercise3"]

H = 1e-6


# ----------------------------------------------------------------------------------------------
# Exercise 1: out = (x + y) * (z * w), every grad by hand
# ----------------------------------------------------------------------------------------------

EX1_INPUTS = {"x": 1.5, "y": -4.0, "z": 3.0, "w": -2.0}
EX1_NODES = ("u", "v", "x", "y", "z", "w")


def _ex1_floats(nudge=None, h=0.0):
    """The forward pass of exercise 1 with plain floats, adding h to one node as it is made."""
    bump = lambda name: h if name == nudge else 0.0  # noqa: E731
    x, y, z, w = (EX1_INPUTS[k] + bump(k) for k in ("x", "y", "z", "w"))
    u = x + y + bump("u")
    v = z * w + bump("v")
    return u * v


def _ex1_engine():
    """Exercise 1 built with Values and run backward by the engine: {name: Value}."""
    x, y, z, w = (Value(EX1_INPUTS[k], label=k) for k in ("x", "y", "z", "w"))
    u = labelled(x + y, "u")
    v = labelled(z * w, "v")
    out = labelled(u * v, "out")
    out.backward()
    return {"x": x, "y": y, "z": z, "w": w, "u": u, "v": v, "out": out}


def _ex1_hints(nodes):
    """(wrong value, hint) pairs per node, from the mistakes people make on this expression."""
    n = {k: v.data for k, v in nodes.items()}
    g = {k: v.grad for k, v in nodes.items()}
    own = _("you multiplied by this node's own value. For a product, the local derivative with "
            "respect to one factor is the *other* factor.")
    forgot = _("that is the local derivative alone: the chain rule multiplies it by the upstream "
               "gradient, the grad of the node this one feeds into.")
    wrong_up = _("the local derivative looks right but the upstream grad is from the wrong node: "
                 "use the grad of the node this one feeds into directly.")
    return {
        "u": [(n["u"] * g["out"], own), (1.0, _("d(u*v)/du is not 1: for a product it is the other factor."))],
        "v": [(n["v"] * g["out"], own), (1.0, _("d(u*v)/dv is not 1: for a product it is the other factor."))],
        "x": [(1.0, forgot), (g["v"], wrong_up)],
        "y": [(1.0, forgot), (g["v"], wrong_up)],
        "z": [(n["w"], forgot), (n["z"] * g["v"], own), (n["w"] * g["u"], wrong_up)],
        "w": [(n["z"], forgot), (n["w"] * g["v"], own), (n["z"] * g["u"], wrong_up)],
    }


@checker
def check_exercise1(**answers):
    """Check the hand-computed grads of u, v, x, y, z, w in out = (x + y) * (z * w)."""
    nodes = _ex1_engine()
    hints = _ex1_hints(nodes)
    results = []
    for name in EX1_NODES:
        answer = answers.get(name, ...)
        label = f"Exercise 1, {name}.grad"
        if is_waiting(answer):
            results.append(waiting(label, _("replace the `...` of {name} with a number").format(name=f"{name}_grad")))
            continue
        engine = nodes[name].grad
        numeric = (_ex1_floats(name, H) - _ex1_floats(name, -H)) / (2 * H)
        if not close(engine, numeric):  # cannot happen: the two references must agree
            results.append(failed(label, _("the engine and a finite difference disagree; tell your teacher.")))
            continue
        results.append(check_number(
            label, answer, engine, hints=hints[name],
            confirmed_by=_("backward() gives {engine}, a finite difference {numeric}.").format(
                engine=f"{engine:.4f}", numeric=f"{numeric:.4f}")))
    return all_passed(results)


# ----------------------------------------------------------------------------------------------
# Exercise 2: predict the change of L for a nudge of two inputs
# ----------------------------------------------------------------------------------------------

L_INPUTS = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
EX2_NUDGE = {"a": +0.02, "f": -0.01}


def _L_floats(**nudges):
    a, b, c, f = (L_INPUTS[k] + nudges.get(k, 0.0) for k in ("a", "b", "c", "f"))
    return (a * b + c) * f


def _L_engine():
    vals = {k: Value(v, label=k) for k, v in L_INPUTS.items()}
    e = vals["a"] * vals["b"]
    d = e + vals["c"]
    L = d * vals["f"]
    L.backward()
    return {k: v.grad for k, v in vals.items()}


@checker
def check_exercise2(predicted_change):
    """Check a first-order prediction of L(after) - L(before) for the nudge a += 0.02, f -= 0.01."""
    label = "Exercise 2"
    if is_waiting(predicted_change):
        return waiting(label, _("replace the `...` of {name} with a number").format(name="predicted_change"))
    grads = _L_engine()
    prediction = sum(grads[k] * step for k, step in EX2_NUDGE.items())
    actual = _L_floats(**EX2_NUDGE) - _L_floats()
    value = read_number(label, predicted_change, "predicted_change")
    if value is None:
        return False
    if close(value, prediction):
        return passed(label, _("The grads predict {prediction}; rerunning the expression gives "
                               "{actual} (the gap is second order: a product of two nudges).").format(
            prediction=f"{prediction:.4f}", actual=f"{actual:.4f}"))
    if close(value, actual):
        return passed(label, _("That is the actual change ({actual}), found by rerunning the "
                               "expression. The gradients predict {prediction} without rerunning "
                               "anything; the small gap is the product of the two nudges.").format(
            actual=f"{actual:.4f}", prediction=f"{prediction:.4f}"))
    ga, gf = grads["a"], grads["f"]
    da, df = EX2_NUDGE["a"], EX2_NUDGE["f"]
    hints = [
        (ga * da - gf * df, _("f goes *down* by 0.01, so its nudge is negative; "
                              "its contribution is f.grad times a negative step.")),
        (ga * da, _("a is not the only input that moves: add f's contribution, f.grad times f's nudge.")),
        (gf * df, _("f is not the only input that moves: add a's contribution, a.grad times a's nudge.")),
        (ga + gf, _("multiply each grad by the size of its own nudge before adding.")),
        (ga - gf, _("the sizes of the nudges are missing: each term is a grad times its own nudge, "
                    "with the nudge's sign.")),
        ((ga + gf) * da, _("each input has its own nudge: a moves by +0.02 but f by -0.01.")),
        (-prediction, _("the size looks right but the sign is flipped: a nudge up times a positive "
                        "grad raises L; check the sign of each product.")),
    ]
    for wrong, hint in hints:
        if close(value, wrong):
            return failed(label, hint)
    return failed(label, _("add one term per input that moves: its grad times its nudge "
                           "(with the nudge's sign). Inputs that stay put contribute nothing."))


# ----------------------------------------------------------------------------------------------
# Exercise 3: which single nudge lowers L the most?
# ----------------------------------------------------------------------------------------------

def _input_name(label, answer):
    """The input the learner names ('a', 'b', 'c' or 'f'; a Value counts as its label), or None."""
    if isinstance(answer, Value):
        answer = answer.label
    if isinstance(answer, str) and str.__str__(answer).strip().lower() in ("d", "e", "l"):
        name = str.__str__(answer).strip()
        failed(label, _("{name} is computed from the inputs, not an input: you can only nudge a leaf, "
                        "one of 'a', 'b', 'c', 'f'.").format(name=repr(name)))
        return None
    return read_choice(label, answer, tuple(L_INPUTS), "which_input")


@checker
def check_exercise3(which_input, direction):
    """Check the choice of (input, +1 or -1) whose nudge of size 0.01 lowers L the most."""
    label = "Exercise 3"
    if is_waiting(which_input) or is_waiting(direction):
        return waiting(label, _("replace both `...`: an input name such as 'b', and +1 or -1"))
    name = _input_name(label, which_input)
    if name is None:
        return False
    direction = read_whole_number(label, direction, "direction")
    if direction is None:
        return False
    if direction not in (1, -1):
        return failed(label, _("the direction should be +1 (nudge up) or -1 (nudge down)."))
    step = 0.01
    grads = _L_engine()
    # The finite-difference side: the actual change of L for each of the 8 possible nudges.
    changes = {(k, s): _L_floats(**{k: s * step}) - _L_floats() for k in L_INPUTS for s in (1, -1)}
    best = min(changes, key=changes.get)
    best_by_grad = min(((k, s) for k in L_INPUTS for s in (1, -1)), key=lambda ks: ks[1] * grads[ks[0]])
    if best != best_by_grad:  # cannot happen: the grads and the reruns must agree on the best nudge
        return failed(label, _("the gradients and the reruns disagree on the best nudge; tell your teacher."))
    change = changes[(name, direction)]
    if (name, direction) == best:
        return passed(label, _("Nudging {name} by {step} changes L by {change} "
                               "(the grad predicts {predicted}), the biggest drop.").format(
            name=name, step=f"{direction * step:+.2f}", change=f"{change:+.4f}",
            predicted=f"{direction * step * grads[name]:+.4f}"))
    if name == best[0]:
        return failed(label, _("right input, wrong direction: this nudge makes L *bigger*. "
                               "The sign of {name}.grad tells which way L moves when {name} goes up.").format(
            name=name))
    if change > 0:
        return failed(label, _("this nudge makes L bigger, not smaller: {name}.grad and your direction "
                               "have the same sign. And another input matters more.").format(name=name))
    return failed(label, _("this nudge does lower L, but another input has a gradient of larger "
                           "size: compare the sizes |grad|, not the signs."))


# ==============================================================================================
# Write code: Exercise 4, the chain-rule step as a function, run on expressions you have not seen
# ==============================================================================================

from . import call_safely, fresh_rng, is_unwritten  # noqa: E402

PASS_BACK_TREES = (2, 3, 4, 5, 6)   # leaves of the random expressions drawn for each check


def _tree_recipe(rng, n_leaves):
    """A random expression tree of + and * (every node used once), as nested tuples."""
    leaves = [("leaf", f"x{i}", round(rng.choice((-1, 1)) * rng.uniform(0.5, 3.0), 1)) for i in range(n_leaves)]
    while len(leaves) > 1:
        i, j = rng.sample(range(len(leaves)), 2)
        left, right = leaves[i], leaves[j]
        leaves = [t for k, t in enumerate(leaves) if k not in (i, j)]
        leaves.append((rng.choice("+*"), left, right))
    return leaves[0]


def _build_tree(recipe, nodes):
    """The Values of a recipe; nodes collects them in creation order (labels x0.., n0..)."""
    if recipe[0] == "leaf":
        v = Value(recipe[2], label=recipe[1])
    else:
        left, right = _build_tree(recipe[1], nodes), _build_tree(recipe[2], nodes)
        v = left + right if recipe[0] == "+" else left * right
        v.label = f"n{sum(1 for n in nodes if n._prev)}"
    nodes.append(v)
    return v


def _pass_back_cases(rng):
    """Random expressions of + and * (one per entry of PASS_BACK_TREES), drawn from rng: fresh_rng()
    in the check, so no two checks see the same ones. Together they hold a '+' node, a '*' node
    whose inputs differ, and a node whose upstream grad is not 1, so that each mistake the hints
    name gets at least one grad wrong."""
    while True:
        recipes = [_tree_recipe(rng, n) for n in PASS_BACK_TREES]
        nodes = []
        for recipe in recipes:
            built = []
            _build_tree(recipe, built).backward()
            nodes += [v for v in built if v._prev]
        if (any(v._op == "+" for v in nodes)
                and any(v._op == "*" and abs(v._prev[0].data - v._prev[1].data) > 0.1 for v in nodes)
                and any(abs(v.grad - 1.0) > 0.1 for v in nodes)):
            return recipes


def _seal(nodes, rng, log):
    """Hand `nodes` to the learner with the engine's own chain-rule step and its stored local
    derivatives out of use: the step (node._backward(), node._chain_rule_step(), backward()) and
    any read of node._da / node._db are written in `log`, and _da / _db hold wrong numbers."""
    sealed = _sealed_class(log)
    for node in nodes:
        if node._prev:
            node._da, node._db = (d + rng.choice((-1, 1)) * rng.uniform(1.0, 3.0) for d in (node._da, node._db))
        node.__class__ = sealed


def _sealed_class(log):
    da, db = Value.__dict__["_da"], Value.__dict__["_db"]   # the slots themselves

    def watched(slot):
        def read(node):
            log.add("locals")
            return slot.__get__(node)
        return property(read, slot.__set__)

    class SealedNode(Value):
        __slots__ = ()
        _da, _db = watched(da), watched(db)

        def _chain_rule_step(self):
            log.add("step")

        def backward(self, *args, **kwargs):
            log.add("backward")

        def backward_steps(self, *args, **kwargs):
            log.add("backward")
            return iter(())
    return SealedNode


_USED_THE_ENGINE = {
    "backward": N_("your pass_back calls backward(): that runs the whole engine. The exercise is the one "
                   "step at one node: set the grads of node._prev[0] and node._prev[1] yourself."),
    "step": N_("your pass_back calls the engine's own chain-rule step (node._backward() or "
               "node._chain_rule_step()). The exercise is to write that step yourself: each input's grad "
               "is its local derivative, worked out from ._op and .data, times node.grad."),
    "locals": N_("your pass_back reads the local derivatives the engine keeps in node._da and node._db. "
                 "Work them out yourself from node._op and the inputs' .data: that is the exercise."),
}


@checker
def check_pass_back(pass_back):
    """Exercise 4: pass_back(node) sets the grads of a '+' or '*' node's two inputs from node.grad.

    Run on fresh random expressions whose nodes do not lend their own chain-rule step or local
    derivatives; every node gets the right upstream grad before pass_back is called on it, and
    every input grad is compared with the engine's backward() on a separate copy.
    """
    ex = "Exercise 4"
    if is_waiting(pass_back) or is_unwritten(pass_back):
        return waiting(ex, _("write the body of pass_back in place of the `...`"))
    if not callable(pass_back):
        return failed(ex, _("pass the function itself, without calling it: check_pass_back(pass_back)."))
    rng = fresh_rng()
    trees = []   # every expression twice, built before the learner's code runs: the engine's copy
    for recipe in _pass_back_cases(rng):       # (run backward() now) and the one pass_back gets
        mine, reference = [], []
        root = _build_tree(recipe, mine)
        _build_tree(recipe, reference).backward()
        steps = [(node, reference[mine.index(node)]) for node in reversed(root.topological_order()) if node._prev]
        log = set()
        _seal(mine, rng, log)
        trees.append((steps, log))
    wrong = []   # (node's op, label, upstream, input label, value, the numbers its mistakes give)
    for steps, log in trees:
        for node, ref in steps:            # from the output back, as backward() goes
            node.grad = ref.grad           # the right upstream grad, whatever came before
            ok, result = call_safely(ex, pass_back, node)
            if not ok:
                return result
            for use in ("backward", "step", "locals"):
                if use in log:
                    return failed(ex, _(_USED_THE_ENGINE[use]))
            for got, want, other in zip(node._prev, ref._prev, reversed(ref._prev)):
                value = got.grad
                if type(value) not in (int, float):
                    return failed(ex, _("at the '{op}' node {node}, its input {input} got "
                                        "grad {what}: a grad is a plain number (a float), "
                                        "computed from .data and .grad.").format(
                        op=ref._op, node=ref.label, input=want.label, what=describe(value)))
                value = read_number(ex, value, _("the grad your pass_back gave {input}").format(input=want.label))
                if value is None:
                    return False
                if close(value, want.grad):
                    continue
                local = other.data if ref._op == "*" else 1.0
                wrong.append((ref._op, ref.label, ref.grad, want.label, value, {
                    "local": local, "own": want.data * ref.grad if ref._op == "*" else None,
                    "zero": 0.0, "flipped": -want.grad}))
    if wrong:
        return failed(ex, _pass_back_hint(wrong))
    return passed(ex, _("Your pass_back filled in every grad of {count} random expressions "
                        "exactly as backward() does, node by node from the output.").format(count=len(PASS_BACK_TREES)))


# A mistake's hint is given when the function makes it at every input it gets wrong.
_PASS_BACK_MISTAKES = [
    ("local", N_("{where}: that is the local derivative alone. Multiply it by the upstream grad node.grad.")),
    ("own", N_("{where}: that uses the input's own value. In a product each input gets the *other* factor "
               "times the upstream grad.")),
    ("zero", N_("{where}: nothing arrived. Set the grad of both inputs, node._prev[0] and node._prev[1], for "
                "both ops '+' and '*'.")),
    ("flipped", N_("{where}: the sign is flipped. Check the local derivative of each op.")),
]


def _pass_back_hint(wrong):
    op, label, upstream, input_label, value, _mistakes = wrong[0]
    where = _("at the '{op}' node {node} (upstream grad {upstream}), its input {input} got "
              "grad {value}").format(op=op, node=label, upstream=f"{upstream:.4f}", input=input_label,
                                     value=f"{value:.4f}")
    for key, hint in _PASS_BACK_MISTAKES:
        if all(n[key] is not None and close(got, n[key]) for *_rest, got, n in wrong):
            return _(hint).format(where=where)
    return _("{where}. For '+' each input gets the upstream grad; for '*' each input gets "
             "the other input's .data times the upstream grad.").format(where=where)

__all__ += ["check_pass_back"]
