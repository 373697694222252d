"""Random expression trees for property tests, evaluated with any number-like library.

A tree is ('x', i) for input i, ('const', c), (unary_op, tree) or (binary_op, left, right).
Every op keeps values bounded and away from the edges of its domain, so finite differences
are meaningful: divisions and logs take 1 + t**2, exp takes a tanh.
"""

from hypothesis import strategies as st

N_INPUTS = 3
UNARY = ["neg", "tanh", "sigmoid", "exp_tanh", "log1p_sq", "square", "cube", "relu"]
BINARY = ["add", "sub", "mul", "div_safe", "pow_safe"]


def trees(max_leaves=8, smooth_only=False):
    unary = [u for u in UNARY if not (smooth_only and u == "relu")]
    leaves = st.one_of(
        st.tuples(st.just("x"), st.integers(0, N_INPUTS - 1)),
        st.tuples(st.just("const"), st.floats(-2, 2, allow_nan=False).map(lambda c: round(c, 3))),
    )
    return st.recursive(
        leaves,
        lambda sub: st.one_of(
            st.tuples(st.sampled_from(unary), sub),
            st.tuples(st.sampled_from(BINARY), sub, sub),
        ),
        max_leaves=max_leaves,
    )


def evaluate(tree, inputs, lib):
    """lib: a dict of op name -> function; 'const' turns a float into the library's number."""
    kind = tree[0]
    if kind == "x":
        return inputs[tree[1]]
    if kind == "const":
        return lib["const"](tree[1])
    if len(tree) == 2:
        return lib[kind](evaluate(tree[1], inputs, lib))
    return lib[kind](evaluate(tree[1], inputs, lib), evaluate(tree[2], inputs, lib))


def value_lib(Value):
    return {
        "const": Value,
        "neg": lambda a: -a,
        "tanh": lambda a: a.tanh(),
        "sigmoid": lambda a: a.sigmoid(),
        "exp_tanh": lambda a: a.tanh().exp(),
        "log1p_sq": lambda a: (1 + a * a).log(),
        "square": lambda a: a ** 2,
        "cube": lambda a: a ** 3,
        "relu": lambda a: a.relu(),
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div_safe": lambda a, b: a / (1 + b * b),
        "pow_safe": lambda a, b: (1 + a * a) ** b.tanh(),
    }


def torch_lib(torch):
    return {
        "const": lambda c: torch.tensor(c, dtype=torch.float64),
        "neg": lambda a: -a,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "exp_tanh": lambda a: torch.exp(torch.tanh(a)),
        "log1p_sq": lambda a: torch.log(1 + a * a),
        "square": lambda a: a ** 2,
        "cube": lambda a: a ** 3,
        "relu": torch.relu,
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div_safe": lambda a, b: a / (1 + b * b),
        "pow_safe": lambda a, b: (1 + a * a) ** torch.tanh(b),
    }


def recursive_order(root):
    """The textbook depth-first topological order (inputs in slot order, then the node)."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)
    visit(root)
    return order
