"""Checkers for notebook 10 (layers and MLPs).

Counts are checked twice: with the formula sum over layers of (nin + 1) * nout, and by building the
model with micrograd_core and counting its parameters(). Gradients are checked with backward() and
with a finite difference. Building a model draws random numbers, so every checker saves and restores
the random state: running a checker never changes what the rest of the notebook computes.

Exercise 3 checks that the model and input it is given are the cell's (their shape, and the model's
outputs on inputs drawn for each check, against the checker's own copy); exercise 4 runs the
learner's function on the lecture's shape and on shapes drawn for each check (fresh_rng()). The
expected answers are computed before the learner's code runs.
"""

import random

import micrograd_core
from micrograd_core import MLP, Layer, Neuron

from . import call_safely, check_number, checker, close, describe, failed, fresh_rng, is_waiting
from . import keep_random_state, numeric_derivative, passed, read_numbers, read_whole_number, waiting
from series_language import _

__all__ = ["EX1_ARCH", "check_exercise_1", "check_exercise_2", "check_exercise_3"]

EX1_ARCH = (4, [8, 8, 2])


@checker
def check_exercise_1(answer):
    """Exercise 1: how many parameters does MLP(4, [8, 8, 2]) have?"""
    nin, nouts = EX1_ARCH
    with keep_random_state():
        counted = len(MLP(nin, nouts).parameters())
    sizes = [nin] + list(nouts)
    expected = sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))   # the formula
    name = "Exercise 1" + _(" (parameter count)")
    if counted != expected:  # cannot happen: the engine and the formula must agree
        return failed(name, _("the engine and the formula disagree; tell your teacher."))
    sizes = [nin] + list(nouts)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights_only = sum(a * b for a, b in pairs)
    hints = (
        (weights_only, _("you counted the weights only: every neuron also has one bias.")),
        (weights_only + len(nouts), _("one bias per neuron, not one per layer.")),
        (sum(a * (b + 1) for a, b in pairs), _("the +1 (the bias) is per neuron: each of the nout neurons has "
                                               "nin weights and 1 bias, so (nin + 1) * nout.")),
        (sum(nouts), _("that is the number of neurons; count the weights and biases inside them.")),
        (sum((a + 1) * b for a, b in pairs[1:]), _("you skipped the first layer: it maps the {nin} inputs "
                                                   "to {neurons} neurons.").format(nin=nin, neurons=nouts[0])),
    )
    return check_number(name, answer, expected, hints, whole=True,
                        confirmed_by=_("The formula gives {expected} and len(MLP{arch}.parameters()) "
                                       "counts {counted}.").format(expected=expected, arch=EX1_ARCH,
                                                                   counted=counted),
                        otherwise=_("write the sizes as one list, [{nin}] + {nouts}: each "
                                    "consecutive pair (nin, nout) is one layer with (nin + 1) * nout "
                                    "parameters; add up the layers.").format(nin=nin, nouts=list(nouts)))


