"""micrograd_core: a tiny scalar autograd engine, written to be read top to bottom like a lecture.

A `Value` wraps one number. Every operation on Values returns a new Value, a *node*, that keeps
its inputs, the name of its op and its *local derivatives*: how much the output moves per unit
move of each input, d(out)/d(input). Each op below states both in one place:

    out = a * b            forward value:          a.data * b.data
                           local derivatives:      d(out)/da = b,   d(out)/db = a

`backward()` applies the chain rule, written once: it visits the nodes from the output back to the
leaves, in topological order, and at each node takes the *chain-rule step*, for each input

    input.grad += local derivative * out.grad

The file has two parts. Above the line "the lecture ends here": the Value, its primitive ops,
the derived ops, the topological order, backward(), and the neural-network classes. Below it:
what this engine adds to micrograd 0.1.0, whose API it keeps (README.md lists it): the
step-by-step pass for the stepper, clear errors, exact numbers at the edges, gradient_check, the
fused many-input ops of notebooks 15 and 17 (weighted_sum, cross_entropy, linear) and the
lecture's hand-written `_backward` closures.

A function marked "printed in notebook NN" is shown, as source, by that notebook: editing its text
changes a lesson.
"""

import gc
import math
import numbers
import random

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "BackwardStep", "SlotUpdate", "RuleError",
           "gradient_check", "GradientReport", "weighted_sum", "cross_entropy", "linear"]


_new = object.__new__  # makes an object without running __init__


def _node(data, a, b, op, da, db):                              # printed in notebook 07
    """A new node: its forward value, its inputs a and b (b is None for a one-input op), the op's
    name, and the local derivatives d(out)/da and d(out)/db (None: nothing flows back)."""
    out = _new(Value)  # Value(...) without its checks: the op has computed `data`
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._a = a
    out._b = b
    out._op = op
    out._da = da
    out._db = db
    return out


