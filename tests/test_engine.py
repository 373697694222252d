"""The engine: every op's value and grad, the backward pass, the step-by-step walk, bad input."""

import math
import random

import pytest

from micrograd_core import MLP, Layer, Neuron, Value, gradient_check
from series_checks import lecture_expression


def numeric_grads(build, xs, h=1e-6):
    """Symmetric differences of build(*values) w.r.t. each x, on plain floats through Values."""
    grads = []
    for i in range(len(xs)):
        up = list(xs)
        down = list(xs)
        up[i] += h
        down[i] -= h
        grads.append((build(*map(Value, up)).data - build(*map(Value, down)).data) / (2 * h))
    return grads


def analytic_grads(build, xs):
    vs = [Value(x) for x in xs]
    out = build(*vs)
    out.backward()
    return out.data, [v.grad for v in vs]


# (name, function of Values, function of floats, inputs): every op, its value and its grads.
OPS = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, (1.5, -2.25)),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, (1.5, -2.25)),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, (1.5, -2.25)),
    ("div", lambda a, b: a / b, lambda a, b: a / b, (1.5, -2.25)),
    ("neg", lambda a: -a, lambda a: -a, (1.5,)),
    ("pow int", lambda a: a ** 3, lambda a: a ** 3, (-1.5,)),
    ("pow float", lambda a: a ** 0.5, lambda a: a ** 0.5, (2.5,)),
    ("pow negative", lambda a: a ** -2, lambda a: a ** -2, (-1.5,)),
    ("pow value", lambda a, b: a ** b, lambda a, b: a ** b, (1.7, 2.3)),
    ("radd", lambda a: 2 + a, lambda a: 2 + a, (1.5,)),
    ("rsub", lambda a: 1 - a, lambda a: 1 - a, (1.5,)),
    ("rmul", lambda a: 2 * a, lambda a: 2 * a, (1.5,)),
    ("rdiv", lambda a: 1 / a, lambda a: 1 / a, (1.5,)),
    ("rpow", lambda a: 2 ** a, lambda a: 2 ** a, (1.5,)),
    ("exp", lambda a: a.exp(), math.exp, (0.7,)),
    ("log", lambda a: a.log(), math.log, (0.7,)),
    ("tanh", lambda a: a.tanh(), math.tanh, (0.7,)),
    ("relu positive", lambda a: a.relu(), lambda a: max(a, 0.0), (0.7,)),
    ("relu negative", lambda a: a.relu(), lambda a: max(a, 0.0), (-0.7,)),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), (0.7,)),
    ("sigmoid negative", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), (-3.0,)),
]


@pytest.mark.parametrize("name,build,plain,xs", OPS, ids=[o[0] for o in OPS])
def test_op_value_and_grad_match_finite_differences(name, build, plain, xs):
    data, grads = analytic_grads(build, xs)
    assert data == pytest.approx(plain(*xs), rel=1e-12)
    assert grads == pytest.approx(numeric_grads(build, xs), rel=1e-6, abs=1e-8)


def test_lecture_expression():
    a, b, c, d, e, f, L = lecture_graph()
    L.backward()
    assert L.data == -8.0
    assert [x.grad for x in (a, b, c, d, e, f, L)] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0]


def test_children_are_ordered_one_entry_per_slot():
    a = Value(3.0)
    b = a + a
    assert b._prev == (a, a)
    assert isinstance(b._prev, tuple)
    x, y = Value(1.0), Value(2.0)
    assert (x * y)._prev == (x, y) and (y * x)._prev == (y, x)


def test_reuse_accumulates():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_backward_twice_accumulates_like_micrograd():
    from micrograd.engine import Value as MicrogradValue

    def run(V):
        a, b, c, f = V(2.0), V(-3.0), V(10.0), V(-2.0)
        out = (a * b + c) * f
        out.backward()
        once = [a.grad, b.grad, c.grad, f.grad]
        out.backward()
        return once, [a.grad, b.grad, c.grad, f.grad], out.grad
    ours, theirs = run(Value), run(MicrogradValue)
    assert ours == theirs
    once, twice, root = ours
    assert twice[3] == 2 * once[3]   # f is one op from the output: its grad doubles
    assert twice[0] == 4 * once[0]   # a is deeper: the intermediate grads accumulated too
    assert root == 1.0               # the root is seeded, not accumulated


def test_lecture_style_manual_backward():
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    n = x1 * w1
    o = n.tanh()
    o.grad = 1.0
    o._backward()
    n._backward()
    assert n.grad == pytest.approx(1 - math.tanh(-6.0) ** 2)
    assert w1.grad == pytest.approx(2.0 * n.grad)
    Value(1.0)._backward()  # a leaf's _backward does nothing


