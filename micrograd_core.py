"""micrograd_core: a tiny scalar autograd engine, written to be read top to bottom.

A `Value` wraps one number. Every arithmetic operation on Values returns a new Value that remembers
its inputs (`_prev`, an ordered tuple with one entry per argument slot), the operation that made it
(`_op`) and a *backward rule*: a small function that, given the output node, adds the output's
gradient times each local derivative into the inputs' `.grad` (the chain rule, one node at a time).
`backward()` visits the nodes from the output back to the leaves in topological order and runs
each rule once.

Every operation below has the same four beats:

    1. compute `out` from the inputs' data,
    2. write down the rule `_backward`: for each input slot, `input.grad += local * out.grad`,
    3. attach the rule to `out`,
    4. return `out`.

Derived operations (subtraction, division, negation, ...) are one-liners built from the primitives,
so they need no rule of their own.

What this file adds to micrograd 0.1.0, whose API it keeps:
- labels, more ops (log, sigmoid, Value exponents), clear errors for bad input;
- no recursion limit (the topological sort is iterative) and deterministic results (tuples, never sets);
- `backward_steps()`: the same backward pass, one node at a time, with the chain-rule arithmetic of
  every step, for teaching (`viz.BackpropStepper` is built on it);
- speed and memory: `__slots__`, and rules that take the output node as an argument instead of
  closing over it, so a node and its rule never form a reference cycle and most ops share one
  function instead of allocating a fresh closure per node (see README.md for the measurements).
"""

import math
import numbers
import random

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "BackwardStep", "SlotUpdate",
           "gradient_check", "GradientReport"]


# ----------------------------------------------------------------------------------------------
# The Value class
# ----------------------------------------------------------------------------------------------