class Value:
    """One scalar in a computation graph: its data, its grad, and how it was made."""

    # Eight slots and no __dict__: a node is one small object, fast to make and to read.
    __slots__ = ("data", "grad", "label", "_a", "_b", "_op", "_da", "_db")

    def __init__(self, data, _children=(), _op="", label=""):   # printed in notebook 02
        self.data = data if type(data) is float else _as_float(data, label)
        self.grad = 0.0            # d(output)/d(this value), filled in by backward()
        self.label = label
        self._a, self._b = _two_inputs(_children, _op) if _children else (None, None)
        self._op = _op
        self._da = self._db = None  # a leaf has no inputs, so no local derivatives

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad}{_label_repr(self)})"

    @property
    def _prev(self):
        """The inputs, in slot order: () for a leaf, (a,) for a one-input op, (a, b) for two."""
        a, b = self._a, self._b
        if b is _MANY:               # a fused op with many inputs keeps them all in _a (notebook 15)
            return a
        return () if a is None else (a,) if b is None else (a, b)

    # ------------------------------------------------------------------------------------------
    # Primitive ops: the forward value and the local derivatives, together.
    # ------------------------------------------------------------------------------------------

    def __add__(self, other):                                   # printed in notebooks 02, 04
        other = other if isinstance(other, Value) else _operand(self, other, "+")
        return _node(self.data + other.data, self, other, "+",
                     1.0, 1.0)                                  # d(a+b)/da = 1, d(a+b)/db = 1

    def __mul__(self, other):                                   # printed in notebooks 02, 04, 06, 07
        other = other if isinstance(other, Value) else _operand(self, other, "*")
        return _node(self.data * other.data, self, other, "*",
                     other.data, self.data)                     # d(a*b)/da = b, d(a*b)/db = a

    def __pow__(self, n):                                       # printed in notebook 08
        if isinstance(n, Value):
            return self._power_of_value(n, "**")
        return self._power(n, "**")

    def _power(self, n, op):                                    # printed in notebook 08
        n = _exponent(n, self, op)            # a fixed number; refuse what has no real answer
        _check_power_domain(self, n, op)
        local = None if n == 0 else _scaled(n, _real_pow(self.data, n - 1))
        return _node(_real_pow(self.data, n), self, None, f"**{_exponent_text(n)}",
                     local, None)                               # d(a**n)/da = n * a**(n-1);
        # a**0 is the constant 1: nothing flows back (None), as through a ReLU that is off

    def _power_of_value(self, b, op):                           # printed in notebook 08
        _check_value_exponent(self, b, op)    # the base must be positive: d/db needs log(a)
        out = _real_pow(self.data, b.data)
        return _node(out, self, b, "**",
                     b.data * _real_pow(self.data, b.data - 1)   # d(a**b)/da = b * a**(b-1)
                     if b.data != 0 else None,                   # (a**0 is constant: nothing flows back)
                     math.log(self.data) * out if self.data > 0 else 0.0)  # d(a**b)/db = log(a) * a**b

    def exp(self):                                              # printed in notebook 08
        out = _exp(self.data)
        return _node(out, self, None, "exp", out, None)         # d(e**a)/da = e**a, the output itself

    def log(self):                                              # printed in notebook 08
        _check_log_domain(self)
        return _node(math.log(self.data), self, None, "log",
                     1.0 / self.data, None)                     # d(log a)/da = 1/a

    def tanh(self):                                             # printed in notebooks 04, 07, 08
        # math.tanh never overflows (tanh(1000) == 1.0); the textbook formula
        # (e**2x - 1) / (e**2x + 1) turns into inf / inf = nan for large x (notebook 08).
        t = math.tanh(self.data)
        return _node(t, self, None, "tanh", 1.0 - t * t, None)  # d(tanh a)/da = 1 - tanh(a)**2

    def relu(self):                                             # printed in notebook 08
        if self.data <= 0:                   # off: the output is 0 and nothing flows back (None:
            return _node(0.0, self, None, "ReLU", None, None)  # a mask, not a multiplication by 0)
        return _node(self.data, self, None, "ReLU", 1.0, None)  # d(relu a)/da = 1 where on (or nan)

    def sigmoid(self):                                          # printed in notebook 08
        x = self.data
        # Two equal forms; each calls exp of a number <= 0 only, so neither can overflow.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _node(s, self, None, "sigmoid", s * (1.0 - s), None)  # d(s(a))/da = s(a) * (1 - s(a))

    # ------------------------------------------------------------------------------------------
    # Derived ops: built from the primitives, so they need no local derivatives of their own.
    # ------------------------------------------------------------------------------------------

    def __neg__(self):                # -a                      # printed in notebooks 02, 08
        return self * -1

    def __sub__(self, other):         # a - b                   # printed in notebooks 02, 08
        return self + (-_operand(self, other, "-"))

    def __truediv__(self, other):     # a / b = a * b**-1       # printed in notebook 08
        return self * _reciprocal(_operand(self, other, "/"))

    def __radd__(self, other):        # 2 + a                   # printed in notebook 02
        return _operand(self, other, "+") + self

    def __rsub__(self, other):        # 2 - a
        return _operand(self, other, "-") + (-self)

    def __rmul__(self, other):        # 2 * a
        return _operand(self, other, "*") * self

    def __rtruediv__(self, other):    # 2 / a
        return _operand(self, other, "/") * _reciprocal(self)

    def __rpow__(self, other):        # 2 ** a
        return _operand(self, other, "**")._power_of_value(self, "**")

    # ------------------------------------------------------------------------------------------
    # Backpropagation: the order, the chain-rule step, and backward()
    # ------------------------------------------------------------------------------------------

    def topological_order(self):                                # printed in notebook 05
        """Every node this one depends on, each after all of its inputs (leaves first, self last).

        An explicit stack instead of recursion, so a chain of a million ops works. Inputs are
        opened in slot order, so the order is the same in every run.
        """
        order, opened = [], set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node is _PLACE:            # everything above the marker is done: the node under
                order.append(stack.pop())  # it has all its inputs placed, so place it
                continue
            if node in opened:            # a stale copy (pushed twice before it was opened)
                continue
            opened.add(node)              # first visit: put it back, a marker on top of it,
            stack.append(node)            # then its unopened inputs on top of the marker
            stack.append(_PLACE)
            b, a = node._b, node._a       # pushed second slot first, so the first is placed first
            if b is not None and b not in opened:
                if b is _MANY:            # a fused op (notebook 15) keeps all its inputs in _a
                    stack.extend(child for child in reversed(a) if child not in opened)
                    continue
                stack.append(b)
            if a is not None and a not in opened:
                stack.append(a)
        return order

    def _chain_rule_step(self):                                 # printed in notebooks 04, 06, 07
        """The chain-rule step at this node: input.grad += local derivative * self.grad."""
        if self._da is not None:          # None: no input here (a leaf), or nothing flows back
            self._a.grad += self._da * self.grad
        if self._db is not None:
            self._b.grad += self._db * self.grad

    def backward(self, check_finite=False):                     # printed in notebooks 04, 07
        """Fill in d(self)/d(node) for every node: the chain-rule step at each, output first.

        Grads *accumulate* (+=), as in micrograd: a second backward() without zeroing adds a
        second pass on top of the first (notebook 06). With check_finite=True, stop at the first
        node whose grad becomes inf or nan, and say where.
        """
        if check_finite:                  # the same pass, node by node, checking as it goes
            return _run_all(self.backward_steps(check_finite=True))
        order = self.topological_order()
        self.grad = 1.0                   # d(self)/d(self) = 1
        for node in reversed(order):      # every node after all the nodes that use it
            node._chain_rule_step()

    def backward_steps(self, check_finite=False):
        """backward(), one node at a time, for the stepper: see _backward_steps, below the lecture."""
        return _backward_steps(self, check_finite)

    # Below the lecture, this class gains the lecture's `_backward` and viz's `_module`.


