"""The engine is exact or says why, and the stepper always agrees with backward().

Each case here was silently wrong before (a hostile review, issue 19): the expected numbers are
PyTorch's in float64, written out so that the tests run without torch (tests/test_torch.py
compares with torch itself where it is installed).
"""

import math

import pytest

import viz
from micrograd_core import RuleError, Value, cross_entropy

INF = math.inf


# ----------------------------------------------------------------------------------------------
# Division is a * b**-1 (notebook 08): where that form cannot hold its numbers, it says so
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [(1e-300, 1e-310), (0.0, 1e-310), (1e-310, 1e-310), (1e-160, 1e-160),
                                  (1.0, -1e-200)])
def test_division_by_a_tiny_number_is_refused_with_the_range(a, b):
    with pytest.raises(OverflowError) as info:
        Value(a) / Value(b, label="b")
    text = str(info.value)
    assert "'/'" in text and "Value 'b'" in text and "1e-154" in text and "a * b**-1" in text


def test_division_inside_its_range_matches_pytorch():
    a, b = Value(1e-150, label="a"), Value(1e-150, label="b")
    out = a / b
    out.backward()
    assert out.data == pytest.approx(1.0, rel=1e-15)
    assert a.grad == pytest.approx(1e150, rel=1e-15)     # torch: 1/b
    assert b.grad == pytest.approx(-1e150, rel=1e-15)    # torch: -a/b**2
    assert math.isfinite(a.grad) and math.isfinite(b.grad)


def test_number_divided_by_a_tiny_value_is_refused_too():
    with pytest.raises(OverflowError):
        1.0 / Value(1e-310)


def test_plain_powers_of_tiny_numbers_stay_ieee_like_pytorch():
    x = Value(1e-310)
    y = x ** -1
    assert y.data == INF       # torch: inf too; only division promises a finite answer


# ----------------------------------------------------------------------------------------------
# cross_entropy keeps its digits for large logits
# ----------------------------------------------------------------------------------------------

def test_cross_entropy_with_huge_close_logits():
    logits = [Value(1e15), Value(1e15 + 1)]
    loss = cross_entropy(logits, 0)
    loss.backward()
    assert loss.data == pytest.approx(1.3132616875182228, rel=1e-12)   # torch 1.3133
    assert [v.grad for v in logits] == pytest.approx([-0.7310585786300049, 0.7310585786300049], rel=1e-12)


def test_cross_entropy_with_equal_huge_logits():
    logits = [Value(1e150), Value(1e150)]
    loss = cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == pytest.approx(math.log(2), rel=1e-15)
    assert [v.grad for v in logits] == pytest.approx([0.5, -0.5], rel=1e-15)


# ----------------------------------------------------------------------------------------------
# x ** 0 is a constant: nothing flows back, even from an infinite upstream (like ReLU)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("power", [lambda x: x ** 0, lambda x: x ** Value(0.0)], ids=["** 0", "** Value(0)"])
def test_power_zero_masks_an_infinite_upstream(power):
    x = Value(3.0)
    y = power(x)
    z = y * INF                    # the upstream into y is inf
    z.backward()
    assert x.grad == 0.0           # torch: 0, not 0 * inf = nan


# ----------------------------------------------------------------------------------------------
# The stepper always agrees with backward()
# ----------------------------------------------------------------------------------------------

def cube_with_a_closure(closure_body):
    a = Value(1.5, label="a")
    out = Value(a.data ** 3, (a,), "cube")
    out.label = "out"
    out._backward = lambda: closure_body(a, out)
    loss = out * 2.0
    loss.label = "loss"
    return a, out, loss


