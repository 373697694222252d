"""The second edition of the engine: local derivatives are data, the chain rule is written once.

backward() and backward_steps() read the same local derivatives, so the stepper walks every graph
that backward() walks: numpy data, lecture-style closures written in any order, a rule that
raises, two updates into one slot.
"""

import gc
import math
import random

import pytest

import viz
from micrograd_core import MLP, BackwardStep, RuleError, Value
from series_checks import lecture_expression


def grads_of(vs):
    return [v.grad for v in vs]


def walk(root):
    """Every step of root.backward_steps(), through the stepper as a learner would run it."""
    s = viz.BackpropStepper(root)
    s.run()
    return s


# ----------------------------------------------------------------------------------------------
# The design: one rule per op gives the local derivatives; the stepper shows those same numbers
# ----------------------------------------------------------------------------------------------

def test_a_value_has_at_most_eight_slots_and_no_dict():
    assert len(Value.__slots__) <= 8
    assert not hasattr(Value(1.0), "__dict__")


def test_prev_is_the_ordered_inputs():
    a, b = Value(1.0), Value(2.0)
    assert (a * b)._prev == (a, b) and (b * a)._prev == (b, a)
    assert (a + a)._prev == (a, a)
    assert a.tanh()._prev == (a,) and a._prev == ()
    assert [c for c in (a - b)._prev][0] is a  # lecture code iterates v._prev


def test_each_op_gives_its_local_derivatives():
    a, b = Value(3.0), Value(-2.0)
    m = a * b
    assert (m._da, m._db) == (-2.0, 3.0)                   # d(ab)/da = b, d(ab)/db = a
    s = a + b
    assert (s._da, s._db) == (1.0, 1.0)
    t = a.tanh()
    assert (t._da, t._db) == (1.0 - math.tanh(3.0) ** 2, None)
    p = a ** 3
    assert (p._da, p._db) == (27.0, None)                  # 3 * a**2


def test_the_step_arithmetic_is_local_times_upstream_to_the_bit():
    random.seed(3)
    model = MLP(3, [4, 1], activation="tanh")
    out = model([Value(0.5), Value(-1.5), Value(2.0)])
    for step in out.backward_steps():
        for s in step.slots:
            assert s.contribution == s.local * s.upstream
            assert s.after == s.before + s.contribution
            assert s.local == (step.node._da, step.node._db)[s.slot]