class Value:
    """One scalar in a computation graph: its data, its gradient, and how it was made."""

    # __slots__: no per-object __dict__, so a node is small and its attributes are fast to read.
    __slots__ = ("data", "grad", "label", "_prev", "_op", "_rule", "_module")

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data if type(data) is float else _as_float(data, label)
        self.grad = 0.0
        self.label = label
        # Ordered, one entry per argument slot (a + a has two); a tuple, never a set.
        self._prev = _children if type(_children) is tuple else tuple(_children)
        self._op = _op
        self._rule = None              # the backward rule; None for a leaf
        self._module = None            # the Neuron whose output this is (set by Neuron, for drawing)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    # The lecture's style: `out._backward()` runs this node's rule; `out._backward = f` sets one.
    @property
    def _backward(self):
        rule = self._rule
        if rule is None:
            return _no_rule
        return lambda: rule(self)

    @_backward.setter
    def _backward(self, fn):
        # A hand-written closure from the lecture takes no argument: it already knows `out`.
        self._rule = lambda out: fn()

    def _operand(self, other, op):
        """Turn the other side of a binary op into a Value, or explain why it cannot be one."""
        if isinstance(other, Value):
            return other
        if isinstance(other, numbers.Real):
            return Value(other)
        raise TypeError(
            f"'{op}': cannot combine {_describe(self)} with {type(other).__name__} {other!r}. "
            f"Use a number (int or float) or a Value on the other side of '{op}'.")

    # ------------------------------------------------------------------------------------------
    # Primitive operations: each has its own backward rule.
    # ------------------------------------------------------------------------------------------

    # The hot paths check `isinstance` inline and call _operand only for numbers and mistakes.

    def __add__(self, other):
        other = other if isinstance(other, Value) else self._operand(other, "+")
        out = Value(self.data + other.data, (self, other), "+")
        out._rule = _add_backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else self._operand(other, "*")
        out = Value(self.data * other.data, (self, other), "*")
        out._rule = _mul_backward
        return out

    def __pow__(self, exponent):
        return self._power(exponent, "**")

    def _power(self, exponent, op):
        if isinstance(exponent, Value):
            return self._power_of_value(exponent, op)
        if not isinstance(exponent, numbers.Real):
            raise TypeError(
                f"'{op}': the exponent must be a number or a Value, got {type(exponent).__name__} "
                f"{exponent!r} (base: {_describe(self)}).")
        n = float(exponent) if not isinstance(exponent, int) else exponent
        _check_power_domain(self, n, op)
        out = Value(_real_pow(self.data, n), (self,), f"**{exponent}")

        # The exponent is a plain number, not a node, so this one rule closes over it.
        def _backward(out):
            (a,) = out._prev
            a.grad += n * _real_pow(a.data, n - 1) * out.grad
        out._rule = _backward
        return out

    def _power_of_value(self, exponent, op):
        if self.data < 0 or (self.data == 0 and exponent.data <= 0):
            raise ValueError(
                f"'{op}': with a Value exponent ({_describe(exponent)}) the base must be positive "
                f"(its gradient needs log(base)), got {_describe(self)}. "
                f"For a fixed exponent, use a plain number: x ** 2.")
        out = Value(_real_pow(self.data, exponent.data), (self, exponent), "**")
        out._rule = _pow_value_backward
        return out

    def exp(self):
        out = Value(_exp(self.data), (self,), "exp")
        out._rule = _exp_backward
        return out

    def log(self):
        if not self.data > 0:
            raise ValueError(
                f"log: the input must be positive, got {_describe(self)}. "
                f"log(x) is undefined for x <= 0; check what produced this value, "
                f"or add a small positive constant (e.g. (x + 1e-9).log()).")
        out = Value(math.log(self.data), (self,), "log")
        out._rule = _log_backward
        return out

    def tanh(self):
        # math.tanh is exact and never overflows (tanh(1000) == 1.0); the textbook formula
        # (e^2x - 1) / (e^2x + 1) turns into inf / inf = nan for large x. See notebook 08.
        out = Value(math.tanh(self.data), (self,), "tanh")
        out._rule = _tanh_backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,), "ReLU")
        out._rule = _relu_backward
        return out

    def sigmoid(self):
        x = self.data
        # Two algebraically equal forms; each one only ever calls exp of a non-positive number,
        # so neither can overflow.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = Value(s, (self,), "sigmoid")
        out._rule = _sigmoid_backward
        return out

    # ------------------------------------------------------------------------------------------
    # Derived operations: one-liners over the primitives, so they need no backward rule.
    # ------------------------------------------------------------------------------------------

    def __neg__(self):                # -self
        return self * -1

    def __sub__(self, other):         # self - other
        return self + (-self._operand(other, "-"))

    def __truediv__(self, other):     # self / other
        return self * self._operand(other, "/")._power(-1, "/")

    def __radd__(self, other):        # other + self
        return self._operand(other, "+") + self

    def __rsub__(self, other):        # other - self
        return self._operand(other, "-") + (-self)

    def __rmul__(self, other):        # other * self
        return self._operand(other, "*") * self

    def __rtruediv__(self, other):    # other / self
        return self._operand(other, "/") * self._power(-1, "/")

    def __rpow__(self, other):        # other ** self
        return self._operand(other, "**")._power(self, "**")

    # ------------------------------------------------------------------------------------------
    # Backpropagation
    # ------------------------------------------------------------------------------------------

    def topological_order(self):
        """Every node this one depends on, each after all of its inputs (leaves first, self last).

        An explicit stack instead of recursion, so a chain of a million ops works. Children are
        visited in slot order, so the order is the same in every run.
        """
        order, opened, placed = [], set(), set()
        stack = [self]
        while stack:
            node = stack.pop()
            if node not in opened:        # first visit: come back to it after its inputs
                opened.add(node)
                stack.append(node)
                for child in reversed(node._prev):  # reversed, so the first slot is placed first
                    if child not in opened:
                        stack.append(child)
            elif node not in placed:      # second visit: all its inputs are placed, so place it
                placed.add(node)
                order.append(node)
        return order

    def backward(self, check_finite=False):
        """Fill in d(self)/d(node) for every node, by the chain rule, from self back to the leaves.

        Gradients *accumulate* (+=), exactly as in micrograd: calling backward() again without
        zeroing adds a second pass on top of the first. This node's grad is set to 1 each time, so
        the grads of its direct inputs double; deeper grads grow faster, because the intermediate
        nodes' grads accumulated too. (PyTorch keeps no intermediate grads, so its leaves double.)
        With check_finite=True, stop at the first node whose grad becomes inf or nan and say where.
        """
        for _ in self._backprop(trace=False, check_finite=check_finite):
            pass

    def backward_steps(self, check_finite=False):
        """The same backward pass as backward(), one node at a time, with its arithmetic.

        A generator: each next() applies one more node's rule to the real grads and returns a
        BackwardStep saying what happened. The first step seeds this node's grad with 1.
        """
        return self._backprop(trace=True, check_finite=check_finite)

    def _backprop(self, trace, check_finite):
        # The one implementation of the backward pass; backward() and backward_steps() share it.
        order = self.topological_order()
        self.grad = 1.0  # d(self)/d(self)
        yield BackwardStep(0, self, 1.0, ()) if trace else None
        position = 0
        for node in reversed(order):
            if node._rule is None:  # a leaf: nothing to pass on
                continue
            position += 1
            if trace:
                step = BackwardStep(position, node, node.grad, _traced_rule(node))
            else:
                node._rule(node)
                step = None
            if check_finite:
                _check_finite(node)
            yield step