@checker
def check_exercise_2(length, kind):
    """Exercise 2: len(Layer(5, 3)(x)), and what Layer(5, 1)(x) returns (a type or its name)."""
    name = "Exercise 2" + _(" (what a layer returns)")
    if is_waiting(length) or is_waiting(kind):
        return waiting(name, _("fill in both `length` and `kind`"))
    x = [0.5, -1.0, 2.0, 0.0, 1.5]
    with keep_random_state():
        three = Layer(5, 3)(x)
        one = Layer(5, 1)(x)
    n = read_whole_number(name, length, "length")
    if n is None:
        return False
    if n != len(three):
        if n == 5:
            return failed(name, _("5 is the number of inputs. A layer returns one output per neuron."))
        if n == 1:
            return failed(name, _("a layer returns one output per neuron, and Layer(5, 3) has more than one."))
        return failed(name, _("count the neurons of Layer(5, 3): Layer(nin, nout) has nout of them, "
                              "and each gives one output."))
    if not isinstance(kind, (type, str)):
        return failed(name, _("answer `kind` with a type, such as list or Value (or its name in quotes); "
                              "got {what}.").format(what=describe(kind)))
    kind_name = type.__dict__["__name__"].__get__(kind) if isinstance(kind, type) else str.__str__(kind).strip()
    if kind_name.lower() in ("list", "tuple"):
        return failed(name, _("look at the last line of Layer.__call__: a list with a single element is "
                              "unwrapped."))
    if kind_name.lower() in ("float", "int"):
        return failed(name, _("the layer's output is still part of the graph, so it cannot be a plain number."))
    if kind_name.lower() in ("neuron",):
        return failed(name, _("calling a layer runs its neurons; what does a neuron's call return?"))
    if kind_name != type(one).__name__:
        return failed(name, _("answer with a type, such as list or Value (or its name in quotes); "
                              "got {what}.").format(what=repr(kind_name)))
    if isinstance(kind, type) and kind is not type(one):
        where = repr(kind.__module__) if isinstance(getattr(kind, "__module__", None), str) else _("'elsewhere'")
        return failed(name, _("that is a class called {kind}, but not the one the layer returns: it "
                              "comes from {where}, and the layer's output is the engine's own Value, "
                              "from micrograd_core (imported in the first cell). Give that class, or its "
                              "name in quotes.").format(kind=kind_name, where=where))
    return passed(name, _("The engine agrees: Layer(5, 3) gives a list of {count} Values, and Layer(5, 1) "
                          "gives one {kind}, ready to be a loss or a prediction.").format(
                              count=len(three), kind=type(one).__name__))


# The exercise's network and input, as the cell builds them (the checker builds its own copy).
EX3_SEED, EX3_NIN, EX3_NOUTS, EX3_X = 11, 3, (4, 4, 1), (1.0, -2.0, 0.5)
EX3_CHECKS = 3   # fresh inputs on which the model passed in must give the reference's outputs


def _ex3_reference():
    """The cell's model3: random.seed(11), then the lecture's MLP (the caller's random state kept)."""
    with keep_random_state():
        random.seed(EX3_SEED)
        return MLP(EX3_NIN, list(EX3_NOUTS), activation="tanh", output_activation="tanh")


def _neurons_of(model):
    """[(layer index, neuron)] of an MLP-shaped object, or None when it is not one."""
    try:
        layers = list(model.layers)
        return [(i, n) for i, layer in enumerate(layers) for n in list(layer.neurons)]
    except Exception:  # noqa: BLE001 - the learner's object may be anything
        return None


def _shape_of(model):
    """(nin, [neurons per layer], activations, every parameter's grad is 0) of an MLP, or None."""
    neurons = _neurons_of(model)
    if not neurons:
        return None
    try:
        nin = len(neurons[0][1].w)
        sizes = [sum(1 for i, _ in neurons if i == k) for k in range(neurons[-1][0] + 1)]
        activations = {str(n.activation) for _, n in neurons}
        zero = all(type(p.grad) in (int, float) and p.grad == 0.0 for _, n in neurons for p in list(n.w) + [n.b])
        return nin, sizes, activations, zero
    except Exception:  # noqa: BLE001
        return None


