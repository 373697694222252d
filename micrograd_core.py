"""micrograd_core: a tiny scalar autograd engine, written to be read top to bottom.

A `Value` wraps one number. Every arithmetic operation on Values returns a new Value that remembers
its inputs (`_prev`: the ordered inputs, one entry per argument slot), the operation that made it
(`_op`) and its *local derivatives*: how much the output moves per unit move of each input,
d(out)/d(input). Every operation below has the same beats, side by side:

    1. the forward value, computed from the inputs' data            out = a * b
    2. the local derivatives, one per input, with their math         d(a*b)/da = b,  d(a*b)/db = a

The chain rule is written once, in `backward()`: it visits the nodes from the output back to the
leaves, in topological order, and for each input of each node adds

    input.grad += local derivative * out.grad

`backward_steps()` makes the same pass one node at a time and reports that arithmetic for every
input slot (`viz.BackpropStepper` is built on it); both read the very same local derivatives.
Derived operations (subtraction, division, negation, ...) are one-liners built from the primitives,
so they need no local derivatives of their own.

What this file adds to micrograd 0.1.0, whose API it keeps (including the lecture's
`out._backward()` and `out._backward = a_closure`):
- labels, more ops (log, sigmoid, Value exponents), clear errors for bad input, PyTorch's answers
  at the edges (ReLU masks, x**0, exact integer powers);
- no recursion limit (the topological sort is iterative) and deterministic results (tuples, never sets);
- `backward_steps()`, for teaching;
- speed and memory, from a few measured choices (README.md has the numbers): a node holds its two
  inputs in two slots of its own (no tuple per node), the local derivatives are computed by one
  shared function per op when backward() needs them (nothing stored per node), and nothing refers
  back from an input to its output, so a graph is freed as soon as it is dropped, without waiting
  for Python's cyclic garbage collector. (micrograd's per-node closures form reference cycles: most
  of its time goes to that collector.)
"""

import gc
import math
import numbers
import random

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP", "BackwardStep", "SlotUpdate", "RuleError",
           "gradient_check", "GradientReport"]


# ----------------------------------------------------------------------------------------------
# The Value class
# ----------------------------------------------------------------------------------------------