_PLACE = object()  # topological_order's marker: the node under it is placed when it comes off
_MANY = object()   # in a node's _b slot: a fused op whose _a holds all its inputs (notebook 15)


# ----------------------------------------------------------------------------------------------
# Neural networks: the same classes, signatures and order of random draws as micrograd 0.1.0
# ----------------------------------------------------------------------------------------------

class Module:

    def zero_grad(self):                                        # printed in notebook 06
        """Reset the grads of the parameters. Other nodes are rebuilt by every forward pass."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self):
        return []


_ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "linear": None}


class Neuron(Module):
    """sum(w_i * x_i) + b, then an activation. Weights uniform in [-1, 1], bias 0, like micrograd.

    `nonlin=True` means ReLU, as in micrograd; `activation='tanh'` (or 'sigmoid', 'linear')
    picks another one, e.g. the tanh neuron of the lecture.
    """

    def __init__(self, nin, nonlin=True, activation=None):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin
        self.activation = activation or ("relu" if nonlin else "linear")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"Neuron: unknown activation {self.activation!r}; "
                             f"choose one of {sorted(_ACTIVATIONS)}.")
        self.name = "neuron"  # Layer and MLP rename it, e.g. 'L1 N3', for drawings
        self.layer = None     # the Layer it belongs to, if any

    def __call__(self, x):                                      # printed in notebook 09
        x = _inputs_of("Neuron", len(self.w), x)
        act = self.b
        for wi, xi in zip(self.w, x):  # b + w1*x1 + w2*x2 + ..., added in micrograd's order
            act = act + wi * xi
        fn = _ACTIVATIONS[self.activation]
        out = fn(act) if fn is not None else act
        out._module = self  # lets viz.draw_dot group the nodes of this neuron
        return out

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        kind = {"relu": "ReLU", "linear": "Linear"}.get(self.activation, self.activation.capitalize())
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):

    def __init__(self, nin, nout, **kwargs):                    # printed in notebook 10
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.name = "layer"
        for j, n in enumerate(self.neurons, start=1):
            n.layer = self
            n.name = f"N{j}"

    def __call__(self, x):                                      # printed in notebook 10
        x = _inputs_of("Layer", len(self.neurons[0].w) if self.neurons else len(x), x)
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of neurons. Like micrograd: ReLU in hidden layers, a linear output layer.

    `activation` changes the hidden layers' activation, `output_activation` the last layer's:
    the lecture's network is MLP(3, [4, 4, 1], activation='tanh', output_activation='tanh').
    """

    def __init__(self, nin, nouts, activation="relu", output_activation="linear"):
        self.nin = nin
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last,
                             activation=output_activation if i == last else activation)
                       for i in range(len(nouts))]
        for i, layer in enumerate(self.layers, start=1):
            layer.name = f"L{i}"
            for n in layer.neurons:
                n.name = f"L{i} {n.name}"

    def __call__(self, x):                                      # printed in notebook 10
        # A forward pass only builds new nodes. They never form reference cycles, so Python frees
        # them by reference counting, and its cyclic garbage collector has nothing to find among
        # them; left on, it would still scan the growing graph every 700 new objects and, every
        # few scans, every object of the program. So the collector is paused for the pass, and
        # then put back as it was (a collector the user turned off stays off, even if the pass
        # raises). The pause starts before the first line that could allocate anything, so that
        # a batch of forward passes runs back to back without a collection in between: the
        # collector then looks at the batch's graph once, after the last pass, instead of three
        # times. This is the engine's only touch of global state (README.md, "Benchmarks").
        was_on = gc.isenabled()
        gc.disable()
        try:
            x = _inputs_of("MLP", self.nin, x)
            for layer in self.layers:
                x = layer(x)
        finally:
            if was_on:
                gc.enable()
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# ==============================================================================================
# ==================================  the lecture ends here  ===================================
# ==============================================================================================
# What follows is what this engine adds to the lecture: the lecture's `_backward` spelling, the
# step-by-step pass for the stepper, the helpers for numbers and errors, gradient_check, and the
# fused many-input ops of notebook 15.


# ----------------------------------------------------------------------------------------------
# The lecture's spelling: `out._backward()` and `out._backward = a_closure`
# ----------------------------------------------------------------------------------------------

class _HandWritten(Value):
    """A node whose chain-rule step is a closure written the lecture's way, `out._backward = f`:
    f updates its inputs' grads itself. The closure sits in the _da slot; its local derivatives
    are unknown (the stepper observes what the closure added)."""
    __slots__ = ()

    def _chain_rule_step(self):
        self._da()