def test_lecture_style_assigning_a_closure():
    a = Value(2.0)
    out = Value(a.data * 3, (a,), "*3")

    def _backward():
        a.grad += 3 * out.grad
    out._backward = _backward
    out.backward()
    assert a.grad == 3.0
    a.grad = 0.0
    out._backward()  # called by hand on this one node (out.grad is 1 from backward)
    assert a.grad == 3.0


def test_label_is_writable_and_shown():
    v = Value(1.0)
    v.label = "w"
    assert v.label == "w" and "label='w'" in repr(v)


def test_deep_chain_has_no_recursion_limit():
    x = Value(1.0)
    out = x
    for i in range(1_000_000):
        out = out + 1.0 if i % 2 else out * 1.0
    out.backward()
    assert x.grad == 1.0
    assert out.data == 500_001.0


def test_topological_order_is_deterministic_and_valid():
    def build():
        random.seed(3)
        model = MLP(3, [4, 4, 1])
        return model([1.0, -2.0, 0.5])
    order1 = [(v._op, v.data) for v in build().topological_order()]
    order2 = [(v._op, v.data) for v in build().topological_order()]
    assert order1 == order2
    out = build()
    position = {v: i for i, v in enumerate(out.topological_order())}
    assert all(position[c] < position[v] for v in position for c in v._prev)
    assert out.topological_order()[-1] is out


def test_results_identical_run_to_run():
    def run():
        random.seed(7)
        model = MLP(2, [8, 1])
        loss = sum((model([x, -x]) - 1) ** 2 for x in (0.1, 0.5, -0.3))
        loss.backward()
        return [p.grad for p in model.parameters()] + [loss.data]
    assert run() == run()


# ----------------------------------------------------------------------------------------------
# The step-by-step walk
# ----------------------------------------------------------------------------------------------

def lecture_graph():
    g = lecture_expression()
    return tuple(g[k] for k in "abcdefL")


def test_steps_show_the_chain_rule_arithmetic():
    a, b, c, d, e, f, L = lecture_graph()
    steps = list(L.backward_steps())
    assert [s.position for s in steps] == [0, 1, 2, 3]
    assert steps[0].is_seed and steps[0].node is L and L.grad == 1.0
    root = steps[1]
    assert root.node is L and root.upstream == 1.0
    (sd, sf) = root.slots
    assert (sd.child, sd.local, sd.contribution, sd.before, sd.after) == (d, -2.0, -2.0, 0.0, -2.0)
    assert (sf.child, sf.local, sf.contribution, sf.before, sf.after) == (f, 4.0, 4.0, 0.0, 4.0)
    mul = steps[3]
    assert mul.node is e and mul.upstream == -2.0
    assert [(s.child, s.local, s.contribution) for s in mul.slots] == [(a, -3.0, 6.0), (b, 2.0, -4.0)]


def test_steps_and_backward_agree_exactly():
    def build():
        random.seed(11)
        model = MLP(3, [4, 4, 1], activation="tanh")
        x = [Value(0.3), Value(-1.2), Value(2.0)]
        out = model(x) * model(x).sigmoid() + (x[0] ** 2).exp() / (x[1] ** 2 + 1).log()
        return out, model.parameters() + x
    out1, vs1 = build()
    out1.backward()
    out2, vs2 = build()
    for _ in out2.backward_steps():
        pass
    assert [v.grad for v in vs1] == [v.grad for v in vs2]


def test_steps_record_each_slot_of_a_reused_input():
    a = Value(3.0, label="a")
    b = a + a
    step = list(b.backward_steps())[1]
    assert [(s.before, s.after) for s in step.slots] == [(0.0, 1.0), (1.0, 2.0)]


def test_steps_are_lazy():
    a, b, c, d, e, f, L = lecture_graph()
    walk = L.backward_steps()
    next(walk)
    next(walk)
    assert d.grad == -2.0 and a.grad == 0.0  # only the root's rule has run so far


def test_every_primitive_rule_reports_one_update_per_slot():
    for name, build, _, xs in OPS:
        out = build(*[Value(x) for x in xs])
        for step in out.backward_steps():
            assert len(step.slots) == (0 if step.is_seed else len(step.node._prev)), name


# ----------------------------------------------------------------------------------------------
# Bad input: clear errors, never a silent wrong number
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", ["3", None, [1.0], 1 + 2j, {"x": 1}])
def test_non_numeric_data_is_refused(data):
    with pytest.raises(TypeError) as info:
        Value(data, label="x")
    message = str(info.value)
    assert "Value()" in message and repr(data) in message and "'x'" in message


