"""Checkers for the exercises of notebook 03, backprop by hand.

Each expected number is computed twice, independently: by the engine's backward() and by a
symmetric finite difference that rebuilds the expression from plain floats with one node nudged.
A wrong answer gets a hint for the mistake it looks like; the expected number is never printed
before the answer is right.
"""

from micrograd_core import Value

from . import all_passed, check_number, checker, close, failed, is_waiting, labelled, passed
from . import read_choice, read_number, read_whole_number, waiting

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
    own = ("you multiplied by this node's own value. For a product, the local derivative with "
           "respect to one factor is the *other* factor.")
    forgot = ("that is the local derivative alone: the chain rule multiplies it by the upstream "
              "gradient, the grad of the node this one feeds into.")
    wrong_up = ("the local derivative looks right but the upstream grad is from the wrong node: "
                "use the grad of the node this one feeds into directly.")
    return {
        "u": [(n["u"] * g["out"], own), (1.0, "d(u*v)/du is not 1: for a product it is the other factor.")],
        "v": [(n["v"] * g["out"], own), (1.0, "d(u*v)/dv is not 1: for a product it is the other factor.")],
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
            results.append(waiting(label, f"replace the `...` of {name}_grad with a number"))
            continue
        engine = nodes[name].grad
        numeric = (_ex1_floats(name, H) - _ex1_floats(name, -H)) / (2 * H)
        if not close(engine, numeric):  # cannot happen: the two references must agree
            results.append(failed(label, "the engine and a finite difference disagree; tell your teacher."))
            continue
        results.append(check_number(
            label, answer, engine, hints=hints[name],
            confirmed_by=f"backward() gives {engine:.4f}, a finite difference {numeric:.4f}."))
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
        return waiting(label, "replace the `...` of predicted_change with a number")
    grads = _L_engine()
    prediction = sum(grads[k] * step for k, step in EX2_NUDGE.items())
    actual = _L_floats(**EX2_NUDGE) - _L_floats()
    value = read_number(label, predicted_change, "predicted_change")
    if value is None:
        return False
    if close(value, prediction):
        return passed(label, f"The grads predict {prediction:.4f}; rerunning the expression gives "
                             f"{actual:.4f} (the gap is second order: a product of two nudges).")
    if close(value, actual):
        return passed(label, f"That is the actual change ({actual:.4f}), found by rerunning the "
                             f"expression. The gradients predict {prediction:.4f} without rerunning "
                             f"anything; the small gap is the product of the two nudges.")
    ga, gf = grads["a"], grads["f"]
    da, df = EX2_NUDGE["a"], EX2_NUDGE["f"]
    hints = [
        (ga * da - gf * df, "f goes *down* by 0.01, so its nudge is negative; "
                            "its contribution is f.grad times a negative step."),
        (ga * da, "a is not the only input that moves: add f's contribution, f.grad times f's nudge."),
        (gf * df, "f is not the only input that moves: add a's contribution, a.grad times a's nudge."),
        (ga + gf, "multiply each grad by the size of its own nudge before adding."),
        (ga - gf, "the sizes of the nudges are missing: each term is a grad times its own nudge, "
                  "with the nudge's sign."),
        ((ga + gf) * da, "each input has its own nudge: a moves by +0.02 but f by -0.01."),
        (-prediction, "the size looks right but the sign is flipped: a nudge up times a positive "
                      "grad raises L; check the sign of each product."),
    ]
    for wrong, hint in hints:
        if close(value, wrong):
            return failed(label, hint)
    return failed(label, "add one term per input that moves: its grad times its nudge "
                         "(with the nudge's sign). Inputs that stay put contribute nothing.")


# ----------------------------------------------------------------------------------------------
# Exercise 3: which single nudge lowers L the most?
# ----------------------------------------------------------------------------------------------

def _input_name(label, answer):
    """The input the learner names ('a', 'b', 'c' or 'f'; a Value counts as its label), or None."""
    if isinstance(answer, Value):
        answer = answer.label
    if isinstance(answer, str) and str.__str__(answer).strip().lower() in ("d", "e", "l"):
        name = str.__str__(answer).strip()
        failed(label, f"{name!r} is computed from the inputs, not an input: you can only nudge a leaf, "
                      f"one of 'a', 'b', 'c', 'f'.")
        return None
    return read_choice(label, answer, tuple(L_INPUTS), "which_input")


@checker
def check_exercise3(which_input, direction):
    """Check the choice of (input, +1 or -1) whose nudge of size 0.01 lowers L the most."""
    label = "Exercise 3"
    if is_waiting(which_input) or is_waiting(direction):
        return waiting(label, "replace both `...`: an input name such as 'b', and +1 or -1")
    name = _input_name(label, which_input)
    if name is None:
        return False
    direction = read_whole_number(label, direction, "direction")
    if direction is None:
        return False
    if direction not in (1, -1):
        return failed(label, "the direction should be +1 (nudge up) or -1 (nudge down).")
    step = 0.01
    grads = _L_engine()
    # The finite-difference side: the actual change of L for each of the 8 possible nudges.
    changes = {(k, s): _L_floats(**{k: s * step}) - _L_floats() for k in L_INPUTS for s in (1, -1)}
    best = min(changes, key=changes.get)
    best_by_grad = min(((k, s) for k in L_INPUTS for s in (1, -1)), key=lambda ks: ks[1] * grads[ks[0]])
    if best != best_by_grad:  # cannot happen: the grads and the reruns must agree on the best nudge
        return failed(label, "the gradients and the reruns disagree on the best nudge; tell your teacher.")
    change = changes[(name, direction)]
    if (name, direction) == best:
        return passed(label, f"Nudging {name} by {direction * step:+.2f} changes L by {change:+.4f} "
                             f"(the grad predicts {direction * step * grads[name]:+.4f}), the biggest drop.")
    if name == best[0]:
        return failed(label, f"right input, wrong direction: this nudge makes L *bigger*. "
                             f"The sign of {name}.grad tells which way L moves when {name} goes up.")
    if change > 0:
        return failed(label, f"this nudge makes L bigger, not smaller: {name}.grad and your direction "
                             f"have the same sign. And another input matters more.")
    return failed(label, "this nudge does lower L, but another input has a gradient of larger "
                         "size: compare the sizes |grad|, not the signs.")


# ==============================================================================================
# Write code: Exercise 4, the chain-rule step as a function, run on expressions you have not seen
# ==============================================================================================

import random as _random

from . import call_safely, is_unwritten  # noqa: E402


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


def _pass_back_cases():
    rng = _random.Random(2004)
    return [_tree_recipe(rng, n) for n in (2, 3, 4, 5, 6)]


@checker
def check_pass_back(pass_back):
    """Exercise 4: pass_back(node) sets the grads of a '+' or '*' node's two inputs from node.grad."""
    ex = "Exercise 4"
    if is_waiting(pass_back) or is_unwritten(pass_back):
        return waiting(ex, "write the body of pass_back in place of the `...`")
    if not callable(pass_back):
        return failed(ex, "pass the function itself, without calling it: check_pass_back(pass_back).")
    for recipe in _pass_back_cases():
        mine, reference = [], []
        root = _build_tree(recipe, mine)
        ref_root = _build_tree(recipe, reference)
        ref_root.backward()
        root.grad = 1.0
        for node in reversed(root.topological_order()):
            if not node._prev:
                continue
            upstream = node.grad
            ok, result = call_safely(ex, pass_back, node)
            if not ok:
                return result
            x, y = node._prev
            ref = reference[mine.index(node)]
            rx, ry = ref._prev
            for got, want, other, ref_in in ((x, rx, y, ry), (y, ry, x, rx)):
                value = got.grad
                if isinstance(value, (int, float)) and not isinstance(value, bool) and close(value, want.grad):
                    continue
                shown = f"{value:.4f}" if isinstance(value, float) else f"{type(value).__name__} {value!r}"
                where = (f"at the '{node._op}' node {node.label} (upstream grad {upstream:.4f}), "
                         f"its input {got.label} got grad {shown}")
                local = other.data if node._op == "*" else 1.0
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    hint = f"{where}: a grad is a plain number (a float), computed from .data and .grad."
                elif close(value, local) and not close(upstream, 1.0):
                    hint = f"{where}: that is the local derivative alone. Multiply it by the upstream grad node.grad."
                elif node._op == "*" and close(value, got.data * upstream) and not close(got.data, other.data):
                    hint = (f"{where}: that uses the input's own value. In a product each input gets the "
                            f"*other* factor times the upstream grad.")
                elif close(value, 0.0):
                    hint = (f"{where}: nothing arrived. Set the grad of both inputs, node._prev[0] and "
                            f"node._prev[1], for both ops '+' and '*'.")
                elif close(value, -want.grad):
                    hint = f"{where}: the sign is flipped. Check the local derivative for '{node._op}'."
                else:
                    hint = (f"{where}. For '+' each input gets the upstream grad; for '*' each input gets "
                            f"the other input's .data times the upstream grad.")
                return failed(ex, hint)
    return passed(ex, f"Your pass_back filled in every grad of {len(_pass_back_cases())} random expressions exactly "
                      f"as backward() does, node by node from the output.")

__all__ += ["check_pass_back"]