def _get_backward(node):
    """`out._backward()` takes this node's chain-rule step, nothing else (a leaf: nothing)."""
    return node._chain_rule_step


def _set_backward(node, fn):
    if not callable(fn):
        raise TypeError(f"_backward: expected a function that takes no arguments, got "
                        f"{type(fn).__name__} {fn!r} (for {_describe(node)}).")
    if node._b is _MANY:
        raise TypeError(f"_backward: the fused '{node._op}' node {_describe(node)} keeps its own "
                        f"local derivatives; write a hand-written closure on a node you built "
                        f"with Value(data, (a, b), op).")
    node.__class__ = _HandWritten   # same slots, another chain-rule step
    node._da, node._db = fn, None


Value._backward = property(_get_backward, _set_backward)


# ----------------------------------------------------------------------------------------------
# Which Neuron made a node, for drawings (viz.draw_dot boxes each neuron)
#
# Only a neuron's output has one, so it gets no slot of its own: the output's op name carries it.
# An _OpOfNeuron is a str ('tanh', 'ReLU', '+') that also knows its neuron; each neuron makes one
# per op name, once, so tagging an output costs no new object.
# ----------------------------------------------------------------------------------------------

class _OpOfNeuron(str):
    neuron = None


def _get_module(node):
    return getattr(node._op, "neuron", None)


def _set_module(node, neuron):
    op = str(node._op)
    if neuron is None or node._a is None:  # a leaf (a neuron with no inputs returns its bias)
        node._op = op
        return
    tags = neuron.__dict__.setdefault("_op_tags", {})
    tag = tags.get(op)
    if tag is None:
        tag = tags[op] = _OpOfNeuron(op)
        tag.neuron = neuron
    node._op = tag


Value._module = property(_get_module, _set_module)


# ----------------------------------------------------------------------------------------------
# The backward pass one node at a time, for the stepper (viz.BackpropStepper)
# ----------------------------------------------------------------------------------------------

class RuleError(RuntimeError):
    """A node's chain-rule step raised during backward_steps(); the grads are as before that step.
    (Only a hand-written `_backward` closure can raise: the engine's own ops never do.)"""


class SlotUpdate:
    """What one input slot received in one step: input.grad += local * upstream.

    `observed` is True for a hand-written closure: then `contribution` is after - before and
    `local` is contribution / upstream (None when the upstream is 0: any local derivative fits).
    """
    __slots__ = ("slot", "child", "local", "upstream", "contribution", "before", "after", "observed")

    def __init__(self, slot, child, local, upstream, contribution, before, after, observed=False):
        self.slot, self.child, self.local, self.upstream = slot, child, local, upstream
        self.contribution, self.before, self.after = contribution, before, after
        self.observed = observed

    def __repr__(self):
        name = _label_text(self.child) or f"input {self.slot}"
        local = "?" if self.local is None else f"{self.local:.4g}"
        return (f"SlotUpdate({name}: {local} x {self.upstream:.4g} = {self.contribution:.4g}, "
                f"grad {self.before:.4g} -> {self.after:.4g})")


class BackwardStep:
    """Step `position` of `n` of the backward pass: `node`'s chain-rule step passed `upstream` on.

    Step 0 is the seed (d out/d out = 1); steps 1..n take the chain-rule step at the n nodes that
    have inputs, from the output back to the leaves.
    """
    __slots__ = ("position", "n", "node", "upstream", "slots")

    def __init__(self, position, n, node, upstream, slots):
        self.position, self.n, self.node, self.upstream, self.slots = position, n, node, upstream, slots

    @property
    def is_seed(self):
        """The first step: d(out)/d(out) = 1, before any chain-rule step."""
        return self.position == 0

    def __repr__(self):
        name = _label_text(self.node) or self.node._op
        return (f"BackwardStep(step {self.position} of {self.n}, {name!r}, "
                f"upstream={self.upstream:.4g}, slots={list(self.slots)})")


def _run_all(steps):
    for _ in steps:
        pass


def _backward_steps(root, check_finite=False):
    """The same pass as root.backward(), as a generator: each next() takes one more node's
    chain-rule step on the real grads and returns a BackwardStep saying what happened. If a step
    raises, the grads are put back as they were before it and a RuleError says which node failed."""
    graph = root.topological_order()
    order = _step_order(graph)
    n = len(order)
    root.grad = 1.0  # d(root)/d(root)
    yield BackwardStep(0, n, root, 1.0, ())
    for k, node in enumerate(order, start=1):
        yield _traced_step(node, k, n, graph)
        if check_finite:
            _check_finite(node)


def _step_order(graph):
    """The nodes that take a chain-rule step, output first, from a topological order of the graph:
    every node with inputs (and a leaf given a hand-written `_backward`)."""
    return [node for node in reversed(graph) if node._a is not None or type(node) is _HandWritten]


