"""Checkers for notebook 11, the training loop.

Each checker rebuilds the notebook's tiny network itself (same data, same seed, same
initialisation), runs a reference computation with the engine, and compares the learner's answer
with it. The learner's global `random` state is saved and restored around every model build, so
running a check never changes what the notebook draws next.
"""

import math
import random

from micrograd_core import MLP

from . import failed, is_waiting, passed, waiting, close
from . import checker, is_unwritten

__all__ = ["XS", "YS", "check_sgd_step", "check_learning_rate", "check_fixed_train"]

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
TARGET_LOSS = 0.02   # exercise 2: loss after 20 updates must be below this
TARGET_STEPS = 20


# ----------------------------------------------------------------------------------------------
# The reference: the notebook's model, loss and loop
# ----------------------------------------------------------------------------------------------

def _model(seed=0):
    """MLP(3, [4, 4, 1]) with tanh everywhere, built from `seed` without touching the caller's RNG."""
    state = random.getstate()
    try:
        random.seed(seed)
        return MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
    finally:
        random.setstate(state)


def _loss(model):
    return sum((model(x) - y) ** 2 for x, y in zip(XS, YS))


def _reference_train(seed, lr, steps, zero_grad=True):
    """losses[k] is the loss measured at step k, before that step's update."""
    model = _model(seed)
    losses = []
    for _ in range(steps):
        loss = _loss(model)
        if zero_grad:
            model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


def _all_close(xs, ys, tol=1e-9):
    return len(xs) == len(ys) and all(close(a, b, tol) for a, b in zip(xs, ys))


# ----------------------------------------------------------------------------------------------
# Exercise 1: one update step
# ----------------------------------------------------------------------------------------------

def _try_step(fn, lr):
    """Run the learner's step on a fresh model whose grads are filled in; report what moved."""
    model = _model(0)
    loss = _loss(model)
    model.zero_grad()
    loss.backward()
    params = model.parameters()
    before = [p.data for p in params]
    grads = [p.grad for p in params]
    fn(params, lr)
    after = [p.data for p in params]
    grads_after = [p.grad for p in params]
    return model, loss.data, before, grads, after, grads_after


@checker
def check_sgd_step(sgd_step):
    name = "Exercise 1 (one update step)"
    if is_waiting(sgd_step) or is_unwritten(sgd_step):
        return waiting(name, "write the body of sgd_step in place of the `...`")
    if not callable(sgd_step):
        return failed(name, "sgd_step should be a function of (params, lr).")
    results = {}
    for lr in (0.001, 0.1):
        try:
            results[lr] = _try_step(sgd_step, lr)
        except Exception as e:  # the learner's code: report, never raise
            return failed(name, f"calling sgd_step(params, lr={lr}) raised {type(e).__name__}: {e}")
    for lr, (model, loss0, before, grads, after, grads_after) in results.items():
        expected = [d - lr * g for d, g in zip(before, grads)]
        if _all_close(after, expected):
            continue
        if _all_close(after, before):
            if not _all_close(grads_after, grads):
                return failed(name, "the parameters' .data did not move, but their .grad changed: "
                                    "the update belongs in the value (.data); the gradient only says "
                                    "which way and how much.")
            return failed(name, "no parameter's .data changed. Rebinding the loop variable "
                                "(p = ...) or building a new Value leaves the model untouched: change "
                                "the number stored inside each parameter object.")
        if _all_close(after, [d + lr * g for d, g in zip(before, grads)]):
            return failed(name, "every parameter moved uphill: the gradient points in the direction "
                                "that increases the loss, so the step must go the other way.")
        if _all_close(after, [d - g for d, g in zip(before, grads)]):
            return failed(name, "the parameters moved by a whole gradient: the step size lr is missing.")
        moved_right = sum(close(a, e, 1e-9) for a, e in zip(after, expected))
        if 0 < moved_right < len(after):
            return failed(name, f"{moved_right} of {len(after)} parameters moved correctly: every "
                                f"parameter in `params` needs the update, not only some of them.")
        if _all_close(after, [d - 0.1 * g for d, g in zip(before, grads)]):
            return failed(name, f"with lr={lr} the parameters moved as if lr were 0.1: use the lr argument "
                                f"instead of a fixed number.")
        return failed(name, "each parameter should move by minus lr times its own gradient; print one "
                            "parameter's data and grad before and after your step and compare by hand.")
    # Confirm with a second method: the first-order prediction of the new loss.
    model, loss0, before, grads, after, _ = results[0.001]
    new_loss = _loss(model).data
    predicted = loss0 - 0.001 * sum(g * g for g in grads)
    return passed(name, f"Every parameter moved by -lr * grad. With lr=0.001 the loss went from "
                        f"{loss0:.4f} to {new_loss:.4f}, and the first-order prediction "
                        f"L - lr * sum(grad^2) gives {predicted:.4f}.")