def _no_rule():
    """The `_backward` of a leaf: it has no inputs, so there is nothing to do."""


# ----------------------------------------------------------------------------------------------
# The backward rules. Each reads `input.grad += local derivative * out.grad`, one line per slot.
# They take the output node as an argument (instead of capturing it in a closure), so they can be
# shared by every node of the same op and never keep a node alive through a reference cycle.
# ----------------------------------------------------------------------------------------------

def _add_backward(out):
    a, b = out._prev
    a.grad += out.grad           # d(a+b)/da = 1
    b.grad += out.grad           # d(a+b)/db = 1


def _mul_backward(out):
    a, b = out._prev
    a.grad += b.data * out.grad  # d(a*b)/da = b
    b.grad += a.data * out.grad  # d(a*b)/db = a


def _pow_value_backward(out):
    a, b = out._prev
    a.grad += b.data * _real_pow(a.data, b.data - 1) * out.grad  # d(a**b)/da = b * a**(b-1)
    # d(a**b)/db = log(a) * a**b; at a == 0 (only reached with b > 0) a**b is flat in b: 0
    b.grad += (math.log(a.data) * out.data if a.data > 0 else 0.0) * out.grad


def _exp_backward(out):
    (a,) = out._prev
    a.grad += out.data * out.grad  # d(e^a)/da = e^a, which is out.data: no need to recompute it


def _log_backward(out):
    (a,) = out._prev
    a.grad += (1.0 / a.data) * out.grad  # d(log a)/da = 1/a


def _tanh_backward(out):
    (a,) = out._prev
    a.grad += (1.0 - out.data ** 2) * out.grad  # d(tanh a)/da = 1 - tanh(a)^2


def _relu_backward(out):
    (a,) = out._prev
    a.grad += (1.0 if out.data > 0 else 0.0) * out.grad  # slope 1 where a > 0, else 0


def _sigmoid_backward(out):
    (a,) = out._prev
    a.grad += out.data * (1.0 - out.data) * out.grad  # d(s(a))/da = s(a) * (1 - s(a))


# ----------------------------------------------------------------------------------------------
# Helpers: numbers with IEEE results, and errors written for humans
# ----------------------------------------------------------------------------------------------

def _describe(v):
    """How an error message names a value: its label (if any) and its data."""
    if isinstance(v, Value):
        name = f"Value {v.label!r}" if v.label else "an unlabelled Value"
        return f"{name} (data={v.data!r})"
    return f"{type(v).__name__} {v!r}"