def _traced_step(out, k, n, graph):
    """Take the chain-rule step at `out` (step k of n) and return it as a BackwardStep, with what
    each input slot received.

    The engine's own step runs on the real grads; the grads before and after are read around it.
    If the step raises (only a hand-written `_backward` can), or is interrupted (KeyboardInterrupt),
    every grad it touched is put back first; an error becomes a RuleError that names the node.
    A hand-written closure may only change its inputs' grads: the stepper shows and undoes those,
    so a closure that changes any other node's grad is refused (backward() still runs it).
    """
    children = out._prev
    before = [c.grad for c in children]
    hand_written = type(out) is _HandWritten
    everything = [(node, node.grad) for node in graph] if hand_written else ()
    try:
        out._chain_rule_step()
        if hand_written:
            _only_inputs_changed(out, children, everything, k, n)
    except BaseException as error:
        for node, grad in everything:
            node.grad = grad
        for child, grad in zip(children, before):
            child.grad = grad
        if isinstance(error, RuleError) or not isinstance(error, Exception):
            raise      # ours, or an interrupt: the grads are as before, the same step can run again
        raise RuleError(f"backward: step {k} of {n} failed: the hand-written _backward of the "
                        f"'{out._op}' node {_describe(out)} raised {_error_text(error)}. "
                        f"The grads are as they were before this step; fix the closure, then run "
                        f"the pass again.") from error
    if hand_written:
        slots = _slot_updates_observed(children, out.grad, before)
    else:
        local = out._da if out._b is _MANY else (out._da, out._db)
        slots = _slot_updates_of_locals(children, local, out.grad, before)
    return BackwardStep(k, n, out, out.grad, slots)


def _only_inputs_changed(out, children, everything, k, n):
    inputs = set(map(id, children))
    for node, grad in everything:
        if id(node) not in inputs and node.grad != grad and not (node.grad != node.grad and grad != grad):
            raise RuleError(
                f"backward: step {k} of {n}: the hand-written _backward of the '{out._op}' node "
                f"{_describe(out)} changed the grad of {_describe(node)}, which is not one of its "
                f"inputs. The stepper shows a step as what its node's inputs receive, so it cannot "
                f"show or undo that; the grads are as they were before this step. backward() runs "
                f"such a closure, but write it to update only the inputs it was built from.")


def _slot_updates_of_locals(children, local, upstream, before):
    updates, grads = [], dict(zip(map(id, children), before))  # a + a: both slots are one input
    for i, (child, d) in enumerate(zip(children, local)):
        was = grads[id(child)]
        contribution = 0.0 if d is None else d * upstream
        now = was if d is None else was + contribution  # the engine's numbers, to the bit
        grads[id(child)] = now
        updates.append(SlotUpdate(i, child, 0.0 if d is None else d, upstream, contribution, was, now))
    return tuple(updates)


def _slot_updates_observed(children, upstream, before):
    updates, seen = [], set()
    for i, (child, was) in enumerate(zip(children, before)):
        if id(child) in seen:   # the same input in two slots: its whole change is shown once
            continue
        seen.add(id(child))
        contribution = child.grad - was
        local = contribution / upstream if upstream != 0 else None
        updates.append(SlotUpdate(i, child, local, upstream, contribution, was, child.grad, observed=True))
    return tuple(updates)


def _check_finite(node):
    for child in node._prev:
        if not math.isfinite(child.grad):
            raise FloatingPointError(
                f"backward: the grad of {_describe(child)} became {child.grad} in the chain-rule "
                f"step of the '{node._op}' node {_describe(node)} (its grad: {node.grad}). "
                f"This is the first non-finite gradient; look for an overflow (exp of a large "
                f"number, a division by a tiny value) in the forward pass that made this node.")


# ----------------------------------------------------------------------------------------------
# Helpers: numbers with IEEE results, and errors written for humans
# ----------------------------------------------------------------------------------------------

def _label_text(v, limit=80):
    """A node's label as text: any object, shown with str(); None shows as ''. A label whose str()
    fails is named by its type, text a terminal cannot encode is escaped, and a long one is cut
    with an ellipsis, so that naming a node never raises and never floods a message."""
    label = v.label
    if label is None or type(label) is str and not label:
        return ""
    try:
        text = label if type(label) is str else str(label)
    except Exception as error:  # e.g. str(10**5000) raises ValueError; a broken __str__ raises
        text = f"<{type(label).__name__} label: str() failed with {type(error).__name__}>"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # lone surrogates: '\\ud800'
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _label_repr(v):
    """', label=...' for a Value's repr: the label's own repr, or its text where that repr fails
    or is long; '' for no label."""
    text = _label_text(v)
    if not text:
        return ""
    try:
        shown = repr(v.label)
    except Exception:  # e.g. repr(10**5000) raises ValueError
        shown = None
    return f", label={shown if shown is not None and len(shown) <= 82 else repr(text)}"