class Value:
    """One scalar in a computation graph: its data, its gradient, and how it was made."""

    # __slots__: no per-object __dict__, so a node is small and its attributes are fast to read.
    # Seven slots, no more: the inputs sit in two slots (_a, _b) instead of a tuple, which halves
    # the objects Python's garbage collector tracks per node.
    __slots__ = ("data", "grad", "label", "_a", "_b", "_op", "_rule")

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data if type(data) is float else _as_float(data, label)
        self.grad = 0.0
        self.label = label
        self._a, self._b = _two_inputs(_children, _op) if _children else (None, None)
        self._op = _op
        self._rule = None  # the function that gives this node's local derivatives; None for a leaf

    def __repr__(self):
        label = f", label={self.label!r}" if _label_text(self) else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    @property
    def _prev(self):
        """The inputs, in slot order: () for a leaf, (a,) for a unary op, (a, b) for a binary one."""
        a, b = self._a, self._b
        if b is _MANY:  # a node with many inputs (weighted_sum, cross_entropy) keeps them all in _a
            return a
        return () if a is None else (a,) if b is None else (a, b)

    # Which Neuron made this node, for drawings (viz.draw_dot boxes each neuron). Only a neuron's
    # output has one, so it gets no slot of its own: it travels with the node's rule.
    @property
    def _module(self):
        return getattr(self._rule, "neuron", None)

    @_module.setter
    def _module(self, neuron):
        rule = self._rule.rule if type(self._rule) is _NeuronOutput else self._rule
        self._rule = rule if neuron is None or rule is None else _NeuronOutput(rule, neuron)

    # The lecture's style: `out._backward()` runs this node's step of the chain rule;
    # `out._backward = f` installs a hand-written closure that updates the inputs' grads itself.
    @property
    def _backward(self):
        return _no_rule if self._rule is None else lambda: _chain_rule(self)

    @_backward.setter
    def _backward(self, fn):
        self._rule = _HandWritten(fn)

    def _operand(self, other, op):
        """Turn the other side of a binary op into a Value, or explain why it cannot be one."""
        if isinstance(other, Value):
            return other
        if isinstance(other, numbers.Real) or _is_numpy_bool(other):
            return Value(other)
        raise TypeError(
            f"'{op}': cannot combine {_describe(self)} with {type(other).__name__} {other!r}. "
            f"Use a number (int or float) or a Value on the other side of '{op}'.")

    # ------------------------------------------------------------------------------------------
    # Primitive operations: the forward value, then the local derivatives, one per input.
    # A local-derivative function takes the output node and returns a tuple, one entry per slot.
    # ------------------------------------------------------------------------------------------

    # The hot paths check `isinstance` inline and call _operand only for numbers and mistakes.

    def __add__(self, other):                                   # a + b
        other = other if isinstance(other, Value) else self._operand(other, "+")
        return _node(self.data + other.data, self, other, "+", _add_locals)

    def __mul__(self, other):                                   # a * b
        other = other if isinstance(other, Value) else self._operand(other, "*")
        return _node(self.data * other.data, self, other, "*", _mul_locals)

    def __pow__(self, exponent):                                # a ** n, or a ** b for a Value b
        return self._power(exponent, "**")

    def _power(self, exponent, op):
        if isinstance(exponent, Value):
            return self._power_of_value(exponent, op)
        n = _exponent(exponent, self, op)
        _check_power_domain(self, n, op)
        return _node(_real_pow(self.data, n), self, None, f"**{_exponent_text(n)}", _power_locals(n))

    def _power_of_value(self, exponent, op):
        if self.data < 0 or (self.data == 0 and exponent.data <= 0):
            raise ValueError(
                f"'{op}': with a Value exponent ({_describe(exponent)}) the base must be positive "
                f"(its gradient needs log(base)), got {_describe(self)}. "
                f"For a fixed exponent, use a plain number: x ** 2.")
        return _node(_real_pow(self.data, exponent.data), self, exponent, "**", _pow_value_locals)

    def exp(self):                                              # e ** a
        return _node(_exp(self.data), self, None, "exp", _exp_locals)

    def log(self):                                              # log a (natural)
        if not self.data > 0:
            raise ValueError(
                f"log: the input must be positive, got {_describe(self)}. "
                f"log(x) is undefined for x <= 0; check what produced this value, "
                f"or add a small positive constant (e.g. (x + 1e-9).log()).")
        return _node(math.log(self.data), self, None, "log", _log_locals)

    def tanh(self):                                             # tanh a
        # math.tanh is exact and never overflows (tanh(1000) == 1.0); the textbook formula
        # (e^2x - 1) / (e^2x + 1) turns into inf / inf = nan for large x. See notebook 08.
        return _node(math.tanh(self.data), self, None, "tanh", _tanh_locals)

    def relu(self):                                             # max(0, a); nan stays nan
        x = self.data
        return _node(0.0 if x <= 0 else x, self, None, "ReLU", _relu_locals)

    def sigmoid(self):                                          # 1 / (1 + e ** -a)
        x = self.data
        # Two algebraically equal forms; each one only ever calls exp of a non-positive number,
        # so neither can overflow.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return _node(s, self, None, "sigmoid", _sigmoid_locals)

    # ------------------------------------------------------------------------------------------
    # Derived operations: one-liners over the primitives, so they need no local derivatives.
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
            if b is _MANY:
                stack.extend(child for child in reversed(a) if child not in opened)
                continue
            if b is not None and b not in opened:
                stack.append(b)
            if a is not None and a not in opened:
                stack.append(a)
        return order

    def backward(self, check_finite=False):
        """Fill in d(self)/d(node) for every node, by the chain rule, from self back to the leaves.

        Gradients *accumulate* (+=), exactly as in micrograd: calling backward() again without
        zeroing adds a second pass on top of the first. This node's grad is set to 1 each time, so
        the grads of its direct inputs double; deeper grads grow faster, because the intermediate
        nodes' grads accumulated too. (PyTorch keeps no intermediate grads, so its leaves double.)
        With check_finite=True, stop at the first node whose grad becomes inf or nan and say where.
        """
        order = self.topological_order()
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):
            if node._rule is not None:  # a leaf has no rule: nothing to pass on
                _chain_rule(node)
                if check_finite:
                    _check_finite(node)

    def backward_steps(self, check_finite=False):
        """The same backward pass as backward(), one node at a time, with its arithmetic.

        A generator: each next() applies one more node's rule to the real grads and returns a
        BackwardStep saying what happened, numbered "step k of n": step 0 seeds this node's grad
        with 1, steps 1..n apply the n nodes that have a rule. If a rule raises, the grads are put
        back as they were before that step and a RuleError says which node failed and why.
        """
        order = [node for node in reversed(self.topological_order()) if node._rule is not None]
        n = len(order)
        self.grad = 1.0  # d(self)/d(self)
        yield BackwardStep(0, n, self, 1.0, ())
        for k, node in enumerate(order, start=1):
            slots = _chain_rule_traced(node, k, n)
            if check_finite:
                _check_finite(node)
            yield BackwardStep(k, n, node, node.grad, slots)


