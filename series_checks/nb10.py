"""Checkers for notebook 10 (layers and MLPs).

Counts are checked twice: with the formula sum over layers of (nin + 1) * nout, and by building the
model with micrograd_core and counting its parameters(). Gradients are checked with backward() and
with a finite difference. Building a model draws random numbers, so every checker saves and restores
the random state: running a checker never changes what the rest of the notebook computes.
"""

from micrograd_core import MLP, Layer, Neuron

from . import check_number, checker, describe, failed, is_waiting, keep_random_state
from . import numeric_derivative, passed, read_whole_number, waiting

__all__ = ["EX1_ARCH", "check_exercise_1", "check_exercise_2", "check_exercise_3"]

EX1_ARCH = (4, [8, 8, 2])


def _formula(nin, nouts):
    sizes = [nin] + list(nouts)
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))


@checker
def check_exercise_1(answer):
    """Exercise 1: how many parameters does MLP(4, [8, 8, 2]) have?"""
    nin, nouts = EX1_ARCH
    with keep_random_state():
        counted = len(MLP(nin, nouts).parameters())
    expected = _formula(nin, nouts)
    if counted != expected:  # cannot happen: the engine and the formula must agree
        return failed("Exercise 1 (parameter count)", "the engine and the formula disagree; tell your teacher.")
    sizes = [nin] + list(nouts)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights_only = sum(a * b for a, b in pairs)
    hints = (
        (weights_only, "you counted the weights only: every neuron also has one bias."),
        (weights_only + len(nouts), "one bias per neuron, not one per layer."),
        (sum(a * (b + 1) for a, b in pairs), "the +1 (the bias) is per neuron: each of the nout neurons has "
                                              "nin weights and 1 bias, so (nin + 1) * nout."),
        (sum(nouts), "that is the number of neurons; count the weights and biases inside them."),
        (sum((a + 1) * b for a, b in pairs[1:]), f"you skipped the first layer: it maps the {nin} inputs "
                                                  f"to {nouts[0]} neurons."),
    )
    return check_number("Exercise 1 (parameter count)", answer, expected, hints, whole=True,
                        confirmed_by=f"The formula gives {expected} and len(MLP{EX1_ARCH}.parameters()) "
                                     f"counts {counted}.",
                        otherwise=f"write the sizes as one list, [{nin}] + {list(nouts)}: each "
                                  f"consecutive pair (nin, nout) is one layer with (nin + 1) * nout "
                                  f"parameters; add up the layers.")


@checker
def check_exercise_2(length, kind):
    """Exercise 2: len(Layer(5, 3)(x)), and what Layer(5, 1)(x) returns (a type or its name)."""
    name = "Exercise 2 (what a layer returns)"
    if is_waiting(length) or is_waiting(kind):
        return waiting(name, "fill in both `length` and `kind`")
    x = [0.5, -1.0, 2.0, 0.0, 1.5]
    with keep_random_state():
        three = Layer(5, 3)(x)
        one = Layer(5, 1)(x)
    n = read_whole_number(name, length, "length")
    if n is None:
        return False
    if n != len(three):
        if n == 5:
            return failed(name, "5 is the number of inputs. A layer returns one output per neuron.")
        if n == 1:
            return failed(name, "a layer returns one output per neuron, and Layer(5, 3) has more than one.")
        return failed(name, "count the neurons of Layer(5, 3): Layer(nin, nout) has nout of them, "
                            "and each gives one output.")
    if not isinstance(kind, (type, str)):
        return failed(name, f"answer `kind` with a type, such as list or Value (or its name in quotes); "
                            f"got {describe(kind)}.")
    kind_name = kind.__name__ if isinstance(kind, type) else str.__str__(kind).strip()
    if kind_name.lower() in ("list", "tuple"):
        return failed(name, "look at the last line of Layer.__call__: a list with a single element is "
                            "unwrapped.")
    if kind_name.lower() in ("float", "int"):
        return failed(name, "the layer's output is still part of the graph, so it cannot be a plain number.")
    if kind_name.lower() in ("neuron",):
        return failed(name, "calling a layer runs its neurons; what does a neuron's call return?")
    if kind_name != type(one).__name__:
        return failed(name, f"answer with a type, such as list or Value (or its name in quotes); "
                            f"got {kind_name!r}.")
    return passed(name, f"The engine agrees: Layer(5, 3) gives a list of {len(three)} Values, and Layer(5, 1) "
                        f"gives one {type(one).__name__}, ready to be a loss or a prediction.")


def _weights_by_neuron(model):
    for layer in model.layers:
        for neuron in layer.neurons:
            yield neuron


def _grads_of(model, x):
    """Fresh grads of the model's parameters for input x (the model's own grads are left as they were)."""
    params = model.parameters()
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    out = model(x)
    out.backward()
    grads = {p: p.grad for p in params}
    for p, g in zip(params, saved):
        p.grad = g
    return grads


def _neuron_key(text):
    return text.replace(" ", "").upper()