def _as_float(data, label=""):
    """Check that `data` is a real number and return it as a float; explain otherwise."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real):  # int, bool, fractions, numpy scalars ...
        return float(data)
    where = f" (label {label!r})" if label else ""
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


def _real_pow(base, exponent):
    """base ** exponent as a float, with IEEE results (inf) instead of Python's OverflowError."""
    try:
        return base ** exponent
    except OverflowError:
        return math.inf if base > 0 or float(exponent).is_integer() and exponent % 2 == 0 else -math.inf
    except ZeroDivisionError:  # 0.0 ** negative, reached only through a derivative (see __pow__)
        return math.inf


def _exp(x):
    """math.exp, but inf on overflow (as in NumPy and PyTorch) instead of an exception."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _check_power_domain(base, n, op):
    """Refuse the powers with no real answer instead of returning a complex number."""
    if base.data < 0 and not float(n).is_integer():
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


def _check_finite(node):
    for child in node._prev:
        if not math.isfinite(child.grad):
            raise FloatingPointError(
                f"backward: the grad of {_describe(child)} became {child.grad} while applying the "
                f"rule of the '{node._op}' node {_describe(node)} (its grad: {node.grad}). "
                f"This is the first non-finite gradient; look for an overflow (exp of a large "
                f"number, a division by a tiny value) in the forward pass that made this node.")


# ----------------------------------------------------------------------------------------------
# Watching a rule run, for backward_steps(). The rule itself is the ordinary one: we only hand it
# an `out.grad` that notes each `local * out.grad` it is multiplied by, and each `input.grad += ...`
# that follows, so the numbers shown are the very numbers the engine computes.
# ----------------------------------------------------------------------------------------------

class SlotUpdate:
    """What one input slot received in one step: input.grad += local * upstream."""
    __slots__ = ("slot", "child", "local", "upstream", "contribution", "before", "after")

    def __init__(self, slot, child, local, upstream, contribution, before, after):
        self.slot, self.child, self.local, self.upstream = slot, child, local, upstream
        self.contribution, self.before, self.after = contribution, before, after

    def __repr__(self):
        name = self.child.label or f"input {self.slot}"
        return (f"SlotUpdate({name}: {self.local:.4g} x {self.upstream:.4g} = {self.contribution:.4g}, "
                f"grad {self.before:.4g} -> {self.after:.4g})")


class BackwardStep:
    """One step of the backward pass: `node`'s rule passed `upstream` to each input slot."""
    __slots__ = ("position", "node", "upstream", "slots")

    def __init__(self, position, node, upstream, slots):
        self.position, self.node, self.upstream, self.slots = position, node, upstream, slots

    @property
    def is_seed(self):
        """The first step: d(out)/d(out) = 1, before any rule runs."""
        return self.position == 0

    def __repr__(self):
        name = self.node.label or self.node._op
        return f"BackwardStep({self.position}, {name!r}, upstream={self.upstream:.4g}, slots={list(self.slots)})"


class _Upstream(float):
    """out.grad while a traced rule runs: a float that notes the local derivative it meets."""
    __slots__ = ("notes",)

    def __rmul__(self, local):       # local * out.grad
        return _Contribution.make(float(local) * float(self), float(local), self.notes)

    __mul__ = __rmul__               # out.grad * local

    def __radd__(self, before):      # input.grad += out.grad   (local derivative 1)
        return _Contribution.make(float(self), 1.0, self.notes).__radd__(before)


class _Contribution(float):
    """local * out.grad on its way into an input's grad: notes the += when it happens."""
    __slots__ = ("local", "notes")

    @staticmethod
    def make(value, local, notes):
        c = _Contribution(value)
        c.local, c.notes = local, notes
        return c

    def __radd__(self, before):      # input.grad += contribution
        after = float(before) + float(self)
        self.notes.append((self.local, float(self), float(before), after))
        return after