# ----------------------------------------------------------------------------------------------
# Exercise 2: a learning rate that reaches the target
# ----------------------------------------------------------------------------------------------

@checker
def check_learning_rate(lr):
    name = "Exercise 2 (a learning rate that works)"
    if is_waiting(lr):
        return waiting(name, "set my_lr to a number")
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        return failed(name, f"the learning rate should be a number, got {type(lr).__name__} {lr!r}.")
    if not math.isfinite(lr) or lr <= 0:
        return failed(name, "a learning rate must be a positive number: with lr <= 0 the update stands "
                            "still or climbs uphill.")
    if lr > 100:
        return failed(name, f"lr={lr:g} is enormous: the first step throws the weights so far that "
                            f"every tanh saturates. Think in powers of ten, much smaller.")
    losses = _reference_train(0, lr, TARGET_STEPS + 1)
    final = losses[TARGET_STEPS]
    if final < TARGET_LOSS:
        return passed(name, f"With lr={lr:g} the loss goes from {losses[0]:.4f} to {final:.4f} after "
                            f"{TARGET_STEPS} updates (target: below {TARGET_LOSS}).")
    steadily_down = all(b <= a + 1e-12 for a, b in zip(losses, losses[1:]))
    if steadily_down:
        return failed(name, f"with lr={lr:g} the loss falls steadily but only reaches {final:.4f} after "
                            f"{TARGET_STEPS} updates: the steps are too timid, try a larger learning rate.")
    return failed(name, f"with lr={lr:g} the loss does not fall steadily (it ends at {final:.4f}, "
                        f"its lowest was {min(losses):.4f}): the steps overshoot. Try a smaller learning rate.")


# ----------------------------------------------------------------------------------------------
# Exercise 3: the bug in the loop
# ----------------------------------------------------------------------------------------------

@checker
def check_fixed_train(fixed_train, steps=30, lr=0.05):
    name = "Exercise 3 (fix the loop)"
    if is_waiting(fixed_train) or is_unwritten(fixed_train):
        return waiting(name, "write the body of fixed_train in place of the `...`")
    if not callable(fixed_train):
        return failed(name, "fixed_train should be a function of (model, steps, lr).")
    model = _model(0)
    try:
        got = fixed_train(model, steps, lr)
    except Exception as e:
        return failed(name, f"calling fixed_train(model, {steps}, {lr}) raised {type(e).__name__}: {e}")
    try:
        got = [float(getattr(v, "data", v)) for v in got]
    except (TypeError, ValueError):
        return failed(name, "fixed_train should return the list of losses, one number per step.")
    if len(got) != steps:
        return failed(name, f"fixed_train returned {len(got)} losses for {steps} steps: record one loss "
                            f"per step.")
    reference = _reference_train(0, lr, steps)
    if _all_close(got, reference, 1e-6):
        return passed(name, f"The loss goes {reference[0]:.4f} -> {reference[-1]:.4f} in {steps} steps, "
                            f"exactly as the engine's reference loop.")
    if _all_close(got, [got[0]] * steps, 1e-9):
        return failed(name, "the loss never changes, so every update moved the parameters by zero. What "
                            "are the gradients worth at the moment the update reads them?")
    if _all_close(got, _reference_train(0, lr, steps, zero_grad=False), 1e-6):
        return failed(name, "the loss moves, but exactly like the loop without zero_grad: the grads "
                            "pile up from one step to the next. Reset them once per step, at the right moment.")
    if got[-1] > got[0]:
        return failed(name, "the loss goes up: check the sign of the update.")
    return failed(name, "your losses differ from the reference loop. Keep the order of the four beats "
                        "of a step and record loss.data before the update.")
