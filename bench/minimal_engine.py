"""A minimal scalar autograd engine of the microgpt design, written here as a benchmark baseline.

The design (Karpathy's microgpt, February 2026): every op stores its inputs and its local
derivatives on the new node at forward time, and backward() alone multiplies them by the upstream
grad. Only what a small GPT needs: + * ** exp log relu, and the derived - / and negation.
bench_microgpt.py runs the same model on this engine and on micrograd_core and compares them.
"""

import math


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children         # the inputs, one per slot
        self._local_grads = local_grads   # d(out)/d(input) per slot, computed now, used by backward

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, n):
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self):
        return Value(0.0 if self.data <= 0 else self.data, (self,), (float(self.data > 0),))

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return Value(other) + self

    def __sub__(self, other):
        return self + (-(other if isinstance(other, Value) else Value(other)))

    def __rsub__(self, other):
        return Value(other) + (-self)

    def __rmul__(self, other):
        return Value(other) * self

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self * other ** -1

    def __rtruediv__(self, other):
        return Value(other) * self ** -1

    def backward(self):
        # Post-order depth-first walk, inputs in slot order (iterative: a GPT's graph is deep).
        order, opened, placed, stack = [], set(), set(), [self]
        while stack:
            node = stack.pop()
            if node not in opened:
                opened.add(node)
                stack.append(node)
                stack.extend(c for c in reversed(node._children) if c not in opened)
            elif node not in placed:
                placed.add(node)
                order.append(node)
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad
