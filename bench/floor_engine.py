"""The floor: the least work a node-by-node scalar engine can do in CPython, for bench_engine.py.

Not for learners, and not a model of how to write an engine: it has no checks, no labels, no
stepper, no error messages, no numpy support, only the ops micrograd's demo uses, and nothing
that frees the user from knowing its limits. It exists to answer one question with a number: how
fast can *any* engine that builds one Python object per operation be on this machine? Every
choice below is the cheapest one measured here:

- one object per node with __slots__ (data, grad, two inputs, the op's name, two local
  derivatives), created with object.__new__ and no __init__;
- local derivatives computed in the forward pass and kept in two slots (floats are not tracked
  by the garbage collector, so this costs no collector time);
- the topological sort with one set and a marker, no recursion;
- the backward pass inline, with no function call per node;
- the collector paused during a model's forward pass: micrograd_core.MLP's own __call__.

If this engine is N times faster than micrograd 0.1.0, no engine of that design can be much more.
The same MLP(2, [16, 16, 1]) as micrograd (same random draws, same order of additions), so the
demo step's losses agree with micrograd's to the last bits.
"""

import random

import micrograd_core

_new = object.__new__
_PLACE = object()


class Value:
    __slots__ = ("data", "grad", "_a", "_b", "_op", "_da", "_db")

    def __init__(self, data):
        self.data = float(data)
        self.grad = 0.0
        self._a = self._b = self._da = self._db = None
        self._op = ""

    def __add__(self, other):
        other = other if type(other) is Value else Value(other)
        return _node(self.data + other.data, self, other, "+", 1.0, 1.0)

    def __mul__(self, other):
        other = other if type(other) is Value else Value(other)
        return _node(self.data * other.data, self, other, "*", other.data, self.data)

    def relu(self):
        x = self.data
        if x > 0:
            return _node(x, self, None, "ReLU", 1.0, None)
        return _node(0.0, self, None, "ReLU", 0.0, None)

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def backward(self):
        order, opened, stack = [], set(), [self]
        while stack:
            node = stack.pop()
            if node is _PLACE:
                order.append(stack.pop())
                continue
            if node in opened:
                continue
            opened.add(node)
            stack.append(node)
            stack.append(_PLACE)
            b, a = node._b, node._a
            if b is not None and b not in opened:
                stack.append(b)
            if a is not None and a not in opened:
                stack.append(a)
        self.grad = 1.0
        for node in reversed(order):
            a = node._a
            if a is not None:
                g = node.grad
                a.grad += node._da * g
                b = node._b
                if b is not None:
                    b.grad += node._db * g


def _node(data, a, b, op, da, db):
    out = _new(Value)
    out.data, out.grad, out._a, out._b, out._op, out._da, out._db = data, 0.0, a, b, op, da, db
    return out


class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        self.nin = nin
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    # micrograd_core's own forward pass, borrowed rather than copied: the input check, then the
    # layers with the collector paused (see MLP.__call__ there), so both engines pause alike.
    __call__ = micrograd_core.MLP.__call__

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