def test_an_interrupt_inside_a_closure_leaves_the_grads_and_the_step_can_be_taken_again():
    presses = []

    def body(a, out):
        a.grad += out.grad * 3 * a.data ** 2
        if not presses:            # the learner presses stop in the middle of this step, once
            presses.append(1)
            raise KeyboardInterrupt
    a, out, loss = cube_with_a_closure(body)
    s = viz.BackpropStepper(loss)
    s.step(2)                      # the seed and loss's step
    with pytest.raises(KeyboardInterrupt):
        s.step()
    assert a.grad == 0.0 and s.position == 1   # the partial update was undone; nothing moved
    s.run()                                    # the same step again, then to the end
    assert a.grad == pytest.approx(2 * 3 * 1.5 ** 2)


def test_a_closure_assigned_after_the_stepper_was_made_is_taken():
    a = Value(2.0, label="a")
    sq = Value(4.0, (a,), "sq")
    s = viz.BackpropStepper(sq)
    sq._backward = lambda: setattr(a, "grad", a.grad + 2 * a.data * sq.grad)
    s.run()
    assert a.grad == 4.0
    leaf = Value(1.0, label="leaf")
    stepper = viz.BackpropStepper(leaf)
    leaf._backward = lambda: None        # a leaf given a closure takes a step in backward() too
    stepper.run()
    assert stepper.n_steps == 1


def test_a_closure_that_touches_another_node_is_refused_by_the_stepper_only():
    bystander = Value(100.0, label="bystander")

    def body(a, out):
        a.grad += out.grad * 3 * a.data ** 2
        bystander.grad += 100.0      # not an input of out
    a, out, loss = cube_with_a_closure(body)
    total = loss + bystander * 1.0
    s = viz.BackpropStepper(total)
    with pytest.raises(RuleError, match="not one of its\\s+inputs"):
        s.run()
    assert a.grad == 0.0                     # the refused step changed nothing
    s.reset()
    for v in (a, out, loss, bystander):
        v.grad = 0.0
    total.backward()                         # backward() runs it, as micrograd would
    assert bystander.grad == 1.0 + 100.0


def test_a_closure_that_raises_after_touching_another_node_changes_nothing():
    other = Value(5.0, label="other")

    def body(a, out):
        other.grad += 7.0
        raise ValueError("oops")
    a, out, loss = cube_with_a_closure(body)
    total = loss + other
    s = viz.BackpropStepper(total)
    with pytest.raises(RuleError, match="ValueError: oops"):
        s.run()
    assert other.grad == 1.0 and a.grad == 0.0   # other's own grad from the + step, nothing more


def test_an_exception_whose_str_fails_is_still_reported():
    class Weird(Exception):
        def __str__(self):
            raise RuntimeError("no text")

    def body(a, out):
        raise Weird()
    a, out, loss = cube_with_a_closure(body)
    with pytest.raises(RuleError, match="Weird: \\(its message could not be read\\)"):
        viz.BackpropStepper(loss).run()


# ----------------------------------------------------------------------------------------------
# viz: every label object draws, a huge one is cut with an ellipsis (SVG and PNG)
# ----------------------------------------------------------------------------------------------

class StrFails:
    def __str__(self):
        raise RuntimeError("broken __str__")


@pytest.mark.parametrize("label", ["\ud800", StrFails(), 10 ** 5000, "x" * 100_000],
                         ids=["lone surrogate", "str raises", "huge int", "100k characters"])
def test_every_label_draws_with_a_picture(label):
    a = Value(1.0, label=label)
    b = a * 2
    b.label = label
    graph = viz.draw_dot(b)
    bundle = graph._repr_mimebundle_()
    assert "image/png" in bundle and "image/svg+xml" in bundle
    texts = [n.text for n in graph.nodes if n.kind == "value"]
    assert all(len(t) <= viz.LABEL_LIMIT for t in texts)
    assert repr(a) and str(b.backward() or a.grad) == "2.0"
    card = viz.BackpropStepper(b).run().card_text()
    assert "step 1 of 1" in card


def test_a_long_label_ends_in_an_ellipsis():
    a = Value(1.0, label="y" * 500)
    assert viz.name_of(a) == "y" * (viz.LABEL_LIMIT - 1) + "\u2026"
