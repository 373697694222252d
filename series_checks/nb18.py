"""Checkers for notebook 18, going further.

Exercise 1 counts nodes with the engine itself; exercise 2 replays PyTorch's rules with the engine
(two backward calls, intermediate grads cleared in between) and a finite difference; exercise 3
compares numpy gradients with the engine and with finite differences; exercise 4 runs the learner's
layer_grads on layers whose numbers are drawn for each check (`fresh_rng`). None of them needs
PyTorch, so their output is the same on every machine.

No answer key is in reach: each check computes its expected answer inside itself (nothing in this
module returns an exercise's answer or passes as layer_grads). Arrays are read only when their dtype
is a real number type (text, complex numbers and True/False are refused, each with its own hint),
and no numpy warning reaches the output.
"""

import functools
import numbers
import random
import warnings

import numpy as np

from micrograd_core import Layer, Value

from . import checker, describe, failed, fresh_rng, is_waiting, keep_random_state, passed, read_number
from . import read_whole_number, waiting
from series_language import _

__all__ = ["EX2_A", "EX2_B", "EX3_W", "EX3_X", "EX3_B", "EX3_C",
           "check_node_count", "check_two_backwards", "check_vectorised_grads"]

# Exercise 2: z = a * b + b ** 2, backward twice in PyTorch (retain_graph=True the first time)
EX2_A, EX2_B = 2.0, -3.0

# Exercise 3: L = c . (W @ x + b), with a non-square W so that shapes tell mistakes apart
EX3_W = np.array([[0.5, -1.0, 2.0, 0.0],
                  [1.5, 0.25, -0.5, 1.0],
                  [-2.0, 1.0, 0.75, -1.5]])
EX3_X = np.array([1.0, -2.0, 0.5, 3.0])
EX3_B = np.array([0.1, -0.2, 0.3])
EX3_C = np.array([1.0, -2.0, 0.5])


# ----------------------------------------------------------------------------------------------
# Exercise 1: how many Value nodes does one layer call build?
# ----------------------------------------------------------------------------------------------

@checker
def check_node_count(one_call, batch_of_100):
    name = "Exercise 1" + _(" (counting nodes)")
    if is_waiting(one_call) or is_waiting(batch_of_100):
        return waiting(name, _("fill in both counts"))
    one = read_whole_number(name, one_call, "nodes_one_call")
    if one is None:
        return False
    hundred = read_whole_number(name, batch_of_100, "nodes_batch_100")
    if hundred is None:
        return False
    with keep_random_state():   # count the new nodes of one call of a Layer(16, 16) with the engine
        random.seed(0)
        layer = Layer(16, 16)
    x = [Value(float(i)) for i in range(16)]
    seen = set()
    for out in layer(x):
        seen.update(out.topological_order())
    expected = len(seen) - len(layer.parameters()) - len(x)
    per_neuron = expected // 16
    if one == expected:
        if hundred == 100 * expected:
            return passed(name, _("Counting the engine's graph gives {count} new nodes per call; a batch "
                                  "builds one graph per input, so {batch}. numpy needs 3 array "
                                  "operations either way.").format(count=expected, batch=f"{100 * expected:,}"))
        if hundred == expected:
            return failed(name, _("the first count is right. For the batch: our engine has no batches; each of "
                                  "the 100 inputs goes through the layer separately and builds its own nodes."))
        return failed(name, _("the first count is right; the batch is 100 separate calls of the layer."))
    hints = {
        expected - 16: _("each neuron ends with its activation (ReLU), which is a node too."),
        expected + 16: _("the bias is a parameter that already exists: it starts the sum, it is not a new node."),
        expected - 256: _("a neuron needs one multiplication AND one addition per input."),
        expected - 256 - 16: _("count per neuron: one multiplication and one addition per input, then the ReLU."),
        expected + 256: _("the inputs are already Values here, so w * x wraps nothing: only the product is new."),
        per_neuron: _("that is one neuron; the layer has 16 of them."),
    }
    if one in hints:
        return failed(name, hints[one])
    return failed(name, _("count the nodes one neuron builds (products, sums, activation), then multiply by "
                          "the number of neurons. Leaves that already exist (weights, bias, inputs) are not new."))