@checker
def check_exercise_3(answer, model, x):
    """Exercise 3: the name of the neuron one of whose weights has the largest |grad| (e.g. 'L1 N2')."""
    name = "Exercise 3 (largest weight gradient)"
    if is_waiting(answer):
        return waiting(name, "put the neuron's name in quotes, e.g. 'L1 N2'")
    if isinstance(answer, Neuron):
        answer = answer.name
    if not isinstance(answer, str):
        return failed(name, f"name a neuron the way the model does, 'L<layer> N<neuron>' as in neuron.name, "
                            f"in quotes; got {describe(answer)}.")
    key = _neuron_key(str.__str__(answer))
    neurons = {_neuron_key(n.name): n for n in _weights_by_neuron(model)}
    if key not in neurons:
        return failed(name, f"name a neuron the way the model does, 'L<layer> N<neuron>' as in neuron.name; "
                            f"got {describe(str.__str__(answer))}.")
    learners_grads_zero = all(p.grad == 0.0 for p in model.parameters())
    grads = _grads_of(model, x)
    by_abs = max(((abs(grads[w]), n) for n in _weights_by_neuron(model) for w in n.w), key=lambda t: t[0])[1]
    if neurons[key] is by_abs:
        w = max(by_abs.w, key=lambda v: abs(grads[v]))
        old = w.data

        def f(t):
            w.data = t
            try:
                return model(x).data
            finally:
                w.data = old
        numeric = numeric_derivative(f, old)
        return passed(name, f"{by_abs.name} holds the weight with the largest |grad|: backward() gives "
                            f"{grads[w]:.4f} and a finite difference {numeric:.4f}.")
    if learners_grads_zero:
        return failed(name, "every grad in your model is still 0: run backward() on the model's output "
                            "before you compare grads.")
    by_signed = max(((grads[w], n) for n in _weights_by_neuron(model) for w in n.w), key=lambda t: t[0])[1]
    by_data = max(((abs(w.data), n) for n in _weights_by_neuron(model) for w in n.w), key=lambda t: t[0])[1]
    by_bias = max(((abs(grads[n.b]), n) for n in _weights_by_neuron(model)), key=lambda t: t[0])[1]
    if neurons[key] is by_signed:
        return failed(name, "that neuron has the largest grad counted with its sign. Compare sizes, "
                            "abs(w.grad): a large negative grad is as strong a signal as a large positive one.")
    if neurons[key] is by_data:
        return failed(name, "that neuron has the largest weight *value* (w.data). The question is about "
                            "w.grad.")
    if neurons[key] is by_bias:
        return failed(name, "that neuron has the largest *bias* grad. Look at the weights neuron.w only.")
    return failed(name, "loop over model.layers, then layer.neurons, then neuron.w, and keep the neuron "
                        "whose weight has the largest abs(w.grad).")


# ==============================================================================================
# Write code: Exercise 4, count an MLP's parameters for any shape
# ==============================================================================================

from . import call_and_read, is_unwritten, keep_random_state, read_whole_number  # noqa: E402

# The lecture's MLP first: there each usual mistake gives a count of its own.
COUNT_SHAPES = [(3, [4, 4, 1]), (1, [1]), (2, [3]), (5, [2, 7, 3]), (10, [32, 1]), (4, [6, 6, 6, 2])]


def _mlp_size(nin, nouts):
    """How many parameters MLP(nin, nouts) really has (the engine builds one and counts)."""
    with keep_random_state():
        return len(MLP(nin, nouts).parameters())


@checker
def check_count_parameters(count_parameters):
    """Exercise 4: count_parameters(nin, nouts) gives len(MLP(nin, nouts).parameters()) without building it."""
    ex = "Exercise 4"
    if is_waiting(count_parameters) or is_unwritten(count_parameters):
        return waiting(ex, "write the body of count_parameters in place of the `...`")
    if not callable(count_parameters):
        return failed(ex, "pass the function itself, without calling it: check_count_parameters(count_parameters).")
    for nin, nouts in COUNT_SHAPES:
        expected = _mlp_size(nin, nouts)
        ok, value = call_and_read(ex, count_parameters, nin, list(nouts), read=read_whole_number)
        if not ok:
            return value
        if value == expected:
            continue
        sizes = [nin] + list(nouts)
        pairs = list(zip(sizes, sizes[1:]))
        where = f"for MLP({nin}, {nouts}) your function returns {value}"
        if value == sum(a * b for a, b in pairs):
            hint = f"{where}: that counts the weights only. Every neuron also has a bias."
        elif value == sum(nouts):
            hint = f"{where}: that counts the neurons. Each neuron has one weight per input, plus a bias."
        elif value == (pairs[0][0] + 1) * pairs[0][1]:
            hint = f"{where}: that is the first layer only. Add up every layer."
        elif value == sum(b * (b + 1) for b in nouts):
            hint = f"{where}: a neuron of a layer has one weight per output of the layer *before* it."
        else:
            hint = (f"{where}. Count one layer at a time: each of its neurons has one weight per input "
                    f"of the layer and one bias; then add the layers up.")
        return failed(ex, hint)
    nin, nouts = COUNT_SHAPES[-2]
    return passed(ex, f"Right for {len(COUNT_SHAPES)} shapes, checked by building each MLP and counting its "
                      f"parameters (e.g. MLP({nin}, {nouts}) has {_mlp_size(nin, nouts)}).")

__all__ += ["check_count_parameters"]