def _no_rule():
    """The `_backward` of a leaf: it has no inputs, so there is nothing to do."""


# ----------------------------------------------------------------------------------------------
# Building a node, and the local derivatives of each primitive op (in the order of the ops above).
# A local-derivative function takes the output node and returns one number per input slot. They
# are plain functions shared by every node of their op: nothing is allocated per node, and a node
# never refers to its own rule's closure, so graphs hold no reference cycles.
# ----------------------------------------------------------------------------------------------

_new = object.__new__
_PLACE = object()  # topological_order's marker: the node under it is placed when it comes off
_MANY = object()  # in a node's _b slot: its _a slot holds a tuple of many inputs (see the end)


def _node(data, a, b, op, rule):
    """A new node: data, the inputs a and b (b is None for a unary op), the op's name and rule."""
    out = _new(Value)  # what Value(...) does, without checking `data` (an op computed it)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._a = a
    out._b = b
    out._op = op
    out._rule = rule
    return out


def _add_locals(out):
    return 1.0, 1.0                              # d(a+b)/da = 1,  d(a+b)/db = 1


def _mul_locals(out):
    return out._b.data, out._a.data              # d(a*b)/da = b,  d(a*b)/db = a


def _power_locals(n):
    """The local derivative of a ** n for one fixed number n, which this closure keeps."""
    def _pow_locals(out):                        # d(a**n)/da = n * a**(n-1); 0 when n == 0,
        if n == 0:                               # as in PyTorch (a**0 is the constant 1)
            return (0.0,)
        return (_scaled(n, _real_pow(out._a.data, n - 1)),)
    return _pow_locals


def _pow_value_locals(out):
    a, b = out._a.data, out._b.data
    # d(a**b)/da = b * a**(b-1);  d(a**b)/db = log(a) * a**b, which is flat (0) at a == 0
    return b * _real_pow(a, b - 1), (math.log(a) * out.data if a > 0 else 0.0)


def _exp_locals(out):
    return (out.data,)                           # d(e**a)/da = e**a: the output itself


def _log_locals(out):
    return (1.0 / out._a.data,)                  # d(log a)/da = 1/a


def _tanh_locals(out):
    return (1.0 - out.data * out.data,)          # d(tanh a)/da = 1 - tanh(a)**2


def _relu_locals(out):
    # d(relu a)/da = 1 where a > 0. Where a <= 0 ReLU is off: None means "nothing flows back",
    # a mask, not a multiplication by 0, so an infinite upstream grad gives 0, not 0 * inf = nan
    # (PyTorch masks too). A nan input lets the upstream through, as in PyTorch.
    return (None,) if out._a.data <= 0 else (1.0,)


def _sigmoid_locals(out):
    s = out.data
    return (s * (1.0 - s),)                      # d(s(a))/da = s(a) * (1 - s(a))