def test_steps_are_numbered_k_of_n():
    L = lecture_expression()["L"]
    steps = list(L.backward_steps())
    assert [(s.position, s.n) for s in steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert repr(steps[1]).startswith("BackwardStep(step 1 of 3, 'L'")
    assert isinstance(steps[0], BackwardStep) and steps[0].is_seed


def test_one_numbering_in_card_repr_and_player():
    s = viz.BackpropStepper(lecture_expression()["L"])
    s.step(3)
    assert repr(s) == "<BackpropStepper step 2 of 3>"
    assert s.card_text().startswith("step 2 of 3:")
    assert s.current.position == 2 and s.current.n == s.n_steps == 3
    player = s.player()
    html = player._repr_html_()
    # The player's counter shows each frame's caption: the same words as the card and the repr.
    assert 'data-caption="step 2 of 3"' in html and player.captions[player.start] == "step 2 of 3"


# ----------------------------------------------------------------------------------------------
# The stepper never refuses a graph that backward() accepts
# ----------------------------------------------------------------------------------------------

def test_numpy_scalar_data_walks_like_backward():
    np = pytest.importorskip("numpy")

    def build():
        random.seed(0)
        model = MLP(2, [3, 1])
        for p in model.parameters():     # what `p.data -= lr * p.grad` with a numpy lr leaves behind
            p.data = np.float64(p.data) - np.float64(0.01) * 0.5
        x = [Value(1.0), Value(-2.0)]
        return model(x), model.parameters() + x
    out1, vs1 = build()
    out1.backward()
    out2, vs2 = build()
    assert type(vs2[0].data) is np.float64
    walk(out2)
    assert grads_of(vs1) == grads_of(vs2)


def lecture_cube(order, scale=2.0):
    """The lecture's way to add an op: a hand-written closure, in one of several correct orders."""
    a = Value(1.5, label="a")
    out = Value(a.data ** 3, (a,), "cube")
    out.label = "out"

    def _backward():
        if order == "upstream first":
            a.grad += out.grad * 3 * a.data ** 2
        elif order == "local first":
            a.grad += 3 * a.data ** 2 * out.grad
        else:                                   # two += into one slot
            a.grad += out.grad * a.data ** 2
            a.grad += 2 * a.data ** 2 * out.grad
    out._backward = _backward
    loss = out * scale
    loss.label = "loss"
    return a, loss


@pytest.mark.parametrize("order", ["upstream first", "local first", "two updates into one slot"])
def test_hand_written_closures_in_any_order(order):
    a, loss = lecture_cube(order)
    loss.backward()
    expected = a.grad
    assert expected == pytest.approx(2.0 * 3 * 1.5 ** 2)
    a2, loss2 = lecture_cube(order)
    s = walk(loss2)
    assert a2.grad == expected
    (slot,) = s.current.slots                      # the closure's step: one input, observed
    assert slot.observed and slot.child is a2
    assert slot.before == 0.0 and slot.after == expected
    assert slot.contribution == expected and slot.local == pytest.approx(3 * 1.5 ** 2)
    assert "hand-written _backward" in s.card_text()
    s.back()
    assert a2.grad == 0.0                          # back() undoes what the closure added
    s.step()
    assert a2.grad == expected


def test_hand_written_closure_with_zero_upstream_shows_an_unknown_local():
    a, loss = lecture_cube("upstream first", scale=0.0)  # loss = out * 0: the closure's upstream is 0
    s = walk(loss)
    (slot,) = s.current.slots
    assert slot.upstream == 0.0 and slot.local is None and slot.contribution == 0.0
    assert "a: local ? \u00d7 upstream 0.0000" in s.card_text()


def test_hand_written_closure_that_mutates_grads_is_observed():
    a = Value(2.0, label="a")
    out = Value(4.0, (a, a), "odd")
    out._backward = lambda: setattr(a, "grad", a.grad + 5.0 * out.grad)
    steps = list(out.backward_steps())
    (slot,) = steps[1].slots  # the same input in two slots: its whole change, once
    assert (slot.before, slot.after, slot.local) == (0.0, 5.0, 5.0)


class Boom(Exception):
    pass


def raising_graph():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    bad = Value(c.data + 1, (c,), "bad")
    bad.label = "bad"

    def _backward():
        c.grad += bad.grad         # one update made, then the rule fails
        raise Boom("my rule is broken")
    bad._backward = _backward
    out = bad * 2.0
    out.label = "out"
    return a, b, c, out


def test_a_raising_rule_leaves_the_grads_as_before_that_step():
    a, b, c, out = raising_graph()
    walker = out.backward_steps()
    next(walker), next(walker)             # the seed, then out's own rule
    before = (a.grad, b.grad, c.grad, out.grad)
    with pytest.raises(RuleError) as info:
        next(walker)
    message = str(info.value)
    assert "step 2 of 3" in message and "'bad'" in message and "Boom" in message and "my rule is broken" in message
    assert (a.grad, b.grad, c.grad, out.grad) == before


def test_the_stepper_after_a_raising_rule_says_what_failed_every_time():
    a, b, c, out = raising_graph()
    s = viz.BackpropStepper(out).step(2)
    grads = (a.grad, b.grad, c.grad)
    for _ in range(2):                     # the next call says what failed, never StopIteration
        with pytest.raises(RuleError, match="step 2 of 3 failed.*Boom"):
            s.step()
        assert s.position == 1 and (a.grad, b.grad, c.grad) == grads
    assert "Boom" in s.failure
    s.back(2)                              # going back still works, from the recorded steps
    assert out.grad == 0.0 and s.position == -1
    s.step(2)
    with pytest.raises(RuleError):
        s.run()


def test_backward_with_a_raising_rule_raises_it():
    *_, out = raising_graph()
    with pytest.raises(Boom):
        out.backward()


def test_two_slots_of_one_input_get_one_update_each():
    a = Value(3.0, label="a")
    out = a * a
    s = walk(out)
    first, second = s.current.slots
    assert (first.local, second.local) == (3.0, 3.0)
    assert (first.before, first.after, second.before, second.after) == (0.0, 3.0, 3.0, 6.0)
    assert a.grad == 6.0


def test_labels_may_be_any_object():
    a = Value(2.0, label=42)
    b = Value(3.0, label=None)
    out = a * b
    out.label = ("out", 1)
    out.backward()
    assert "42" in repr(list(out.backward_steps())[1])
    assert viz.name_of(a) == "42"
    src = viz.draw_dot(out).source                  # draw_dot must not crash on a non-string label
    assert "42" in src and "out" in src
    assert "42" in walk(out).card_text()


# ----------------------------------------------------------------------------------------------
# The garbage collector is paused around a model's forward pass, and its state restored
# ----------------------------------------------------------------------------------------------

def test_mlp_forward_pauses_the_collector_and_restores_its_state():
    random.seed(1)
    model = MLP(2, [3, 1])
    seen = []
    first_layer = model.layers[0]
    original = type(first_layer).__call__

    class Spy(type(first_layer)):
        def __call__(self, x):
            seen.append(gc.isenabled())
            return original(self, x)
    first_layer.__class__ = Spy
    assert gc.isenabled()
    model([1.0, 2.0])
    assert seen == [False] and gc.isenabled()       # paused inside, back on after
    gc.disable()
    try:
        model([1.0, 2.0])
        assert not gc.isenabled()                   # a collector the user turned off stays off
    finally:
        gc.enable()


def test_a_batch_of_forward_passes_runs_without_a_collection_in_between():
    # The pause starts before anything is allocated (the input check included), so passes made back
    # to back, as in `[model(x) for x in inputs]`, never let the collector in: it looks at the
    # batch's graph once, at the first allocation after the batch, instead of every 700 new nodes.
    random.seed(1)
    model = MLP(2, [16, 16, 1])
    inputs = [[Value(0.1 * i), Value(-0.2 * i)] for i in range(40)]  # 40 x 650 nodes: many thresholds
    collections = []

    def note(phase, info):
        if phase == "start":
            collections.append(info["generation"])
    gc.collect()
    gc.callbacks.append(note)
    try:
        scores = [model(x) for x in inputs]
    finally:
        gc.callbacks.remove(note)
    assert len(scores) == 40 and gc.isenabled()
    assert collections == [], f"collections during the batch: {collections}"


def test_the_collector_is_restored_when_the_forward_pass_raises():
    random.seed(1)
    model = MLP(2, [3, 1])
    model.layers[1].neurons[0].w[0].data = "oops"   # makes the second layer raise
    with pytest.raises(TypeError):
        model([1.0, 2.0])
    assert gc.isenabled()