def test_string_data_suggests_conversion():
    with pytest.raises(TypeError, match=r"float\('3'\)"):
        Value("3")


def test_negative_base_fractional_power():
    with pytest.raises(ValueError) as info:
        Value(-4.0, label="q") ** 0.5
    assert "'**'" in str(info.value) and "'q'" in str(info.value) and "-4.0" in str(info.value)


def test_negative_base_integer_power_is_fine():
    assert (Value(-2.0) ** 3).data == -8.0


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive(x):
    with pytest.raises(ValueError) as info:
        Value(x, label="p").log()
    assert "log" in str(info.value) and "'p'" in str(info.value) and repr(x) in str(info.value)


def test_division_by_a_zero_value():
    with pytest.raises(ZeroDivisionError) as info:
        Value(1.0) / Value(0.0, label="den")
    assert "'/'" in str(info.value) and "'den'" in str(info.value)
    with pytest.raises(ZeroDivisionError, match="'/'"):
        2.0 / Value(0.0)


def test_zero_to_a_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"'\*\*'.*0 \*\* -1"):
        Value(0.0, label="z") ** -1


def test_value_exponent_needs_a_positive_base():
    with pytest.raises(ValueError, match="base must be positive"):
        Value(-2.0) ** Value(2.0)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_unsupported_operand_types(op):
    v = Value(1.0, label="w")
    for left, right in ((v, "x"), ("x", v), (v, [1])):
        with pytest.raises(TypeError) as info:
            eval(f"left {op} right")
        message = str(info.value)
        assert f"'{op}'" in message and "'w'" in message


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    v = Value(np.float64(2.0)) * np.int64(3)
    assert v.data == 6.0 and type(v.data) is float


def test_nan_and_inf_are_allowed_in_data():
    assert math.isnan((Value(float("nan")) + 1).data)
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1e200) ** 2).data == math.inf


def test_check_finite_names_the_first_bad_node():
    x = Value(800.0, label="x")
    z = Value(0.0, label="z")
    out = z * x.exp()  # exp(800) overflows to inf, so z's grad becomes inf
    out.label = "out"
    out.backward()  # without the check: a silent inf
    assert z.grad == math.inf
    z.grad = x.grad = 0.0
    with pytest.raises(FloatingPointError) as info:
        out.backward(check_finite=True)
    message = str(info.value)
    assert "'z'" in message and "'*'" in message and "'out'" in message and "inf" in message


def test_tanh_and_sigmoid_are_stable_at_extremes():
    for x in (1000.0, -1000.0):
        t = Value(x)
        out = t.tanh()
        out.backward()
        assert out.data == math.copysign(1.0, x) and t.grad == 0.0
        s = Value(x)
        sig = s.sigmoid()
        sig.backward()
        assert sig.data in (0.0, 1.0) and s.grad == 0.0


# ----------------------------------------------------------------------------------------------
# Gradient check helper and the neural-network classes
# ----------------------------------------------------------------------------------------------

def test_gradient_check_report():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    report = gradient_check(lambda: (a * b).tanh() + a ** 2, [a, b])
    assert report.ok and bool(report)
    assert [r["name"] for r in report.rows] == ["a", "b"]
    text = repr(report)
    assert "a" in text and "all gradients agree" in text
    assert a.data == 2.0  # restored


def test_gradient_check_catches_a_wrong_rule():
    a = Value(2.0, label="a")

    def wrong_square():
        out = Value(a.data ** 2, (a,), "sq")
        out._backward = lambda: setattr(a, "grad", a.grad + 1.0 * out.grad)  # should be 2a
        return out
    report = gradient_check(wrong_square, [a])
    assert not report.ok and "NO" in repr(report)


def test_modules_parameters_and_zero_grad():
    random.seed(0)
    model = MLP(3, [4, 4, 1])
    assert len(model.parameters()) == 4 * 4 + 4 * 5 + 1 * 5
    out = model([1.0, 2.0, 3.0])
    out.backward()
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(3)")
    assert repr(model.layers[-1].neurons[0]) == "LinearNeuron(4)"


def test_activations_and_module_tags():
    random.seed(0)
    n = Neuron(2, activation="tanh")
    out = n([1.0, -1.0])
    assert out._op == "tanh" and out._module is n
    model = MLP(2, [3, 1], activation="tanh", output_activation="tanh")
    y = model([0.5, 0.5])
    assert y._op == "tanh" and y._module.name == "L2 N1" and y._module.layer.name == "L2"
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, activation="swish")
    layer = Layer(2, 3)
    assert len(layer([1.0, 2.0])) == 3