# ----------------------------------------------------------------------------------------------
# Exercise 2: two backward calls, PyTorch's rules
# ----------------------------------------------------------------------------------------------

@checker
def check_two_backwards(a_grad, b_grad, c_grad):
    name = "Exercise 2" + _(" (two backward calls in PyTorch)")
    if any(v is Ellipsis for v in (a_grad, b_grad, c_grad)):
        return waiting(name, _("fill in a_grad, b_grad and c_grad"))

    def two_backwards(pytorch_rules):
        """Two backward calls with the engine. pytorch_rules: like PyTorch, keep no intermediate
        grads between the calls (clear them before the second call), so only the leaves accumulate."""
        a, b = Value(EX2_A, label="a"), Value(EX2_B, label="b")
        z = a * b + b ** 2
        z.backward()
        if pytorch_rules:
            for node in z.topological_order():
                if node._prev:          # every node that is not a leaf
                    node.grad = 0.0
        z.backward()
        return a.grad, b.grad

    ea, eb = two_backwards(pytorch_rules=True)
    h = 1e-6
    f = lambda a, b: a * b + b ** 2
    na = 2 * (f(EX2_A + h, EX2_B) - f(EX2_A - h, EX2_B)) / (2 * h)
    nb = 2 * (f(EX2_A, EX2_B + h) - f(EX2_A, EX2_B - h)) / (2 * h)
    a_val = read_number(name, a_grad, "a_grad")
    if a_val is None:
        return False
    b_val = read_number(name, b_grad, "b_grad")
    if b_val is None:
        return False
    one_a, one_b = ea / 2, eb / 2
    if abs(a_val - one_a) < 1e-9 and abs(b_val - one_b) < 1e-9:
        return failed(name, _("those are the gradients of one backward call. The second call does not "
                              "replace them."))
    ours_a, ours_b = two_backwards(pytorch_rules=False)
    if abs(a_val - ours_a) < 1e-9 and abs(b_val - ours_b) < 1e-9:
        return failed(name, _("that is what OUR engine gives, because the intermediate grads left over from "
                              "the first call are fed back in (notebook 06). PyTorch keeps no grads on "
                              "intermediate results: what does that change for the second call?"))
    if abs(a_val - ea) > 1e-9:
        if abs(a_val + ea) < 1e-9:
            return failed(name, _("a_grad has the wrong sign: d(a*b)/da is b."))
        return failed(name, _("a_grad: what does one backward put into a.grad (d z / d a), and what does "
                              "the second call do with it?"))
    if abs(b_val - eb) > 1e-9:
        if abs(b_val - 2 * EX2_A) < 1e-9 or abs(b_val - 2 * 2 * EX2_B) < 1e-9:
            return failed(name, _("b_grad: b is used twice (in a*b and in b**2), and both paths add up."))
        return failed(name, _("b_grad: b reaches z through two paths; add them, then think about the "
                              "second call."))
    if c_grad is not None:
        if not (isinstance(c_grad, numbers.Number) or type(c_grad).__module__.split(".")[0] == "numpy"):
            return failed(name, _("c_grad should be a number or None, got {what}.").format(what=describe(c_grad)))
        c_val = read_number(name, c_grad, "c_grad")   # a Value, True/False, inf, ... each get a hint
        if c_val is None:
            return False
        if abs(c_val - 2.0) < 1e-9 or abs(c_val - 1.0) < 1e-9:
            return failed(name, _("a_grad and b_grad are right. c_grad: that is what OUR engine would store in "
                                  "the intermediate node c. Which tensors does PyTorch keep a .grad for?"))
        return failed(name, _("a_grad and b_grad are right. c_grad: c is an intermediate result, not a "
                              "leaf. What does PyTorch store in the .grad of a non-leaf tensor?"))
    return passed(name, _("Our engine, with intermediate grads cleared between the calls as PyTorch does, gives "
                          "{a} and {b}; twice a finite difference gives {numeric_a} and {numeric_b}. And c.grad "
                          "stays None: PyTorch keeps .grad for leaves only.").format(
                              a=f"{ea:.4f}", b=f"{eb:.4f}", numeric_a=f"{na:.4f}", numeric_b=f"{nb:.4f}"))