def _error_text(error):
    """'TypeError: message' for an exception, even one whose str() fails or never ends."""
    try:
        message = str(error)
    except Exception:
        message = "(its message could not be read)"
    if len(message) > 300:
        message = message[:299] + "\u2026"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _describe(v):
    """How an error message names a value: its label (if any) and its data."""
    if isinstance(v, Value):
        name = f"Value {_label_text(v)!r}" if _label_text(v) else "an unlabelled Value"
        return f"{name} (data={v.data!r})"
    return f"{type(v).__name__} {v!r}"


def _is_numpy_bool(x):
    """numpy's booleans are not numbers.Real, but they count as booleans, like True and False."""
    return type(x).__module__ == "numpy" and type(x).__name__ in ("bool", "bool_")


def _operand(self, other, op):
    """The other side of a binary op as a Value (a number becomes a leaf), or why it cannot be one."""
    if isinstance(other, Value):
        return other
    if isinstance(other, numbers.Real) or _is_numpy_bool(other):
        return Value(other)
    raise TypeError(
        f"'{op}': cannot combine {_describe(self)} with {type(other).__name__} {other!r}. "
        f"Use a number (int or float) or a Value on the other side of '{op}'.")


def _as_float(data, label=""):
    """Check that `data` is a real number and return it as a float; explain otherwise."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real) or _is_numpy_bool(data):  # int, bool, numpy scalars ...
        return float(data)
    where = f" (label {str(label)!r})" if label is not None and str(label) else ""
    hint = ""
    if isinstance(data, str):
        hint = f" If the text is a number, convert it first: Value(float({data!r}))."
    elif isinstance(data, numbers.Complex):
        hint = " Complex numbers are not supported: use the real part, e.g. Value(z.real)."
    elif isinstance(data, (list, tuple)):
        hint = " A Value holds one number: make one Value per element, e.g. [Value(x) for x in xs]."
    elif data is None:
        hint = " Give it a number, e.g. Value(0.0)."
    raise TypeError(f"Value(): data must be a real number, got {type(data).__name__} {data!r}{where}.{hint}")


def _two_inputs(children, op):
    """The (a, b) slots of a node built by hand, Value(data, (a, b), op), as in the lecture."""
    children = tuple(children)
    if len(children) > 2 or not all(isinstance(c, Value) for c in children):
        raise TypeError(
            f"Value(): _children must be up to two Values (the inputs of op {op!r}), got {children!r}. "
            f"Build an op with more inputs from binary ones, e.g. (a + b) + c.")
    return (children + (None, None))[:2]


def _exponent(exponent, base, op):
    """A fixed exponent as a number: ints stay ints (exact powers), other reals become floats."""
    if _is_numpy_bool(exponent):
        return int(exponent)
    if not isinstance(exponent, numbers.Real):
        raise TypeError(
            f"'{op}': the exponent must be a number or a Value, got {type(exponent).__name__} "
            f"{exponent!r} (base: {_describe(base)}).")
    return int(exponent) if isinstance(exponent, numbers.Integral) else float(exponent)


def _exponent_text(n):
    """How a node's _op shows its exponent: '**2', '**0.5'; a huge integer is abbreviated."""
    if isinstance(n, int) and abs(n) >= 10 ** 15:  # 10**400 has 401 digits: show about 1e400
        return f"{'-' if n < 0 else ''}~1e{int(math.log10(abs(n)))}"
    return f"{n}"


def _real_pow(base, exponent):
    """base ** exponent as a float, with IEEE results (inf) instead of Python's OverflowError.

    Integer exponents too large for a float stay exact: 1 ** 10**400 = 1, 0.5 ** 10**400 = 0,
    (-1) ** 10**400 = 1 (the sign follows the parity of the exponent).
    """
    try:
        return base ** exponent
    except OverflowError:  # the exponent does not fit a float, or the result is too large for one
        if base != base:
            return math.nan
        size = abs(base)
        if size == 1:
            size = 1.0
        elif (size > 1) == (exponent > 0):
            size = math.inf
        else:
            size = 0.0
        odd = exponent % 2 == 1 if isinstance(exponent, int) else exponent.is_integer() and exponent % 2 == 1
        return -size if base < 0 and odd else size
    except ZeroDivisionError:  # 0.0 ** negative, reached only through a derivative (see _power)
        return math.inf


def _scaled(n, x):
    """n * x for a float x and any exponent n, even an integer too large to become a float."""
    try:
        return n * x
    except OverflowError:
        return 0.0 if x == 0 else math.copysign(math.inf, x) * (1 if n > 0 else -1)