def _model_problem(name, model, x, reference):
    """A failed Verdict when `model` and `x` are not the cell's model3 and x3, else None.

    The model passed in is run on EX3_CHECKS fresh inputs, whose outputs from `reference` are
    computed before it runs."""
    shape = _shape_of(model)
    if shape is None:
        return failed(name, _("pass the network the cell builds, model3 (an MLP), as the second argument; "
                              "got {what}.").format(what=describe(model)))
    nin, sizes, activations, _all_zero = shape
    if (nin, sizes) != (EX3_NIN, list(EX3_NOUTS)):
        count = sum((a + 1) * b for a, b in zip([nin] + sizes, sizes))
        return failed(name, _("the model you passed has {nin} inputs and layers of {sizes} neurons ({count} "
                              "parameters), not the exercise's MLP({want_nin}, {want_nouts}): pass model3, "
                              "as the cell builds it.").format(nin=nin, sizes=sizes, count=count,
                                                               want_nin=EX3_NIN, want_nouts=list(EX3_NOUTS)))
    if activations != {"tanh"}:
        return failed(name, _("the model you passed has the right layers but not tanh everywhere: build it as the "
                              "cell does, activation='tanh' and output_activation='tanh'."))
    rng = fresh_rng()
    trials = [[round(rng.uniform(-2.0, 2.0), 3) for _ in range(EX3_NIN)] for _ in range(EX3_CHECKS)]
    outputs = [reference(inputs).data for inputs in trials]
    for inputs, right in zip(trials, outputs):
        ok, out = call_safely(name, model, list(inputs), case=_("on the input {inputs}").format(inputs=inputs))
        if not ok:
            return out
        data = getattr(out, "data", None) if isinstance(out, micrograd_core.Value) else None
        if type(data) is not float or not close(data, right, 1e-9):
            return failed(name, _("the model you passed has the exercise's layers but not its weights (on "
                                  "the input {inputs} it answers differently). The cell calls "
                                  "random.seed({seed}) right before MLP(...): run that cell again, and "
                                  "pass model3 unchanged.").format(inputs=inputs, seed=EX3_SEED))
    xs = read_numbers(name, x, "x", length=EX3_NIN)
    if xs is None:
        return False
    if xs != list(EX3_X):
        return failed(name, _("pass the input the cell uses, x3 = {x3}, as the third argument: the "
                              "gradients, and so the answer, depend on the input.").format(x3=list(EX3_X)))
    return None


def _neuron_key(text):
    return text.replace(" ", "").upper()


@checker
def check_exercise_3(answer, model, x):
    """Exercise 3: the name of the neuron one of whose weights has the largest |grad| (e.g. 'L1 N2').

    The model and input passed in must be the cell's (checked by shape, and by the outputs on fresh
    inputs against the checker's own copy); the grads are then computed on that copy.
    """
    name = "Exercise 3" + _(" (largest weight gradient)")
    if is_waiting(answer):
        return waiting(name, _("put the neuron's name in quotes, e.g. 'L1 N2'"))
    if isinstance(answer, Neuron):
        answer = answer.name
    if not isinstance(answer, str):
        return failed(name, _("name a neuron the way the model does, 'L<layer> N<neuron>' as in neuron.name, "
                              "in quotes; got {what}.").format(what=describe(answer)))
    # The answer, computed on the checker's own copy of model3 before the learner's model runs.
    reference = _ex3_reference()
    neurons = [n for layer in reference.layers for n in layer.neurons]
    x3 = list(EX3_X)
    reference(x3).backward()
    grads = {p: p.grad for p in reference.parameters()}
    by_abs = max(((abs(grads[w]), n) for n in neurons for w in n.w), key=lambda t: t[0])[1]
    w = max(by_abs.w, key=lambda v: abs(grads[v]))
    old = w.data

    def f(t):
        w.data = t
        try:
            return reference(x3).data
        finally:
            w.data = old
    numeric = numeric_derivative(f, old)
    problem = _model_problem(name, model, x, reference)
    if problem is not None:
        return problem
    key = _neuron_key(str.__str__(answer))
    by_key = {_neuron_key(n.name): n for n in neurons}
    if key not in by_key:
        return failed(name, _("name a neuron the way the model does, 'L<layer> N<neuron>' as in neuron.name; "
                              "got {what}.").format(what=describe(str.__str__(answer))))
    if by_key[key] is by_abs:
        return passed(name, _("{neuron} holds the weight with the largest |grad|: backward() gives "
                              "{grad} and a finite difference {numeric}.").format(
                                  neuron=by_abs.name, grad=f"{grads[w]:.4f}", numeric=f"{numeric:.4f}"))
    if _shape_of(model)[3]:
        return failed(name, _("every grad in your model is still 0: run backward() on the model's output "
                              "before you compare grads."))
    by_signed = max(((grads[w], n) for n in neurons for w in n.w), key=lambda t: t[0])[1]
    by_data = max(((abs(w.data), n) for n in neurons for w in n.w), key=lambda t: t[0])[1]
    by_bias = max(((abs(grads[n.b]), n) for n in neurons), key=lambda t: t[0])[1]
    if by_key[key] is by_signed:
        return failed(name, _("that neuron has the largest grad counted with its sign. Compare sizes, "
                              "abs(w.grad): a large negative grad is as strong a signal as a large positive one."))
    if by_key[key] is by_data:
        return failed(name, _("that neuron has the largest weight *value* (w.data). The question is about "
                              "w.grad."))
    if by_key[key] is by_bias:
        return failed(name, _("that neuron has the largest *bias* grad. Look at the weights neuron.w only."))
    return failed(name, _("loop over model.layers, then layer.neurons, then neuron.w, and keep the neuron "
                          "whose weight has the largest abs(w.grad)."))