# ----------------------------------------------------------------------------------------------
# Exercise 3: vectorised gradients of L = c . (W @ x + b)
# ----------------------------------------------------------------------------------------------

def _dtype_problem(label, array):
    """Why an array that numpy read is not an array of real numbers (its own hint), or ""."""
    kind = array.dtype.kind
    if kind in "iuf":
        return ""
    if kind in "US":
        return _("{label} is an array of text (dtype {dtype}), not of numbers: compute it with numpy "
                 "from the arrays themselves, without str() or quotes.").format(label=label, dtype=array.dtype)
    if kind == "c":
        return _("{label} is an array of complex numbers (dtype {dtype}): a gradient of a real loss "
                 "is real; where did an imaginary part (1j) come in?").format(label=label, dtype=array.dtype)
    if kind == "b":
        return _("{label} is an array of True/False values, not of numbers: a comparison (==, <) crept in "
                 "where a product or a sum belongs.").format(label=label)
    return _("{label} is an array of {dtype} entries, not of plain numbers (floats); numpy could not "
             "read it as numbers (a Value, or a ragged list, inside it?).").format(label=label, dtype=array.dtype)


def _read_array(name, label, v):
    """v as a float array of finite numbers, or None after printing what is wrong with it."""
    if isinstance(v, (str, bytes, bool, Value)):
        failed(name, _("{label} should be a numpy array of numbers, got {what}.").format(label=label, what=describe(v)))
        return None
    try:
        array = np.asarray(v)
    except Exception:  # noqa: BLE001 - ragged lists, objects that fail to convert
        array = None
    if array is None or array.dtype.kind == "O":
        failed(name, _("{label} should be a numpy array of numbers (or nested lists of numbers), "
                       "got {what}.").format(label=label, what=describe(v)))
        return None
    problem = _dtype_problem(label, array)
    if problem:
        failed(name, problem)
        return None
    array = array.astype(float)
    if not np.isfinite(array).all():
        failed(name, _("{label} has an entry that is inf or nan: every entry is an ordinary finite number.").format(
            label=label))
        return None
    return array


def _same(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-6)