class _HandWritten:
    """A rule written the lecture's way, `out._backward = f`: f updates the inputs' grads itself."""
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, out):
        self.fn()
        return None  # no local derivatives to report: _chain_rule knows f has done the work


class _NeuronOutput:
    """The rule of a Neuron's output node, with the Neuron attached (see Value._module)."""
    __slots__ = ("rule", "neuron")

    def __init__(self, rule, neuron):
        self.rule, self.neuron = rule, neuron

    def __call__(self, out):
        return self.rule(out)


# ----------------------------------------------------------------------------------------------
# The chain rule, at one node: the one place where local derivatives meet the upstream grad.
# ----------------------------------------------------------------------------------------------

def _chain_rule(out):
    """For each input slot: input.grad += d(out)/d(input) * out.grad. Returns the local derivatives.

    All of them are computed before any grad changes, so a rule that raises changes nothing.
    """
    local = out._rule(out)
    if local is None:            # a hand-written closure: it has updated the grads itself
        return None
    upstream = out.grad
    if out._b is _MANY:          # many inputs (see weighted_sum): one local derivative per slot
        for child, d in zip(out._a, local):
            child.grad += d * upstream
        return local
    d = local[0]
    if d is not None:            # None: ReLU is off, nothing flows back
        out._a.grad += d * upstream
    if out._b is not None:
        d = local[1]
        if d is not None:
            out._b.grad += d * upstream
    return local


def _chain_rule_traced(out, k, n):
    """_chain_rule(out), returning what each input slot received, as SlotUpdates.

    The engine's own rule runs on the real grads; the grads before and after are read around it.
    Local derivatives come from the rule when it gives them; for a hand-written closure they are
    observed: local = contribution / upstream (unknown, None, when the upstream is 0). If the rule
    raises, the inputs' grads are restored and a RuleError names the node.
    """
    children = out._prev
    before = [c.grad for c in children]
    try:
        local = _chain_rule(out)
    except Exception as error:
        for child, grad in zip(children, before):
            child.grad = grad
        raise RuleError(_rule_failure(out, k, n, error)) from error
    upstream = out.grad
    if local is not None:
        return _slot_updates_of_locals(children, local, upstream, before)
    return _slot_updates_observed(children, upstream, before)


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


def _rule_failure(out, k, n, error):
    return (f"backward: step {k} of {n} failed: the rule of the '{out._op}' node {_describe(out)} "
            f"raised {type(error).__name__}: {error}. The grads are as they were before this step; "
            f"fix the rule, then run the pass again.")


# ----------------------------------------------------------------------------------------------
# Helpers: numbers with IEEE results, and errors written for humans
# ----------------------------------------------------------------------------------------------

def _label_text(v):
    """A node's label as text: labels may be any object, shown with str(); None shows as ''."""
    return "" if v.label is None else str(v.label)


def _describe(v):
    """How an error message names a value: its label (if any) and its data."""
    if isinstance(v, Value):
        name = f"Value {_label_text(v)!r}" if _label_text(v) else "an unlabelled Value"
        return f"{name} (data={v.data!r})"
    return f"{type(v).__name__} {v!r}"


def _is_numpy_bool(x):
    """numpy's booleans are not numbers.Real, but they count as booleans, like True and False."""
    return type(x).__module__ == "numpy" and type(x).__name__ in ("bool", "bool_")


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
    except ZeroDivisionError:  # 0.0 ** negative, reached only through a derivative (see __pow__)
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


def _check_finite(node):
    for child in node._prev:
        if not math.isfinite(child.grad):
            raise FloatingPointError(
                f"backward: the grad of {_describe(child)} became {child.grad} while applying the "
                f"rule of the '{node._op}' node {_describe(node)} (its grad: {node.grad}). "
                f"This is the first non-finite gradient; look for an overflow (exp of a large "
                f"number, a division by a tiny value) in the forward pass that made this node.")


# ----------------------------------------------------------------------------------------------
# What backward_steps() reports
# ----------------------------------------------------------------------------------------------