def _exp(x):
    """math.exp, but inf on overflow (as in NumPy and PyTorch) instead of an exception."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _check_power_domain(base, n, op):
    """Refuse the powers with no real answer instead of returning a complex number."""
    fractional = not isinstance(n, int) and not n.is_integer()
    if base.data < 0 and fractional:
        raise ValueError(
            f"'{op}': a negative base to a fractional power has no real value: "
            f"{_describe(base)} ** {n}. Use an integer exponent, or make the base positive "
            f"(e.g. abs or x ** 2 first).")
    if base.data == 0 and n < 0:
        what = f"division by zero: the divisor is {_describe(base)}" if op == "/" else \
            f"0 ** {n} is a division by zero (base: {_describe(base)})"
        raise ZeroDivisionError(
            f"'{op}': {what}. Check what produced that zero, or keep it away from zero "
            f"(e.g. add a small epsilon).")


def _reciprocal(b):
    """b ** -1 for a division, refused where the composed form a * b**-1 cannot hold its numbers.

    For |b| below about 1e-154, b**-1 or its local derivative -b**-2 overflows a float, and the
    composition would give inf or nan where a / b itself is finite (1e-300 / 1e-310 is 1e10, but
    1e-310 ** -1 is inf). The engine divides the way notebook 08 teaches, so it says so instead.
    """
    out = b._power(-1, "/")
    if not (math.isfinite(out.data) and math.isfinite(out._da)) and math.isfinite(b.data):
        raise OverflowError(
            f"'/': the divisor {_describe(b)} is too close to 0 for a / b = a * b**-1: 1/b or its "
            f"local derivative -1/b**2 overflows a float (the range ends near |b| = 1e-154). "
            f"Rescale the numbers (for example divide both a and b by the same power of 10), or "
            f"keep b away from 0.")
    return out


def _check_value_exponent(base, exponent, op):
    if base.data < 0 or (base.data == 0 and exponent.data <= 0):
        raise ValueError(
            f"'{op}': with a Value exponent ({_describe(exponent)}) the base must be positive "
            f"(its gradient needs log(base)), got {_describe(base)}. "
            f"For a fixed exponent, use a plain number: x ** 2.")


def _check_log_domain(x):
    if not x.data > 0:
        raise ValueError(
            f"log: the input must be positive, got {_describe(x)}. "
            f"log(x) is undefined for x <= 0; check what produced this value, "
            f"or add a small positive constant (e.g. (x + 1e-9).log()).")


def _inputs_of(kind, expected, x):
    """The inputs of a Neuron, Layer or MLP as a sequence, after checking that there are `expected`."""
    if type(x) is not list and type(x) is not tuple:  # the usual case costs two quick checks
        if isinstance(x, (Value, numbers.Real)):
            raise TypeError(f"{kind}: give it a list of {expected} inputs, got one {type(x).__name__} "
                            f"{x!r}. For a single input, use a list: [x].")
        x = list(x)
    if len(x) != expected:
        raise ValueError(f"{kind}: it takes {expected} inputs (each neuron has one weight per input), "
                         f"got {len(x)}. Pass a list of exactly {expected} numbers or Values: an extra "
                         f"input would be silently ignored, a missing one would leave a weight unused.")
    return x


# ----------------------------------------------------------------------------------------------
# Checking gradients with finite differences
# ----------------------------------------------------------------------------------------------

class GradientReport:
    """Analytic grads (from backward) next to numeric ones (symmetric differences), per input."""

    def __init__(self, rows, tolerance):
        self.rows = rows  # list of dicts: name, analytic, numeric, abs_error, ok
        self.tolerance = tolerance

    @property
    def ok(self):
        return all(r["ok"] for r in self.rows)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        lines = [f"{'input':<10} {'backward':>12} {'numeric':>12} {'abs error':>10}  ok"]
        for r in self.rows:
            lines.append(f"{r['name']:<10} {r['analytic']:>12.4f} {r['numeric']:>12.4f} "
                         f"{r['abs_error']:>10.1e}  {'yes' if r['ok'] else 'NO'}")
        lines.append("all gradients agree" if self.ok else
                     f"some gradients differ by more than {self.tolerance:g}")
        return "\n".join(lines)


def gradient_check(f, inputs, h=1e-6, tolerance=1e-4):
    """Compare backward() with (f(x+h) - f(x-h)) / 2h for each input Value.

    `f` takes no arguments and rebuilds the expression from the `inputs` (leaf Values), e.g.
    `gradient_check(lambda: a * b + c, [a, b, c])`. The inputs' data is nudged in place and restored.
    """
    for v in inputs:
        v.grad = 0.0
    out = f()
    out.backward()
    rows = []
    for i, v in enumerate(inputs):
        x = v.data
        try:
            v.data = x + h
            up = f().data
            v.data = x - h
            down = f().data
        finally:  # even if f raises, the input gets its own data back
            v.data = x
        numeric = (up - down) / (2 * h)
        err = abs(v.grad - numeric)
        scale = max(1.0, abs(numeric))
        rows.append({"name": _label_text(v) or f"input {i}", "analytic": v.grad, "numeric": numeric,
                     "abs_error": err, "ok": err <= tolerance * scale})
    return GradientReport(rows, tolerance)


# ----------------------------------------------------------------------------------------------
# Fused many-input ops (notebook 15, a character-level language model)
#
# A scalar engine pays per node. A neuron's w . x + b built from + and * costs 2n nodes, and a
# cross-entropy over 27 logits about a hundred more. Each function below makes ONE node with many
# inputs instead, with the same value and the same grads as the composed version (see
# tests/test_engine_many_inputs.py). Frameworks fuse the same way (PyTorch's cross_entropy is one op).
# Such a node keeps its inputs as a tuple in _a (with _MANY in _b) and its local derivatives, one
# per input, as a tuple in _da.
# ----------------------------------------------------------------------------------------------

class _ManyInputs(Value):
    """A node with many inputs: the chain-rule step, once per input."""
    __slots__ = ()

    def _chain_rule_step(self):                                 # printed in notebook 15
        for child, local in zip(self._a, self._da):  # input.grad += local derivative * out.grad
            child.grad += local * self.grad


def _many_node(data, inputs, op, locals_):
    out = _node(data, tuple(inputs), _MANY, op, tuple(locals_), None)
    out.__class__ = _ManyInputs
    return out


def weighted_sum(weights, inputs, bias=0.0):                    # printed in notebook 15
    """sum(w_i * x_i) + bias as one node. Inputs: the weights, then the xs, then the bias."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights for {len(inputs)} inputs; give one "
                         f"weight per input.")
    ws = [_as_value(w, "weighted_sum") for w in weights]
    xs = [_as_value(x, "weighted_sum") for x in inputs]
    b = _as_value(bias, "weighted_sum")
    total = 0.0
    for w, x in zip(ws, xs):   # left to right, like a + b + c: sum() of floats
        total += w.data * x.data  # rounds differently from Python 3.12 on
    total += b.data
    return _many_node(total, ws + xs + [b], "w.x+b",
                      [x.data for x in xs]      # d(w.x + b)/dw_i = x_i
                      + [w.data for w in ws]    # d(w.x + b)/dx_i = w_i
                      + [1.0])                  # d(w.x + b)/db = 1