def _without_warnings(check):
    """Run a check with warnings off: no numpy warning (and no line of this file) reaches the output."""
    @functools.wraps(check)
    def quietly(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return check(*args, **kwargs)
    return quietly


@checker
@_without_warnings
def check_vectorised_grads(dW, dx, db):
    name = "Exercise 3" + _(" (vectorised gradients)")
    if any(is_waiting(v) for v in (dW, dx, db)):
        return waiting(name, _("write numpy expressions for dW, dx and db"))
    arrays = []
    for label, v in (("dL_dW", dW), ("dL_dx", dx), ("dL_db", db)):
        array = _read_array(name, label, v)
        if array is None:
            return False
        arrays.append(array)
    dW, dx, db = arrays
    # The engine's gradients, one Value per number
    Wv = [[Value(float(v)) for v in row] for row in EX3_W]
    xv = [Value(float(v)) for v in EX3_X]
    bv = [Value(float(v)) for v in EX3_B]
    z = [sum((wji * xi for wji, xi in zip(row, xv)), bj) for row, bj in zip(Wv, bv)]
    L = sum(float(cj) * zj for cj, zj in zip(EX3_C, z))
    L.backward()
    eW, ex, eb = (np.array([[w.grad for w in row] for row in Wv]), np.array([v.grad for v in xv]),
                  np.array([v.grad for v in bv]))
    # and finite differences, entry by entry
    numeric, h = [], 1e-6
    for which in range(3):
        parts = [EX3_W.copy(), EX3_X.copy(), EX3_B.copy()]
        target, g = parts[which], np.zeros_like(parts[which])
        for idx in np.ndindex(target.shape):
            keep = target[idx]
            target[idx] = keep + h
            up = float(EX3_C @ (parts[0] @ parts[1] + parts[2]))
            target[idx] = keep - h
            down = float(EX3_C @ (parts[0] @ parts[1] + parts[2]))
            target[idx] = keep
            g[idx] = (up - down) / (2 * h)
        numeric.append(g)
    nW, nx, nb = numeric
    ones = np.ones_like(EX3_C)
    # dW
    if dW.shape != EX3_W.shape:
        if dW.shape == EX3_W.T.shape:
            return failed(name, _("dW has shape {shape}, W has {w_shape}: a gradient always has the "
                                  "shape of what it is the gradient of. Which index of W belongs to the "
                                  "output?").format(shape=dW.shape, w_shape=EX3_W.shape))
        return failed(name, _("dW should have W's shape {w_shape}, got {shape}.").format(
            w_shape=EX3_W.shape, shape=dW.shape))
    if not _same(dW, eW):
        if _same(dW, np.outer(ones, EX3_X)):
            return failed(name, _("dW: right for L = sum(W @ x + b), but here output j is weighted by c[j]."))
        return failed(name, _("dW: write dL/dW[j, i] for one entry first (W[j, i] multiplies x[i] in output j, "
                              "which L weights by c[j]), then find the numpy operation that builds all of them."))
    # dx
    if dx.shape != EX3_X.shape:
        return failed(name, _("dx should have x's shape {x_shape}, got {shape}.").format(
            x_shape=EX3_X.shape, shape=dx.shape))
    if not _same(dx, ex):
        if _same(dx, EX3_W.T @ ones):
            return failed(name, _("dx: the outputs are weighted by c; each output's contribution to dx must be "
                                  "scaled by its weight."))
        return failed(name, _("dx: x[i] reaches L through every output j (through W[j, i]); add up those paths."))
    # db
    if db.shape != EX3_B.shape:
        return failed(name, _("db should have b's shape {b_shape}, got {shape}.").format(
            b_shape=EX3_B.shape, shape=db.shape))
    if not _same(db, eb):
        if _same(db, ones):
            return failed(name, _("db: output j is weighted by c[j] in L."))
        return failed(name, _("db: b[j] is added to output j only."))
    if not (_same(dW, nW) and _same(dx, nx) and _same(db, nb)):  # the second reference
        return failed(name, _("your arrays match the engine but not a finite difference: please report this."))
    return passed(name, _("All three match the engine's backward pass and finite differences on every entry "
                          "({count} numbers).").format(count=eW.size + ex.size + eb.size))


# ==============================================================================================
# Write code: Exercise 4, the gradients of a linear layer for any shape, as a function
# ==============================================================================================

from . import call_safely, is_unwritten  # noqa: E402

LAYER_SHAPES = [(1, 1), (2, 3), (4, 2), (3, 5)]   # (outputs, inputs): W has shape (outputs, inputs)


def _layer_cases(rng):
    """One layer per shape of LAYER_SHAPES, its numbers drawn with rng (numpy's global state is
    untouched): (W, x, b, c), rounded to 2 decimals so that a failing case reads easily."""
    def number(low, high):
        # Away from 0, 0.5 and 1 (either sign), where two different mistakes give the same array
        # (a c of 1 weighs nothing; 2 * c is 1 at c = 0.5; a 0 hides a path).
        while True:
            v = round(rng.choice((-1, 1)) * rng.uniform(low, high), 2)
            if abs(abs(v) - 1) >= 0.05 and abs(abs(v) - 0.5) >= 0.05:
                return v

    def draw(low, high, *shape):
        return np.array([number(low, high) for _ in range(int(np.prod(shape)))]).reshape(shape)

    return [(draw(0.2, 2, n_out, n_in), draw(0.2, 2, n_in), draw(0.1, 1, n_out), draw(0.2, 2, n_out))
            for n_out, n_in in LAYER_SHAPES]


def _as_array(ex, name, value, shape, where):
    """The learner's array, or None after one hint (not an array of real numbers, wrong shape, not finite)."""
    if isinstance(value, (str, bytes)):
        failed(ex, _("{where} {name} is {what}, not an array of numbers.").format(
            where=where, name=name, what=describe(value)))
        return None
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged lists, objects that fail to convert
        arr = None
    if arr is None or arr.dtype.kind == "O":
        failed(ex, _("{where} {name} is {what}, not an array of numbers.").format(
            where=where, name=name, what=describe(value)))
        return None
    problem = _dtype_problem(name, arr)
    if problem:
        failed(ex, _("{where} {problem}").format(where=where, problem=problem))
        return None
    arr = arr.astype(float)
    if arr.shape != shape:
        if arr.shape == shape[::-1] and len(shape) == 2:
            failed(ex, _("{where} {name} has shape {shape}, but W has {w_shape}: a gradient has the shape "
                         "of what it is the gradient of.").format(where=where, name=name, shape=arr.shape,
                                                                  w_shape=shape))
        else:
            failed(ex, _("{where} {name} has shape {shape}; it should have the shape {want} of what it "
                         "is the gradient of.").format(where=where, name=name, shape=arr.shape, want=shape))
        return None
    if not np.all(np.isfinite(arr)):
        failed(ex, _("{where} {name} contains inf or nan: a gradient here is a finite number.").format(
            where=where, name=name))
        return None
    return arr


@checker
@_without_warnings
def check_layer_grads(layer_grads):
    """Exercise 4: layer_grads(W, x, b, c) returns (dW, dx, db) of L = c @ (W @ x + b) for any shape."""
    ex = "Exercise 4"
    if is_waiting(layer_grads) or is_unwritten(layer_grads):
        return waiting(ex, _("write the body of {name} in place of the `...`").format(name="layer_grads"))
    if not callable(layer_grads):
        return failed(ex, _("pass the function itself, without calling it: check_layer_grads(layer_grads)."))
    for W, x, b, c in _layer_cases(fresh_rng()):
        # The engine's gradients of L = sum_j c[j] * (W @ x + b)[j], one Value per number
        Wv = [[Value(float(w)) for w in row] for row in W]
        xv = [Value(float(v)) for v in x]
        bv = [Value(float(v)) for v in b]
        outs = [sum((w * xi for w, xi in zip(row, xv)), bj) for row, bj in zip(Wv, bv)]
        L = sum((float(cj) * o for cj, o in zip(c, outs)), Value(0.0))
        L.backward()
        eW = np.array([[w.grad for w in row] for row in Wv])
        ex_, eb = np.array([v.grad for v in xv]), np.array([v.grad for v in bv])
        ok, result = call_safely(ex, layer_grads, W.copy(), x.copy(), b.copy(), c.copy())
        if not ok:
            return result
        where = _("for W of shape {shape}:").format(shape=W.shape)
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            return failed(ex, _("{where} return three arrays, (dW, dx, db), as a tuple.").format(where=where))
        arrays = []
        for name, value, want in zip(("dW", "dx", "db"), result, (eW, ex_, eb)):
            arr = _as_array(ex, name, value, want.shape, where)
            if arr is None:
                return False
            arrays.append(arr)
        dW, dx, db = arrays
        ones = np.ones_like(c)
        if not np.allclose(dW, eW, atol=1e-6):
            if np.allclose(dW, np.outer(ones, x), atol=1e-6):
                return failed(ex, _("{where} dW is right for L = sum(W @ x + b), but output j is weighted by "
                                    "c[j].").format(where=where))
            return failed(ex, _("{where} dW is not right. W[j, i] multiplies x[i] in output j, which L weights by "
                                "c[j].").format(where=where))
        if not np.allclose(dx, ex_, atol=1e-6):
            if np.allclose(dx, W.T @ ones, atol=1e-6):
                return failed(ex, _("{where} dx ignores c: each output's path to x is weighted by its "
                                    "c[j].").format(where=where))
            return failed(ex, _("{where} dx is not right. x[i] reaches L through every output j; add up those "
                                "paths.").format(where=where))
        if not np.allclose(db, eb, atol=1e-6):
            return failed(ex, _("{where} db is not right. b[j] is added to output j only, which L weights by "
                                "c[j].").format(where=where))
    return passed(ex, _("Your three formulas match the engine's backward pass, one Value per number, on "
                        "{count} layer shapes, from 1 x 1 to {rows} x {columns}.").format(
                            count=len(LAYER_SHAPES), rows=LAYER_SHAPES[-1][0], columns=LAYER_SHAPES[-1][1]))

__all__ += ["check_layer_grads"]