def _traced_rule(node):
    notes = []
    upstream = _Upstream(node.grad)
    upstream.notes = notes
    node.grad = upstream
    try:
        node._rule(node)
    finally:
        node.grad = float(upstream)
    if len(notes) != len(node._prev):
        raise RuntimeError(
            f"backward_steps: the rule of the '{node._op}' node {_describe(node)} made {len(notes)} "
            f"updates for {len(node._prev)} input slots. Write each rule as one line per slot: "
            f"`input.grad += local * out.grad`.")
    return tuple(SlotUpdate(i, child, local, node.grad, contribution, before, after)
                 for i, (child, (local, contribution, before, after)) in enumerate(zip(node._prev, notes)))


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
        v.data = x + h
        up = f().data
        v.data = x - h
        down = f().data
        v.data = x
        numeric = (up - down) / (2 * h)
        err = abs(v.grad - numeric)
        scale = max(1.0, abs(numeric))
        rows.append({"name": v.label or f"input {i}", "analytic": v.grad, "numeric": numeric,
                     "abs_error": err, "ok": err <= tolerance * scale})
    return GradientReport(rows, tolerance)


# ----------------------------------------------------------------------------------------------
# Neural networks on top: the same classes, signatures and order of random draws as micrograd 0.1.0
# ----------------------------------------------------------------------------------------------

class Module:

    def zero_grad(self):
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

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
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

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.name = "layer"
        for j, n in enumerate(self.neurons, start=1):
            n.layer = self
            n.name = f"N{j}"

    def __call__(self, x):
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
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last,
                             activation=output_activation if i == last else activation)
                       for i in range(len(nouts))]
        for i, layer in enumerate(self.layers, start=1):
            layer.name = f"L{i}"
            for n in layer.neurons:
                n.name = f"L{i} {n.name}"

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# ----------------------------------------------------------------------------------------------
# Many-input operations (added for notebook 15, a character-level language model)
#
# A scalar engine pays per node. A neuron's w . x + b built from + and * costs 2n nodes, and a
# cross-entropy over 27 logits about a hundred more. Each function below makes ONE node with many
# input slots instead, with the same value and the same gradients as the composed version (see
# tests/test_engine_many_inputs.py). Frameworks fuse the same way (PyTorch's cross_entropy is one op).
# ----------------------------------------------------------------------------------------------

__all__ += ["weighted_sum", "cross_entropy"]


def weighted_sum(weights, inputs, bias=0.0):
    """sum(w_i * x_i) + bias as one node. Slots: the weights, then the inputs, then the bias."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights for {len(inputs)} inputs; give one "
                         f"weight per input.")
    slots = [_as_value(v, "weighted_sum") for v in weights + inputs + [bias]]
    n = len(weights)
    total = sum(w.data * x.data for w, x in zip(slots[:n], slots[n:2 * n])) + slots[-1].data
    out = Value(total, tuple(slots), "w.x+b")
    out._rule = _weighted_sum_backward
    return out


def _weighted_sum_backward(out):
    slots = out._prev
    n = (len(slots) - 1) // 2
    ws, xs, b = slots[:n], slots[n:2 * n], slots[-1]
    for w, x in zip(ws, xs):
        w.grad += x.data * out.grad   # d(w.x + b)/dw_i = x_i
    for w, x in zip(ws, xs):
        x.grad += w.data * out.grad   # d(w.x + b)/dx_i = w_i
    b.grad += out.grad                # d(w.x + b)/db = 1


def cross_entropy(logits, target):
    """-log(softmax(logits)[target]) as one node; its rule is p - y, one line per logit.

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
    log_norm = math.log(sum(math.exp(v.data - biggest) for v in logits)) + biggest
    out = Value(log_norm - logits[target].data, tuple(logits), "cross-entropy")

    # The target is a plain number, not a node, so this rule closes over it (as __pow__ does).
    def _backward(out):
        log_norm = out.data + out._prev[target].data          # log-sum-exp, recovered from out
        for i, v in enumerate(out._prev):
            p = math.exp(v.data - log_norm)                   # softmax probability of class i
            v.grad += (p - (1.0 if i == target else 0.0)) * out.grad
    out._rule = _backward
    return out


def _as_value(v, op):
    """A Value as it is, a number as a new leaf; anything else explained."""
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return Value(v)
    raise TypeError(f"{op}: every input must be a Value or a number, got {type(v).__name__} {v!r}.")
