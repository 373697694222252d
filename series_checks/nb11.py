"""Checkers for notebook 11, the training loop.

Each checker rebuilds the notebook's tiny network itself (same data, same seed, same
initialisation), runs a reference computation with the engine, and compares the learner's answer
with it. The learner's global `random` state is saved and restored around every model build, so
running a check never changes what the notebook draws next.
"""

import random

from micrograd_core import MLP

from . import call_safely, checker, close, failed, is_unwritten, is_waiting, keep_random_state
from . import passed, read_number, read_numbers, waiting

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
    with keep_random_state():
        random.seed(seed)
        return MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")


def _loss(model):
    return sum((model(x) - y) ** 2 for x, y in zip(XS, YS))


def _reference_train(seed, lr, steps, zero_grad=True, with_model=False):
    """losses[k] is the loss measured at step k, before that step's update (and the trained model)."""
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
    return (losses, model) if with_model else losses


def _all_close(xs, ys, tol=1e-9):
    return len(xs) == len(ys) and all(close(a, b, tol) for a, b in zip(xs, ys))


# ----------------------------------------------------------------------------------------------
# Exercise 1: one update step
# ----------------------------------------------------------------------------------------------

def _try_step(name, fn, seed, lr):
    """Run the learner's step on a fresh model whose grads are filled in; report what moved.

    (False, verdict) when the learner's function raised or ran too long.
    """
    model = _model(seed)
    loss = _loss(model)
    model.zero_grad()
    loss.backward()
    params = model.parameters()
    before = [p.data for p in params]
    grads = [p.grad for p in params]
    ok, outcome = call_safely(name, fn, params, lr, case=f"with lr={lr}")
    if not ok:
        return False, outcome
    after = [p.data for p in params]
    grads_after = [p.grad for p in params]
    return True, (model, loss.data, before, grads, after, grads_after)


# (seed, lr): the notebook's model, and one built from a seed the notebook does not use.
STEP_CASES = [(0, 0.001), (0, 0.1), (5, 0.03)]


@checker
def check_sgd_step(sgd_step):
    name = "Exercise 1 (one update step)"
    if is_waiting(sgd_step) or is_unwritten(sgd_step):
        return waiting(name, "write the body of sgd_step in place of the `...`")
    if not callable(sgd_step):
        return failed(name, "sgd_step should be a function of (params, lr).")
    results = {}
    for seed, lr in STEP_CASES:
        ok, outcome = _try_step(name, sgd_step, seed, lr)
        if not ok:
            return outcome
        results[(seed, lr)] = outcome
    for (seed, lr), (model, loss0, before, grads, after, grads_after) in results.items():
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
        if lr != 0.1 and _all_close(after, [d - 0.1 * g for d, g in zip(before, grads)]):
            return failed(name, f"with lr={lr} the parameters moved as if lr were 0.1: use the lr argument "
                                f"instead of a fixed number.")
        return failed(name, "each parameter should move by minus lr times its own gradient; print one "
                            "parameter's data and grad before and after your step and compare by hand.")
    # Confirm with a second method: the first-order prediction of the new loss.
    model, loss0, before, grads, after, _ = results[STEP_CASES[0]]
    new_loss = _loss(model).data
    predicted = loss0 - 0.001 * sum(g * g for g in grads)
    if not (new_loss < loss0 and close(new_loss, predicted, 1e-3)):  # the outcome: the model learned
        return failed(name, "the parameters moved as expected, but the loss did not fall as the "
                            "gradient predicts; tell your teacher.")
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
    lr = read_number(name, lr, "my_lr")
    if lr is None:
        return False
    if lr <= 0:
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

# (seed, steps, lr): the notebook's call, then a model and settings the notebook never shows.
FIXED_TRAIN_CASES = [(0, 30, 0.05), (3, 12, 0.1)]


def _same_parameters(model, reference):
    return _all_close([p.data for p in model.parameters()], [p.data for p in reference.parameters()], 1e-6)


def _fixed_train_hint(got, seed, steps, lr):
    if _all_close(got, [got[0]] * steps, 1e-9):
        return ("the loss never changes, so every update moved the parameters by zero. What are the "
                "gradients worth at the moment the update reads them?")
    if _all_close(got, _reference_train(seed, lr, steps, zero_grad=False), 1e-6):
        return ("the loss moves, but exactly like the loop without zero_grad: the grads pile up from "
                "one step to the next. Reset them once per step, at the right moment.")
    if got[-1] > got[0]:
        return "the loss goes up: check the sign of the update."
    return ("your losses differ from the reference loop. Keep the order of the four beats of a step "
            "and record loss.data before the update.")


@checker
def check_fixed_train(fixed_train, steps=30, lr=0.05):
    """Exercise 3: fixed_train(model, steps, lr) trains the model it is given and returns its losses.

    Run on the notebook's model and on one it never shows; the model itself must end where the
    engine's reference loop takes it (a function that trains a model of its own does not pass).
    """
    name = "Exercise 3 (fix the loop)"
    if is_waiting(fixed_train) or is_unwritten(fixed_train):
        return waiting(name, "write the body of fixed_train in place of the `...`")
    if not callable(fixed_train):
        return failed(name, "fixed_train should be a function of (model, steps, lr).")
    cases = [(0, steps, lr)] + FIXED_TRAIN_CASES[1:]
    for seed, n_steps, n_lr in cases:
        model = _model(seed)
        ok, got = call_safely(name, fixed_train, model, n_steps, n_lr,
                              case=f"on fixed_train(model, {n_steps}, {n_lr})")
        if not ok:
            return got
        if isinstance(got, (list, tuple)):
            got = [v.data if hasattr(v, "data") and hasattr(v, "grad") else v for v in got]
        got = read_numbers(name, got, "the list of losses fixed_train returns")
        if got is None:
            return False
        if len(got) != n_steps:
            return failed(name, f"fixed_train returned {len(got)} losses for {n_steps} steps: record one "
                                f"loss per step.")
        reference, trained = _reference_train(seed, n_lr, n_steps, with_model=True)
        if not _all_close(got, reference, 1e-6):
            if seed != 0 and _all_close(got, _reference_train(0, n_lr, n_steps), 1e-6):
                return failed(name, "your losses are those of the notebook's model, but the checker gave "
                                    "fixed_train another one: train the `model` argument, not a model "
                                    "made inside the function.")
            return failed(name, _fixed_train_hint(got, seed, n_steps, n_lr))
        if not _same_parameters(model, trained):
            return failed(name, "the losses you return are right, but the model passed to fixed_train did "
                                "not end where training takes it: update the parameters of the `model` "
                                "argument itself.")
    reference = _reference_train(0, lr, steps)
    return passed(name, f"The loss goes {reference[0]:.4f} -> {reference[-1]:.4f} in {steps} steps, "
                        f"exactly as the engine's reference loop, and the model you were given ends "
                        f"with the reference's parameters (also on a second model).")
