"""Checkers for notebook 09 (a neuron).

The expected numbers are computed here twice: by building the neuron with Values and calling
backward(), and by a symmetric finite difference of the same neuron written with plain floats.
A wrong answer gets a hint aimed at the mistake it looks like; the answer itself is never printed
before it is right.
"""

import math

from micrograd_core import Value

from . import check_number, checker, failed, is_waiting, numeric_derivative, passed, read_choice
from . import waiting
from series_language import _

__all__ = ["EX1", "EX2", "EX3", "check_exercise_1", "check_exercise_2", "check_exercise_3a",
           "check_exercise_3b"]

# Exercise 1: o = tanh(x1*w1 + x2*w2 + b); the grad of w2.
EX1 = {"x1": 1.0, "x2": -2.0, "w1": 0.5, "w2": -0.25, "b": 0.1}
# Exercise 2: three inputs, one of them zero, one weight zero.
EX2 = {"x": [1.5, -0.5, 0.0], "w": [0.4, 0.0, -0.3], "b": -0.1}
# Exercise 3: the lecture's neuron with a large bias (saturated).
EX3 = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 10.0}

_ACT = {"tanh": math.tanh, "relu": lambda n: n if n > 0 else 0.0}


def _neuron_floats(p, act="tanh"):
    return _ACT[act](p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"])


def _neuron_grads(p, act="tanh"):
    """Build the 2-input neuron with Values, run backward, return {name: grad}."""
    v = {k: Value(val, label=k) for k, val in p.items()}
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = n.tanh() if act == "tanh" else n.relu()
    o.backward()
    return {k: node.grad for k, node in v.items()}, o.data


def _nudged(p, key, act="tanh"):
    """d(o)/d(key) by a symmetric finite difference of the float version."""
    def f(t):
        q = dict(p)
        q[key] = t
        return _neuron_floats(q, act)
    return numeric_derivative(f, p[key])


@checker
def check_exercise_1(answer):
    """Exercise 1: d(o)/d(w2) for the neuron EX1, computed by hand."""
    grads, o = _neuron_grads(EX1)
    expected = grads["w2"]
    numeric = _nudged(EX1, "w2")
    p = EX1
    n = p["x1"] * p["w1"] + p["x2"] * p["w2"] + p["b"]
    slope = 1 - o ** 2
    hints = (
        (slope, _("that is do/dn, the slope of tanh. One more factor: the local derivative of w2 * x2 "
                  "with respect to w2.")),
        (slope * p["w2"], _("the local derivative of w2 * x2 with respect to w2 is x2, not w2.")),
        (p["x2"], _("you skipped tanh: the upstream gradient reaching the product is 1 - o**2, not 1.")),
        ((1 - n ** 2) * p["x2"], _("tanh's slope is 1 - o**2 with o = tanh(n); you used n itself.")),
        (o * p["x2"], _("tanh's slope is 1 - o**2, not o.")),
    )
    return check_number("Exercise 1" + _(" (grad of w2)"), answer, expected, hints=hints,
                        confirmed_by=_("backward() gives {grad} and a finite difference {numeric}.").format(
                            grad=f"{expected:.4f}", numeric=f"{numeric:.4f}"))


def _ex2_grads():
    xs = [Value(v, label=f"x{i}") for i, v in enumerate(EX2["x"], start=1)]
    ws = [Value(v, label=f"w{i}") for i, v in enumerate(EX2["w"], start=1)]
    b = Value(EX2["b"], label="b")
    o = sum((w * x for w, x in zip(ws, xs)), b).tanh()
    o.backward()
    return {x.label: x.grad for x in xs}, {w.label: w.grad for w in ws}


EX2_REASONS = {
    "A": "its value is zero",
    "B": "its weight is zero",
    "C": "tanh is saturated",
    "D": "it is the middle input",
}


@checker
def check_exercise_2(which_input, reason):
    """Exercise 2: which input gets a zero grad ('x1', 'x2' or 'x3'), and why (a letter)."""
    name = "Exercise 2" + _(" (zero grad)")
    if is_waiting(which_input) or is_waiting(reason):
        return waiting(name, _("fill in both `which_input` and `reason`"))
    x_grads, w_grads = _ex2_grads()
    label = read_choice(name, which_input, tuple(sorted(x_grads)), "which_input")
    if label is None:
        return False
    letter = read_choice(name, reason, tuple(EX2_REASONS), "reason", case=str.upper)
    if letter is None:
        return False
    zero_inputs = [k for k, g in x_grads.items() if g == 0.0]
    if label not in zero_inputs:
        value = EX2["x"][int(label[1]) - 1]
        if value == 0.0:
            return failed(name, _("{x} is zero, but the local derivative of w * {x} with respect to "
                                  "{x} is its weight, not {x} itself. A zero input silences its "
                                  "weight's grad instead.").format(x=label))
        return failed(name, _("{x} gets a non-zero grad: its weight is not zero and tanh passes a slope "
                              "of about 0.79 here. Look at the weights.").format(x=label))
    if letter != "B":
        hints = {
            "A": _("{x} is not zero ({value}). What multiplies the upstream grad "
                   "in the chain-rule step at w * {x}?").format(x=label, value=EX2['x'][int(label[1]) - 1]),
            "C": _("tanh is not saturated here: n is small and 1 - o**2 is about 0.79, so every path gets a "
                   "real upstream gradient."),
            "D": _("the position of an input does not matter to the chain rule; what does the local "
                   "derivative of w * x with respect to x depend on?"),
        }
        return failed(name, _("right input, wrong reason: {hint}").format(hint=hints[letter]))
    x_index = int(label[1]) - 1
    numeric = numeric_derivative(
        lambda t: math.tanh(sum(w * (t if i == x_index else x) for i, (w, x) in enumerate(zip(EX2["w"], EX2["x"])))
                            + EX2["b"]), EX2["x"][x_index])
    return passed(name, _("backward() gives {x}.grad = {grad} and a finite difference "
                          "{numeric}: d(w * x)/dx = w, and its weight is 0.").format(
                              x=label, grad=f"{x_grads[label]:.4f}", numeric=f"{numeric:.4f}"))


@checker
def check_exercise_3a(answer):
    """Exercise 3a: w1.grad of the tanh neuron with b = 10."""
    grads, o = _neuron_grads(EX3, "tanh")
    expected = grads["w1"]
    numeric = _nudged(EX3, "w1", "tanh")
    hints = (
        (1.0, _("1.0 is w1's grad with the old bias 6.8814. With b = 10, n changes: recompute n first.")),
        (EX3["x1"], _("x1 alone is the grad when tanh passes a slope of 1; here tanh is far from 0.")),
        ((1 - 4.0 ** 2) * EX3["x1"], _("tanh's slope is 1 - tanh(n)**2, with tanh(n), not n.")),
        ((1 - o ** 2), _("that is the slope of tanh at n. Multiply by the local derivative of w1 * x1 "
                         "with respect to w1.")),
    )
    return check_number("Exercise 3" + _("a (saturated tanh)"), answer, expected, hints=hints,
                        confirmed_by=_("backward() gives {grad} and a finite difference {numeric}: "
                                       "a saturated tanh lets almost nothing through.").format(
                            grad=f"{expected:.4f}", numeric=f"{numeric:.4f}"))


@checker
def check_exercise_3b(answer):
    """Exercise 3b: w1.grad of the same neuron with ReLU instead of tanh."""
    grads, _output = _neuron_grads(EX3, "relu")
    expected = grads["w1"]
    numeric = _nudged(EX3, "w1", "relu")
    hints = (
        (0.0, _("ReLU is flat only where n < 0. Here n = 4 > 0, so its slope is 1.")),
        (4.0, _("4 is n itself. ReLU's slope at n = 4 is 1; multiply it by the local derivative of w1 * x1.")),
        (1.0, _("1 is ReLU's slope. One more factor: the local derivative of w1 * x1 with respect to w1.")),
    )
    return check_number("Exercise 3b (ReLU)", answer, expected, hints=hints,
                        confirmed_by=_("backward() gives {grad} and a finite difference {numeric}: "
                                       "ReLU does not saturate for positive n.").format(
                            grad=f"{expected:.4f}", numeric=f"{numeric:.4f}"))


# ==============================================================================================
# Write code: Exercise 4, a neuron written as a function, run on inputs you have not seen
# ==============================================================================================


from . import call_safely, close, fresh_rng, is_unwritten  # noqa: E402


def _neuron_cases():
    """(xs, ws, b) as floats: 1 to 5 inputs, and one case that saturates tanh."""
    rng = fresh_rng()          # unseen: new neurons at every check
    cases = []
    def away_from_0_and_1(low, high, digits):
        """Either sign, low <= |value| <= high, never 1: at 0 or 1 a product w * x looks like w
        or like 0, and one mistake could not be told from another."""
        while True:
            value = round(rng.choice((-1, 1)) * rng.uniform(low, high), digits)
            if abs(value) != 1.0:
                return value

    def telling(xs, ws, b):
        """True when the outputs of the usual mistakes (no tanh, no bias, sums instead of products,
        the bias twice) all differ from the right output and from each other, so each gets its hint."""
        pre = sum(w * x for w, x in zip(ws, xs)) + b
        outputs = [math.tanh(pre), pre, math.tanh(pre - b), math.tanh(sum(ws) + b),
                   math.tanh(sum(xs) + b), math.tanh(pre + b)]
        return all(abs(u - v) > 0.05 for i, u in enumerate(outputs) for v in outputs[i + 1:])

    for n in (1, 2, 3, 5):
        while True:
            xs = [away_from_0_and_1(0.2, 2.0, 1) for _i in range(n)]
            ws = [away_from_0_and_1(0.1, 1.0, 2) for _i in range(n)]
            b = away_from_0_and_1(0.1, 1.0, 2)
            if telling(xs, ws, b):
                break
        cases.append((xs, ws, b))
    cases.append(([2.0, 1.5], [1.0, 0.5], 0.25))  # n = 3: tanh is nearly flat there
    return cases


def _reference_neuron(xs, ws, b):
    """out.data, the grads of the weights and of the bias, from the engine."""
    wv = [Value(w, label=f"w{i + 1}") for i, w in enumerate(ws)]
    bv = Value(b, label="b")
    out = sum((w * x for w, x in zip(wv, xs)), bv).tanh()
    out.backward()
    return out.data, [w.grad for w in wv], bv.grad


@checker
def check_neuron(neuron):
    """Exercise 4: neuron(xs, ws, b) returns the Value tanh(sum of w*x, plus b), built from the Values ws and b."""
    ex = "Exercise 4"
    if is_waiting(neuron) or is_unwritten(neuron):
        return waiting(ex, _("write the body of {name} in place of the `...`").format(name="neuron"))
    if not callable(neuron):
        return failed(ex, _("pass the function itself, without calling it: {call}.").format(
            call="check_neuron(neuron)"))
    for xs, ws, b in _neuron_cases():
        data, w_grads, b_grad = _reference_neuron(xs, ws, b)
        wv = [Value(w, label=f"w{i + 1}") for i, w in enumerate(ws)]
        bv = Value(b, label="b")
        ok, out = call_safely(ex, neuron, list(xs), wv, bv)
        if not ok:
            return out
        if len(xs) > 1:
            where = _("with {count} inputs xs = {xs}").format(count=len(xs), xs=xs)
        else:
            where = _("with {count} input xs = {xs}").format(count=len(xs), xs=xs)
        if not isinstance(out, Value):
            return failed(ex, _("{where} your function returns {type}, not a Value: build the output from "
                                "the Values ws and b (w * x, +, .tanh()), so backward() can run.").format(
                                    where=where, type=type(out).__name__))
        pre = sum(w * x for w, x in zip(ws, xs)) + b
        if not close(out.data, data):
            if close(out.data, pre):
                hint = _("{where} the output is the weighted sum itself: apply tanh to it.").format(where=where)
            elif close(out.data, math.tanh(pre - b)):
                hint = _("{where} the output leaves out the bias: add b to the weighted sum before "
                         "tanh.").format(where=where)
            elif close(out.data, math.tanh(sum(ws) + b)) or close(out.data, math.tanh(sum(xs) + b)):
                hint = _("{where}: multiply each weight by its own input before adding them up.").format(
                    where=where)
            else:
                hint = _("{where} out.data is {data}, which is not tanh(w1*x1 + ... + wn*xn + b).").format(
                    where=where, data=f"{out.data:.4f}")
            return failed(ex, hint)
        ok, error = call_safely(ex, out.backward)
        if not ok:
            return error
        if all(w.grad == 0.0 for w in wv) and bv.grad == 0.0:
            return failed(ex, _("{where} the output has the right value, but backward() gives every weight a "
                                "grad of 0: compute with the Values themselves, not with their .data.").format(
                                    where=where))
        for w, want in zip(wv, w_grads):
            if not close(w.grad, want):
                return failed(ex, _("{where} {weight}.grad is {grad}: each weight should reach the "
                                    "output through one product w * x and the tanh.").format(
                                        where=where, weight=w.label, grad=f"{w.grad:.4f}"))
        if not close(bv.grad, b_grad):
            return failed(ex, _("{where} b.grad is {grad}: the bias should be added once, before tanh.").format(
                where=where, grad=f"{bv.grad:.4f}"))
    xs, ws, b = _neuron_cases()[-1]
    data, w_grads, _b_grad = _reference_neuron(xs, ws, b)
    return passed(ex, _("Your neuron matches the engine's value and grads on {count} neurons. On the last one, "
                        "n = 3 and tanh is nearly flat: w1.grad is only {grad}, although x1 = {x1}.").format(
                            count=len(_neuron_cases()), grad=f"{w_grads[0]:.4f}", x1=f"{xs[0]:g}"))

__all__ += ["check_neuron"]