class RuleError(RuntimeError):
    """A node's backward rule raised during backward_steps(); the grads are as before that step."""


class SlotUpdate:
    """What one input slot received in one step: input.grad += local * upstream.

    `observed` is True for a hand-written rule: then `contribution` is after - before and `local`
    is contribution / upstream (None when the upstream is 0: any local derivative fits).
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
    """Step `position` of `n` of the backward pass: `node`'s rule passed `upstream` to its inputs.

    Step 0 is the seed (d out/d out = 1, no rule runs); steps 1..n apply the n nodes that have a
    rule, from the output back to the leaves.
    """
    __slots__ = ("position", "n", "node", "upstream", "slots")

    def __init__(self, position, n, node, upstream, slots):
        self.position, self.n, self.node, self.upstream, self.slots = position, n, node, upstream, slots

    @property
    def is_seed(self):
        """The first step: d(out)/d(out) = 1, before any rule runs."""
        return self.position == 0

    def __repr__(self):
        name = _label_text(self.node) or self.node._op
        return (f"BackwardStep(step {self.position} of {self.n}, {name!r}, "
                f"upstream={self.upstream:.4g}, slots={list(self.slots)})")


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
# Neural networks on top: the same classes, signatures and order of random draws as micrograd 0.1.0
# ----------------------------------------------------------------------------------------------

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

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.name = "layer"
        for j, n in enumerate(self.neurons, start=1):
            n.layer = self
            n.name = f"N{j}"

    def __call__(self, x):
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

    def __call__(self, x):
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
    slots = tuple(_as_value(v, "weighted_sum") for v in weights + inputs + [bias])
    n = len(weights)
    total = 0.0
    for w, x in zip(slots[:n], slots[n:2 * n]):  # left to right, like a + b + c: sum() of floats
        total += w.data * x.data                  # rounds differently from Python 3.12 on
    total += slots[-1].data
    return _node(total, slots, _MANY, "w.x+b", _weighted_sum_locals)


def _weighted_sum_locals(out):
    slots = out._a
    n = (len(slots) - 1) // 2
    weights, inputs = slots[:n], slots[n:2 * n]
    # d(w.x + b)/dw_i = x_i,  d(w.x + b)/dx_i = w_i,  d(w.x + b)/db = 1
    return tuple(x.data for x in inputs) + tuple(w.data for w in weights) + (1.0,)


def cross_entropy(logits, target):
    """-log(softmax(logits)[target]) as one node; its local derivatives are p - y, one per logit.

    Computed as log-sum-exp with the largest logit taken out first, so that no exp overflows.
    """
    logits = tuple(_as_value(v, "cross_entropy") for v in logits)
    if not logits:
        raise ValueError("cross_entropy: no logits; give one score per class.")
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: the target must be the index of a class, 0 to {len(logits) - 1}, "
                         f"got {target!r}.")
    target = int(target)
    biggest = max(v.data for v in logits)
    total = 0.0
    for v in logits:  # left to right, the same on every Python (see weighted_sum)
        total += math.exp(v.data - biggest)
    log_norm = math.log(total) + biggest
    return _node(log_norm - logits[target].data, logits, _MANY, "cross-entropy",
                 _cross_entropy_locals(target))


def _cross_entropy_locals(target):
    """The local derivatives of cross_entropy for one target class, which this closure keeps."""
    def _ce_locals(out):
        log_norm = out.data + out._a[target].data  # log-sum-exp, recovered from out
        # d(-log p_target)/d(logit_i) = p_i - y_i: the softmax probability, minus 1 at the target
        return tuple(math.exp(v.data - log_norm) - (1.0 if i == target else 0.0)
                     for i, v in enumerate(out._a))
    return _ce_locals


def _as_value(v, op):
    """A Value as it is, a number as a new leaf; anything else explained."""
    if isinstance(v, Value):
        return v
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return Value(v)
    raise TypeError(f"{op}: every input must be a Value or a number, got {type(v).__name__} {v!r}.")