def cross_entropy(logits, target):                              # printed in notebook 15
    """-log(softmax(logits)[target]) as one node; its local derivatives are p - y, one per logit.

    Computed as log-sum-exp with the largest logit taken out first, so that no exp overflows.
    """
    logits = [_as_value(v, "cross_entropy") for v in logits]
    if not logits:
        raise ValueError("cross_entropy: no logits; give one score per class.")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: the target must be the index of a class, 0 to {len(logits) - 1}, "
                         f"got {target!r}.")
    target = int(target)
    biggest = max(v.data for v in logits)
    shifted = [v.data - biggest for v in logits]  # <= 0: no exp overflows, and the loss below
    total = 0.0                                     # never adds a small number to a huge one
    for z in shifted:  # left to right, the same on every Python (see weighted_sum)
        total += math.exp(z)
    loss = math.log(total) - shifted[target]       # -log(e**z_t / sum(e**z_i)), shifted
    return _many_node(loss, logits, "cross-entropy",
                      [math.exp(z) / total - (1.0 if i == target else 0.0)  # d(loss)/d(logit_i)
                       for i, z in enumerate(shifted)])                     # = p_i - y_i


def linear(W, x):
    """W x for a matrix W (a list of rows) and a vector x: one node per row, sum(w_i * x_i), no bias.

    The same nodes as weighted_sum(row, x) without its bias, for a whole matrix at once: x is checked
    once per call instead of once per row, which is most of the cost of a GPT's projections
    (notebook 17). Inputs of each node: the row's weights, then the xs.
    """
    xs = [_as_value(v, "linear") for v in x]
    data = [v.data for v in xs]
    out = []
    for row in W:
        ws = [w if type(w) is Value else _as_value(w, "linear") for w in row]  # parameters: leaves
        if len(ws) != len(xs):
            raise ValueError(f"linear: a row of {len(ws)} weights for {len(xs)} inputs; every row of W "
                             f"needs one weight per input.")
        total = 0.0
        for w, xd in zip(ws, data):   # left to right, the same on every Python (see weighted_sum)
            total += w.data * xd
        out.append(_many_node(total, ws + xs, "w.x",
                              data                        # d(w.x)/dw_i = x_i
                              + [w.data for w in ws]))    # d(w.x)/dx_i = w_i
    return out


def _as_value(v, op):
    """A Value as it is, a number as a new leaf; anything else explained."""
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return Value(v)
    raise TypeError(f"{op}: every input must be a Value or a number, got {type(v).__name__} {v!r}.")