# ==============================================================================================
# Write code: Exercise 4, count an MLP's parameters for any shape
# ==============================================================================================

from . import call_and_read, is_unwritten  # noqa: E402

# The lecture's MLP first (there each usual mistake gives a count of its own), then shapes drawn at
# random for each check: one layer, four layers, and COUNT_DRAWN - 2 of one to four layers.
LECTURE_SHAPE = (3, [4, 4, 1])
COUNT_DRAWN = 5


def _count_shapes(rng):
    """The shapes of one check: the lecture's, then COUNT_DRAWN drawn from rng (fresh_rng())."""
    depths = [1, 4] + [rng.randint(1, 4) for _ in range(COUNT_DRAWN - 2)]
    rng.shuffle(depths)
    return [LECTURE_SHAPE] + [(rng.randint(1, 12), [rng.randint(1, 32) for _ in range(depth)]) for depth in depths]


@checker
def check_count_parameters(count_parameters):
    """Exercise 4: count_parameters(nin, nouts) gives len(MLP(nin, nouts).parameters()) without building it."""
    ex = "Exercise 4"
    if is_waiting(count_parameters) or is_unwritten(count_parameters):
        return waiting(ex, _("write the body of {name} in place of the `...`").format(name="count_parameters"))
    if not callable(count_parameters):
        return failed(ex, _("pass the function itself, without calling it: check_count_parameters(count_parameters)."))
    shapes = _count_shapes(fresh_rng())
    counts = [len(MLP(nin, nouts).parameters()) for nin, nouts in shapes]   # the engine builds and counts
    for (nin, nouts), expected in zip(shapes, counts):
        ok, value = call_and_read(ex, count_parameters, nin, list(nouts), read=read_whole_number)
        if not ok:
            return value
        if value == expected:
            continue
        sizes = [nin] + list(nouts)
        pairs = list(zip(sizes, sizes[1:]))
        where = _("for MLP({nin}, {nouts}) your function returns {value}").format(nin=nin, nouts=nouts, value=value)
        if value == sum(a * b for a, b in pairs):
            hint = _("{where}: that counts the weights only. Every neuron also has a bias.").format(where=where)
        elif value == sum(nouts):
            hint = _("{where}: that counts the neurons. Each neuron has one weight per input, plus a bias.").format(
                where=where)
        elif value == (pairs[0][0] + 1) * pairs[0][1]:
            hint = _("{where}: that is the first layer only. Add up every layer.").format(where=where)
        elif value == sum(b * (b + 1) for b in nouts):
            hint = _("{where}: a neuron of a layer has one weight per output of the layer *before* it.").format(
                where=where)
        else:
            hint = _("{where}. Count one layer at a time: each of its neurons has one weight per input "
                     "of the layer and one bias; then add the layers up.").format(where=where)
        return failed(ex, hint)
    nin, nouts = LECTURE_SHAPE
    return passed(ex, _("Right for {count} shapes ({drawn} of them drawn at random), checked by "
                        "building each MLP and counting its parameters (e.g. MLP({nin}, {nouts}) has "
                        "{parameters}).").format(count=len(shapes), drawn=COUNT_DRAWN, nin=nin, nouts=nouts,
                                                 parameters=counts[0]))

__all__ += ["check_count_parameters"]
